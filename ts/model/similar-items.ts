/**
 * "Similar items" (issue 15): an item's k nearest items by cosine similarity of the model's item
 * vectors, the item itself left out. A model keeps one {@link UnitItemTable} (an L2-normalised
 * copy of the item vectors it scores with), built on first use and dropped wherever the model
 * drops its other derived item tables; a query is one matvec of the unit table with the item's
 * unit row and one top-k with the item excluded, both in wasm.
 */
import type { IdMap } from "../data/id-map.js";
import type { Kernels } from "../kernels/kernels.js";
import { freeAll, type WasmF32Array, type WasmI32Array } from "../kernels/wasm-instance.js";
import type { Recommendation } from "./recommendation.js";

/** The m×d item vectors scaled to unit L2 norm (an all-zero vector stays zero: its cosine with anything is 0), in wasm memory this object owns. */
export class UnitItemTable {
  private table: WasmF32Array | null;

  /** Takes ownership of `table` (m×d item vectors, row-major) and normalises its rows in place. */
  constructor(
    private readonly kernels: Kernels,
    table: WasmF32Array,
    readonly nItems: number,
    readonly dim: number,
  ) {
    kernels.l2NormalizeRows(table, nItems, dim);
    this.table = table;
  }

  /**
   * The k items most cosine-similar to item `item` (an index), best first, without the item itself:
   * k is capped at nItems − 1. `ids` names the items (the model's item map).
   */
  similarTo(item: number, k: number, ids: IdMap): Recommendation {
    if (!Number.isInteger(k) || k <= 0) throw new RangeError(`k must be a positive integer, got ${k}`);
    const table = this.table;
    if (!table) throw new Error("this unit item table was freed");
    const m = this.nItems,
      d = this.dim;
    if (!(Number.isInteger(item) && item >= 0 && item < m)) throw new RangeError(`item index ${item} is outside [0, ${m})`);
    const kk = Math.min(k, m - 1);
    if (kk === 0) return { items: [], indices: new Int32Array(0), scores: new Float32Array(0) };
    const e = this.kernels.wasm;
    let query: WasmF32Array | null = null,
      scores: WasmF32Array | null = null,
      topIdx: WasmI32Array | null = null,
      topScore: WasmF32Array | null = null;
    let exclOffsets: WasmI32Array | null = null,
      exclIndices: WasmI32Array | null = null;
    try {
      query = e.f32(d);
      scores = e.f32(m);
      topIdx = e.i32(kk);
      topScore = e.f32(kk);
      exclOffsets = e.i32From([0, 1]);
      exclIndices = e.i32From([item]);
      // Views are taken after the last allocation (growth detaches older ones).
      query.view.set(table.view.subarray(item * d, (item + 1) * d));
      this.kernels.matvec(table, m, d, query, scores);
      this.kernels.topkRows(scores, 1, m, m, kk, { offsets: exclOffsets, indices: exclIndices }, topIdx, topScore);
      const idx = topIdx.view.slice(),
        sc = topScore.view.slice();
      let n = idx.indexOf(-1);
      if (n < 0) n = idx.length;
      return { indices: idx.subarray(0, n), scores: sc.subarray(0, n), items: Array.from(idx.subarray(0, n), (i) => ids.id(i)) };
    } finally {
      freeAll(query, scores, topIdx, topScore, exclOffsets, exclIndices);
    }
  }

  free(): void {
    this.table?.free();
    this.table = null;
  }
}

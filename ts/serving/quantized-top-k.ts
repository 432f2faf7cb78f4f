import type { Kernels } from "../kernels/kernels.js";
import { DEFAULT_REFINE_FACTOR, QuantizedItemTable } from "../kernels/quantized-items.js";
import { freeAll, type WasmF32Array, type WasmI32Array } from "../kernels/wasm-instance.js";
import { checkServingTables, checkTopKRequest, type ProviderMemory, type ServingTables, type TopKLists, type UserBlockTopK } from "./top-k-provider.js";

/** Serving from int8 item codes (docs/scale.md, "Large catalogs: int8 items"). */
export interface QuantizedServingOptions {
  /** Each user's refineFactor·k best candidates by the codes are re-scored exactly (default 4). */
  refineFactor?: number;
}

/** Users scored per call of the table (their rows and exclusions are copied into wasm memory per block). */
const BLOCK_USERS = 1024;

/**
 * Top-k with the int8 item table: the catalog is held as 7-bit codes (a quarter of the float
 * table) plus the float rows for the exact pass, every user's refineFactor·k best candidates by
 * the codes are re-scored exactly, and the exact top-k among them is returned (see
 * QuantizedItemTable). The lists equal the float path's whenever the true top-k is among the
 * candidates, which docs/scale.md measures; scores are exact. Runs on wasm, across the kernels' threads.
 */
export class QuantizedTopK implements UserBlockTopK {
  readonly backend = "wasm" as const;
  readonly nUsers: number;
  readonly nItems: number;
  private table: QuantizedItemTable | null;
  private readonly refineFactor: number;

  constructor(
    readonly kernels: Kernels,
    private readonly tables: ServingTables,
    options: QuantizedServingOptions = {},
  ) {
    checkServingTables(tables);
    const factor = options.refineFactor ?? DEFAULT_REFINE_FACTOR;
    if (!(typeof factor === "number" && Number.isFinite(factor) && factor >= 1)) throw new RangeError(`refineFactor must be a number >= 1, got ${factor}`);
    this.refineFactor = factor;
    this.nUsers = tables.nUsers;
    this.nItems = tables.nItems;
    this.table = QuantizedItemTable.fromItems(kernels, tables.items, tables.nItems, tables.dim);
  }

  async topK(users: Int32Array, k: number): Promise<TopKLists> {
    const table = this.table;
    if (!table) throw new Error("this quantized top-k provider was disposed");
    checkTopKRequest(users, k, this.nUsers);
    const n = users.length,
      d = this.tables.dim;
    const indices = new Int32Array(n * k).fill(-1);
    const scores = new Float32Array(n * k).fill(-Infinity);
    if (n === 0 || this.nItems === 0) return { n, k, indices, scores };
    const e = this.kernels.wasm;
    const B = Math.min(BLOCK_USERS, n);
    let rows: WasmF32Array | null = null,
      outIdx: WasmI32Array | null = null,
      outScore: WasmF32Array | null = null;
    try {
      rows = e.f32(B * d);
      outIdx = e.i32(B * k);
      outScore = e.f32(B * k);
      for (let start = 0; start < n; start += B) {
        const nb = Math.min(B, n - start);
        const excl = this.exclusions(users, start, nb);
        try {
          const rv = rows.view;
          for (let r = 0; r < nb; r++) rv.set(this.tables.users.subarray(users[start + r] * d, users[start + r] * d + d), r * d);
          table.topK(rows, nb, k, excl, outIdx, outScore, { refineFactor: this.refineFactor });
          indices.set(outIdx.view.subarray(0, nb * k), start * k);
          scores.set(outScore.view.subarray(0, nb * k), start * k);
        } finally {
          if (excl) freeAll(excl.offsets, excl.indices);
        }
      }
    } finally {
      freeAll(rows, outIdx, outScore);
    }
    return { n, k, indices, scores };
  }

  memory(): ProviderMemory {
    const held = this.table?.memory();
    if (!held) throw new Error("this quantized top-k provider was disposed");
    // The user rows of a block; the candidate and result lists (users × refineFactor·k) come on top.
    const workingBytes = Math.min(BLOCK_USERS, this.nUsers) * this.tables.dim * 4;
    return {
      backend: "wasm",
      catalogBytes: held.totalBytes,
      catalogBuffers: Math.ceil(this.nItems / this.table!.chunkItems),
      itemsPerBuffer: this.table!.chunkItems,
      workingBytes,
      totalBytes: held.totalBytes + workingBytes,
    };
  }

  dispose(): void {
    this.table?.free();
    this.table = null;
  }

  /** The block's excluded items (global indices) as the kernel's CSR, or null without exclusions. */
  private exclusions(users: Int32Array, start: number, nb: number): { offsets: WasmI32Array; indices: WasmI32Array } | null {
    const ex = this.tables.exclude;
    if (!ex) return null;
    const offsets = new Int32Array(nb + 1);
    for (let r = 0; r < nb; r++) {
      const u = users[start + r];
      offsets[r + 1] = offsets[r] + ex.indptr[u + 1] - ex.indptr[u];
    }
    const picked = new Int32Array(Math.max(1, offsets[nb]));
    for (let r = 0; r < nb; r++) {
      const u = users[start + r];
      picked.set(ex.indices.subarray(ex.indptr[u], ex.indptr[u + 1]), offsets[r]);
    }
    const e = this.kernels.wasm;
    const o = e.i32From(offsets);
    try {
      return { offsets: o, indices: e.i32From(picked) };
    } catch (error) {
      o.free();
      throw error;
    }
  }
}

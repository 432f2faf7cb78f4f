import type { Kernels } from "../kernels/kernels.js";
import type { WasmF32Array, WasmI32Array } from "../kernels/wasm-instance.js";
import type { UserBlockScorer } from "../eval/scorer.js";

/**
 * The "Most Popular" shelf as a model: every user gets the items ranked by training count.
 * The baseline that shows what a recommender collapses into without personalisation.
 */
export class MostPopular implements UserBlockScorer {
  private readonly row: Float32Array;

  constructor(
    readonly kernels: Kernels,
    readonly nUsers: number,
    itemCounts: Int32Array,
  ) {
    this.row = Float32Array.from(itemCounts);
  }

  get nItems(): number {
    return this.row.length;
  }

  scoreUsers(_users: WasmI32Array, n: number, out: WasmF32Array): void {
    const m = this.row.length;
    const view = out.view;
    for (let r = 0; r < n; r++) view.set(this.row, r * m);
  }
}

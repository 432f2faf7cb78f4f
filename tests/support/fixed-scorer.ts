/** A hand-made model for evaluation tests: every user's scores over the catalog are given outright. */
import type { Kernels } from "../../ts/kernels/kernels.js";
import type { WasmF32Array, WasmI32Array } from "../../ts/kernels/wasm-instance.js";
import type { UserBlockScorer } from "../../ts/eval/scorer.js";

export class FixedScorer implements UserBlockScorer {
  constructor(
    readonly kernels: Kernels,
    private readonly rows: number[][],
  ) {}
  get nUsers() {
    return this.rows.length;
  }
  get nItems() {
    return this.rows[0].length;
  }
  scoreUsers(users: WasmI32Array, n: number, out: WasmF32Array): void {
    const u = users.view;
    for (let r = 0; r < n; r++) out.view.set(this.rows[u[r]], r * this.nItems);
  }
}

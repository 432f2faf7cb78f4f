import type { Kernels } from "../kernels/kernels.js";
import type { WasmF32Array, WasmI32Array } from "../kernels/wasm-instance.js";

/** Anything that can score a block of its users against the whole catalog (MF, two-tower, ...). */
export interface UserBlockScorer {
  readonly kernels: Kernels;
  readonly nUsers: number;
  readonly nItems: number;
  /** out[r*nItems + i] = score(users[r], i) for r < n. */
  scoreUsers(users: WasmI32Array, n: number, out: WasmF32Array): void;
  /**
   * Optional fast path: each of the n users' k best items (score + scale·colBias[i] when given), best
   * first, without the items listed for the user in `excl`, exactly as scoreUsers followed by
   * Kernels.topkRows would rank them, but without writing the n × nItems scores.
   */
  rankUsers?(
    users: WasmI32Array,
    n: number,
    k: number,
    excl: { offsets: WasmI32Array; indices: WasmI32Array },
    outIndices: WasmI32Array,
    outScores: WasmF32Array,
    colBias?: { values: WasmF32Array; scale: number } | null,
  ): void;
}

import type { Kernels } from "../engine/kernels.js";
import type { WasmF32Array, WasmI32Array } from "../engine/wasm-engine.js";

/** Anything that can score a block of its users against the whole catalog (MF, two-tower, ...). */
export interface UserBlockScorer {
  readonly kernels: Kernels;
  readonly nUsers: number;
  readonly nItems: number;
  /** out[r*nItems + i] = score(users[r], i) for r < n. */
  scoreUsers(users: WasmI32Array, n: number, out: WasmF32Array): void;
}

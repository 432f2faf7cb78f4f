/**
 * Algorithm 2 of Ren et al. (gradient-perspective popularity debiasing), the post-hoc half:
 * at serving, every item embedding loses part of its component along the popular item direction
 * Q̄ and every user embedding part of its component along the popular user direction P̄ (Eq. 15-16):
 *
 *   Q_i^int = Q_i − α1·cos(Q_i, Q̄)·‖Q_i‖·Q̄/‖Q̄‖        P_u^int = P_u − α2·cos(P_u, P̄)·‖P_u‖·P̄/‖P̄‖
 *
 * (cos(x, v)·‖x‖·v/‖v‖ is x's projection on v: α = 1 removes it, α = 2 mirrors it.) The directions
 * come from Algorithm 1's accumulated gradients (ts/mf/gradient-accumulator.ts) or, the paper's
 * other estimate, from the mean embedding of the head items (users).
 */
import type { Kernels } from "../kernels/kernels.js";
import type { WasmF32Array } from "../kernels/wasm-instance.js";
import { meanRow, type PopularDirections } from "./gradient-accumulator.js";

/** Eq. 15/16 in place on n rows of d in wasm memory; α = 0 leaves the rows bit-for-bit unchanged. */
export function projectPopularity(kernels: Kernels, rows: WasmF32Array, n: number, d: number, direction: Float32Array, alpha: number): void {
  if (alpha === 0 || n === 0) return;
  const dir = kernels.wasm.f32From(direction);
  try {
    kernels.projectOut(rows, n, d, dir, alpha);
  } finally {
    dir.free();
  }
}

/**
 * The head of a popularity distribution: the rows with the largest counts, taken in decreasing
 * count (ties: lower index first) until they hold at least `share` of the total (Ren et al.,
 * Section III: the popular items hold 80% of the training interactions). Empty when all counts are 0.
 */
export function headRows(counts: ArrayLike<number>, share: number): Int32Array {
  const order = Int32Array.from({ length: counts.length }, (_, i) => i).sort((a, b) => counts[b] - counts[a] || a - b);
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  let taken = 0;
  let n = 0;
  while (n < order.length && taken < share * total) taken += counts[order[n++]];
  return order.slice(0, n);
}

/**
 * The paper's second estimate (Section IV.C): Q̄ = mean embedding of the head items, P̄ = mean
 * embedding of the head ("mainstream") users, the most active users holding the same share.
 */
export function headMeanDirections(
  userTable: Float32Array,
  itemTable: Float32Array,
  d: number,
  userCounts: ArrayLike<number>,
  itemCounts: ArrayLike<number>,
  share: number,
): PopularDirections {
  return {
    users: meanRow(userTable, userCounts.length, d, headRows(userCounts, share)),
    items: meanRow(itemTable, itemCounts.length, d, headRows(itemCounts, share)),
  };
}

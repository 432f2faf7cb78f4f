import type { Kernels } from "../kernels/kernels.js";
import type { WasmF32Array, WasmI32Array } from "../kernels/wasm-instance.js";
import type { SlotMap } from "../train/slot-map.js";
import type { Interactions } from "../data/interactions.js";
import type { Rng } from "../util/rng.js";
import type { MfConfig } from "./config.js";
import { TableOptimizer } from "../train/optimizer.js";
import type { GradientAccumulator } from "./gradient-accumulator.js";
import { checkFinite, DivergenceError } from "../train/divergence.js";
import { shuffledRange } from "../util/shuffle.js";
export { shuffledRange };
export { checkFinite, DivergenceError };

/** What every loss's epoch runner works on: the two tables, their optimizers and the data. */
export interface TrainingContext {
  readonly kernels: Kernels;
  readonly config: MfConfig;
  readonly train: Interactions;
  readonly userFactors: WasmF32Array;
  readonly itemFactors: WasmF32Array;
  readonly userOptimizer: TableOptimizer;
  readonly itemOptimizer: TableOptimizer;
  readonly rng: Rng;
  /** Present when the gradient-perspective adjustment records Algorithm 1's sums (BPR, BCE). */
  readonly gradientAccumulator?: GradientAccumulator;
}

export interface EpochResult {
  /** Mean loss per training example of the epoch, regulariser term included. */
  loss: number;
  /** Positive interactions processed. */
  examples: number;
  /** The part of `loss` that is the regulariser term (ReSN's λ·σ²), per example; absent when the loss has none. */
  regularizer?: number;
}

/** Progress within an epoch: examples done, of total, and the mean loss (and of it, the regulariser's part) so far. */
export type BatchCallback = (done: number, total: number, meanLoss: number, meanRegularizer: number) => void;

/** One loss's training procedure: runs epochs, owns its scratch buffers. */
export interface EpochRunner {
  runEpoch(onBatch?: BatchCallback): EpochResult;
  dispose(): void;
}

/**
 * An epoch as consecutive blocks of `count` rows (users or chunks of them), `blockSize` per step:
 * sums the loss and the positives (targets) each step reports, stops on a non-finite loss, reports progress.
 */
export function runBlocks(
  count: number,
  blockSize: number,
  config: MfConfig,
  total: number,
  step: (start: number, end: number) => { loss: number; targets: number; penalty?: number },
  onBatch?: BatchCallback,
): EpochResult {
  const steps = Math.ceil(count / blockSize);
  let lossSum = 0;
  let penaltySum = 0;
  let examples = 0;
  for (let s = 0; s < steps; s++) {
    const { loss, targets, penalty = 0 } = step(s * blockSize, Math.min(count, (s + 1) * blockSize));
    lossSum += loss;
    penaltySum += penalty;
    examples += targets;
    checkFinite(lossSum, config, `at epoch step ${s + 1}/${steps}`);
    onBatch?.(examples, total, lossSum / Math.max(1, examples), penaltySum / Math.max(1, examples));
  }
  return withRegularizer({ loss: examples ? lossSum / examples : 0, examples }, config, penaltySum);
}

/** Adds the regulariser's share (the summed penalty, per example) when the configuration has one in its loss (ReSN). */
export function withRegularizer(result: EpochResult, config: Pick<MfConfig, "spectralPenalty">, penaltySum: number): EpochResult {
  if (config.spectralPenalty > 0) result.regularizer = result.examples ? penaltySum / result.examples : 0;
  return result;
}

/** Every user's items sorted ascending, for O(log n) "is this a positive?" tests during negative sampling. */
export class SortedRows {
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  constructor(data: Interactions) {
    this.indptr = data.byUser.indptr;
    this.indices = data.byUser.indices.slice();
    for (let u = 0; u < data.nUsers; u++) this.indices.subarray(this.indptr[u], this.indptr[u + 1]).sort();
  }
  contains(user: number, item: number): boolean {
    let lo = this.indptr[user];
    let hi = this.indptr[user + 1] - 1;
    const a = this.indices;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = a[mid];
      if (v === item) return true;
      if (v < item) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
}

/** The user of every interaction position in byUser order (so a shuffled position gives (u, i) in O(1)). */
export function userOfPosition(data: Interactions): Int32Array {
  const out = new Int32Array(data.nnz);
  const p = data.byUser.indptr;
  for (let u = 0; u < data.nUsers; u++) out.fill(u, p[u], p[u + 1]);
  return out;
}

export function makeOptimizers(kernels: Kernels, config: MfConfig, userFactors: WasmF32Array, itemFactors: WasmF32Array) {
  const dense = config.adamUpdates === "dense";
  return {
    userOptimizer: new TableOptimizer(kernels, config.optimizer, userFactors, config.dim, config.learningRate, config.l2, config.normalize !== "none", dense),
    itemOptimizer: new TableOptimizer(kernels, config.optimizer, itemFactors, config.dim, config.learningRate, config.l2, config.normalize === "both", dense),
  };
}

/**
 * The step's distinct user and item rows, copied out of their slot maps into `userRows` and
 * `itemRows`, and brought up to date by the optimizers (dense Adam's skipped steps) before the
 * step reads them. Returns their counts.
 */
export function prepareStepRows(
  ctx: TrainingContext,
  userSlots: SlotMap,
  itemSlots: SlotMap,
  userRows: WasmI32Array,
  itemRows: WasmI32Array,
): { nu: number; ni: number } {
  const nu = userSlots.size,
    ni = itemSlots.size;
  userRows.view.set(userSlots.rows.subarray(0, nu));
  itemRows.view.set(itemSlots.rows.subarray(0, ni));
  ctx.userOptimizer.bringUpToDate(userRows, nu);
  ctx.itemOptimizer.bringUpToDate(itemRows, ni);
  return { nu, ni };
}

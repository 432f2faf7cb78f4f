/**
 * Matrix factorisation as a ContextScorer: each context (a time-ordered history) gets its user
 * vector by fold-in (fold-in.ts) and is scored like a trained user. It lets sequential evaluation
 * (ts/eval/sequential.ts) rank held-out users' prefixes with an MF model exactly as it ranks them
 * with a two-tower model, and the two be compared on equal terms.
 */
import type { Kernels } from "../kernels/kernels.js";
import { TWO_TOWER_DEFAULTS } from "../two-tower/config.js";
import { freeAll, type WasmF32Array, type WasmI32Array } from "../kernels/wasm-instance.js";
import { ContextBatch } from "../model/context-batch.js";
import { DEFAULT_FOLD_IN_REGULARIZATION } from "./fold-in.js";
import type { ContextScorer } from "../model/history-scorer.js";
import type { MatrixFactorization } from "./matrix-factorization.js";

/** Items of a context that fold-in reads by default: the two-tower model's default maxHistory, so both read the same window. */
export const DEFAULT_FOLD_IN_WINDOW = TWO_TOWER_DEFAULTS.maxHistory;

export interface FoldInScorerOptions {
  /** The last `window` items of each context are folded in (default {@link DEFAULT_FOLD_IN_WINDOW}). */
  window?: number;
  /** Fold-in's λ (default DEFAULT_FOLD_IN_REGULARIZATION). */
  regularization?: number;
}

export class FoldInScorer implements ContextScorer {
  readonly kernels: Kernels;
  readonly window: number;
  readonly regularization: number;

  constructor(
    private readonly model: MatrixFactorization,
    options: FoldInScorerOptions = {},
  ) {
    this.kernels = model.kernels;
    this.window = options.window ?? DEFAULT_FOLD_IN_WINDOW;
    this.regularization = options.regularization ?? DEFAULT_FOLD_IN_REGULARIZATION;
    if (!(Number.isInteger(this.window) && this.window > 0)) throw new RangeError(`the fold-in window must be a positive number of items, got ${this.window}`);
    if (!(Number.isFinite(this.regularization) && this.regularization > 0)) {
      throw new RangeError(`the fold-in regularisation λ must be a positive number (e.g. ${DEFAULT_FOLD_IN_REGULARIZATION}), got ${this.regularization}`);
    }
  }

  get nItems(): number {
    return this.model.nItems;
  }
  get itemCounts(): Int32Array {
    return this.model.itemCounts;
  }

  /** Fold-in weighs a context's items equally, so the batch carries no weights. */
  contextBatch(capacity: number): ContextBatch {
    return new ContextBatch(this.kernels.wasm, capacity, this.window, "uniform", 1);
  }

  scoreContexts(batch: ContextBatch, out: WasmF32Array): void {
    const d = this.model.dim,
      e = this.kernels.wasm;
    // Each context's distinct items (fold-in's least squares counts an item once), as a CSR for the kernel.
    const offsets = batch.offsets.view,
      items = batch.items.view;
    const distinctOffsets = new Int32Array(batch.rows + 1),
      distinct: number[] = [];
    for (let r = 0; r < batch.rows; r++) {
      for (const item of new Set(items.subarray(offsets[r], offsets[r + 1]))) distinct.push(item);
      distinctOffsets[r + 1] = distinct.length;
    }
    const block = e.f32(Math.max(1, batch.rows * d));
    let wOffsets: WasmI32Array | null = null,
      wItems: WasmI32Array | null = null;
    try {
      wOffsets = e.i32From(distinctOffsets);
      wItems = e.i32From(distinct.length ? distinct : [0]);
      // An empty context (no history) folds in to the zero vector: every item scores 0.
      this.kernels.foldInRows(this.model.itemFactors, d, wOffsets, wItems, batch.rows, this.regularization, block);
      this.model.scoreUserVectors(block, batch.rows, out);
    } finally {
      freeAll(block, wOffsets, wItems);
    }
  }
}

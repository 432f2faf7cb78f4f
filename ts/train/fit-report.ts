/** What a fit() takes and reports, for every model: progress, options, the per-epoch summary, the report. */
import type { Interactions } from "../data/interactions.js";
import type { TrainingWarning } from "./training-warnings.js";

export type { TrainingWarning, TrainingWarningKind } from "./training-warnings.js";

export interface TrainingProgress {
  /** "distill": the graph filter teacher ranks users (done/total count users; epoch 0) before the first epoch. */
  phase: "distill" | "batch" | "epoch";
  epoch: number;
  epochs: number;
  /** Interactions processed in this epoch so far, and in all. */
  done: number;
  total: number;
  /** Mean loss per interaction so far in this epoch. */
  loss: number;
  examplesPerSecond: number;
  /** Validation Recall@K after this epoch, when early stopping evaluates it. */
  validationRecall?: number;
}

export interface FitOptions {
  onProgress?: (progress: TrainingProgress) => void;
  /** Held-out interactions (same id maps as train) for early stopping on Recall@K. */
  validation?: Interactions;
  /** K of the validation Recall@K (default 20). */
  validationK?: number;
  /** Epochs without a better validation Recall@K before stopping (default 3). */
  patience?: number;
  /** Evaluate every this many epochs (default 1). */
  validateEvery?: number;
  /** Milliseconds between batch progress reports (default 200). */
  progressIntervalMs?: number;
  /** Cancels training between steps: fit() rejects with TrainingAbortedError, the model keeps its last completed epoch. */
  signal?: AbortSignal;
}

export class TrainingAbortedError extends Error {
  constructor(epoch: number) {
    super(`training was cancelled during epoch ${epoch}; the model holds the parameters after epoch ${epoch - 1}`);
    this.name = "TrainingAbortedError";
  }
}

export interface EpochSummary {
  epoch: number;
  /** Mean training loss per example of the epoch, the regulariser term included. */
  loss: number;
  /** The part of `loss` that is the regulariser term (ReSN's λ·σ_max²), when the loss has one. */
  regularizer?: number;
  seconds: number;
  examplesPerSecond: number;
  validationRecall?: number;
}

export interface FitReport {
  epochs: EpochSummary[];
  /** Epoch whose parameters the model holds (the best on validation, else the last). */
  bestEpoch: number;
  bestValidationRecall?: number;
  stoppedEarly: boolean;
  seconds: number;
  /**
   * Mean loss per example of the first step of training (before the first updates: the untrained
   * model's loss, on one batch), and of it the regulariser's part; absent when no epoch ran.
   */
  initialLoss?: number;
  initialRegularizer?: number;
  /** Matrix factorisation with distillPositives: the teacher positives added to the training part (the report's seconds include the teacher's). */
  distillation?: { readonly added: number; readonly users: number };
  /** Signs of a useless model found at the end of training (the loss rose, the regulariser dominates); empty when none. */
  warnings: TrainingWarning[];
}

import { DEFAULT_K } from "../eval/default-k.js";
import type { Interactions } from "../data/interactions.js";
import { evaluateRanking } from "../eval/evaluate.js";
import type { Rng } from "../util/rng.js";
import type { UserBlockScorer } from "../eval/scorer.js";
import type { WasmF32Array } from "../kernels/wasm-instance.js";
import type { MfConfig } from "./config.js";
import type { PopularDirections } from "./gradient-accumulator.js";
import { logitAdjustmentBias } from "../train/logit-adjustment.js";
import { PairwiseRunner } from "./pairwise-runner.js";
import { SampledSoftmaxRunner } from "./sampled-softmax-runner.js";
import { SoftmaxRunner } from "./softmax-runner.js";
import { UserBlockSampledSoftmaxRunner } from "./user-block-sampled-softmax-runner.js";
import { GradientAccumulator } from "./gradient-accumulator.js";
import { learningRateAt } from "../train/learning-rate-schedule.js";
import { checkFinite, DivergenceError, makeOptimizers, type EpochRunner, type TrainingContext } from "./training-context.js";
import { trainingWarnings } from "../train/training-warnings.js";

import { TrainingAbortedError, type EpochSummary, type FitOptions, type FitReport } from "../train/fit-report.js";
export { TrainingAbortedError, type EpochSummary, type FitOptions, type FitReport };
export type { TrainingProgress, TrainingWarning, TrainingWarningKind } from "../train/fit-report.js";

/** The runner for the configured loss; the logit-adjustment bias (when α > 0) goes to the softmax runners. */
export function createRunner(ctx: TrainingContext): EpochRunner {
  const logitBias = logitAdjustmentBias(ctx.config, ctx.train);
  switch (ctx.config.loss) {
    case "bpr":
    case "bce":
      return new PairwiseRunner(ctx);
    case "softmax": {
      // The runner only reads the wasm copy of the bias; this wrapper owns and frees it.
      const bias = logitBias ? ctx.kernels.wasm.f32From(logitBias) : null;
      const runner = new SoftmaxRunner(ctx, bias);
      const dispose = () => {
        runner.dispose();
        bias?.free();
      };
      return { runEpoch: (onBatch) => runner.runEpoch(onBatch), dispose };
    }
    case "ccl":
      return ctx.config.negativeDraws === "per-positive" ? new PairwiseRunner(ctx) : new SampledSoftmaxRunner(ctx, null);
    case "sampled-softmax":
      return ctx.config.sampling === "users" ? new UserBlockSampledSoftmaxRunner(ctx, logitBias) : new SampledSoftmaxRunner(ctx, logitBias);
  }
}

function allFinite(values: Float32Array): boolean {
  for (let k = 0; k < values.length; k++) if (!Number.isFinite(values[k])) return false;
  return true;
}

const now = (): number => (typeof performance !== "undefined" ? performance.now() : Date.now());

/** What the epoch loop needs of a matrix factorisation model (its class implements it). */
export interface TrainableFactorization extends UserBlockScorer {
  readonly config: MfConfig;
  readonly userFactors: WasmF32Array;
  readonly itemFactors: WasmF32Array;
  /** Derived serving tables are stale after the factors change. */
  invalidatePacked(): void;
  setGradientDirections(directions: PopularDirections): void;
}

/**
 * The epoch loop shared by every loss: progress reports, validation with early stopping (the
 * best epoch's parameters are kept), and divergence handling (a NaN/Inf loss restores the last
 * finite parameters and throws, so a model never holds NaN).
 */
export async function fitMatrixFactorization(
  model: TrainableFactorization,
  train: Interactions,
  rng: Rng,
  options: FitOptions,
  /** The items validation leaves out of each user's ranking: the user's real training items when `train` holds distilled ones too. */
  seen: Interactions = train,
): Promise<FitReport> {
  const config = model.config;
  const kernels = model.kernels;
  const userFactors = model.userFactors;
  const itemFactors = model.itemFactors;
  const { userOptimizer, itemOptimizer } = makeOptimizers(kernels, config, userFactors, itemFactors);
  const gradientAccumulator = config.gradientAdjustment
    ? new GradientAccumulator(kernels, train.nUsers, train.nItems, config.dim, config.learningRate)
    : undefined;
  const ctx: TrainingContext = { kernels, config, train, userFactors, itemFactors, userOptimizer, itemOptimizer, rng, gradientAccumulator };
  const runner = createRunner(ctx);
  const validation = options.validation;
  const k = options.validationK ?? DEFAULT_K;
  const patience = options.patience ?? 3;
  const every = options.validateEvery ?? 1;
  const interval = options.progressIntervalMs ?? 200;
  const epochs: EpochSummary[] = [];
  // Snapshots: the last finite state (divergence) and the best validation state (early stopping).
  let lastGood = { users: userFactors.view.slice(), items: itemFactors.view.slice() };
  let best: typeof lastGood | null = null;
  // The popular directions as they stood at the best epoch: they must belong to the tables that are kept.
  let bestDirections: PopularDirections | null = null;
  let bestEpoch = 0;
  let bestRecall = -Infinity;
  let sinceBest = 0;
  let stoppedEarly = false;
  let initial: { loss: number; regularizer: number } | undefined;
  const started = now();
  try {
    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      const rate = learningRateAt(config.learningRateSchedule, config.learningRate, epoch, config.epochs);
      userOptimizer.setLearningRate(rate);
      itemOptimizer.setLearningRate(rate);
      const t0 = now();
      let lastReport = 0;
      let result;
      try {
        result = runner.runEpoch((done, total, loss, regularizer) => {
          initial ??= { loss, regularizer };
          if (options.signal?.aborted) throw new TrainingAbortedError(epoch);
          const t = now();
          if (!options.onProgress || t - lastReport < interval) return;
          lastReport = t;
          options.onProgress({ phase: "batch", epoch, epochs: config.epochs, done, total, loss, examplesPerSecond: done / Math.max(1e-9, (t - t0) / 1000) });
        });
      } catch (err) {
        if (err instanceof DivergenceError || err instanceof TrainingAbortedError) {
          userFactors.view.set(lastGood.users);
          itemFactors.view.set(lastGood.items);
          model.invalidatePacked();
        }
        throw err;
      }
      // Dense Adam: the rows the epoch's last steps skipped move now, before the epoch's tables are read.
      userOptimizer.finishEpoch();
      itemOptimizer.finishEpoch();
      const seconds = (now() - t0) / 1000;
      // The epoch's last update can overflow while every loss it reported was finite.
      if (!allFinite(userFactors.view) || !allFinite(itemFactors.view)) {
        userFactors.view.set(lastGood.users);
        itemFactors.view.set(lastGood.items);
        model.invalidatePacked();
        checkFinite(NaN, config, `in the parameters after epoch ${epoch}`);
      }
      const summary: EpochSummary = {
        epoch,
        loss: result.loss,
        ...(result.regularizer !== undefined && { regularizer: result.regularizer }),
        seconds,
        examplesPerSecond: result.examples / Math.max(1e-9, seconds),
      };
      lastGood = { users: userFactors.view.slice(), items: itemFactors.view.slice() };
      model.invalidatePacked();
      if (validation && (epoch % every === 0 || epoch === config.epochs)) {
        const evaluated = evaluateRanking(model, seen, validation, { k });
        const recall = evaluated.metrics[`recall@${evaluated.k}`];
        summary.validationRecall = recall;
        if (recall > bestRecall) {
          bestRecall = recall;
          bestEpoch = epoch;
          best = lastGood;
          bestDirections = gradientAccumulator?.directions() ?? null;
          sinceBest = 0;
        } else if (++sinceBest >= patience) {
          stoppedEarly = true;
        }
      } else {
        bestEpoch = epoch;
      }
      epochs.push(summary);
      options.onProgress?.({
        phase: "epoch",
        epoch,
        epochs: config.epochs,
        done: result.examples,
        total: result.examples,
        loss: result.loss,
        examplesPerSecond: summary.examplesPerSecond,
        validationRecall: summary.validationRecall,
      });
      // Let a host event loop breathe between epochs (progress rendering, worker messages).
      await Promise.resolve();
      if (stoppedEarly) break;
    }
    const restoresBest = validation && best && bestEpoch !== epochs.length;
    if (restoresBest) {
      userFactors.view.set(best!.users);
      itemFactors.view.set(best!.items);
      model.invalidatePacked();
    }
    if (gradientAccumulator) model.setGradientDirections(restoresBest && bestDirections ? bestDirections : gradientAccumulator.directions());
  } finally {
    gradientAccumulator?.dispose();
    runner.dispose();
    userOptimizer.dispose();
    itemOptimizer.dispose();
  }
  return {
    epochs,
    bestEpoch,
    bestValidationRecall: validation ? bestRecall : undefined,
    stoppedEarly,
    seconds: (now() - started) / 1000,
    ...(initial && { initialLoss: initial.loss, ...(config.spectralPenalty > 0 && { initialRegularizer: initial.regularizer }) }),
    warnings: trainingWarnings({
      initialLoss: initial?.loss,
      initialRegularizer: initial?.regularizer,
      epochs,
      heldEpoch: bestEpoch,
      learningRate: config.learningRate,
      spectralPenalty: config.spectralPenalty,
    }),
  };
}

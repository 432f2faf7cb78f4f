/**
 * The two-tower model's epoch loop: shuffled sequential examples in steps of batchSize, the
 * learning-rate schedule, progress reports, divergence handling (a NaN/Inf loss restores the last
 * finite parameters and throws DivergenceError) and early stopping on the sequential Recall@K of
 * held-out users (the best epoch's parameters are kept), as fitMatrixFactorization does for MF.
 */
import { DEFAULT_K } from "../eval/default-k.js";
import type { Interactions } from "../data/interactions.js";
import type { WasmF32Array } from "../kernels/wasm-instance.js";
import { evaluateSequential } from "../eval/sequential.js";
import type { ContextScorer } from "../model/history-scorer.js";
import type { Rng } from "../util/rng.js";
import { TrainingAbortedError, type EpochSummary, type FitOptions, type FitReport } from "../train/fit-report.js";
import { EarlyStopping } from "../train/early-stopping.js";
import { learningRateAt } from "../train/learning-rate-schedule.js";
import { SequentialExamples } from "./sequential-examples.js";
import { trainingWarnings } from "../train/training-warnings.js";
import { checkFinite, DivergenceError } from "../train/divergence.js";
import { shuffledRange } from "../util/shuffle.js";
import type { TwoTowerConfig } from "./config.js";
import type { TwoTowerStep } from "./softmax-step.js";

/** What the loop trains: the model (for validation), its tables (for snapshots), and the loss's step. */
export interface TwoTowerTraining {
  readonly model: ContextScorer & { readonly itemCounts: Int32Array; invalidateItems(): void };
  readonly config: TwoTowerConfig;
  readonly tables: WasmF32Array[];
  readonly step: TwoTowerStep;
}

const now = (): number => (typeof performance !== "undefined" ? performance.now() : Date.now());

function snapshot(tables: WasmF32Array[]): Float32Array[] {
  return tables.map((t) => t.view.slice());
}
function restore(tables: WasmF32Array[], saved: Float32Array[]): void {
  tables.forEach((t, k) => t.view.set(saved[k]));
}
function allFinite(tables: WasmF32Array[]): boolean {
  for (const t of tables) for (const x of t.view) if (!Number.isFinite(x)) return false;
  return true;
}

export async function fitTwoTowerLoop(training: TwoTowerTraining, train: Interactions, rng: Rng, options: FitOptions): Promise<FitReport> {
  const { model, config, tables, step } = training;
  const examples = new SequentialExamples(train);
  if (examples.count === 0)
    throw new RangeError(`cannot fit a two-tower model on ${train.name}: no user has two or more interactions, so there is no (history → next item) example`);
  const interval = options.progressIntervalMs ?? 200;
  const k = options.validationK ?? DEFAULT_K;
  const patience = options.patience ?? 3;
  const every = options.validateEvery ?? 1;
  const epochs: EpochSummary[] = [];
  let lastGood = snapshot(tables);
  const stopping = new EarlyStopping<Float32Array[]>(patience);
  let lastEpoch = 0;
  /** The first step's mean loss: the untrained model's (see FitReport.initialLoss). */
  let initialLoss: number | undefined;
  const started = now();
  const B = config.batchSize;
  const fail = (err: unknown): never => {
    if (err instanceof DivergenceError || err instanceof TrainingAbortedError) {
      restore(tables, lastGood);
      model.invalidateItems();
    }
    throw err;
  };
  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    step.setLearningRate(learningRateAt(config.learningRateSchedule, config.learningRate, epoch, config.epochs));
    const order = shuffledRange(examples.count, rng);
    const steps = Math.ceil(examples.count / B);
    const t0 = now();
    let lastReport = 0,
      lossSum = 0;
    try {
      for (let s = 0; s < steps; s++) {
        if (options.signal?.aborted) throw new TrainingAbortedError(epoch);
        const start = s * B,
          end = Math.min(examples.count, start + B);
        lossSum += step.lossAndGradients(examples, order, start, end);
        checkFinite(lossSum, config, `at epoch ${epoch}, step ${s + 1}/${steps}`);
        initialLoss ??= lossSum / (end - start);
        step.apply();
        const t = now();
        if (options.onProgress && t - lastReport >= interval) {
          lastReport = t;
          options.onProgress({
            phase: "batch",
            epoch,
            epochs: config.epochs,
            done: end,
            total: examples.count,
            loss: lossSum / end,
            examplesPerSecond: end / Math.max(1e-9, (t - t0) / 1000),
          });
        }
      }
      // The epoch's last update can overflow while every loss it reported was finite.
      if (!allFinite(tables)) checkFinite(NaN, config, `in the parameters after epoch ${epoch}`);
    } catch (err) {
      fail(err);
    }
    const seconds = (now() - t0) / 1000;
    const summary: EpochSummary = { epoch, loss: lossSum / examples.count, seconds, examplesPerSecond: examples.count / Math.max(1e-9, seconds) };
    lastGood = snapshot(tables);
    model.invalidateItems();
    lastEpoch = epoch;
    if (options.validation && (epoch % every === 0 || epoch === config.epochs)) {
      const evaluated = evaluateSequential(model, options.validation, { k });
      summary.validationRecall = stopping.observe(epoch, evaluated.metrics[`recall@${evaluated.k}`], lastGood);
    }
    epochs.push(summary);
    options.onProgress?.({
      phase: "epoch",
      epoch,
      epochs: config.epochs,
      done: examples.count,
      total: examples.count,
      loss: summary.loss,
      examplesPerSecond: summary.examplesPerSecond,
      validationRecall: summary.validationRecall,
    });
    await Promise.resolve();
    if (stopping.stopped) break;
  }
  // The two-tower loss has no regulariser term (its L2 is weight decay in the optimizers): only the "loss rose" rule applies.
  const finish = (bestEpoch: number) => ({
    ...(initialLoss !== undefined && { initialLoss }),
    warnings: trainingWarnings({ initialLoss, epochs, heldEpoch: bestEpoch, learningRate: config.learningRate }),
  });
  if (!options.validation) return { epochs, bestEpoch: lastEpoch, stoppedEarly: false, seconds: (now() - started) / 1000, ...finish(lastEpoch) };
  if (stopping.best && stopping.bestEpoch !== lastEpoch) {
    restore(tables, stopping.best);
    model.invalidateItems();
  }
  return {
    epochs,
    bestEpoch: stopping.bestEpoch,
    bestValidationRecall: stopping.bestValue,
    stoppedEarly: stopping.stopped,
    seconds: (now() - started) / 1000,
    ...finish(stopping.bestEpoch),
  };
}

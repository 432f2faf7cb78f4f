/**
 * Configuration of the two-tower model (ts/two-tower/two-tower.ts): explicit parameters with
 * defaults, validated with errors that name the value and what would be right.
 */
import { DEFAULT_SEED } from "../util/rng.js";
import { ConfigError, integerSeed, nonNegativeInt, nonNegativeNumber, oneOf, positiveInt, positiveNumber } from "../train/config-checks.js";
import { LEARNING_RATE_SCHEDULES, type LearningRateSchedule } from "../train/learning-rate-schedule.js";
import { definedOnly } from "../util/defined-only.js";

const MAX_HISTORY = 65_536;

export type TwoTowerLoss = "softmax" | "sampled-softmax";
export const TWO_TOWER_LOSSES: readonly TwoTowerLoss[] = ["softmax", "sampled-softmax"];
/** How the history tower weights the items of a context before the mean. */
export type HistoryWeighting = "uniform" | "recency";
export const HISTORY_WEIGHTINGS: readonly HistoryWeighting[] = ["uniform", "recency"];
export type TwoTowerOptimizer = "adam" | "adagrad";
export const TWO_TOWER_OPTIMIZERS: readonly TwoTowerOptimizer[] = ["adam", "adagrad"];

export interface TwoTowerConfig {
  /** Embedding size d of both towers (and of the d×d projection). */
  dim: number;
  loss: TwoTowerLoss;
  epochs: number;
  optimizer: TwoTowerOptimizer;
  learningRate: number;
  learningRateSchedule: LearningRateSchedule;
  /** Contexts (prefix → next item examples) per step. */
  batchSize: number;
  /** Sampled softmax: negatives shared by the step, from q(i) ∝ (count + 1)^samplingExponent. */
  negatives: number;
  samplingExponent: number;
  /** Score = u·v / T in training (the softmax temperature). */
  temperature: number;
  /** Logit adjustment α: training logits get α·log(1 + c_i), serving ranks on the raw score. */
  logitAdjustment: number;
  /** L2 penalty on the rows each step updates. */
  l2: number;
  /** A context is the last maxHistory items before the target (and the last maxHistory of a served history). */
  maxHistory: number;
  /**
   * "uniform": the plain mean of the context's item embeddings. "recency": the item j places
   * before the newest one weighs 2^(−j / halfLife), so an item halfLife items back counts half.
   */
  historyWeighting: HistoryWeighting;
  /** Recency weighting's half-life, in items. */
  halfLife: number;
  /** Standard deviation of the initial item and genre embeddings (the projection starts as the identity). */
  initStd: number;
  seed: number;
}

export const TWO_TOWER_DEFAULTS: TwoTowerConfig = {
  dim: 64,
  loss: "softmax",
  epochs: 10,
  optimizer: "adam",
  learningRate: 0.003,
  learningRateSchedule: "constant",
  batchSize: 256,
  negatives: 1024,
  samplingExponent: 0.75,
  temperature: 0.1,
  logitAdjustment: 0,
  l2: 0,
  maxHistory: 50,
  historyWeighting: "uniform",
  halfLife: 10,
  initStd: 0.1,
  seed: DEFAULT_SEED,
};

/** Fill in defaults and validate every field. */
export function resolveTwoTowerConfig(partial: Partial<TwoTowerConfig> = {}): TwoTowerConfig {
  const defined = definedOnly(partial);
  const c: TwoTowerConfig = { ...TWO_TOWER_DEFAULTS, ...defined };
  oneOf(c.loss, TWO_TOWER_LOSSES, "loss");
  oneOf(c.optimizer, TWO_TOWER_OPTIMIZERS, "optimizer");
  oneOf(c.historyWeighting, HISTORY_WEIGHTINGS, "historyWeighting");
  oneOf(c.learningRateSchedule, LEARNING_RATE_SCHEDULES, "learningRateSchedule");
  positiveInt(c.dim, "dim", "the embedding size, e.g. 64");
  nonNegativeInt(c.epochs, "epochs");
  positiveInt(c.batchSize, "batchSize", "contexts per step, e.g. 256");
  positiveInt(c.negatives, "negatives", "shared negatives per step, e.g. 1024");
  positiveInt(c.maxHistory, "maxHistory", "items of a context, e.g. 50");
  // Serving lays out 256 contexts of maxHistory items at once: a bound keeps that in memory.
  if (c.maxHistory > MAX_HISTORY) throw new ConfigError(`maxHistory must be at most ${MAX_HISTORY} items of a context, got ${c.maxHistory}`);
  positiveNumber(c.learningRate, "learningRate");
  positiveNumber(c.temperature, "temperature");
  positiveNumber(c.initStd, "initStd");
  positiveNumber(c.halfLife, "halfLife");
  nonNegativeNumber(c.samplingExponent, "samplingExponent");
  nonNegativeNumber(c.logitAdjustment, "logitAdjustment");
  nonNegativeNumber(c.l2, "l2");
  integerSeed(c.seed);
  return c;
}

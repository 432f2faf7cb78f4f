/**
 * Training configuration for matrix factorisation: explicit parameters with defaults that work
 * out of the box, and validation whose errors say which value is wrong and what would be right.
 */
import { OPTIMIZERS, type OptimizerName } from "../train/optimizer.js";
export { OPTIMIZERS, type OptimizerName };
import { DEFAULT_SEED } from "../util/rng.js";
import { ConfigError, integerSeed, nonNegativeInt, nonNegativeNumber, oneOf, positiveInt, positiveNumber } from "../train/config-checks.js";
import { LEARNING_RATE_SCHEDULES, type LearningRateSchedule } from "../train/learning-rate-schedule.js";
import { MF_SERVING_KEYS } from "./serving.js";
import { GRAPH_FILTER_DEFAULTS } from "../graph-filter/graph-filter.js";
import { definedOnly } from "../util/defined-only.js";
export type LossName = "bpr" | "bce" | "softmax" | "sampled-softmax" | "ccl";
/** Which embeddings are kept at unit L2 norm during training. */
export type NormalizeMode = "none" | "users" | "both";
/** How the sampled softmax forms a step's rows: users with their positives, or single interactions. */
export type SamplingMode = "users" | "interactions";

export const LOSSES: readonly LossName[] = ["bpr", "bce", "softmax", "sampled-softmax", "ccl"];
export const NORMALIZE_MODES: readonly NormalizeMode[] = ["none", "users", "both"];
export const SAMPLING_MODES: readonly SamplingMode[] = ["users", "interactions"];
/** Where BPR and BCE draw negatives from: uniformly over the catalog, or in proportion to (count + 1)^β. */
export type NegativeSampling = "uniform" | "popularity";
export const NEGATIVE_SAMPLINGS: readonly NegativeSampling[] = ["uniform", "popularity"];
/** How Adam treats the rows a step does not touch: frozen (lazy Adam) or moving on their momentum (as dense Adam). */
export type AdamUpdates = "lazy" | "dense";
export const ADAM_UPDATES: readonly AdamUpdates[] = ["lazy", "dense"];
/** Whose negatives a step draws: one set shared by the batch, or each positive its own. */
export type NegativeDraws = "shared" | "per-positive";
export const NEGATIVE_DRAWS: readonly NegativeDraws[] = ["shared", "per-positive"];

export interface MfConfig {
  /** Embedding size d. */
  dim: number;
  loss: LossName;
  epochs: number;
  optimizer: OptimizerName;
  learningRate: number;
  /**
   * Adam: "lazy" steps only the rows a batch touches, and only their moments decay; "dense" gives
   * what dense Adam (PyTorch's and Keras's Adam on an embedding table) computes: a row no batch
   * touches still moves on its decaying momentum, those skipped steps applied in closed form when
   * the row is next stepped and at the end of every epoch, so the cost stays that of the touched
   * rows. A rarely touched row (a tail item) moves about ten times further per gradient than with
   * lazy Adam. In the Hogwild kernel (bpr, bce, per-positive ccl) on several threads, two threads
   * may apply the same row's skipped steps twice: a lost-update race of the Hogwild kind.
   */
  adamUpdates: AdamUpdates;
  /** Interactions per step (pairwise losses, sampled softmax); users per step for the full softmax. */
  batchSize: number;
  /** Negatives per positive (BPR, BCE; CCL with negativeDraws "per-positive"); shared negatives per batch (sampled softmax, CCL). */
  negatives: number;
  /**
   * CCL only: "shared" (default) scores the batch against one set of `negatives` as a matrix
   * product; "per-positive" draws `negatives` for every positive, uniformly among the items its
   * user has not interacted with (SimpleX's and MF-CCL's setting), in the Hogwild kernel of BPR.
   * BPR and BCE always draw per positive; the sampled softmax always shares.
   */
  negativeDraws: NegativeDraws;
  /** BPR/BCE: each negative is the best-scored of this many uniform draws (1 = uniform sampling). */
  hardNegatives: number;
  /** L2 penalty on the embedding rows a step touches. */
  l2: number;
  /** Softmax temperature T: logits are s/T (softmax losses only). */
  temperature: number;
  /** Exponent β of the proposal q(i) ∝ (count(i) + 1)^β: the sampled softmax's and CCL's, and BPR/BCE's with negativeSampling "popularity" (0 = uniform). */
  samplingExponent: number;
  /**
   * BPR/BCE: "uniform" draws negatives uniformly among the items a user has not interacted with;
   * "popularity" in proportion to (count + 1)^samplingExponent (popular items are harder negatives),
   * also rejected against the user's own items.
   */
  negativeSampling: NegativeSampling;
  /**
   * Keep embeddings at unit L2 norm (initialised so, projected back after every step).
   * "both": scores are cosine similarities in [-1, 1] and the temperature alone sets how peaked
   * the softmax is, which curbs the overfitting of softmax losses on sparse data. "users": item
   * norms stay free to carry popularity while a user's scale (a per-user temperature) is fixed.
   */
  normalize: NormalizeMode;
  /**
   * Sampled softmax only. "interactions": a step is batchSize interactions, one row each, against
   * the shared negatives. "users": a step is batchSize rows, each holding a user's positives (all,
   * or positivesPerRow of them), which share the row's scores against the negatives: the same
   * per-positive objective at one row per user instead of one per interaction.
   */
  sampling: SamplingMode;
  /**
   * Sampled softmax over users: at most this many of a user's positives share a row; a user with
   * more gets several rows, in different steps (more optimizer steps per user and epoch, more rows
   * to score). 0 = all of them in one row.
   */
  positivesPerRow: number;
  /**
   * CCL (the cosine contrastive loss of SimpleX, Mao et al. 2021) only: a negative adds
   * max(0, cos − margin) to the loss, so only negatives scored above the margin are pushed down.
   */
  margin: number;
  /** CCL only: the weight w of the negatives' term, (w / negatives)·Σ max(0, cos − margin), against the positive's 1 − cos. */
  negativeWeight: number;
  /**
   * SimpleX's user tower (Mao et al. 2021; sampled-softmax and shared-negative ccl): w > 0 trains
   * each user as normalize((1 − w)·e_u + w·mean(the user's other items' vectors)·W), with W a learned
   * d×d map, so every item of a scored user gets a gradient. The saved user table holds these
   * vectors over each user's whole history, so serving is unchanged. 0 (default) = off.
   */
  historyWeight: number;
  /** The history tower reads a random window of at most this many of a user's items per step (serving reads them all). */
  historyLength: number;
  /**
   * Ranking distillation from the graph filter (ts/mf/graph-filter-distillation.ts): each user's
   * top this many unseen items of a GraphFilter fitted on the training part join the user's
   * positives for training. Serving still leaves out, and popularity still counts, only the real
   * training items. 0 = off.
   */
  distillPositives: number;
  /** The graph filter teacher's rank (its low-pass filter's leading eigenvectors; capped at the data's size). */
  distillRank: number;
  /** Standard deviation of the initial embeddings. */
  initStd: number;
  /** "constant", or "cosine": the rate anneals from learningRate in epoch 1 towards 0 after the last epoch. */
  learningRateSchedule: LearningRateSchedule;
  seed: number;
  /**
   * Logit adjustment α (Menon et al. 2020; softmax losses only): every item's training logit,
   * negatives included, becomes s/T + α·log(1 + c_i) with c_i its training count. Serving ranks on
   * the raw score. 0 (default) = the plain model.
   */
  logitAdjustment: number;
  /**
   * ReSN λ (Lin et al., WSDM 2025): every step minimises its summed loss + λ·σ_max(Ŷ)², Ŷ = U·Vᵀ
   * on the step's users and the whole catalog, on raw scores. 0 (default) = no penalty.
   */
  spectralPenalty: number;
  /** IPS: weight every positive by 1/propensity (propensity = count / max count), normalised to mean 1. */
  ips: boolean;
  /** IPS clipping: propensities below this count as this, so no weight exceeds 1/ipsMinPropensity before normalisation. */
  ipsMinPropensity: number;
  /**
   * Ren et al.'s gradient-perspective popularity adjustment (BPR, BCE): user embeddings unit-norm
   * in training (normalize defaults to "users") and Algorithm 1's accumulated gradients recorded.
   * How much serving projects out of the popular directions (Algorithm 2) is a serving setting,
   * not a training one: `model.setPopularityAdjustment` (see ./serving.ts).
   */
  gradientAdjustment: boolean;
}

const COMMON = {
  normalize: "none" as NormalizeMode,
  hardNegatives: 1,
  negativeSampling: "uniform" as NegativeSampling,
  dim: 64,
  epochs: 20,
  optimizer: "adam" as OptimizerName,
  seed: DEFAULT_SEED,
  initStd: 0.1,
  samplingExponent: 0.75,
  sampling: "interactions" as SamplingMode,
  negativeDraws: "shared" as NegativeDraws,
  adamUpdates: "lazy" as AdamUpdates,
  positivesPerRow: 0,
  learningRateSchedule: "constant" as LearningRateSchedule,
  historyWeight: 0,
  historyLength: 50,
  distillPositives: 0,
  distillRank: GRAPH_FILTER_DEFAULTS.rank as number,
};
/** The contrastive loss's own knobs: unused by the other losses, which keep these neutral values. */
const NO_CONTRASTIVE = { margin: 0, negativeWeight: 0 };
/** The debiasing methods are off by default: a config without them is the plain model. */
const DEBIASING_DEFAULTS = { logitAdjustment: 0, spectralPenalty: 0, ips: false, ipsMinPropensity: 0.01 };
const GRADIENT_ADJUSTMENT_DEFAULTS = { gradientAdjustment: false };

/** What BPR and BCE share: negatives drawn per positive in the Hogwild kernel, raw dot products. */
const PAIRWISE = {
  ...COMMON,
  ...DEBIASING_DEFAULTS,
  ...NO_CONTRASTIVE,
  negativeDraws: "per-positive" as NegativeDraws,
  learningRate: 0.005,
  batchSize: 1024,
  temperature: 1,
};

/**
 * Defaults per loss, chosen from runs on Gowalla and ml-1m-resn (docs/methods-and-metrics.md, "Accuracy on real data"):
 * BPR with hard negatives; softmax losses on unit-norm embeddings (cosine scores / T), the full
 * softmax with Adagrad: a step holds all of a user's positives, so each user row takes one step per
 * epoch, and Adam's steps, lr long from the first, left the users where they started (Recall@20
 * 0.0005 after 5 epochs on Gowalla); Adam on the items alone, with Adagrad users, still trailed
 * Adagrad (0.1421 against 0.1532 after 10).
 */
export const LOSS_DEFAULTS: Record<LossName, Omit<MfConfig, "loss" | keyof typeof GRADIENT_ADJUSTMENT_DEFAULTS>> = {
  bpr: { ...PAIRWISE, negatives: 2, hardNegatives: 8, l2: 0.02 },
  bce: { ...PAIRWISE, negatives: 4, l2: 1e-4 },
  softmax: {
    ...COMMON,
    ...DEBIASING_DEFAULTS,
    ...NO_CONTRASTIVE,
    optimizer: "adagrad",
    learningRate: 0.1,
    batchSize: 128,
    negatives: 0,
    l2: 0,
    temperature: 0.1,
    normalize: "both",
  },
  "sampled-softmax": {
    ...COMMON,
    ...DEBIASING_DEFAULTS,
    ...NO_CONTRASTIVE,
    // Dense Adam and the cosine rate raised Recall@20 on all four data sets measured (docs/methods-and-metrics.md).
    adamUpdates: "dense",
    learningRateSchedule: "cosine",
    learningRate: 0.005,
    batchSize: 256,
    negatives: 1024,
    l2: 0,
    temperature: 0.1,
    normalize: "both",
  },
  ccl: {
    ...COMMON,
    ...DEBIASING_DEFAULTS,
    learningRate: 0.005,
    batchSize: 256,
    negatives: 1024,
    l2: 0,
    temperature: 1,
    normalize: "both",
    samplingExponent: 0,
    // SimpleX's Gowalla setting (margin 0.9, weight 150) reached Recall@20 0.1229 after 5 epochs
    // here, 0.5 / 50 reached 0.1503 (docs/methods-and-metrics.md, "What was tried on Gowalla").
    margin: 0.5,
    negativeWeight: 50,
  },
};

/**
 * Sampled softmax with `sampling: "users"`: Adagrad 0.1 (a user's row gets one step per epoch and
 * row, and Adam's per-coordinate normalisation made those steps far too small or too noisy on
 * Gowalla), a constant rate, 64 rows per step, rows of at most 8 positives, 2048 shared negatives.
 */
export const USER_SAMPLING_DEFAULTS: Readonly<Partial<MfConfig>> = {
  optimizer: "adagrad",
  learningRateSchedule: "constant",
  learningRate: 0.1,
  batchSize: 64,
  negatives: 2048,
  positivesPerRow: 8,
};

export { ConfigError } from "../train/config-checks.js";

/**
 * What a configuration that names no loss trains: the sampled softmax at its own defaults, over 40
 * epochs, on the training part distilled from the graph filter (each user's top 5 of the teacher
 * as extra positives). Against the full softmax, the default before it, it raised Recall@20 on all
 * four bundled data sets (Gowalla, ml-1m-resn, ml-latest-small, Coat), and on Gowalla it passes
 * SimpleX (docs/methods-and-metrics.md, "Which loss `longtail train` uses by default").
 */
export const DEFAULT_TRAINING = { loss: "sampled-softmax", epochs: 40, distillPositives: 5 } as const satisfies Partial<MfConfig>;

/** The loss trained when none is named (see {@link DEFAULT_TRAINING}). */
export const DEFAULT_LOSS: LossName = DEFAULT_TRAINING.loss;

/**
 * The loss of a configuration that names none: BPR when it asks for something only BPR and BCE
 * have (the gradient-perspective adjustment, popularity-drawn or hard negatives), which the
 * methods were defined with; the default training otherwise.
 */
export function defaultLoss(partial: Partial<MfConfig>): LossName {
  const pairwiseOnly = partial.gradientAdjustment === true || (partial.negativeSampling ?? "uniform") !== "uniform" || partial.hardNegatives !== undefined;
  return pairwiseOnly ? "bpr" : DEFAULT_LOSS;
}

/**
 * Users × items from which a run of the default training gets a note: its graph filter teacher
 * scores every (user, item) pair once, at rank 448, so its time grows with the product, where the
 * sampled softmax's grows with the interactions. On Gowalla (1.2·10⁹ pairs) the teacher took 37 s
 * on 2 threads here; at 5·10⁹ pairs it would take some 2.5 minutes.
 */
export const DEFAULT_TEACHER_NOTE_PAIRS = 5e9;

/** A note for a configuration that names no loss and distils from the graph filter on a large user × item grid; undefined otherwise. */
export function defaultLossNote(partial: Partial<MfConfig>, shape: { users: number; items: number }): string | undefined {
  const distils = partial.distillPositives === undefined || partial.distillPositives > 0;
  if (partial.loss !== undefined || defaultLoss(partial) !== DEFAULT_LOSS || !distils || shape.users * shape.items < DEFAULT_TEACHER_NOTE_PAIRS)
    return undefined;
  const pairs = (shape.users * shape.items).toExponential(1).replace("e+", "·10^");
  return (
    `no loss was named, so the default distils from the graph filter, which scores all ${shape.users.toLocaleString("en-US")} × ` +
    `${shape.items.toLocaleString("en-US")} (${pairs}) user-item pairs once before the first epoch; "--distill 0" trains without it, ` +
    `"--distill-rank 128" makes it cheaper`
  );
}

/** Fill in defaults for the chosen loss and validate every field. */
export function resolveMfConfig(partial: Partial<MfConfig> = {}): MfConfig {
  if (partial.loss !== undefined) return resolveWithLoss(partial, partial.loss);
  const loss = defaultLoss(partial);
  try {
    if (loss !== DEFAULT_TRAINING.loss) return resolveWithLoss(partial, loss);
    const { loss: _, ...training } = DEFAULT_TRAINING;
    return resolveWithLoss({ ...training, ...definedOnly(partial) }, loss);
  } catch (e) {
    // A setting of another loss meets the default one: say which loss that was, since nobody chose it.
    if (e instanceof ConfigError) throw new ConfigError(`${e.message} (no loss was named, so the default "${loss}" was used: name one with --loss / loss)`);
    throw e;
  }
}

function resolveWithLoss(partial: Partial<MfConfig>, loss: LossName): MfConfig {
  oneOf(loss, LOSSES, "loss");
  refuseServingSettings(partial);
  const defined = definedOnly(partial);
  const config: MfConfig = { ...GRADIENT_ADJUSTMENT_DEFAULTS, ...LOSS_DEFAULTS[loss], ...defined, loss } as MfConfig;
  positiveInt(config.dim, "dim", "the embedding size, e.g. 64");
  nonNegativeInt(config.epochs, "epochs");
  positiveInt(config.batchSize, "batchSize");
  positiveNumber(config.learningRate, "learningRate");
  positiveNumber(config.temperature, "temperature");
  positiveNumber(config.initStd, "initStd");
  nonNegativeNumber(config.l2, "l2");
  nonNegativeNumber(config.samplingExponent, "samplingExponent");
  nonNegativeInt(config.positivesPerRow, "positivesPerRow");
  oneOf(config.optimizer, OPTIMIZERS, "optimizer");
  positiveInt(config.hardNegatives, "hardNegatives", "1 = uniform negatives");
  oneOf(config.normalize, NORMALIZE_MODES, "normalize");
  oneOf(config.learningRateSchedule, LEARNING_RATE_SCHEDULES, "learningRateSchedule");
  oneOf(config.sampling, SAMPLING_MODES, "sampling");
  oneOf(config.negativeSampling, NEGATIVE_SAMPLINGS, "negativeSampling");
  oneOf(config.negativeDraws, NEGATIVE_DRAWS, "negativeDraws");
  oneOf(config.adamUpdates, ADAM_UPDATES, "adamUpdates");
  const drawsPerPositive = loss === "bpr" || loss === "bce";
  if (loss !== "ccl" && config.negativeDraws !== (drawsPerPositive ? "per-positive" : "shared")) {
    throw new ConfigError(
      drawsPerPositive
        ? `negativeDraws "shared" is not a way to train ${loss}: it always draws negatives per positive; "shared" is for loss "ccl"`
        : `negativeDraws "per-positive" is implemented for loss "ccl" (and is how bpr and bce always draw), not for "${loss}"`,
    );
  }
  if (config.negativeSampling !== "uniform" && loss !== "bpr" && loss !== "bce") {
    throw new ConfigError(
      `negativeSampling "${config.negativeSampling}" is how BPR and BCE draw negatives; the ${loss} loss does not use it (the sampled softmax's proposal is set by samplingExponent)`,
    );
  }
  if (config.sampling === "users" && loss !== "sampled-softmax") {
    throw new ConfigError(`sampling "users" is a way to batch the sampled softmax: use loss "sampled-softmax", not "${loss}"`);
  }
  if (config.positivesPerRow !== 0 && config.sampling !== "users") {
    throw new ConfigError(
      `positivesPerRow (${config.positivesPerRow}) splits user rows of sampled-softmax with sampling "users"; it does nothing here: drop it or set sampling "users"`,
    );
  }
  if (loss === "sampled-softmax" && config.sampling === "users") {
    // The loss's defaults are per interaction; over user blocks, these were the best measured.
    for (const [key, value] of Object.entries(USER_SAMPLING_DEFAULTS)) {
      if (defined[key] === undefined) Object.assign(config, { [key]: value });
    }
  }
  // A loss whose default is dense Adam keeps that default only while it runs Adam.
  if (defined.adamUpdates === undefined && config.optimizer !== "adam") config.adamUpdates = "lazy";
  if (config.adamUpdates === "dense") {
    if (config.optimizer !== "adam") throw new ConfigError(`adamUpdates "dense" is a way to run Adam: use optimizer "adam", not "${config.optimizer}"`);
  }
  integerSeed(config.seed);
  if (loss === "softmax") {
    if (defined.negatives !== undefined && defined.negatives !== 0)
      throw new ConfigError(
        `negatives (${defined.negatives}): the full softmax normalises over every item and draws none; for sampled negatives use loss "sampled-softmax"`,
      );
  } else {
    const shared = config.negativeDraws === "shared";
    positiveInt(config.negatives, "negatives", shared ? "shared negatives per batch, e.g. 1024" : "negatives per positive, e.g. 1");
  }
  checkContrastive(config, defined);
  checkHistoryTower(config, defined);
  checkDistillation(config, defined);
  validateDebiasing(config);
  checkGradientAdjustment(config, partial);
  return config;
}

function checkContrastive(config: MfConfig, given: Partial<MfConfig>): void {
  if (config.loss !== "ccl") {
    const stray = (["margin", "negativeWeight"] as const).find((key) => given[key] !== undefined && given[key] !== NO_CONTRASTIVE[key]);
    if (stray) throw new ConfigError(`${stray} is a knob of the cosine contrastive loss: use loss "ccl", not "${config.loss}"`);
    return;
  }
  const m = config.margin;
  if (!(typeof m === "number" && m > -1 && m < 1)) {
    throw new ConfigError(`margin must be a cosine in (-1, 1) (e.g. 0.5: only negatives scored above it are pushed), got ${m}`);
  }
  positiveNumber(config.negativeWeight, "negativeWeight");
  if (config.normalize !== "both") {
    throw new ConfigError(`the cosine contrastive loss compares cosines with its margin: it needs normalize "both", got "${config.normalize}"`);
  }
}

function checkHistoryTower(config: MfConfig, given: Partial<MfConfig>): void {
  const w = config.historyWeight;
  if (!(typeof w === "number" && w >= 0 && w < 1)) {
    throw new ConfigError(`historyWeight must be a number in [0, 1) (e.g. 0.5: half id embedding, half the mean of the user's items; 0 = off), got ${w}`);
  }
  positiveInt(config.historyLength, "historyLength", "items of a user's history a step reads, e.g. 50");
  if (w === 0) {
    if (given.historyLength !== undefined && given.historyLength !== COMMON.historyLength) {
      throw new ConfigError(
        `historyLength sets the window of the history tower; it does nothing while historyWeight is 0: set historyWeight (e.g. 0.5) or drop it`,
      );
    }
    return;
  }
  const shared = (config.loss === "sampled-softmax" && config.sampling === "interactions") || (config.loss === "ccl" && config.negativeDraws === "shared");
  if (!shared) {
    const how =
      config.loss === "ccl" ? ` with negativeDraws "${config.negativeDraws}"` : config.loss === "sampled-softmax" ? ` with sampling "${config.sampling}"` : "";
    throw new ConfigError(
      `historyWeight (the history tower) trains with the losses over shared negatives: use loss "sampled-softmax" (sampling "interactions") or "ccl" (negativeDraws "shared"), not "${config.loss}"${how}`,
    );
  }
  if (config.normalize !== "both") {
    throw new ConfigError(`the history tower scores the cosine of its blend with unit item vectors: it needs normalize "both", got "${config.normalize}"`);
  }
  if (config.spectralPenalty > 0) {
    throw new ConfigError(`spectralPenalty (ReSN) penalises the user table's id embeddings, not the history tower's vectors: use one or the other`);
  }
}

function checkDistillation(config: MfConfig, given: Partial<MfConfig>): void {
  nonNegativeInt(config.distillPositives, "distillPositives");
  positiveInt(config.distillRank, "distillRank", "the graph filter teacher's rank, e.g. 448");
  if (config.distillPositives === 0 && given.distillRank !== undefined && given.distillRank !== COMMON.distillRank) {
    throw new ConfigError(`distillRank sets the graph filter teacher; it does nothing while distillPositives is 0: set distillPositives (e.g. 5) or drop it`);
  }
}

function validateDebiasing(config: MfConfig): void {
  nonNegativeNumber(config.logitAdjustment, "logitAdjustment");
  if (config.logitAdjustment > 0 && config.loss !== "softmax" && config.loss !== "sampled-softmax") {
    throw new ConfigError(
      `logitAdjustment (α = ${config.logitAdjustment}) adjusts softmax logits: use loss "softmax" or "sampled-softmax", not "${config.loss}" (for ${config.loss}, try ips or spectralPenalty)`,
    );
  }
  nonNegativeNumber(config.spectralPenalty, "spectralPenalty");
  if (config.loss === "sampled-softmax" && config.sampling === "users" && (config.ips || config.spectralPenalty > 0)) {
    throw new ConfigError(
      `${config.ips ? "ips" : "spectralPenalty (ReSN)"} is not implemented for sampled-softmax with sampling "users": use sampling "interactions" (CLI: --sampling interactions), or the softmax loss`,
    );
  }
  if (typeof config.ips !== "boolean") throw new ConfigError(`ips must be true or false, got ${config.ips}`);
  const p = config.ipsMinPropensity;
  if (!(typeof p === "number" && p > 0 && p <= 1)) {
    throw new ConfigError(`ipsMinPropensity must be a number in (0, 1] (e.g. 0.01: weights are clipped at 100× the most popular item's), got ${p}`);
  }
}

/** Ren et al. train with unit-norm users: that is the default here unless normalize is given. */
function checkGradientAdjustment(config: MfConfig, partial: Partial<MfConfig>): void {
  if (typeof config.gradientAdjustment !== "boolean") throw new ConfigError(`gradientAdjustment must be true or false, got ${config.gradientAdjustment}`);
  if (!config.gradientAdjustment) return;
  if (config.loss !== "bpr" && config.loss !== "bce") {
    throw new ConfigError(
      `gradientAdjustment records the gradients of BPR or BCE training (Ren et al., Algorithm 1): use loss bpr or bce, got "${config.loss}"`,
    );
  }
  if (partial.normalize === undefined) config.normalize = "users";
}

/** The serving settings were training fields once: a config that still holds one is told where it went, not silently ignored. */
function refuseServingSettings(partial: object): void {
  const found = MF_SERVING_KEYS.find((key) => (partial as Record<string, unknown>)[key] !== undefined);
  if (found) {
    throw new ConfigError(
      `${found} is a serving setting, not a training one: train, then call model.setPopularityAdjustment({ alphaItems, alphaUsers, source, headShare })`,
    );
  }
}

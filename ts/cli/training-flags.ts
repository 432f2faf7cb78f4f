import { DEFAULT_SEED } from "../util/rng.js";
import type { FlagSpec, FlagValues } from "./args.js";
import { DEBIASING_FLAGS, debiasingConfigFromFlags } from "./debiasing-flags.js";
import { LEARNING_RATE_SCHEDULES } from "../train/learning-rate-schedule.js";
import { ADAM_UPDATES, LOSSES, NEGATIVE_DRAWS, NEGATIVE_SAMPLINGS, NORMALIZE_MODES, OPTIMIZERS, SAMPLING_MODES, type MfConfig } from "../mf/config.js";

/**
 * The flags that describe a model and how it is trained. `longtail train` takes them on its
 * command line; `compare` and `sweep` take the same flags inside each configuration string, so a
 * configuration means the same thing everywhere.
 */
export const TRAINING_FLAGS = [
  {
    name: "loss",
    type: "enum",
    choices: LOSSES,
    help: "Training objective (none given: sampled-softmax over 40 epochs with --distill 5; bpr when --gradient-adjust, --negative-sampling or --hard-negatives is given).",
  },
  { name: "dim", type: "int", positive: true, help: "Embedding size (default 64)." },
  { name: "epochs", type: "int", min: 0, help: "Passes over the training data (default 20; 40 when no --loss is given)." },
  { name: "lr", type: "number", positive: true, help: "Learning rate (default depends on the optimizer and loss)." },
  {
    name: "batch",
    type: "int",
    positive: true,
    help: "Interactions per step (users per step for --loss softmax, and for sampled-softmax with --sampling users).",
  },
  {
    name: "negatives",
    type: "int",
    positive: true,
    help: "Negatives per positive (bpr, bce; ccl with --negative-draws per-positive) or shared per batch (sampled-softmax, ccl).",
  },
  {
    name: "negative-draws",
    type: "enum",
    choices: NEGATIVE_DRAWS,
    help: "ccl: shared (default: one set of --negatives per batch, scored as a matrix product) or per-positive (each positive draws its own, as SimpleX does; slower per epoch).",
  },
  {
    name: "normalize",
    type: "enum",
    choices: NORMALIZE_MODES,
    help: "Keep embeddings at unit length during training: both (cosine scores; default for softmax losses), users, or none.",
  },
  { name: "hard-negatives", type: "int", positive: true, help: "bpr/bce: each negative is the best-scored of this many draws (default 8 for bpr, 1 for bce)." },
  {
    name: "negative-sampling",
    type: "enum",
    choices: NEGATIVE_SAMPLINGS,
    help: "bpr/bce: draw negatives uniformly (default) or in proportion to (count+1)^--sampling-exponent (popularity), rejected against the user's items either way.",
  },
  { name: "reg", type: "number", min: 0, help: "L2 penalty on the rows each step updates." },
  { name: "temperature", type: "number", positive: true, help: "Softmax temperature T (softmax losses; default 0.1)." },
  {
    name: "optimizer",
    type: "enum",
    choices: OPTIMIZERS,
    help: "Sparse-row optimizer (default adagrad for softmax and for sampled-softmax with --sampling users; adam otherwise).",
  },
  {
    name: "adam-updates",
    type: "enum",
    choices: ADAM_UPDATES,
    help: "adam: lazy (only the rows a step touches move; the default, except for sampled-softmax) or dense (the other rows keep moving on their momentum, as in PyTorch's dense Adam; at lazy Adam's cost; sampled-softmax's default).",
  },
  {
    name: "lr-schedule",
    type: "enum",
    choices: LEARNING_RATE_SCHEDULES,
    help: "Learning rate over the epochs: constant (the default, except for sampled-softmax), or cosine (annealed from --lr towards 0 by the last epoch; sampled-softmax's default).",
  },
  { name: "init-std", type: "number", positive: true, help: "Standard deviation of the initial embeddings (default 0.1)." },
  {
    name: "history-weight",
    type: "number",
    min: 0,
    help: "sampled-softmax, ccl: SimpleX's user tower: train each user as (1 − w)·its embedding + w·(mean of its other items)·W, W learned (default 0 = off). The saved model holds these user vectors.",
  },
  {
    name: "history-length",
    type: "int",
    positive: true,
    help: "With --history-weight: a step reads a random window of at most this many of a user's items (default 50; serving reads all).",
  },
  {
    name: "sampling",
    type: "enum",
    choices: SAMPLING_MODES,
    help: "sampled-softmax steps: interactions (default: --batch interactions, one row each) or users (--batch rows of one user's positives, scored once against --negatives shared by the step; then Adagrad 0.1, batch 64, 2048 negatives, --positives-per-row 8 unless given).",
  },
  {
    name: "positives-per-row",
    type: "int",
    min: 0,
    help: "sampled-softmax with --sampling users: at most this many of a user's positives share a row; more give the user several rows, in different steps (default 8; 0 = all in one row).",
  },
  {
    name: "sampling-exponent",
    type: "number",
    min: 0,
    help: "Proposal q(i) ∝ (count+1)^β of the sampled softmax, and of bpr/bce with --negative-sampling popularity (default 0.75; 0 = uniform).",
  },
  {
    name: "margin",
    type: "number",
    help: "ccl: a negative is pushed down only while its cosine with the user exceeds this (default 0.5).",
  },
  {
    name: "negative-weight",
    type: "number",
    positive: true,
    help: "ccl: weight of the negatives' term, (w / negatives)·Σ max(0, cos − margin), against the positive's 1 − cos (default 50).",
  },
  {
    name: "distill",
    type: "int",
    min: 0,
    placeholder: "N",
    help: "Ranking distillation: add each user's top N unseen items of the graph filter (fitted on the training part first) to the user's training positives (default 5 when no --loss is given, else 0 = off). Serving still leaves out only the real training items.",
  },
  {
    name: "distill-rank",
    type: "int",
    positive: true,
    help: "With --distill: the graph filter teacher's rank, the leading eigenvectors of its low-pass filter (default 448; capped at the data's size).",
  },
  { name: "seed", type: "int", default: DEFAULT_SEED, help: "Seed of the one random generator behind every random choice." },
  ...DEBIASING_FLAGS,
] as const satisfies readonly FlagSpec[];

export type TrainingFlagValues = FlagValues<typeof TRAINING_FLAGS>;

/** The model configuration the training flags describe (unset flags keep the loss's defaults). */
export function mfConfigFromFlags(v: TrainingFlagValues): Partial<MfConfig> {
  return {
    loss: v.loss,
    dim: v.dim,
    epochs: v.epochs,
    learningRate: v.lr,
    learningRateSchedule: v["lr-schedule"],
    batchSize: v.batch,
    negatives: v.negatives,
    hardNegatives: v["hard-negatives"],
    negativeSampling: v["negative-sampling"],
    negativeDraws: v["negative-draws"],
    normalize: v.normalize,
    l2: v.reg,
    temperature: v.temperature,
    optimizer: v.optimizer,
    adamUpdates: v["adam-updates"],
    initStd: v["init-std"],
    historyWeight: v["history-weight"],
    historyLength: v["history-length"],
    samplingExponent: v["sampling-exponent"],
    sampling: v.sampling,
    positivesPerRow: v["positives-per-row"],
    margin: v.margin,
    negativeWeight: v["negative-weight"],
    distillPositives: v.distill,
    distillRank: v["distill-rank"],
    seed: v.seed,
    ...debiasingConfigFromFlags(v),
  };
}

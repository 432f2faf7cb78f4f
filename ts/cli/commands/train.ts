import { defineCommand, type ParsedArgs } from "../args.js";
import { FORMAT, JSON_OUTPUT, MIN_RATING, QUIET, VARIANT } from "../common-flags.js";
import { cliKernels } from "../engine.js";
import { writeModel } from "../model-io.js";
import { createProgress, type ProgressBar } from "../progress.js";
import { loadTrainTest } from "../../node/dataset-files.js";
import { MatrixFactorization } from "../../model/matrix-factorization.js";
import { randomHoldout } from "../../data/splits.js";
import { LOSSES, NORMALIZE_MODES, OPTIMIZERS, SAMPLING_MODES, type MfConfig } from "../../train/config.js";
import type { TrainingProgress } from "../../train/fit.js";
import { Rng } from "../../util/rng.js";
import type { Interactions } from "../../data/interactions.js";

export const TRAIN = defineCommand({
  name: "train",
  summary: "Train a matrix factorisation model on interaction data and save it to a model file.",
  description:
    "Defaults depend on --loss (see the README's table). The softmax losses use temperature T: logits are score/T.\n" +
    "With --validation F, a fraction F of each user's training interactions is held out, Recall@K on it is measured after " +
    "every epoch, training stops after --patience epochs without improvement, and the best epoch's model is saved.",
  flags: [
    { name: "data", type: "path", required: true, help: "Training data: a file, or a folder with train.txt, ratings.csv or ratings.dat." },
    FORMAT,
    MIN_RATING,
    { name: "loss", type: "enum", choices: LOSSES, default: "bpr", help: "Training objective." },
    { name: "dim", type: "int", positive: true, help: "Embedding size (default 64)." },
    { name: "epochs", type: "int", min: 0, help: "Passes over the training data (default 20)." },
    { name: "lr", type: "number", positive: true, help: "Learning rate (default depends on the optimizer and loss)." },
    { name: "batch", type: "int", positive: true, help: "Interactions per step (users per step for --loss softmax, and for sampled-softmax with --sampling users)." },
    { name: "negatives", type: "int", positive: true, help: "Negatives per positive (bpr, bce) or shared per batch (sampled-softmax)." },
    { name: "normalize", type: "enum", choices: NORMALIZE_MODES, help: "Keep embeddings at unit length during training: both (cosine scores; default for softmax losses), users, or none." },
    { name: "hard-negatives", type: "int", positive: true, help: "bpr/bce: each negative is the best-scored of this many uniform draws (default 1 = uniform)." },
    { name: "reg", type: "number", min: 0, help: "L2 penalty on the rows each step updates." },
    { name: "temperature", type: "number", positive: true, help: "Softmax temperature T (softmax losses; default 0.1)." },
    { name: "optimizer", type: "enum", choices: OPTIMIZERS, help: "Sparse-row optimizer (default adam)." },
    { name: "init-std", type: "number", positive: true, help: "Standard deviation of the initial embeddings (default 0.1)." },
    { name: "sampling", type: "enum", choices: SAMPLING_MODES, help: "sampled-softmax steps: interactions (default: --batch interactions, one row each) or users (--batch rows of one user's positives, scored once against --negatives shared by the step; then Adagrad 0.1, batch 64, 2048 negatives, --positives-per-row 8 unless given)." },
    { name: "positives-per-row", type: "int", min: 0, help: "sampled-softmax with --sampling users: at most this many of a user's positives share a row; more give the user several rows, in different steps (default 8; 0 = all in one row)." },
    { name: "sampling-exponent", type: "number", min: 0, help: "Sampled softmax proposal q(i) ∝ (count+1)^β (default 0.75; 0 = uniform)." },
    { name: "seed", type: "int", default: 42, help: "Seed of the one random generator behind every random choice." },
    { name: "validation", type: "number", min: 0, max: 0.9, help: "Hold out this fraction per user for early stopping on Recall@K." },
    { name: "patience", type: "int", positive: true, default: 3, help: "Epochs without a better validation Recall@K before stopping." },
    { name: "k", type: "int", positive: true, default: 20, help: "K of the validation Recall@K." },
    { name: "out", type: "path", required: true, help: "Model file to write (atomically: an existing file is replaced only by a complete one)." },
    QUIET,
    JSON_OUTPUT,
    VARIANT,
  ],
  examples: [
    "longtail train --data ../shared/data/gowalla --loss bpr --epochs 40 --out gowalla-bpr.ltm",
    "longtail train --data ml-latest-small/ratings.csv --loss softmax --temperature 0.1 --validation 0.1 --out ml.ltm",
  ],
});

export async function runTrain(args: ParsedArgs<typeof TRAIN>): Promise<number> {
  const v = args.values;
  const progress = createProgress({ quiet: v.quiet });
  const started = performance.now();
  // A folder's test.txt may name items that never occur in train.txt (ml-1m-resn, coat): they join
  // the catalog as items without training interactions, so the model can be evaluated on that test part.
  const loaded = await loadTrainTest(v.data, {
    format: v.format, unknownInTest: "extend", ...(v["min-rating"] !== undefined && { minRating: v["min-rating"] }),
  });
  progress.log(loaded.describe);
  let train: Interactions = loaded.train;
  let validation: Interactions | undefined;
  if (v.validation !== undefined && v.validation > 0) {
    ({ train, test: validation } = randomHoldout(train, { testFraction: v.validation, rng: new Rng(v.seed ^ 0x5eed) }));
  }
  const config: Partial<MfConfig> = {
    loss: v.loss, dim: v.dim, epochs: v.epochs, learningRate: v.lr, batchSize: v.batch, negatives: v.negatives, hardNegatives: v["hard-negatives"], normalize: v.normalize,
    l2: v.reg, temperature: v.temperature, optimizer: v.optimizer, initStd: v["init-std"],
    samplingExponent: v["sampling-exponent"], sampling: v.sampling, positivesPerRow: v["positives-per-row"], seed: v.seed,
  };
  const kernels = await cliKernels(v.kernels);
  const model = new MatrixFactorization(kernels, config);
  let bar: ProgressBar | null = null;
  const epochBar = (epoch: number) => (bar ??= progress.start(`epoch ${epoch}/${model.config.epochs}`, train.nnz, "interactions"));
  const report = await model.fit(train, {
    ...(validation && { validation, validationK: v.k, patience: v.patience }),
    onProgress: (p: TrainingProgress) => {
      const info = `loss ${p.loss.toFixed(4)}`;
      if (p.phase === "batch") {
        epochBar(p.epoch).update(p.done, info);
        return;
      }
      const val = p.validationRecall !== undefined ? ` · valid recall@${v.k} ${p.validationRecall.toFixed(4)}` : "";
      const b = epochBar(p.epoch);
      b.update(p.total, "");
      b.finish(`${info}${val}`);
      bar = null;
    },
  });
  const bytes = await writeModel(v.out, model, { trainedOn: v.data, report: { ...report } });
  const summary = {
    model: v.out,
    bytes,
    config: model.config,
    users: model.nUsers,
    items: model.nItems,
    interactions: train.nnz,
    epochs: report.epochs.length,
    bestEpoch: report.bestEpoch,
    stoppedEarly: report.stoppedEarly,
    ...(report.bestValidationRecall !== undefined && { [`validationRecall@${v.k}`]: report.bestValidationRecall }),
    finalLoss: report.epochs.at(-1)?.loss ?? null,
    trainSeconds: report.seconds,
    totalSeconds: (performance.now() - started) / 1000,
  };
  if (v.json) process.stdout.write(JSON.stringify(summary) + "\n");
  else {
    process.stdout.write(
      `wrote ${v.out} (${(bytes / 1e6).toFixed(1)} MB): ${model.config.loss}, d=${model.dim}, ${model.nUsers} users × ${model.nItems} items, ` +
        `${report.epochs.length} epochs in ${report.seconds.toFixed(1)} s` +
        (report.bestValidationRecall !== undefined ? `, best validation recall@${v.k} ${report.bestValidationRecall.toFixed(4)} (epoch ${report.bestEpoch})` : "") +
        "\n",
    );
  }
  model.dispose();
  return 0;
}

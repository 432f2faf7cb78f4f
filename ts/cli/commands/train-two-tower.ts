/**
 * `longtail train --model two-tower`: the two-tower model with a history tower (ts/two-tower/two-tower.ts).
 * Flags that only matrix factorisation understands are refused with a message, never ignored.
 */
import { dataReadFlags } from "../common-flags.js";
import { checkWritableTarget } from "../../node/atomic-write.js";
import { ArgsError, type ParsedArgs } from "../args.js";
import { cliKernels } from "../kernels.js";
import { checkTwoTowerTrainingFlags } from "../size-limits.js";
import { reportForModelFile, writeModel } from "../model-io.js";
import { createProgress } from "../progress.js";
import { trainingProgress } from "../training-progress.js";
import { printTrainingWarnings } from "../training-warnings.js";
import { loadTrainTest, readMovies } from "../../node/dataset-files.js";
import { TwoTower } from "../../two-tower/two-tower.js";
import { TWO_TOWER_LOSSES, TWO_TOWER_OPTIMIZERS, type TwoTowerConfig, type TwoTowerLoss, type TwoTowerOptimizer } from "../../two-tower/config.js";
import { usersSplit } from "../../data/splits/users.js";
import { Rng } from "../../util/rng.js";
import type { Interactions } from "../../data/interactions.js";
import type { TRAIN } from "./train-command.js";

/** Flags of `train` that describe matrix factorisation only. */
export const MF_ONLY_FLAGS = [
  "hard-negatives",
  "normalize",
  "sampling",
  "positives-per-row",
  "resn",
  "ips",
  "ips-min-propensity",
  "gradient-adjust",
  "popular-direction",
  "alpha-items",
  "alpha-users",
  "grid-users",
  "tten",
  "distill",
  "distill-rank",
] as const;
/** Flags of `train` that describe the two-tower model only. */
export const TWO_TOWER_ONLY_FLAGS = ["movies", "history-weighting", "half-life", "max-history"] as const;

export async function runTrainTwoTower(args: ParsedArgs<typeof TRAIN>): Promise<number> {
  const v = args.values;
  if (v.out) await checkWritableTarget(v.out, "--out");
  const usage = 'Run "longtail train --help".';
  for (const flag of MF_ONLY_FLAGS) {
    if (args.given.has(flag))
      throw new ArgsError(`--${flag} belongs to matrix factorisation and does nothing for --model two-tower: drop it (or use --model mf)`, "train", usage);
  }
  const loss = (args.given.has("loss") ? v.loss : "softmax") as string;
  if (!TWO_TOWER_LOSSES.includes(loss as TwoTowerLoss))
    throw new ArgsError(`--loss ${loss} is not a two-tower loss: use --loss ${TWO_TOWER_LOSSES.join(" or ")}`, "train", usage);
  if (v.optimizer !== undefined && !TWO_TOWER_OPTIMIZERS.includes(v.optimizer as TwoTowerOptimizer)) {
    throw new ArgsError(`--optimizer ${v.optimizer} is not available for --model two-tower: use ${TWO_TOWER_OPTIMIZERS.join(" or ")}`, "train", usage);
  }
  if (args.given.has("negatives") && loss !== "sampled-softmax")
    throw new ArgsError(
      `--negatives sets the sampled softmax's shared negatives: add --loss sampled-softmax, or drop it (the full softmax uses the whole catalog)`,
      "train",
      usage,
    );
  if (args.given.has("sampling-exponent") && loss !== "sampled-softmax")
    throw new ArgsError(`--sampling-exponent shapes the sampled softmax's proposal: add --loss sampled-softmax, or drop it`, "train", usage);
  if (args.given.has("half-life") && v["history-weighting"] !== "recency")
    throw new ArgsError(`--half-life is the recency weighting's half-life: add --history-weighting recency`, "train", usage);
  const progress = createProgress({ quiet: v.quiet });
  const started = performance.now();
  const loaded = await loadTrainTest(v.data, {
    ...dataReadFlags(v, "train"),
    unknownInTest: "extend",
  });
  progress.log(loaded.describe);
  const movies = v.movies !== undefined ? await readMovies(v.movies) : loaded.items;
  if (movies) progress.log(`item tower: id embeddings + genre means from ${v.movies ?? "the movies file next to the ratings"}`);
  else progress.log("item tower: id embeddings only (no movies file: give --movies <movies.csv> for genres)");
  let train: Interactions = loaded.train;
  let validation: Interactions | undefined;
  if (v.validation !== undefined && v.validation > 0) {
    // Held-out users, as the sequential protocol evaluates: a share of the users with their whole rows.
    ({ train, test: validation } = usersSplit(train, { testShare: v.validation, rng: new Rng(v.seed ^ 0x5eed) }));
  } else if (loaded.valid) {
    validation = loaded.valid;
    progress.log(`early stopping on the folder's valid.txt (sequential recall@${v.k} of its users)`);
  }
  const config: Partial<TwoTowerConfig> = {
    loss: loss as TwoTowerLoss,
    dim: v.dim,
    epochs: v.epochs,
    learningRate: v.lr,
    learningRateSchedule: v["lr-schedule"],
    batchSize: v.batch,
    negatives: v.negatives,
    samplingExponent: v["sampling-exponent"],
    temperature: v.temperature,
    logitAdjustment: v["logit-adjustment"],
    l2: v.reg,
    optimizer: v.optimizer as TwoTowerOptimizer | undefined,
    initStd: v["init-std"],
    seed: v.seed,
    maxHistory: v["max-history"],
    historyWeighting: v["history-weighting"],
    halfLife: v["half-life"],
  };
  // Sizes that cannot fit (--dim, --batch, --negatives, --max-history) are refused before threads start or tables are allocated.
  checkTwoTowerTrainingFlags(config, train, movies ?? undefined, v.threads, validation ? v.k : undefined);
  const kernels = await cliKernels(v.kernels, v.threads);
  const model = new TwoTower(kernels, config);
  const report = await model.fit(train, {
    ...(movies && { genres: movies }),
    ...(validation && { validation, validationK: v.k, patience: v.patience }),
    onProgress: trainingProgress(progress, v.k),
  });
  printTrainingWarnings(report.warnings);
  // Timings stay out of the file (reportForModelFile): the same seed and data give the same bytes.
  const bytes = await writeModel(v.out, model, { trainedOn: v.data, report: reportForModelFile(report) });
  const summary = {
    model: v.out,
    kind: "two-tower",
    bytes,
    config: model.config,
    genres: model.genreNames.length,
    users: model.nUsers,
    items: model.nItems,
    interactions: train.nnz,
    epochs: report.epochs.length,
    bestEpoch: report.bestEpoch,
    stoppedEarly: report.stoppedEarly,
    ...(report.bestValidationRecall !== undefined && { [`validationRecall@${v.k}`]: report.bestValidationRecall }),
    finalLoss: report.epochs.at(-1)?.loss ?? null,
    warnings: report.warnings,
    trainSeconds: report.seconds,
    totalSeconds: (performance.now() - started) / 1000,
  };
  if (v.json) process.stdout.write(JSON.stringify(summary) + "\n");
  else {
    process.stdout.write(
      `wrote ${v.out} (${(bytes / 1e6).toFixed(1)} MB): two-tower, ${model.config.loss}, d=${model.dim}, ${model.nItems} items, ${model.genreNames.length} genres, ` +
        `${model.nUsers} training users, ${report.epochs.length} epochs in ${report.seconds.toFixed(1)} s` +
        (report.bestValidationRecall !== undefined
          ? `, best validation recall@${v.k} ${report.bestValidationRecall.toFixed(4)} (epoch ${report.bestEpoch})`
          : "") +
        "\n",
    );
  }
  model.dispose();
  return 0;
}

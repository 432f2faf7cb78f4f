import { DEFAULT_K } from "../../eval/default-k.js";
import { ArgsError, defineCommand, type ParsedArgs } from "../args.js";
import { checkWritableTarget } from "../../node/atomic-write.js";
import { FORMAT, JSON_OUTPUT, MIN_RATING, QUIET, THREADS, VARIANT, COLUMNS, SEPARATOR, dataReadFlags } from "../common-flags.js";
import { cliKernels } from "../engine.js";
import { checkMfTrainingFlags, shapeOf } from "../size-limits.js";
import { alphaGridForModelFile, reportForModelFile, writeModel } from "../model-io.js";
import { createProgress } from "../progress.js";
import { trainingProgress } from "../training-progress.js";
import { printTrainingWarnings } from "../training-warnings.js";
import { loadTrainTest } from "../../node/dataset-files.js";
import { MatrixFactorization } from "../../model/matrix-factorization.js";
import { randomHoldout } from "../../data/splits.js";
import { mfConfigFromFlags, TRAINING_FLAGS } from "../training-flags.js";
import type { MfConfig } from "../../train/config.js";
import { GRADIENT_ADJUSTMENT_FLAGS, gradientAdjustmentConfigFromFlags } from "../debiasing-flags.js";
import { searchPopularityAlphas, type AlphaGridResult } from "../../train/alpha-grid.js";
import { Rng } from "../../util/rng.js";
import type { Interactions } from "../../data/interactions.js";
import { HISTORY_WEIGHTINGS } from "../../train/two-tower-config.js";
import { runTrainTwoTower, TWO_TOWER_ONLY_FLAGS } from "./train-two-tower.js";

export const TRAIN = defineCommand({
  name: "train",
  summary: "Train a matrix factorisation model (or, with --model two-tower, a two-tower model with a history tower) and save it to a model file.",
  description:
    "--model two-tower: the user tower is the (uniform or recency-weighted) mean of the input embeddings of the last --max-history items a user watched, " +
    "projected by a learned d×d matrix and bias; the item tower is an id embedding plus the mean of the item's genre embeddings (--movies, or the movies.csv next to ratings.csv). " +
    "It trains on every prefix of each user's time-ordered row → the next item, with --loss softmax (default) or sampled-softmax, --logit-adjustment, --temperature (default 0.1), " +
    "Adam (default lr 0.003, --batch 256 contexts, 10 epochs); --validation F holds out a share F of the users and stops early on their sequential Recall@K. " +
    "Flags of matrix factorisation only (--normalize, --resn, --ips, --gradient-adjust, ...) are refused.\n" +
    "Defaults depend on --loss (docs/methods-and-metrics.md, \"Losses and their defaults\"). The softmax losses use temperature T: logits are score/T.\n" +
    "With --validation F, a fraction F of each user's training interactions is held out (a folder's valid.txt, as longtail split writes it, is used when --validation is not given), Recall@K on it is measured after " +
    "every epoch, training stops after --patience epochs without improvement, and the best epoch's model is saved.\n" +
    "With --gradient-adjust (Ren et al., bpr or bce): user embeddings unit-norm in training, the accumulated gradients of " +
    "Algorithm 1 recorded, and the model serves with Eq. 15-16: items lose α1 and users α2 times their component along the " +
    "popular directions. α1 and α2 not fixed by --alpha-items/--alpha-users are chosen from 0, 0.2, ..., 2 by full-ranking " +
    "Recall@K on the --validation part (default: the folder's valid.txt, else 0.1 of each user's interactions, then used for the grid only). " +
    "Ablations: --normalize none, --alpha-items 0, --alpha-users 0.",
  flags: [
    { name: "data", type: "path", required: true, help: "Training data: a file, or a folder with train.txt, ratings.csv or ratings.dat." },
    { name: "model", type: "enum", choices: ["mf", "two-tower"], default: "mf", help: "mf: matrix factorisation; two-tower: the history-tower model (see above)." },
    { name: "movies", type: "path", help: "--model two-tower: movies.csv (or .dat) whose genres feed the item tower (default: the one next to ratings.csv, if any)." },
    { name: "history-weighting", type: "enum", choices: HISTORY_WEIGHTINGS, help: "--model two-tower: uniform (default) mean of the history, or recency: the item j places before the newest weighs 2^(-j / --half-life)." },
    { name: "half-life", type: "number", positive: true, help: "--model two-tower with --history-weighting recency: items back at which the weight halves (default 10)." },
    { name: "max-history", type: "int", positive: true, help: "--model two-tower: the history tower reads the last this many items (default 50)." },
    FORMAT,
    COLUMNS,
    SEPARATOR,
    MIN_RATING,
    ...TRAINING_FLAGS,
    { name: "validation", type: "number", min: 0, max: 0.9, help: "Hold out this fraction per user for early stopping on Recall@K." },
    { name: "patience", type: "int", positive: true, default: 3, help: "Epochs without a better validation Recall@K before stopping." },
    { name: "k", type: "int", positive: true, default: DEFAULT_K, help: "K of the validation Recall@K." },
    ...GRADIENT_ADJUSTMENT_FLAGS,
    { name: "grid-users", type: "int", positive: true, default: 10000, help: "--gradient-adjust: validation users the α grid scores at most (a seeded sample beyond)." },
    { name: "out", type: "path", required: true, help: "Model file to write (atomically: an existing file is replaced only by a complete one)." },
    QUIET,
    JSON_OUTPUT,
    VARIANT,
    THREADS,
  ],
  examples: [
    "longtail train --data ../shared/data/gowalla --loss bpr --epochs 40 --out gowalla-bpr.ltm",
    "longtail train --data ml-latest-small/ratings.csv --loss softmax --temperature 0.1 --validation 0.1 --out ml.ltm",
    "longtail train --data ../shared/data/ml-1m-resn --loss softmax --epochs 5 --logit-adjustment 0.5 --out ml1m-la.ltm",
    "longtail train --model two-tower --data ml-users --movies ../shared/data/ml-latest-small/movies.csv --epochs 4 --validation 0.1 --out tt.ltm",
  ],
});

export async function runTrain(args: ParsedArgs<typeof TRAIN>): Promise<number> {
  const v = args.values;
  if (v.out) await checkWritableTarget(v.out, "--out");
  if (v.model === "two-tower") return runTrainTwoTower(args);
  for (const flag of TWO_TOWER_ONLY_FLAGS) {
    if (args.given.has(flag)) throw new ArgsError(`--${flag} belongs to the two-tower model: add --model two-tower`, TRAIN.name, 'Run "longtail train --help".');
  }
  const progress = createProgress({ quiet: v.quiet });
  const started = performance.now();
  // A folder's test.txt may name items that never occur in train.txt (ml-1m-resn, coat): they join
  // the catalog as items without training interactions, so the model can be evaluated on that test part.
  const loaded = await loadTrainTest(v.data, {
    ...dataReadFlags(v, TRAIN.name), unknownInTest: "extend",
  });
  progress.log(loaded.describe);
  let train: Interactions = loaded.train;
  let validation: Interactions | undefined;
  const gradientConfig = gradientAdjustmentConfigFromFlags(v, TRAIN.name);
  // The α grid needs held-out interactions; Ren et al. keep 10% for validation.
  const searchesAlphas = v["gradient-adjust"] && (v["alpha-items"] === undefined || v["alpha-users"] === undefined);
  const validationFraction = v.validation ?? (searchesAlphas && !loaded.valid ? 0.1 : undefined);
  // Early stopping runs on an explicit --validation part or on the folder's valid.txt; a part held out only for the α grid is not used for it.
  let earlyStopping = v.validation !== undefined && v.validation > 0;
  if (validationFraction !== undefined && validationFraction > 0) {
    ({ train, test: validation } = randomHoldout(train, { testFraction: validationFraction, rng: new Rng(v.seed ^ 0x5eed) }));
  } else if (loaded.valid) {
    // A folder written by `longtail split --valid` carries its own validation part.
    validation = loaded.valid;
    earlyStopping = true;
    progress.log("early stopping on the folder's valid.txt (Recall@" + v.k + ")");
  }
  if (searchesAlphas && !validation) throw new ArgsError("--gradient-adjust chooses α1/α2 on a validation part: give --validation a fraction above 0 (e.g. 0.1), or fix both --alpha-items and --alpha-users", TRAIN.name, 'Run "longtail train --help".');
  const config: Partial<MfConfig> = { ...mfConfigFromFlags(v), ...gradientConfig };
  // Sizes that cannot fit (--dim, --batch, --negatives, --hard-negatives) are refused before threads start or tables are allocated.
  checkMfTrainingFlags(config, shapeOf(train), v.threads, validation && earlyStopping ? v.k : undefined);
  const kernels = await cliKernels(v.kernels, v.threads);
  const model = new MatrixFactorization(kernels, config);
  const report = await model.fit(train, {
    ...(validation && earlyStopping && { validation, validationK: v.k, patience: v.patience }),
    onProgress: trainingProgress(progress, train.nnz, v.k),
  });
  printTrainingWarnings(report.warnings);
  let alphaGrid: AlphaGridResult | undefined;
  if (searchesAlphas) {
    const gridBar = progress.start(`α grid (Recall@${v.k} on validation)`, Math.min(v["grid-users"], validation!.usersWithInteractions().length), "users");
    alphaGrid = searchPopularityAlphas(model, train, validation!, {
      k: v.k, maxUsers: v["grid-users"], fixedAlphaItems: v["alpha-items"], fixedAlphaUsers: v["alpha-users"], onProgress: (done) => gridBar.update(done),
    });
    gridBar.finish(`α1 ${alphaGrid.alphaItems}, α2 ${alphaGrid.alphaUsers}: recall@${v.k} ${alphaGrid.recall.toFixed(4)} (raw ${alphaGrid.baselineRecall.toFixed(4)}) in ${alphaGrid.seconds.toFixed(1)} s`);
    model.setPopularityAdjustment(alphaGrid);
  }
  const gradientAdjustment = alphaGrid && {
    alphaItems: alphaGrid.alphaItems, alphaUsers: alphaGrid.alphaUsers, source: alphaGrid.source, [`validationRecall@${v.k}`]: alphaGrid.recall,
    [`rawValidationRecall@${v.k}`]: alphaGrid.baselineRecall, gridUsers: alphaGrid.users, gridSeconds: alphaGrid.seconds,
  };
  // Timings stay out of the file (reportForModelFile): the same seed and data give the same bytes.
  const bytes = await writeModel(v.out, model, { trainedOn: v.data, report: reportForModelFile(report), ...(alphaGrid && { alphaGrid: alphaGridForModelFile(alphaGrid) }) });
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
    ...(gradientAdjustment && { gradientAdjustment }),
    finalLoss: report.epochs.at(-1)?.loss ?? null, warnings: report.warnings,
    threads: kernels.threads,
    trainSeconds: report.seconds,
    totalSeconds: (performance.now() - started) / 1000,
  };
  if (v.json) process.stdout.write(JSON.stringify(summary) + "\n");
  else {
    process.stdout.write(
      `wrote ${v.out} (${(bytes / 1e6).toFixed(1)} MB): ${model.config.loss}, d=${model.dim}, ${model.nUsers} users × ${model.nItems} items, ` +
        `${report.epochs.length} epochs in ${report.seconds.toFixed(1)} s on ${kernels.threads.count} thread${kernels.threads.count === 1 ? "" : "s"}` +
        (report.bestValidationRecall !== undefined ? `, best validation recall@${v.k} ${report.bestValidationRecall.toFixed(4)} (epoch ${report.bestEpoch})` : "") +
        (alphaGrid ? `; serves with α1 = ${alphaGrid.alphaItems}, α2 = ${alphaGrid.alphaUsers} (${alphaGrid.source} directions, validation recall@${v.k} ${alphaGrid.recall.toFixed(4)} vs ${alphaGrid.baselineRecall.toFixed(4)} raw)` : "") +
        "\n",
    );
  }
  model.dispose();
  return 0;
}

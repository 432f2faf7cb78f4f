import { TRAIN } from "./train-command.js";
export { TRAIN };
import { ArgsError, type ParsedArgs } from "../args.js";
import { checkWritableTarget } from "../../node/atomic-write.js";
import { dataReadFlags } from "../common-flags.js";
import { cliKernels } from "../kernels.js";
import { checkMfTrainingFlags, shapeOf } from "../size-limits.js";
import { alphaGridForModelFile, reportForModelFile, writeModel } from "../model-io.js";
import { createProgress } from "../progress.js";
import { trainingProgress } from "../training-progress.js";
import { printTrainingWarnings } from "../training-warnings.js";
import { loadTrainTest } from "../../node/dataset-files.js";
import { MatrixFactorization } from "../../mf/matrix-factorization.js";
import { randomHoldout } from "../../data/splits.js";
import { mfConfigFromFlags } from "../training-flags.js";
import { defaultLossNote, type MfConfig } from "../../mf/config.js";
import { gradientAdjustmentFromFlags } from "../debiasing-flags.js";
import { alphaGridWarnings, searchPopularityAlphas, type AlphaGridResult } from "../../mf/alpha-grid.js";
import { Rng } from "../../util/rng.js";
import type { TrainingWarning } from "../../train/training-warnings.js";
import type { Interactions } from "../../data/interactions.js";
import { runTrainTwoTower, TWO_TOWER_ONLY_FLAGS } from "./train-two-tower.js";
import { readValidationPart } from "../validation-data.js";

export async function runTrain(args: ParsedArgs<typeof TRAIN>): Promise<number> {
  const v = args.values;
  if (v.out) await checkWritableTarget(v.out, "--out");
  if (v.model === "two-tower") return runTrainTwoTower(args);
  for (const flag of TWO_TOWER_ONLY_FLAGS) {
    if (args.given.has(flag))
      throw new ArgsError(`--${flag} belongs to the two-tower model: add --model two-tower`, TRAIN.name, 'Run "longtail train --help".');
  }
  const progress = createProgress({ quiet: v.quiet });
  const started = performance.now();
  // A folder's test.txt may name items that never occur in train.txt (ml-1m-resn, coat): they join
  // the catalog as items without training interactions, so the model can be evaluated on that test part.
  const loaded = await loadTrainTest(v.data, {
    ...dataReadFlags(v, TRAIN.name),
    unknownInTest: "extend",
  });
  progress.log(loaded.describe);
  let train: Interactions = loaded.train;
  let validation: Interactions | undefined;
  const gradient = gradientAdjustmentFromFlags(v, TRAIN.name);
  // The α grid needs held-out interactions; Ren et al. keep 10% for validation.
  const searchesAlphas = v["gradient-adjust"] && (v["alpha-items"] === undefined || v["alpha-users"] === undefined);
  if (v["validation-data"] !== undefined && v.validation !== undefined) {
    throw new ArgsError(
      `--validation ${v.validation} holds out a share of the training data, and --validation-data ${v["validation-data"]} gives the validation part: give one of them`,
      TRAIN.name,
      'Run "longtail train --help".',
    );
  }
  const given = v["validation-data"] !== undefined ? await readValidationPart(v["validation-data"], train, dataReadFlags(v, TRAIN.name)) : undefined;
  if (given) progress.log(given.describe);
  const validationFraction = v.validation ?? (searchesAlphas && !loaded.valid && !given ? 0.1 : undefined);
  // Early stopping runs on an explicit --validation part or on the folder's valid.txt; a part held out only for the α grid is not used for it.
  let earlyStopping = v.validation !== undefined && v.validation > 0;
  if (given) {
    validation = given.part;
    earlyStopping = true;
  } else if (validationFraction !== undefined && validationFraction > 0) {
    ({ train, test: validation } = randomHoldout(train, { testFraction: validationFraction, rng: new Rng(v.seed ^ 0x5eed) }));
  } else if (loaded.valid) {
    // A folder written by `longtail split --valid` carries its own validation part.
    validation = loaded.valid;
    earlyStopping = true;
    progress.log("early stopping on the folder's valid.txt (Recall@" + v.k + ")");
  }
  if (searchesAlphas && v.tten) {
    throw new ArgsError(
      "--tten with the α grid of --gradient-adjust: the grid ranks without TTEN, so its choice would not hold; fix --alpha-items and --alpha-users, or leave out --tten",
      TRAIN.name,
      'Run "longtail train --help".',
    );
  }
  if (searchesAlphas && !validation)
    throw new ArgsError(
      "--gradient-adjust chooses α1/α2 on a validation part: give --validation a fraction above 0 (e.g. 0.1), or fix both --alpha-items and --alpha-users",
      TRAIN.name,
      'Run "longtail train --help".',
    );
  const config: Partial<MfConfig> = { ...mfConfigFromFlags(v), ...gradient.config };
  // Sizes that cannot fit (--dim, --batch, --negatives, --hard-negatives) are refused before threads start or tables are allocated.
  checkMfTrainingFlags(config, shapeOf(train), v.threads, validation && earlyStopping ? v.k : undefined);
  const note = defaultLossNote(config, shapeOf(train));
  if (note && !v.quiet) process.stderr.write(`longtail: note: ${note}\n`);
  const kernels = await cliKernels(v.kernels, v.threads);
  const model = new MatrixFactorization(kernels, config);
  const report = await model.fit(train, {
    ...(validation && earlyStopping && { validation, validationK: v.k, patience: v.patience }),
    onProgress: trainingProgress(progress, v.k),
  });
  printTrainingWarnings(report.warnings);
  // TTEN is a serving setting: it changes no training step, and the model file keeps it.
  if (v.tten) model.setItemNormalization(true);
  let alphaGrid: AlphaGridResult | undefined;
  const gridWarnings: TrainingWarning[] = [];
  const source = gradient.serving.popularDirection;
  if (v["gradient-adjust"] && !searchesAlphas) {
    model.setPopularityAdjustment({ alphaItems: v["alpha-items"]!, alphaUsers: v["alpha-users"]!, source });
  } else if (searchesAlphas) {
    const gridBar = progress.start(`α grid (Recall@${v.k} on validation)`, Math.min(v["grid-users"], validation!.usersWithInteractions().length), "users");
    alphaGrid = searchPopularityAlphas(model, train, validation!, {
      k: v.k,
      maxUsers: v["grid-users"],
      fixedAlphaItems: v["alpha-items"],
      fixedAlphaUsers: v["alpha-users"],
      ...(source && { source }),
      onProgress: (done) => gridBar.update(done),
    });
    gridBar.finish(
      `α1 ${alphaGrid.alphaItems}, α2 ${alphaGrid.alphaUsers}: recall@${v.k} ${alphaGrid.recall.toFixed(4)} (raw ${alphaGrid.baselineRecall.toFixed(4)}) in ${alphaGrid.seconds.toFixed(1)} s`,
    );
    model.setPopularityAdjustment(alphaGrid);
    gridWarnings.push(...alphaGridWarnings(alphaGrid));
    printTrainingWarnings(gridWarnings);
  }
  const gradientAdjustment = alphaGrid && {
    alphaItems: alphaGrid.alphaItems,
    alphaUsers: alphaGrid.alphaUsers,
    source: alphaGrid.source,
    [`validationRecall@${v.k}`]: alphaGrid.recall,
    [`rawValidationRecall@${v.k}`]: alphaGrid.baselineRecall,
    gainStandardError: alphaGrid.gainStandardError,
    pairsNearBest: alphaGrid.pairsNearBest,
    projectionOff: alphaGrid.projectionOff,
    gridUsers: alphaGrid.users,
    gridSeconds: alphaGrid.seconds,
  };
  // Timings stay out of the file (reportForModelFile): the same seed and data give the same bytes.
  const bytes = await writeModel(v.out, model, {
    trainedOn: v.data,
    report: reportForModelFile(report),
    ...(alphaGrid && { alphaGrid: alphaGridForModelFile(alphaGrid) }),
  });
  const summary = {
    model: v.out,
    bytes,
    config: model.config,
    serving: model.serving,
    users: model.nUsers,
    items: model.nItems,
    interactions: train.nnz,
    epochs: report.epochs.length,
    bestEpoch: report.bestEpoch,
    stoppedEarly: report.stoppedEarly,
    ...(report.bestValidationRecall !== undefined && { [`validationRecall@${v.k}`]: report.bestValidationRecall }),
    ...(gradientAdjustment && { gradientAdjustment }),
    ...(report.distillation && { distillation: report.distillation }),
    finalLoss: report.epochs.at(-1)?.loss ?? null,
    warnings: [...report.warnings, ...gridWarnings],
    threads: kernels.threads,
    trainSeconds: report.seconds,
    totalSeconds: (performance.now() - started) / 1000,
  };
  if (v.json) process.stdout.write(JSON.stringify(summary) + "\n");
  else {
    process.stdout.write(
      `wrote ${v.out} (${(bytes / 1e6).toFixed(1)} MB): ${model.config.loss}, d=${model.dim}, ${model.nUsers} users × ${model.nItems} items, ` +
        `${report.epochs.length} epochs in ${report.seconds.toFixed(1)} s on ${kernels.threads.count} thread${kernels.threads.count === 1 ? "" : "s"}` +
        (report.distillation
          ? ` (with ${report.distillation.added.toLocaleString("en-US")} graph-filter positives for ${report.distillation.users.toLocaleString("en-US")} users, the teacher's time included)`
          : "") +
        (report.bestValidationRecall !== undefined
          ? `, best validation recall@${v.k} ${report.bestValidationRecall.toFixed(4)} (epoch ${report.bestEpoch})`
          : "") +
        (alphaGrid
          ? `; serves with α1 = ${alphaGrid.alphaItems}, α2 = ${alphaGrid.alphaUsers} (${alphaGrid.source} directions, validation recall@${v.k} ${alphaGrid.recall.toFixed(4)} vs ${alphaGrid.baselineRecall.toFixed(4)} raw)`
          : "") +
        "\n",
    );
  }
  model.dispose();
  return 0;
}

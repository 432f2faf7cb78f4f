import type { FlagSpec } from "./args.js";
import { COLUMNS, SEPARATOR, dataReadFlags, FORMAT, MIN_RATING } from "./common-flags.js";
import type { Progress } from "./progress.js";
import type { Interactions } from "../data/interactions.js";
import type { InteractionsFormat } from "../data/read.js";
import { randomHoldout } from "../data/splits.js";
import { loadTrainTest, type LoadTrainTestOptions } from "../node/dataset-files.js";
import { DEFAULT_SEED, Rng } from "../util/rng.js";

/** --test-fraction: the random per-user holdout used when the data has no test part of its own. */
export const TEST_FRACTION = {
  name: "test-fraction",
  type: "number",
  min: 0.01,
  max: 0.9,
  default: 0.2,
  help: "When --data has no test part (no test.txt), hold out this share of each user's interactions at random (seeded by --split-seed).",
} as const satisfies FlagSpec;
export const SPLIT_SEED = {
  name: "split-seed",
  type: "int",
  default: DEFAULT_SEED,
  help: "Seed of the random holdout (when --data has no test part).",
} as const satisfies FlagSpec;

/** The data flags of every command that trains and evaluates configurations on one split (compare, sweep). */
export const EXPERIMENT_DATA_FLAGS = [
  { name: "data", type: "path", required: true, help: "A folder with train.txt + test.txt, or a data file/folder to split at random." },
  FORMAT,
  COLUMNS,
  SEPARATOR,
  MIN_RATING,
  TEST_FRACTION,
  SPLIT_SEED,
] as const satisfies readonly FlagSpec[];

export interface ExperimentData {
  train: Interactions;
  test: Interactions;
  /** How the split was made, for the report. */
  split: string;
}

/** {@link loadExperimentData} from the values of {@link EXPERIMENT_DATA_FLAGS}. */
export function loadExperimentDataFromFlags(
  v: {
    data: string;
    format: InteractionsFormat | "auto";
    columns?: string;
    separator?: string;
    "min-rating"?: number;
    "test-fraction": number;
    "split-seed": number;
  },
  progress: Progress,
  command: string,
): Promise<ExperimentData> {
  return loadExperimentData(
    v.data,
    {
      ...dataReadFlags(v, command),
      testFraction: v["test-fraction"],
      splitSeed: v["split-seed"],
    },
    progress,
  );
}

/** One split for every configuration of a comparison: the folder's train/test parts, or a seeded random holdout. */
export async function loadExperimentData(
  path: string,
  options: Pick<LoadTrainTestOptions, "format" | "columns" | "separator" | "minRating"> & { testFraction: number; splitSeed: number },
  progress: Progress,
): Promise<ExperimentData> {
  const { testFraction: _fraction, splitSeed: _seed, ...readOptions } = options;
  const loaded = await loadTrainTest(path, { ...readOptions, unknownInTest: "extend" });
  progress.log(loaded.describe);
  if (loaded.test) return { train: loaded.train, test: loaded.test, split: `train/test parts of ${path}` };
  const { train, test } = randomHoldout(loaded.train, { testFraction: options.testFraction, rng: new Rng(options.splitSeed) });
  progress.log(`random holdout: ${test.nnz} of ${loaded.train.nnz} interactions in the test part (seed ${options.splitSeed})`);
  return { train, test, split: `random per-user holdout of ${path}, test fraction ${options.testFraction}, seed ${options.splitSeed}` };
}

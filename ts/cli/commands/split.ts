import { ArgsError, defineCommand, type ParsedArgs } from "../args.js";
import { FORMAT, JSON_OUTPUT, MIN_RATING, QUIET, COLUMNS, SEPARATOR, dataReadFlags } from "../common-flags.js";
import { createProgress } from "../progress.js";
import { DataError } from "../../data/errors.js";
import type { Interactions } from "../../data/interactions.js";
import { linesText } from "../../data/splits/lines-text.js";
import { mergeParts } from "../../data/splits/merge.js";
import { SPLIT_METHODS, splitInteractions, type SplitMethod, type SplitSpec } from "../../data/splits/split-by-method.js";
import { formatSplitSummary, summarizeSplit } from "../../data/splits/summary.js";
import { loadTrainTest } from "../../node/dataset-files.js";
import { writeFolderAtomic, type FolderFile } from "../../node/atomic-folder.js";
import { DEFAULT_SEED, Rng } from "../../util/rng.js";

/** The files a split folder holds; an --out folder holding anything else is never replaced. */
const SPLIT_FILES = new Set(["train.txt", "valid.txt", "test.txt", "split.json"]);

export const SPLIT = defineCommand({
  name: "split",
  summary: "Split interaction data into train, validation and test parts and write them as train.txt, valid.txt and test.txt.",
  description:
    'Methods (docs/data-formats.md, "Splits", has the exact definitions):\n' +
    "random: --test-share of each user's interactions, chosen uniformly, to test.\n" +
    "temporal: a global time cutoff; test = interactions at or after --cutoff, or the latest --test-share of all interactions (ties at the cutoff all go to test). Needs timestamps.\n" +
    "leave-last: each user's --last latest interactions to test (ties in time: the later line of the file is later). Needs timestamps.\n" +
    "item-balanced: Ren et al.'s unbiased test set: interactions drawn with equal probability per item (pick an item uniformly, then one of its interactions) until the test part holds --test-share of all interactions. Ren et al.: --test-share 0.3 --valid 0.1.\n" +
    "item-equal-count: ReSN's variant: every item gives the same number of test interactions, round(test-share * N / items); an item with fewer keeps 10% (and at least one) in train.\n" +
    "users: held-out users: --test-share of the users (default 0.1), drawn uniformly, give their whole rows to test (rows keep their time order: every prefix of a test row is a context for sequential evaluation, as `longtail evaluate` runs it for two-tower models).\n" +
    "--valid (--valid-last for leave-last) adds a validation part cut by the same method from what the test part leaves. " +
    "The item-based methods keep at least --min-train-per-item interactions of every item and --min-train-per-user of every user in train. " +
    'The files use the lines format ("user item item ...", the original ids); train.txt lists every user, also those left without training interactions. ' +
    "`longtail train --data <out>` reads the folder back (items only in valid/test join the catalog). The folder is replaced as a whole: a failed run leaves an earlier split intact.",
  flags: [
    { name: "data", type: "path", required: true, help: "Data to split: a file, or a folder with ratings.csv, ratings.dat or train.txt." },
    {
      name: "merge",
      type: "boolean",
      help: "--data is a folder holding train.txt and test.txt (and valid.txt): merge its parts and split all interactions anew.",
    },
    FORMAT,
    COLUMNS,
    SEPARATOR,
    MIN_RATING,
    { name: "method", type: "enum", choices: SPLIT_METHODS, required: true, help: "How to choose the held-out interactions." },
    {
      name: "test-share",
      type: "number",
      positive: true,
      help: "Share of all interactions in the test part (random 0.2, temporal 0.2, item-balanced 0.3, item-equal-count 0.2; users: share of the users, 0.1). Below 1.",
    },
    {
      name: "cutoff",
      type: "number",
      help: "temporal: test = interactions at or after this time, in the data's unit (MovieLens: seconds since 1970). Instead of --test-share.",
    },
    {
      name: "valid",
      type: "number",
      min: 0,
      help: "Share of all interactions in a validation part cut the same way (default 0: no valid.txt). Below 1 with --test-share.",
    },
    { name: "last", type: "int", positive: true, default: 1, help: "leave-last: interactions per user in the test part." },
    { name: "valid-last", type: "int", min: 0, default: 0, help: "leave-last: interactions per user, just before the test ones, in a validation part." },
    {
      name: "min-train-per-user",
      type: "int",
      min: 0,
      default: 1,
      help: "Every user keeps at least this many training interactions (random, leave-last, item-based methods).",
    },
    {
      name: "min-train-per-item",
      type: "int",
      min: 0,
      default: 1,
      help: "item-balanced, item-equal-count: every item keeps at least this many training interactions.",
    },
    {
      name: "max-item-share",
      type: "number",
      positive: true,
      max: 1,
      default: 0.9,
      help: "item-equal-count: an item gives at most this share of its interactions to test and validation.",
    },
    { name: "seed", type: "int", default: DEFAULT_SEED, help: "Seed of the one random generator behind every random choice (random and item-based methods)." },
    { name: "out", type: "path", required: true, help: "Folder to write train.txt, test.txt (valid.txt) and split.json into; replaced as a whole." },
    QUIET,
    JSON_OUTPUT,
  ],
  examples: [
    "longtail split --data ../shared/data/ml-latest-small --method temporal --test-share 0.2 --out ml-temporal",
    "longtail split --data ../shared/data/ml-latest-small --method leave-last --last 1 --valid-last 1 --out ml-last",
    "longtail split --data ../shared/data/ml-1m-resn --merge --method item-balanced --test-share 0.3 --valid 0.1 --out ml1m-ib",
    "longtail split --data ../shared/data/gowalla --merge --method item-equal-count --out gowalla-eq",
  ],
});

/** Which methods each method-specific flag applies to; a flag given for another method is an error, not ignored. */
const APPLIES_TO: Record<string, readonly SplitMethod[]> = {
  "test-share": ["random", "temporal", "item-balanced", "item-equal-count", "users"],
  cutoff: ["temporal"],
  valid: ["random", "temporal", "item-balanced", "item-equal-count", "users"],
  last: ["leave-last"],
  "valid-last": ["leave-last"],
  "min-train-per-user": ["random", "leave-last", "item-balanced", "item-equal-count"],
  "min-train-per-item": ["item-balanced", "item-equal-count"],
  "max-item-share": ["item-equal-count"],
};

export async function runSplit(args: ParsedArgs<typeof SPLIT>): Promise<number> {
  const v = args.values;
  const spec = specFromFlags(args);
  const progress = createProgress({ quiet: v.quiet });
  progress.log(`reading ${v.data}${v.merge ? " (merging its parts)" : ""}`);
  const started = performance.now();
  const data = await readData(v.data, v.merge, dataReadFlags(v, SPLIT.name));
  const read = performance.now();
  progress.log(`${data.describe()}; splitting by ${spec.method}`);
  const split = splitInteractions(data, spec);
  const summary = summarizeSplit(split);
  const splitDone = performance.now();
  const files: FolderFile[] = [{ name: "train.txt", data: linesText(split.train, { allUsers: true }) }];
  if (split.valid !== undefined) files.push({ name: "valid.txt", data: linesText(split.valid) });
  files.push({ name: "test.txt", data: linesText(split.test) });
  const { rng: _rng, ...options } = spec as SplitSpec & { rng?: Rng };
  const report = {
    data: v.data,
    merged: v.merge,
    ...options,
    seed: v.seed,
    out: v.out,
    files: files.map((f) => f.name),
    summary,
  };
  files.push({ name: "split.json", data: JSON.stringify(report, null, 2) + "\n" });
  await writeFolderAtomic(v.out, files, (name) => SPLIT_FILES.has(name));
  const seconds = { read: (read - started) / 1000, split: (splitDone - read) / 1000, write: (performance.now() - splitDone) / 1000 };
  if (v.json) {
    process.stdout.write(JSON.stringify({ ...report, seconds }) + "\n");
  } else {
    process.stdout.write(`${data.describe()}\nsplit by ${spec.method} into ${v.out}/{${files.map((f) => f.name).join(",")}}\n`);
    process.stdout.write(formatSplitSummary(summary));
    process.stdout.write(`read ${seconds.read.toFixed(1)} s, split ${seconds.split.toFixed(1)} s, write ${seconds.write.toFixed(1)} s\n`);
  }
  return 0;
}

/** The split spec the flags describe; method-specific flags given for another method, and shares adding up to 1 or more, are usage errors. */
function specFromFlags(args: ParsedArgs<typeof SPLIT>): SplitSpec {
  const v = args.values;
  const method = v.method;
  const fail = (message: string): never => {
    throw new ArgsError(message, "split", 'Run "longtail split --help" to see its flags.');
  };
  for (const [flag, methods] of Object.entries(APPLIES_TO)) {
    if (args.given.has(flag) && !methods.includes(method)) fail(`--${flag} applies to --method ${methods.join(" / ")}, not ${method}`);
  }
  const valid = v.valid ?? 0;
  if (v["test-share"] !== undefined && v["test-share"] >= 1) fail(`--test-share must be below 1, got ${v["test-share"]}`);
  if (valid >= 1) fail(`--valid must be below 1, got ${valid}`);
  const testShare = v["test-share"] ?? (method === "item-balanced" ? 0.3 : method === "users" ? 0.1 : 0.2);
  if (method !== "leave-last" && v.cutoff === undefined && testShare + valid >= 1) {
    fail(`--test-share ${testShare} and --valid ${valid} add up to 1 or more; nothing would stay in train`);
  }
  const rng = new Rng(v.seed);
  const common = { minTrainPerUser: v["min-train-per-user"], rng };
  switch (method) {
    case "random":
      return { method, testShare, validShare: valid, ...common };
    case "temporal":
      if (v.cutoff !== undefined && args.given.has("test-share")) fail("give --cutoff (a time) or --test-share (a share), not both");
      return { method, ...(v.cutoff !== undefined ? { cutoff: v.cutoff } : { testShare }), ...(valid > 0 && { validShare: valid }) };
    case "leave-last":
      return { method, n: v.last, validN: v["valid-last"], minTrainPerUser: v["min-train-per-user"] };
    case "item-balanced":
      return { method, testShare, validShare: valid, minTrainPerItem: v["min-train-per-item"], ...common };
    case "item-equal-count":
      return { method, testShare, validShare: valid, minTrainPerItem: v["min-train-per-item"], maxItemShare: v["max-item-share"], ...common };
    case "users":
      return { method, testShare, validShare: valid, rng };
  }
}

/** The data to split: one data set, or with --merge the parts of a train/test folder merged into one. */
async function readData(path: string, merge: boolean, options: ReturnType<typeof dataReadFlags>): Promise<Interactions> {
  const loaded = await loadTrainTest(path, { ...options, unknownInTest: "extend" });
  if (loaded.test === undefined) {
    if (merge) throw new DataError({ file: path }, "--merge needs a folder holding train.txt and test.txt; this data has no test part, so leave --merge out");
    return loaded.train;
  }
  if (!merge) {
    throw new DataError(
      { file: path },
      "holds train.txt and test.txt, a split already; pass --merge to split all its interactions anew, or --data <folder>/train.txt to split only its training part",
    );
  }
  const parts = [loaded.train, ...(loaded.valid !== undefined ? [loaded.valid] : []), loaded.test];
  return mergeParts(parts, `${path} (${parts.length === 3 ? "train+valid+test" : "train+test"} merged)`);
}

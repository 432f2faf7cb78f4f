import { join, resolve } from "node:path";
import { ArgsError, defineCommand, type ParsedArgs } from "../args.js";
import { JSON_OUTPUT, QUIET, THREADS, VARIANT } from "../common-flags.js";
import { cliKernels } from "../kernels.js";
import { loadExperimentData } from "../experiment-data.js";
import { createProgress, type Progress } from "../progress.js";
import { trainingProgress } from "../training-progress.js";
import { checkWorldFlags, syntheticWorldFromFlags } from "./simulate.js";
import { checkMfTrainingFlags } from "../size-limits.js";
import { syntheticWorldInteractions } from "../../train/memory-plan.js";
import { TitleIndex } from "../../data/titles/title-index.js";
import { movieLensDemoData, syntheticDemoData, type DemoData } from "../../demo/demo-data.js";
import { DEMO_DEFAULTS, DEMO_LOSSES } from "../../demo/demo-options.js";
import { runDemo as runDemoExperiment, type DemoResult } from "../../demo/run-demo.js";
import { demoSummaryText } from "../../demo/summary-text.js";
import { pathKind, readMovies } from "../../node/dataset-files.js";
import { checkWritableTarget, writeFileAtomic } from "../../node/atomic-write.js";
import type { Section } from "../../report/report-data.js";
import { renderReport } from "../../report/report-document.js";
import { quoteFound } from "../../data/errors.js";

const DEFAULT_ALPHAS = DEMO_DEFAULTS.alphas.join(",");

export const DEMO = defineCommand({
  name: "demo",
  summary: "Plain against debiased on the built-in synthetic world (or MovieLens), with an HTML report.",
  description:
    "Generates a catalog with genres, users with known tastes and popularity-biased exposure (or reads --data, a MovieLens folder), " +
    "holds out 20% of each user's interactions, trains a plain matrix factorisation model and one with logit adjustment (--alpha), " +
    "and compares them with the Most Popular shelf: held-out accuracy with full ranking, the popularity of what each serves, and in " +
    "the synthetic world the share of served items that truly fit the user (the world's ground truth). Then it sweeps α (--alphas), " +
    "runs a short feedback-loop simulation (--rounds; synthetic world only), and writes one self-contained HTML report (--out): the " +
    "before/after table, true relevance, persona walls, the α frontier, exposure Lorenz curves, the five popularity groups and the " +
    "feedback-loop plots.",
  flags: [
    { name: "data", type: "path", help: "A MovieLens folder (ratings.csv + movies.csv, or ratings.dat + movies.dat) instead of the synthetic world." },
    { name: "out", type: "path", default: "longtail-report.html", help: "Where to write the HTML report (replaced atomically)." },
    {
      name: "loss",
      type: "enum",
      choices: DEMO_LOSSES,
      default: DEMO_DEFAULTS.loss,
      help: "Training objective: a softmax, since the debiased model's logit adjustment adjusts softmax logits.",
    },
    { name: "epochs", type: "int", positive: true, default: DEMO_DEFAULTS.epochs, help: "Training epochs." },
    { name: "alpha", type: "number", min: 0, default: DEMO_DEFAULTS.alpha, help: "Logit-adjustment strength α of the debiased model." },
    { name: "alphas", type: "string", default: DEFAULT_ALPHAS, help: 'The α sweep of the frontier plot, comma-separated; "none" skips it.' },
    { name: "rounds", type: "int", min: 0, default: DEMO_DEFAULTS.rounds, help: "Feedback-loop rounds (synthetic world only); 0 skips the simulation." },
    {
      name: "loop-users",
      type: "int",
      positive: true,
      default: DEMO_DEFAULTS.loopUsers,
      help: "Users of the feedback loop's world (same seed; smaller than the demo's world, so the loop stays quick).",
    },
    { name: "loop-items", type: "int", positive: true, default: DEMO_DEFAULTS.loopItems, help: "Items of the feedback loop's world." },
    { name: "users", type: "int", positive: true, default: DEMO_DEFAULTS.users, help: "Users in the synthetic world." },
    {
      name: "items",
      type: "int",
      positive: true,
      default: DEMO_DEFAULTS.items,
      help: "Items in the synthetic world (at least 10: every user logs 5 or more, at most half the catalog).",
    },
    { name: "k", type: "int", positive: true, default: DEMO_DEFAULTS.k, help: "Cut-off K of the top-K lists." },
    { name: "seed", type: "int", default: DEMO_DEFAULTS.seed, help: "Seed of the world, the split and training." },
    QUIET,
    JSON_OUTPUT,
    VARIANT,
    THREADS,
  ],
  examples: [
    "npx longtail demo",
    "npx longtail demo --out report.html --alphas 0,0.5,1 --rounds 3",
    "npx longtail demo --data ../shared/data/ml-latest-small --epochs 20 --out ml-report.html",
  ],
});

type DemoFlags = ParsedArgs<typeof DEMO>["values"];

const HELP_HINT = 'Run "longtail demo --help".';

export async function runDemo(args: ParsedArgs<typeof DEMO>): Promise<number> {
  const v = args.values;
  if (v.out) await checkWritableTarget(v.out, "--out");
  const startedAt = performance.now();
  const alphas = parseAlphas(v.alphas);
  const progress = createProgress({ quiet: v.quiet });
  if (v.data === undefined) {
    // Sizes are checked before any world is generated: both worlds, and the models trained on the larger one.
    checkWorldFlags(v.users, v.items, { command: DEMO.name });
    if (v.rounds > 0) checkWorldFlags(v["loop-users"], v["loop-items"], { flags: ["--loop-users", "--loop-items"], command: DEMO.name });
    checkMfTrainingFlags(
      { loss: v.loss, epochs: v.epochs },
      { users: v.users, items: v.items, interactions: syntheticWorldInteractions(v.users, v.items) },
      v.threads,
    );
  }
  const data = v.data !== undefined ? await movieLensData(v.data, v.seed, progress) : syntheticData(v, progress);
  const { train } = data;
  const k = v.k;
  if (k >= train.nItems) throw new ArgsError(`--k ${k}: the catalog has ${train.nItems} items; give a K below that`, DEMO.name, HELP_HINT);
  const kernels = await cliKernels(v.kernels, v.threads);
  const options = {
    loss: v.loss,
    epochs: v.epochs,
    alpha: v.alpha,
    alphas,
    rounds: v.rounds,
    loopUsers: v["loop-users"],
    loopItems: v["loop-items"],
    k,
    seed: v.seed,
  };
  const result = await runDemoExperiment(
    kernels,
    data,
    { ...options, startedAt },
    {
      fit: (label) => ({ onProgress: trainingProgress(progress, k, label) }),
      task: (label, total, unit) => progress.start(label, total, unit),
    },
  );
  const out = resolve(v.out);
  await writeFileAtomic(out, renderReport(result.report));
  process.stdout.write(v.json ? demoJson(result, out) : demoSummaryText(result.report, out));
  return 0;
}

function parseAlphas(text: string): number[] | null {
  if (text.trim().toLowerCase() === "none") return null;
  const values = text.split(",").map((s) => s.trim());
  const alphas = values.map(Number);
  const bad = values.find((s, i) => s === "" || !Number.isFinite(alphas[i]) || alphas[i]! < 0);
  if (bad !== undefined)
    throw new ArgsError(
      `--alphas ${quoteFound(text)}: ${quoteFound(bad)} is not a number >= 0; give comma-separated values such as ${DEFAULT_ALPHAS}, or none`,
      DEMO.name,
      HELP_HINT,
    );
  return [...new Set(alphas)].sort((a, b) => a - b);
}

function syntheticData(v: DemoFlags, progress: Progress): DemoData {
  const data = syntheticDemoData(syntheticWorldFromFlags(v.seed, v.users, v.items, DEMO.name));
  progress.log(`synthetic world: ${data.train.describe()}; held out ${data.test.nnz} interactions`);
  return data;
}

async function movieLensData(folder: string, seed: number, progress: Progress): Promise<DemoData> {
  if ((await pathKind(folder)) !== "folder")
    throw new ArgsError(
      `--data ${folder}: not a folder; give a MovieLens folder holding ratings.csv and movies.csv (or ratings.dat and movies.dat)`,
      DEMO.name,
      HELP_HINT,
    );
  let moviesPath: string | undefined;
  for (const name of ["movies.csv", "movies.dat"]) if ((await pathKind(join(folder, name))) === "file") moviesPath ??= join(folder, name);
  if (moviesPath === undefined)
    throw new ArgsError(
      `--data ${folder}: no movies.csv or movies.dat there; the demo shows titles and genres, so give a MovieLens folder`,
      DEMO.name,
      HELP_HINT,
    );
  const { train, test, split } = await loadExperimentData(folder, { format: "auto", testFraction: DEMO_DEFAULTS.testFraction, splitSeed: seed }, progress);
  const titles = new TitleIndex(await readMovies(moviesPath), moviesPath);
  return movieLensDemoData({ folder, moviesPath, split }, train, test, titles);
}

/** The --json output: one object with every model's metrics, the α sweep, the re-rank against α and the loop. */
function demoJson({ report, models }: DemoResult, out: string): string {
  const section = <T>(s: Section<T>) => ("data" in s ? s.data : null);
  return (
    JSON.stringify({
      report: out,
      seconds: report.seconds,
      k: report.k,
      about: report.about,
      models: models.map((s) => ({ name: s.label, metrics: s.metrics })),
      alphaSweep: section(report.alphaSweep),
      rerankAgainstAlpha: report.rerankAgainstAlpha,
      feedbackLoop: section(report.feedbackLoop),
    }) + "\n"
  );
}

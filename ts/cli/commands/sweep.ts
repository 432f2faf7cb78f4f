import { DEFAULT_K } from "../../eval/default-k.js";
import { ArgsError, defineCommand, type ParsedArgs } from "../args.js";
import { JSON_OUTPUT, QUIET, THREADS, VARIANT } from "../common-flags.js";
import { parseConfiguration } from "../configuration-spec.js";
import { cliKernels } from "../kernels.js";
import { cappedK, checkConfigurationsFit, shapeOf } from "../size-limits.js";
import { EXPERIMENT_DATA_FLAGS, loadExperimentDataFromFlags } from "../experiment-data.js";
import { EVALUATION_FLAGS, headRuleFromFlags } from "../evaluation-flags.js";
import { createProgress } from "../progress.js";
import { shellWords } from "../shell-words.js";
import { trainingProgress } from "../training-progress.js";
import { printTrainingWarnings } from "../training-warnings.js";
import { checkWritableTarget, writeFileAtomic } from "../../node/atomic-write.js";
import { formatValue } from "../../experiments/comparison.js";
import { toCsv } from "../../experiments/csv.js";
import { formatColumns } from "../../experiments/text-table.js";
import { runExperiment } from "../../experiments/experiment.js";
import { betterDirection, paretoFrontier } from "../../experiments/frontier.js";
import { expandGrid, parseGridAxis } from "../../experiments/grid.js";

export const SWEEP = defineCommand({
  name: "sweep",
  summary: "Train and evaluate a grid of settings and write the accuracy-versus-popularity frontier (JSON or CSV) for plotting.",
  description:
    "Each swept parameter is one argument, name=v1,v2,... or name=from:to:step (ends included), where name is a flag of " +
    '"longtail train"; every combination is trained with the --base flags plus its values and evaluated on one split (as in ' +
    '"longtail compare"). Points that no other point beats on both --x and --y are marked as the frontier; which direction ' +
    "is better follows the metric (accuracy, coverage and tail shares: higher; Gini, median/mean popularity, T1PS: lower).",
  flags: [
    ...EXPERIMENT_DATA_FLAGS,
    { name: "base", type: "string", default: "", help: 'Training flags shared by every point, e.g. "--loss softmax --epochs 5".' },
    { name: "k", type: "int", positive: true, default: DEFAULT_K, help: "Cut-off K of the top-K lists." },
    ...EVALUATION_FLAGS,
    { name: "x", type: "string", help: "Accuracy axis of the frontier (default recall@K)." },
    { name: "y", type: "string", help: "Popularity axis of the frontier (default coverage@K when evaluation reports it, else the second metric)." },
    { name: "out", type: "path", help: "Write the points here, atomically: CSV when the name ends in .csv, JSON otherwise." },
    QUIET,
    JSON_OUTPUT,
    VARIANT,
    THREADS,
  ],
  positionals: [
    { name: "parameter", required: true, variadic: true, help: "name=v1,v2,... or name=from:to:step, name a train flag (e.g. temperature=0.05,0.1,0.2)." },
  ],
  examples: ['longtail sweep --data ../shared/data/ml-1m-resn --base "--loss softmax --epochs 5" temperature=0.05,0.1,0.2 --out frontier.csv'],
});

export async function runSweep(args: ParsedArgs<typeof SWEEP>): Promise<number> {
  const v = args.values;
  if (v.out) await checkWritableTarget(v.out, "--out");
  const fail = (message: string): never => {
    throw new ArgsError(message, "sweep", 'Run "longtail sweep --help" for the syntax.');
  };
  const axes = args.positionals.map((text) => {
    try {
      return parseGridAxis(text);
    } catch (e) {
      return fail((e as Error).message);
    }
  });
  const names = axes.map((a) => a.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) fail(`parameter "${duplicate}" is swept twice; give each parameter once`);
  const base = shellWords(v.base, "sweep");
  const points = expandGrid(axes);
  const specs = points.map((point, i) => {
    const label = names.map((n) => `${n}=${point[n]}`).join(" ");
    const words = names.flatMap((n) => [`--${n}`, point[n]]);
    return parseConfiguration(`${label}: ${words.map(quote).join(" ")}`, i, base, "sweep");
  });

  const head = headRuleFromFlags(v, args.given, "sweep");
  const progress = createProgress({ quiet: v.quiet });
  const data = await loadExperimentDataFromFlags(v, progress, SWEEP.name);
  // Every point's sizes are checked against the data before the first one trains.
  checkConfigurationsFit(specs, shapeOf(data.train), v.threads);
  const k = cappedK(v.k, data.train.nItems, (line) => progress.log(line));
  const kernels = await cliKernels(v.kernels, v.threads);
  let x = "",
    y = "",
    metricNames: string[] = [];
  const checkAxes = (names: string[]) => {
    metricNames = names;
    x = v.x ?? `recall@${k}`;
    y = v.y ?? (metricNames.includes(`coverage@${k}`) ? `coverage@${k}` : metricNames.find((m) => m !== x)!);
    for (const axis of [x, y]) {
      if (!metricNames.includes(axis)) fail(`--x/--y: "${axis}" is not a reported metric; choose one of ${metricNames.join(", ")}`);
    }
  };
  const rows: Array<Record<string, string | number | boolean>> = [];
  const metricsOf: Array<Record<string, number>> = [];
  for (let i = 0; i < specs.length; i++) {
    progress.log(`point ${i + 1}/${specs.length}: ${specs[i].label}`);
    const r = await runExperiment(kernels, specs[i], data.train, data.test, {
      evaluate: { k, head, exposureThreshold: v["exposure-threshold"] },
      fit: (spec) => ({ onProgress: trainingProgress(progress, k, spec.label) }),
    });
    printTrainingWarnings(r.warnings, specs[i].label);
    metricsOf.push(r.evaluation.metrics);
    rows.push({ ...points[i], ...r.evaluation.metrics, trainSeconds: r.trainSeconds, epochs: r.epochs });
    // The metric names are known once the first point is evaluated: check the axes then, not after the whole grid.
    if (i === 0) checkAxes(Object.keys(r.evaluation.metrics));
  }
  const onFrontier = paretoFrontier(
    metricsOf.map((m) => ({ x: m[x], y: m[y] })),
    betterDirection(x),
    betterDirection(y),
  );
  rows.forEach((row, i) => (row.frontier = onFrontier[i]));

  const report = { data: v.data, split: data.split, k, base: v.base, parameters: axes, x, y, points: rows };
  if (v.out) {
    const columns = [...names, ...metricNames, "trainSeconds", "epochs", "frontier"];
    await writeFileAtomic(v.out, v.out.toLowerCase().endsWith(".csv") ? toCsv(columns, rows) : JSON.stringify(report, null, 2) + "\n");
  }
  if (v.json) {
    process.stdout.write(JSON.stringify(report) + "\n");
    return 0;
  }
  const header = [...names, x, y, "frontier"];
  const table = [
    header,
    ...rows.map((r) => [...names.map((n) => String(r[n])), formatValue(r[x] as number), formatValue(r[y] as number), r.frontier ? "*" : ""]),
  ];
  process.stdout.write(`${data.split}; K = ${k}; frontier: ${x} (${betterDirection(x)} is better) vs ${y} (${betterDirection(y)} is better)\n\n`);
  process.stdout.write(formatColumns(table));
  if (v.out) process.stdout.write(`wrote ${v.out}\n`);
  return 0;
}

function quote(word: string): string {
  return /^[\w.@%+=,/-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

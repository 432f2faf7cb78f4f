import { DEFAULT_K } from "../../eval/default-k.js";
import { servingChanges } from "../../mf/serving.js";
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
import { compareResults, formatComparison } from "../../experiments/comparison.js";
import { runExperiments, type ExperimentResult } from "../../experiments/experiment.js";

export const COMPARE = defineCommand({
  name: "compare",
  summary: "Train and evaluate several configurations on one split and print them side by side (before, after, change).",
  description:
    'Each configuration is one argument: an optional label, a colon, then the model and training flags of "longtail train" ' +
    '(quote it), "most-popular" for the unpersonalised baseline, or "graph-filter [--rank N] [--low-pass α] [--sharpen β]" for the ' +
    "closed-form graph filter (GF-CF's filters over the normalised item graph and one sharpening step; nothing is trained: " +
    "Recall@20 0.1908 on Gowalla in about a minute). The first configuration is the baseline: every other " +
    "column shows its value and its relative change against it. --common holds flags every configuration shares.\n" +
    "All configurations see the same split: the train/test parts of a folder such as ../shared/data/ml-1m-resn, or a seeded " +
    "random per-user holdout (--test-fraction) of a single ratings file. Evaluation is full ranking with training items excluded.",
  flags: [
    ...EXPERIMENT_DATA_FLAGS,
    { name: "common", type: "string", default: "", help: 'Training flags applied to every configuration, e.g. "--loss softmax --epochs 5".' },
    { name: "k", type: "int", positive: true, default: DEFAULT_K, help: "Cut-off K of the top-K lists." },
    ...EVALUATION_FLAGS,
    { name: "out", type: "path", help: "Also write the comparison as JSON to this file (atomically)." },
    QUIET,
    JSON_OUTPUT,
    VARIANT,
    THREADS,
  ],
  positionals: [
    {
      name: "configuration",
      required: true,
      variadic: true,
      help: '"[label:] <train flags>", "[label:] most-popular" or "[label:] graph-filter [--rank N --low-pass α --sharpen β]"; the first is the baseline.',
    },
  ],
  examples: [
    'longtail compare --data ../shared/data/ml-1m-resn --common "--loss softmax --epochs 5" "plain: " "popular-first: most-popular"',
    'longtail compare --data ml-latest-small/ratings.csv "bpr: --loss bpr --epochs 30" "softmax: --loss softmax --epochs 10" --json',
    'longtail compare --data ../shared/data/gowalla --k 20 "ssm: --loss sampled-softmax --lr-schedule cosine" "gf: graph-filter" "gf-cf: graph-filter --rank 256 --sharpen 0"',
  ],
});

export async function runCompare(args: ParsedArgs<typeof COMPARE>): Promise<number> {
  const v = args.values;
  if (v.out) await checkWritableTarget(v.out, "--out");
  const common = shellWords(v.common, "compare");
  // Parse every configuration before any work, so a typo in the last one fails in a second, not after hours.
  const specs = args.positionals.map((text, i) => parseConfiguration(text, i, common, "compare"));
  const labels = specs.map((s) => s.label);
  const twice = labels.find((l, i) => labels.indexOf(l) !== i);
  if (twice !== undefined)
    throw new ArgsError(
      `two configurations are labelled "${twice}"; give each a distinct label ("label: --flags")`,
      "compare",
      'Run "longtail compare --help".',
    );
  const head = headRuleFromFlags(v, args.given, "compare");
  const progress = createProgress({ quiet: v.quiet });
  const data = await loadExperimentDataFromFlags(v, progress, COMPARE.name);
  // Every configuration's sizes are checked against the data before the first one trains.
  checkConfigurationsFit(specs, shapeOf(data.train), v.threads);
  const k = cappedK(v.k, data.train.nItems, (line) => progress.log(line));
  const kernels = await cliKernels(v.kernels, v.threads);
  const results = await runExperiments(kernels, specs, data.train, data.test, {
    evaluate: { k, head, exposureThreshold: v["exposure-threshold"] },
    fit: (spec) => ({ onProgress: trainingProgress(progress, k, spec.label) }),
    onEvaluateStart: (spec) => progress.log(`${spec.label}: evaluating`),
  });
  for (const r of results) printTrainingWarnings(r.warnings, r.label);
  const comparison = compareResults(results);
  const report = {
    data: v.data,
    split: data.split,
    k,
    users: results[0].evaluation.users,
    testInteractions: results[0].evaluation.testInteractions,
    baseline: comparison.baseline,
    configurations: results.map((r) => ({
      label: r.label,
      model: r.model,
      config: r.config ?? null,
      ...(r.graphFilter && { graphFilter: r.graphFilter }),
      // Only what differs from the plain rule (TTEN, the gradient adjustment's α1/α2): absent for a plain model.
      ...(r.serving && Object.keys(servingChanges(r.serving)).length > 0 && { serving: servingChanges(r.serving) }),
      epochs: r.epochs,
      trainSeconds: r.trainSeconds,
      evaluateSeconds: r.evaluateSeconds,
      warnings: r.warnings,
      metrics: r.evaluation.metrics,
    })),
    changes: comparison.changes,
  };
  if (v.out) await writeFileAtomic(v.out, JSON.stringify(report, null, 2) + "\n");
  if (v.json) {
    process.stdout.write(JSON.stringify(report) + "\n");
  } else {
    process.stdout.write(`${data.split}; ${report.users} test users, K = ${k}\n\n`);
    process.stdout.write(formatComparison(comparison));
    process.stdout.write(
      "\n" +
        results.map((r) => `${r.label}: ${describeModel(r)} · train ${r.trainSeconds.toFixed(1)} s · evaluate ${r.evaluateSeconds.toFixed(1)} s`).join("\n") +
        "\n",
    );
    if (v.out) process.stdout.write(`wrote ${v.out}\n`);
  }
  return 0;
}

/** How a result's model is named in the text report. */
function describeModel(r: ExperimentResult): string {
  if (r.model === "most-popular") return "most popular";
  if (r.model === "graph-filter") return "graph filter (closed form)";
  return `${r.config!.loss}, ${r.epochs} epochs`;
}

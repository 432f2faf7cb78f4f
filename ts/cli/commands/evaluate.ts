import { DEFAULT_K } from "../../eval/default-k.js";
import { ArgsError, defineCommand, type ParsedArgs } from "../args.js";
import { FORMAT, JSON_OUTPUT, MIN_RATING, QUIET, THREADS, VARIANT, COLUMNS, SEPARATOR, dataReadFlags } from "../common-flags.js";
import { cliKernels } from "../engine.js";
import { cappedK } from "../size-limits.js";
import { readAnyModel } from "../model-io.js";
import { TwoTower } from "../../model/two-tower.js";
import { DEFAULT_FOLD_IN_WINDOW, FoldInScorer } from "../../model/fold-in-scorer.js";
import { runSequentialEvaluate } from "./evaluate-sequential.js";
import { readPartsForModel } from "../model-data.js";
import { EVALUATION_FLAGS, UNKNOWN_FLAG, headRuleFromFlags } from "../evaluation-flags.js";
import { createProgress } from "../progress.js";
import { evaluateRanking } from "../../eval/evaluate.js";
import { formatResult } from "../evaluation-report.js";
import { MostPopular } from "../../model/most-popular.js";
import type { MatrixFactorization } from "../../model/matrix-factorization.js";
import { RERANK_FLAG } from "../debiasing-flags.js";
import { PopularityReranker } from "../../model/popularity-rerank.js";

export const EVALUATE = defineCommand({
  name: "evaluate",
  summary: "Full-ranking accuracy and popularity bias of a model on held-out interactions (training items excluded).",
  description:
    "Every test user is ranked against the whole catalog; the items the user has in --data are excluded. " +
    "Accuracy metrics are means over users with at least one test item: Recall@K, NDCG@K, MRR (full ranking), HitRate@K, " +
    "Precision@K; each also over head and tail test items separately (.head, .tail: means over the users having such items).\n" +
    "Popularity of what is served, over all users' top-K lists (popularity = the item's training count in the model): " +
    "coverage, Gini of the exposure counts, median and mean popularity, long-tail share (slots on tail items), " +
    "B50PS and T1PS (slots on the bottom 50% and top 1% of items by popularity), PSEI (share of items shown at least E times), " +
    "and the five popularity groups of Ren et al. (top 5%, 5-10%, 10-15%, 15-20%, the rest): share of slots and Recall@K.\n" +
    "A two-tower model is evaluated by the sequential protocol: the test part holds held-out users (longtail split --method users); every prefix " +
    "of a user's time-ordered row is a context, the next item its target, the prefix masked; the metrics are over contexts (--data only locates test.txt). " +
    `--protocol sequential runs the same protocol for a matrix factorisation model: each context's user vector is folded in from its last ${DEFAULT_FOLD_IN_WINDOW} items ` +
    "(the two-tower model's default window), so MF and two-tower are compared on the same held-out users.",
  flags: [
    { name: "model", type: "path", required: true, help: "Model file written by longtail train." },
    { name: "data", type: "path", required: true, help: "The training part (its items are excluded from each user's ranking), or a folder with train.txt and test.txt." },
    { name: "test", type: "path", help: "The held-out part (default: test.txt in the --data folder)." },
    { name: "k", type: "int", positive: true, default: DEFAULT_K, help: "Cut-off K of the top-K lists (capped at the catalog size: the metrics are then named @<catalog size>)." },
    UNKNOWN_FLAG,
    ...EVALUATION_FLAGS,
    RERANK_FLAG,
    { name: "protocol", type: "enum", choices: ["classic", "sequential"], help: "classic: full ranking of the test part's users (MF's default); sequential: every prefix of held-out users' rows (two-tower's default and only protocol; MF by fold-in)." },
    { name: "most-popular", type: "boolean", help: "Evaluate the Most Popular shelf (the model's training counts) instead of the model." },
    FORMAT,
    COLUMNS,
    SEPARATOR,
    MIN_RATING,
    QUIET,
    JSON_OUTPUT,
    VARIANT,
    THREADS,
  ],
  examples: [
    "longtail evaluate --model gowalla-bpr.ltm --data ../shared/data/gowalla --k 20 --json",
    "longtail evaluate --model ml1m.ltm --data ../shared/data/ml-1m-resn --head-min-count 1001 --exposure-threshold 10",
    "longtail evaluate --model ml1m.ltm --data ../shared/data/ml-1m-resn --k 20 --rerank 0.05",
    "longtail evaluate --model mf-users.ltm --data ml-users --k 10 --protocol sequential   # MF by fold-in, on the held-out users of split --method users",
  ],
});

export async function runEvaluate(args: ParsedArgs<typeof EVALUATE>): Promise<number> {
  const v = args.values;
  const head = headRuleFromFlags(v, args.given, EVALUATE.name);
  if (v["most-popular"] && v.rerank !== undefined) {
    throw new ArgsError(`--rerank ${v.rerank} re-ranks the model's scores, and --most-popular evaluates the Most Popular shelf instead of the model; give one of them`, EVALUATE.name, 'Run "longtail evaluate --help".');
  }
  const progress = createProgress({ quiet: v.quiet });
  const kernels = await cliKernels(v.kernels, v.threads);
  const model = await readAnyModel(v.model, kernels);
  // A top-K list holds at most the catalog: K is capped at its size (as recommend does), never refused.
  const k = cappedK(v.k, model.nItems, (line) => progress.log(line));
  if (model instanceof TwoTower && v.protocol === "classic") {
    model.dispose();
    throw new ArgsError(`--protocol classic: ${v.model} is a two-tower model, which is evaluated by the sequential protocol only; leave out --protocol`, EVALUATE.name, 'Run "longtail evaluate --help".');
  }
  if (model instanceof TwoTower || v.protocol === "sequential") {
    try {
      const contexts = model instanceof TwoTower
        ? { scorer: model, reads: `the history tower reads its last ${model.config.maxHistory} items` }
        : foldInContexts(model);
      await runSequentialEvaluate(args, k, contexts.scorer, model.items, contexts.reads, head, progress);
    } finally {
      model.dispose();
    }
    return 0;
  }
  const { train, test } = await readPartsForModel(model, v.data, v.test, {
    ...dataReadFlags(v, EVALUATE.name), onUnknown: v.unknown,
  });
  progress.log(`train: ${train.describe()}\ntest: ${test.describe()}`);
  const scorer = v["most-popular"] ? new MostPopular(kernels, model.nUsers, model.itemCounts) : model;
  const bar = progress.start("evaluating", test.usersWithInteractions().length, "users");
  const started = performance.now();
  const reranker = v.rerank !== undefined ? new PopularityReranker(model, model.itemCounts, v.rerank) : null;
  const result = evaluateRanking(reranker ?? scorer, train, test, {
    k, head, exposureThreshold: v["exposure-threshold"], itemPopularity: model.itemCounts, onProgress: (done) => bar.update(done),
  });
  reranker?.dispose();
  const seconds = (performance.now() - started) / 1000;
  bar.finish(`${result.users} users in ${seconds.toFixed(1)} s`);
  if (v.json) {
    process.stdout.write(JSON.stringify({
      model: v.model, ...(v["most-popular"] && { scorer: "most-popular" }), ...(reranker && { rerank: v.rerank }), k: result.k, users: result.users, testInteractions: result.testInteractions, seconds,
      metrics: result.metrics, headTail: result.headTail, exposureThreshold: result.exposureThreshold, groups: result.groups,
    }) + "\n");
  } else {
    process.stdout.write(formatResult(result, v["most-popular"] ? "the Most Popular shelf" : v.model));
  }
  model.dispose();
  return 0;
}

function foldInContexts(model: MatrixFactorization) {
  const scorer = new FoldInScorer(model);
  return { scorer, reads: `MF folds in its last ${scorer.window} items (λ = ${scorer.regularization})` };
}

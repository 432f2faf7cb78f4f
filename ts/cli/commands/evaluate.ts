import { defineCommand, type ParsedArgs } from "../args.js";
import { FORMAT, JSON_OUTPUT, MIN_RATING, QUIET, VARIANT } from "../common-flags.js";
import { cliKernels } from "../engine.js";
import { readModel } from "../model-io.js";
import { readPartsForModel } from "../model-data.js";
import { createProgress } from "../progress.js";
import { RERANK_FLAG } from "../debiasing-flags.js";
import { evaluateRanking } from "../../eval/evaluate.js";
import { PopularityReranker } from "../../model/popularity-rerank.js";

export const EVALUATE = defineCommand({
  name: "evaluate",
  summary: "Full-ranking accuracy of a model on held-out interactions (training items excluded).",
  description:
    "Every test user is ranked against the whole catalog; the items the user has in --data are excluded. " +
    "Metrics are means over users with at least one test item: Recall@K, NDCG@K, MRR (full ranking), HitRate@K, Precision@K.",
  flags: [
    { name: "model", type: "path", required: true, help: "Model file written by longtail train." },
    { name: "data", type: "path", required: true, help: "The training part (its items are excluded from each user's ranking), or a folder with train.txt and test.txt." },
    { name: "test", type: "path", help: "The held-out part (default: test.txt in the --data folder)." },
    { name: "k", type: "int", positive: true, default: 20, help: "Cut-off K of the top-K lists." },
    { name: "unknown", type: "enum", choices: ["error", "drop"], default: "error", help: "Users or items the model does not know: stop with an error, or drop them." },
    RERANK_FLAG,
    FORMAT,
    MIN_RATING,
    QUIET,
    JSON_OUTPUT,
    VARIANT,
  ],
  examples: [
    "longtail evaluate --model gowalla-bpr.ltm --data ../shared/data/gowalla --k 20 --json",
    "longtail evaluate --model ml1m.ltm --data ../shared/data/ml-1m-resn --k 20 --rerank 0.05",
  ],
});

export async function runEvaluate(args: ParsedArgs<typeof EVALUATE>): Promise<number> {
  const v = args.values;
  const progress = createProgress({ quiet: v.quiet });
  const kernels = await cliKernels(v.kernels);
  const model = await readModel(v.model, kernels);
  const { train, test } = await readPartsForModel(model, v.data, v.test, {
    format: v.format, onUnknown: v.unknown, ...(v["min-rating"] !== undefined && { minRating: v["min-rating"] }),
  });
  const bar = progress.start("evaluating", test.usersWithInteractions().length, "users");
  const started = performance.now();
  const reranker = v.rerank !== undefined ? new PopularityReranker(model, model.itemCounts, v.rerank) : null;
  const result = evaluateRanking(reranker ?? model, train, test, { k: v.k, onProgress: (done) => bar.update(done) });
  reranker?.dispose();
  const seconds = (performance.now() - started) / 1000;
  bar.finish(`${result.users} users in ${seconds.toFixed(1)} s`);
  if (v.json) {
    process.stdout.write(JSON.stringify({ model: v.model, ...(v.rerank !== undefined && { rerank: v.rerank }), k: result.k, users: result.users, testInteractions: result.testInteractions, seconds, metrics: result.metrics }) + "\n");
  } else {
    process.stdout.write(`${result.users} test users, ${result.testInteractions} held-out interactions, K = ${result.k}\n`);
    for (const [name, value] of Object.entries(result.metrics)) process.stdout.write(`  ${name.padEnd(14)} ${value.toFixed(4)}\n`);
  }
  model.dispose();
  return 0;
}

import { defineCommand, type ParsedArgs } from "../args.js";
import { JSON_OUTPUT, QUIET, VARIANT } from "../common-flags.js";
import { cliKernels } from "../engine.js";
import { readAnyModel } from "../model-io.js";
import { RERANK_FLAG } from "../debiasing-flags.js";

export const RECOMMEND = defineCommand({
  name: "recommend",
  summary: "Top-K recommendations for a user of a trained model (the user's training items are left out).",
  flags: [
    { name: "model", type: "path", required: true, help: "Model file written by longtail train." },
    { name: "user", type: "string", required: true, help: "The user's id exactly as in the training data." },
    { name: "k", type: "int", positive: true, default: 10, help: "How many items." },
    { name: "include-seen", type: "boolean", help: "Also rank the items the user interacted with in training." },
    RERANK_FLAG,
    QUIET,
    JSON_OUTPUT,
    VARIANT,
  ],
  examples: ["longtail recommend --model gowalla-bpr.ltm --user 42 --k 10", "longtail recommend --model ml1m.ltm --user 42 --k 10 --rerank 0.05"],
});

export async function runRecommend(args: ParsedArgs<typeof RECOMMEND>): Promise<number> {
  const v = args.values;
  const kernels = await cliKernels(v.kernels);
  const model = await readAnyModel(v.model, kernels);
  const rec = model.recommend(v.user, v.k, { excludeSeen: !v["include-seen"], popularityPenalty: v.rerank });
  const counts = model.itemCounts;
  if (v.json) {
    const items = rec.items.map((id, r) => ({ rank: r + 1, item: id, score: rec.scores[r], popularity: counts[rec.indices[r]] }));
    process.stdout.write(JSON.stringify({ user: v.user, k: v.k, items }) + "\n");
  } else {
    process.stdout.write(`top ${rec.items.length} for user ${v.user}:\n`);
    rec.items.forEach((id, r) => {
      process.stdout.write(`  ${String(r + 1).padStart(3)}. ${id.padEnd(12)} score ${rec.scores[r].toFixed(4)}  (${counts[rec.indices[r]]} training interactions)\n`);
    });
  }
  model.dispose();
  return 0;
}

/**
 * Popularity of what a saved model serves: every test user's top-K list (training items
 * excluded, optionally popularity re-ranked) summarised as median and mean item popularity
 * (training counts), catalog coverage, the Gini of per-item exposure over the whole catalog
 * (never-shown items count as 0) and the long-tail share (slots holding items outside the head,
 * the most popular items holding 80% of the training interactions). Definitions as in
 * ../shared/notes/methods.md; a stand-in measurement for the debiasing README section until
 * `evaluate --json` reports these metrics itself.
 *
 *   node dist/bench/top-k-popularity.js --model m.ltm --data ../shared/data/ml-1m-resn [--k 20] [--rerank β]
 */
import { parseArgs } from "node:util";
import { readModel } from "../ts/cli/model-io.js";
import { readPartsForModel } from "../ts/cli/model-data.js";
import { loadKernels } from "../ts/node.js";

export interface TopKPopularity {
  k: number;
  users: number;
  medianPopularity: number;
  meanPopularity: number;
  coverage: number;
  gini: number;
  longTailShare: number;
}

/** The summary statistics of the served lists, given each item's popularity and exposure count. */
export function summarisePopularity(counts: ArrayLike<number>, exposure: ArrayLike<number>, k: number, users: number): TopKPopularity {
  const m = counts.length;
  const slots: number[] = [];
  for (let i = 0; i < m; i++) for (let e = 0; e < exposure[i]; e++) slots.push(counts[i]);
  slots.sort((a, b) => a - b);
  const median = slots.length ? (slots[(slots.length - 1) >> 1] + slots[slots.length >> 1]) / 2 : 0;
  const sorted = Array.from(exposure).sort((a, b) => a - b);
  const total = sorted.reduce((s, x) => s + x, 0);
  const gini = total > 0 ? sorted.reduce((s, x, i) => s + (2 * (i + 1) - m - 1) * x, 0) / (m * total) : 0;
  // Head: the most popular items that together hold 80% of the training interactions.
  const byPopularity = Array.from({ length: m }, (_, i) => i).sort((a, b) => counts[b] - counts[a]);
  const interactions = Array.from(counts).reduce((s, c) => s + c, 0);
  const head = new Uint8Array(m);
  let held = 0;
  for (const i of byPopularity) {
    if (held >= 0.8 * interactions) break;
    head[i] = 1;
    held += counts[i];
  }
  let tailSlots = 0,
    shown = 0;
  for (let i = 0; i < m; i++) {
    if (!head[i]) tailSlots += exposure[i];
    if (exposure[i] > 0) shown++;
  }
  return {
    k,
    users,
    medianPopularity: median,
    meanPopularity: slots.length ? slots.reduce((s, x) => s + x, 0) / slots.length : 0,
    coverage: shown / m,
    gini,
    longTailShare: slots.length ? tailSlots / slots.length : 0,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { model: { type: "string" }, data: { type: "string" }, k: { type: "string", default: "20" }, rerank: { type: "string" } },
  });
  if (!values.model || !values.data)
    throw new Error("usage: top-k-popularity --model <file> --data <folder with train.txt and test.txt> [--k 20] [--rerank β]");
  const k = Number(values.k);
  const rerank = values.rerank === undefined ? undefined : Number(values.rerank);
  const kernels = await loadKernels();
  const model = await readModel(values.model, kernels);
  const { test } = await readPartsForModel(model, values.data, undefined, { format: "auto", onUnknown: "error" });
  const counts = model.itemCounts;
  const exposure = new Int32Array(model.nItems);
  const users = test.usersWithInteractions();
  for (const u of users) for (const i of model.recommend(u, k, { popularityPenalty: rerank }).indices) exposure[i]++;
  process.stdout.write(
    JSON.stringify({ model: values.model, ...(rerank !== undefined && { rerank }), ...summarisePopularity(counts, exposure, k, users.length) }) + "\n",
  );
  model.dispose();
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) await main();

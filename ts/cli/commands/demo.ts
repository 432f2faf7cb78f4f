import { defineCommand, type ParsedArgs } from "../args.js";
import { JSON_OUTPUT, QUIET, VARIANT } from "../common-flags.js";
import { cliKernels } from "../engine.js";
import { createProgress, type ProgressBar } from "../progress.js";
import { randomHoldout } from "../../data/splits.js";
import { evaluateRanking, type ServedLists } from "../../eval/evaluate.js";
import { DEFAULT_HEAD_RULE, headTailBoundary } from "../../eval/head-tail.js";
import { PopularityRanking } from "../../eval/popularity-ranking.js";
import { MatrixFactorization } from "../../model/matrix-factorization.js";
import { MostPopular } from "../../model/most-popular.js";
import { generateSyntheticWorld } from "../../synthetic/world.js";
import { worldToInteractions } from "../../synthetic/to-interactions.js";
import { trulyRelevantItems } from "../../synthetic/relevant-items.js";
import { measureTrueRelevance } from "../../synthetic/true-relevance.js";
import { LOSSES } from "../../train/config.js";
import { Rng } from "../../util/rng.js";

export const DEMO = defineCommand({
  name: "demo",
  summary: "Train and evaluate on the built-in synthetic world (no download, no data files).",
  description:
    "Generates a catalog with genres, users with known tastes and popularity-biased exposure, holds out 20% of each " +
    "user's interactions, trains matrix factorisation, and compares it with the Most Popular shelf: full-ranking accuracy " +
    "on the held-out part, and the share of recommended items that truly fit the user (the world's ground truth).",
  flags: [
    { name: "loss", type: "enum", choices: LOSSES, default: "softmax", help: "Training objective." },
    { name: "epochs", type: "int", positive: true, default: 10, help: "Training epochs." },
    { name: "users", type: "int", positive: true, default: 2000, help: "Users in the synthetic world." },
    { name: "items", type: "int", positive: true, default: 3000, help: "Items in the synthetic world." },
    { name: "k", type: "int", positive: true, default: 10, help: "Cut-off K of the top-K lists." },
    { name: "seed", type: "int", default: 42, help: "Seed of the world and of training." },
    QUIET,
    JSON_OUTPUT,
    VARIANT,
  ],
  examples: ["npx longtail demo", "npx longtail demo --loss bpr --epochs 20 --json"],
});

export async function runDemo(args: ParsedArgs<typeof DEMO>): Promise<number> {
  const v = args.values;
  const progress = createProgress({ quiet: v.quiet });
  const world = generateSyntheticWorld({ seed: v.seed, nUsers: v.users, nItems: v.items });
  const all = worldToInteractions(world);
  const { train, test } = randomHoldout(all, { testFraction: 0.2, rng: new Rng(v.seed) });
  progress.log(`synthetic world: ${train.describe()}; held out ${test.nnz} interactions`);
  const kernels = await cliKernels(v.kernels);
  const model = new MatrixFactorization(kernels, { loss: v.loss, epochs: v.epochs, seed: v.seed });
  let bar: ProgressBar | null = null;
  const epochBar = (epoch: number) => (bar ??= progress.start(`training epoch ${epoch}/${v.epochs}`, train.nnz, "interactions"));
  const report = await model.fit(train, {
    onProgress: (p) => {
      if (p.phase === "batch") return epochBar(p.epoch).update(p.done, `loss ${p.loss.toFixed(4)}`);
      const b = epochBar(p.epoch);
      b.update(p.total, "");
      b.finish(`loss ${p.loss.toFixed(4)}`);
      bar = null;
    },
  });
  const popular = new MostPopular(kernels, train.nUsers, train.itemCounts());
  const relevant = trulyRelevantItems(world);
  const { isHead } = headTailBoundary(new PopularityRanking(train.itemCounts()), DEFAULT_HEAD_RULE);
  const rows = [
    { name: "Most Popular", scorer: popular },
    { name: `MF (${v.loss})`, scorer: model },
  ].map(({ name, scorer }) => {
    const metrics = evaluateRanking(scorer, train, test, { k: v.k }).metrics;
    const lists = servedLists(scorer === model ? (u) => model.recommend(u, v.k).indices : popularTop(train, v.k), train.nUsers, v.k);
    return { name, metrics, truePrecision: measureTrueRelevance(lists, relevant, { isHead, exclude: train.byUser }).precision };
  });
  if (v.json) {
    process.stdout.write(JSON.stringify({ world: { users: train.nUsers, items: train.nItems, train: train.nnz, test: test.nnz }, trainSeconds: report.seconds, models: rows }) + "\n");
  } else {
    const k = v.k;
    const cols = [`recall@${k}`, `ndcg@${k}`, "mrr", `hitrate@${k}`];
    process.stdout.write(`\nHeld-out accuracy (full ranking over ${train.nItems} items) and true fit of the top ${k}:\n`);
    process.stdout.write(`${"model".padEnd(16)}${cols.map((c) => c.padStart(12)).join("")}${"truly fits".padStart(12)}\n`);
    for (const r of rows) {
      process.stdout.write(`${r.name.padEnd(16)}${cols.map((c) => r.metrics[c].toFixed(4).padStart(12)).join("")}${r.truePrecision.toFixed(4).padStart(12)}\n`);
    }
    process.stdout.write(`\ntrained in ${report.seconds.toFixed(1)} s. "truly fits" = share of recommended items the world's ground truth marks relevant.\n`);
    const u = 0;
    const rec = model.recommend(u, Math.min(5, v.k));
    process.stdout.write(`\nuser ${world.users[u]} likes ${topGenres(world, u).join(", ")}; the model recommends:\n`);
    for (const i of rec.indices) {
      process.stdout.write(`  ${world.itemTitles[i]} [${world.itemGenres[i].map((g) => world.genreNames[g]).join(", ")}]${world.isRelevant(u, i) ? "  ✓ fits" : ""}\n`);
    }
  }
  model.dispose();
  return 0;
}

/** Each user's top-K list as ServedLists (-1 where a list is shorter). */
function servedLists(top: (u: number) => ArrayLike<number>, nUsers: number, k: number): ServedLists {
  const items = new Int32Array(nUsers * k).fill(-1);
  for (let u = 0; u < nUsers; u++) items.set(top(u), u * k);
  return { users: Int32Array.from({ length: nUsers }, (_, u) => u), k, items };
}

/** Most Popular's list for each user: the most frequent items the user has not seen. */
function popularTop(train: import("../../data/interactions.js").Interactions, k: number): (u: number) => Int32Array {
  const counts = train.itemCounts();
  const order = Array.from(counts.keys()).sort((a, b) => counts[b] - counts[a] || a - b);
  const { indptr, indices } = train.byUser;
  return (u) => {
    const seen = new Set(indices.subarray(indptr[u], indptr[u + 1]));
    const out: number[] = [];
    for (const i of order) {
      if (!seen.has(i)) out.push(i);
      if (out.length === k) break;
    }
    return Int32Array.from(out);
  };
}

function topGenres(world: ReturnType<typeof generateSyntheticWorld>, u: number): string[] {
  const g = world.genreNames.length;
  const taste = world.userTastes.subarray(u * g, u * g + g);
  return Array.from(taste.keys()).sort((a, b) => taste[b] - taste[a]).slice(0, 2).map((i) => world.genreNames[i]);
}

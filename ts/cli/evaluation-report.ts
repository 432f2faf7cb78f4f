import type { EvaluationResult } from "../eval/evaluate.js";

/** The human-readable report: accuracy (all / head / tail), the boundary, the popularity of what is served, the five groups. */
export function formatResult(result: EvaluationResult, what: string): string {
  const k = result.k;
  const m = result.metrics;
  const b = result.headTail;
  const num = (x: number) => x.toFixed(4).padStart(10);
  const count = (x: number) => String(x).padStart(10);
  const rule =
    b.rule === "share" ? `the most popular items holding ${b.share} of the training interactions` : `items with at least ${b.minCount} training interactions`;
  const lines = [
    `${what}: ${result.users} test users, ${result.testInteractions} held-out interactions, K = ${k}`,
    `head = ${rule}: ${b.headItems} items (count >= ${b.minCount}) holding ${(100 * b.headInteractionShare).toFixed(1)}% of them; tail = the other ${b.tailItems} items`,
    "",
    `${"accuracy".padEnd(14)}${"all".padStart(10)}${"head".padStart(10)}${"tail".padStart(10)}`,
    ...[`recall@${k}`, `ndcg@${k}`, "mrr", "itemMrr", `hitrate@${k}`, `precision@${k}`].map(
      (name) => `${name.padEnd(14)}${num(m[name])}${num(m[`${name}.head`])}${num(m[`${name}.tail`])}`,
    ),
    `${"users".padEnd(14)}${count(result.users)}${count(b.headUsers)}${count(b.tailUsers)}`,
    "",
    `popularity of the top-${k} lists (popularity = training count)`,
    ...[
      [`coverage@${k}`, "share of the catalog shown at least once"],
      [`gini@${k}`, "Gini of per-item exposure over the whole catalog"],
      [`medianPopularity@${k}`, "median popularity of the served slots"],
      [`meanPopularity@${k}`, "mean popularity of the served slots (ARP)"],
      [`longTailShare@${k}`, "share of slots on tail items"],
      [`b50ps@${k}`, "share of slots on the bottom 50% of items"],
      [`t1ps@${k}`, "share of slots on the top 1% of items"],
      [`psei@${k}`, `share of the catalog shown at least E = ${result.exposureThreshold} times`],
    ].map(([name, meaning]) => `${name.padEnd(22)}${(name.endsWith(`Popularity@${k}`) ? m[name].toFixed(1) : m[name].toFixed(4)).padStart(12)}  ${meaning}`),
    "",
    `popularity groups (Ren et al.)`,
    `${"group".padEnd(12)}${"items".padStart(8)}${"counts".padStart(16)}${"slot share".padStart(12)}${`recall@${k}`.padStart(12)}${"users".padStart(8)}`,
    ...result.groups.map(
      (g) =>
        `${g.name.padEnd(12)}${String(g.items).padStart(8)}${`${g.minCount}..${g.maxCount}`.padStart(16)}${num(g.slotShare).padStart(12)}${num(g.recall).padStart(12)}${String(g.users).padStart(8)}`,
    ),
  ];
  return lines.join("\n") + "\n";
}

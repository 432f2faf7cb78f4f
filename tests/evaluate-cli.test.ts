import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cli } from "./support/cli.js";
import { writeFallingPopularityFolder } from "./support/falling-popularity.js";

let dir: string;
let model: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), "longtail-evaluate-cli-"));
  model = writeFallingPopularityFolder(dir, 30);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("longtail evaluate: popularity metrics", () => {
  it("prints every metric key the issue names in --json, with the boundary, E and the five groups", () => {
    const e = cli("evaluate", "--model", model, "--data", dir, "--k", "5", "--exposure-threshold", "3", "--json", "--quiet");
    assert.equal(e.status, 0, e.stderr);
    const out = JSON.parse(e.stdout);
    const keys = [
      "recall@5",
      "ndcg@5",
      "mrr",
      "hitrate@5",
      "precision@5",
      "recall@5.head",
      "recall@5.tail",
      "ndcg@5.head",
      "ndcg@5.tail",
      "mrr.head",
      "mrr.tail",
      "hitrate@5.head",
      "hitrate@5.tail",
      "precision@5.head",
      "precision@5.tail",
      "itemMrr",
      "itemMrr.head",
      "itemMrr.tail",
      "coverage@5",
      "gini@5",
      "medianPopularity@5",
      "meanPopularity@5",
      "longTailShare@5",
      "b50ps@5",
      "t1ps@5",
      "psei@5",
      ...[1, 2, 3, 4, 5].flatMap((g) => [`slotShare@5.group${g}`, `recall@5.group${g}`]),
    ];
    for (const key of keys) assert.ok(Number.isFinite(out.metrics[key]), `metrics["${key}"] = ${out.metrics[key]}`);
    assert.deepEqual(Object.keys(out.metrics).sort(), [...keys].sort());
    assert.equal(out.exposureThreshold, 3);
    assert.equal(out.headTail.rule, "share");
    assert.equal(out.headTail.share, 0.8);
    const m = out.headTail.headItems + out.headTail.tailItems;
    assert.ok(m >= 25 && m <= 30, `catalog of ${m} items`);
    // Group edges at round(g·m/20): the first four hold 5% of the catalog each.
    const edges = [0, 1, 2, 3, 4].map((g) => Math.round((g * m) / 20)).concat(m);
    assert.deepEqual(
      out.groups.map((g: { name: string; items: number }) => [g.name, g.items]),
      ["top 5%", "5-10%", "10-15%", "15-20%", "bottom 80%"].map((name, g) => [name, edges[g + 1] - edges[g]]),
    );
    const slotShares = out.groups.reduce((s: number, g: { slotShare: number }) => s + g.slotShare, 0);
    assert.ok(Math.abs(slotShares - 1) < 1e-9, `group slot shares sum to ${slotShares}`);
  });

  it("takes the boundary by count and prints it with the tables; Most Popular covers only the head", () => {
    const e = cli("evaluate", "--model", model, "--data", dir, "--k", "5", "--head-min-count", "15", "--quiet");
    assert.equal(e.status, 0, e.stderr);
    assert.match(
      e.stdout,
      /head = items with at least 15 training interactions: \d+ items \(count >= 15\) holding [\d.]+% of them; tail = the other \d+ items/,
    );
    for (const row of ["recall@5", "mrr", "coverage@5", "gini@5", "psei@5", "b50ps@5", "top 5%", "bottom 80%"])
      assert.match(e.stdout, new RegExp(`^${row}\\s`, "m"));
    const pop = JSON.parse(cli("evaluate", "--model", model, "--data", dir, "--k", "5", "--most-popular", "--json", "--quiet").stdout);
    assert.equal(pop.scorer, "most-popular");
    // Every user gets (nearly) the same five most popular unseen items: at most a handful of distinct items.
    assert.ok(pop.metrics["coverage@5"] < 0.5, `coverage ${pop.metrics["coverage@5"]}`);
    assert.ok(pop.metrics["gini@5"] > 0.6, `gini ${pop.metrics["gini@5"]}`);
  });

  it("rejects both boundary flags at once, and bad values, naming the flag", () => {
    const both = cli("evaluate", "--model", model, "--data", dir, "--head-share", "0.5", "--head-min-count", "3");
    assert.equal(both.status, 2);
    assert.match(both.stderr, /--head-share 0.5 and --head-min-count 3 both set the head\/tail boundary; give one of them/);
    const mixed = cli("evaluate", "--model", model, "--data", dir, "--most-popular", "--rerank", "0.1");
    assert.equal(mixed.status, 2);
    assert.match(mixed.stderr, /--rerank 0.1 re-ranks the model's scores, and --most-popular evaluates the Most Popular shelf/);
    const share = cli("evaluate", "--model", model, "--data", dir, "--head-share", "1.2");
    assert.equal(share.status, 2);
    assert.match(share.stderr, /--head-share must be a positive number <= 1, got "1.2"/);
    const e = cli("evaluate", "--model", model, "--data", dir, "--exposure-threshold", "2.5");
    assert.equal(e.status, 2);
    assert.match(e.stderr, /--exposure-threshold must be a positive integer, got "2.5"/);
    const help = cli("evaluate", "--help").stdout;
    for (const flag of ["--head-share", "--head-min-count", "--exposure-threshold", "--most-popular"]) assert.ok(help.includes(flag), flag);
  });
});

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cli } from "./support/cli.js";

let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), "longtail-debias-cli-"));
  // 30 users over 20 items: item 0 is in everyone's history (the head), the rest are spread out.
  const train: string[] = [],
    test: string[] = [];
  for (let u = 0; u < 30; u++) {
    train.push(`${u} 0 ${1 + (u % 19)} ${1 + ((u + 3) % 19)}`);
    test.push(`${u} ${1 + ((u + 7) % 19)}`);
  }
  writeFileSync(join(dir, "train.txt"), train.join("\n") + "\n");
  writeFileSync(join(dir, "test.txt"), test.join("\n") + "\n");
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("longtail CLI: debiasing flags", () => {
  it("train records --logit-adjustment, --resn and --ips in the model; evaluate and recommend re-rank with --rerank", () => {
    const model = join(dir, "debiased.ltm");
    const t = cli(
      "train",
      "--data",
      dir,
      "--loss",
      "softmax",
      "--epochs",
      "2",
      "--dim",
      "8",
      "--logit-adjustment",
      "0.5",
      "--resn",
      "0.01",
      "--ips",
      "--ips-min-propensity",
      "0.2",
      "--out",
      model,
      "--quiet",
      "--json",
    );
    assert.equal(t.status, 0, t.stderr);
    const summary = JSON.parse(t.stdout);
    assert.deepEqual(
      [summary.config.logitAdjustment, summary.config.spectralPenalty, summary.config.ips, summary.config.ipsMinPropensity],
      [0.5, 0.01, true, 0.2],
    );
    const e = cli("evaluate", "--model", model, "--data", dir, "--k", "5", "--rerank", "0.1", "--json", "--quiet");
    assert.equal(e.status, 0, e.stderr);
    const result = JSON.parse(e.stdout);
    assert.equal(result.rerank, 0.1);
    assert.ok(result.metrics["recall@5"] >= 0 && result.metrics["recall@5"] <= 1);
    const plain = cli("recommend", "--model", model, "--user", "4", "--k", "19", "--json");
    const reranked = cli("recommend", "--model", model, "--user", "4", "--k", "19", "--rerank", "100", "--json");
    assert.equal(reranked.status, 0, reranked.stderr);
    const items = (out: string) => JSON.parse(out).items.map((x: { item: string }) => x.item) as string[];
    for (const seen of ["0", "5", "8"]) assert.ok(!items(reranked.stdout).includes(seen), `training item ${seen} stays excluded`);
    // A huge penalty orders the unseen items by popularity, least popular first.
    const pops = JSON.parse(reranked.stdout).items.map((x: { popularity: number }) => x.popularity) as number[];
    assert.deepEqual(
      pops,
      [...pops].sort((a, b) => a - b),
    );
    assert.equal(items(plain.stdout).length, items(reranked.stdout).length);
  });

  it("rejects bad values with the flag and the value", () => {
    const r = cli("evaluate", "--model", join(dir, "none.ltm"), "--data", dir, "--rerank", "-1");
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--rerank must be a non-negative number, got "-1"/);
    const p = cli("train", "--data", dir, "--ips-min-propensity", "2", "--out", join(dir, "x.ltm"));
    assert.equal(p.status, 2);
    assert.match(p.stderr, /--ips-min-propensity must be a positive number <= 1, got "2"/);
    const l = cli("train", "--data", dir, "--loss", "bpr", "--logit-adjustment", "0.5", "--out", join(dir, "x.ltm"), "--quiet");
    assert.equal(l.status, 1);
    assert.match(l.stderr, /use loss "softmax" or "sampled-softmax", not "bpr"/);
  });
});

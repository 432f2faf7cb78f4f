import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { decodeModelFile } from "../ts/model/model-file.js";
import { Rng } from "../ts/util/rng.js";
import { cli } from "./support/cli.js";

let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), "longtail-gradient-"));
  // 80 users over 50 items; a popular block (items 0-9) everybody touches, and two taste groups.
  const rng = new Rng(21);
  const lines: string[] = [];
  for (let u = 0; u < 80; u++) {
    const items = new Set<number>();
    while (items.size < 4) items.add(rng.int(10));
    while (items.size < 12) items.add(10 + (u % 2) * 20 + rng.int(20));
    lines.push(`${u} ${[...items].join(" ")}`);
  }
  writeFileSync(join(dir, "train.txt"), lines.join("\n") + "\n");
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("longtail train --gradient-adjust", () => {
  it("searches α1/α2 on a validation part, saves them with the directions, and the model evaluates", () => {
    const model = join(dir, "g.ltm");
    const t = cli("train", "--data", dir, "--loss", "bpr", "--epochs", "3", "--dim", "8", "--gradient-adjust", "--json", "--quiet", "--out", model);
    assert.equal(t.status, 0, t.stderr);
    const summary = JSON.parse(t.stdout);
    assert.equal(summary.config.normalize, "users");
    const g = summary.gradientAdjustment;
    assert.ok(g.alphaItems >= 0 && g.alphaItems <= 2 && g.alphaUsers >= 0 && g.alphaUsers <= 2, JSON.stringify(g));
    assert.ok(g["validationRecall@20"] >= g["rawValidationRecall@20"]);
    const file = decodeModelFile(readFileSync(model));
    // The file's serving section holds what differs from the plain rule (nothing when the grid chose 0, 0).
    assert.equal(file.serving?.alphaItems ?? 0, g.alphaItems);
    assert.equal(file.serving?.alphaUsers ?? 0, g.alphaUsers);
    assert.equal(file.config.alphaItems, undefined);
    assert.deepEqual([summary.serving.alphaItems, summary.serving.alphaUsers], [g.alphaItems, g.alphaUsers]);
    assert.equal(file.tables.popularItemDirection.cols, 8);
    assert.equal((file.metadata!.alphaGrid as { grid: unknown[] }).grid.length, 121);
    const e = cli("evaluate", "--model", model, "--data", join(dir, "train.txt"), "--test", join(dir, "train.txt"), "--unknown", "drop", "--json", "--quiet");
    assert.equal(e.status, 0, e.stderr);
  });

  it("runs the ablations: fixed α (no grid, no validation), head-mean directions, no normalisation", () => {
    const model = join(dir, "a.ltm");
    const t = cli(
      "train",
      "--data",
      dir,
      "--epochs",
      "2",
      "--dim",
      "8",
      "--gradient-adjust",
      "--alpha-items",
      "0",
      "--alpha-users",
      "1.2",
      "--normalize",
      "none",
      "--popular-direction",
      "head-mean",
      "--json",
      "--quiet",
      "--out",
      model,
    );
    assert.equal(t.status, 0, t.stderr);
    const summary = JSON.parse(t.stdout);
    assert.equal(summary.gradientAdjustment, undefined, "both α fixed: no grid");
    assert.deepEqual(
      [summary.serving.alphaItems, summary.serving.alphaUsers, summary.config.normalize, summary.serving.popularDirection],
      [0, 1.2, "none", "head-mean"],
    );
    const r = cli("recommend", "--model", model, "--user", "3", "--k", "5", "--json");
    assert.equal(r.status, 0, r.stderr);
  });

  it("rejects misuse with errors that say what to fix", () => {
    const out = join(dir, "x.ltm");
    let r = cli("train", "--data", dir, "--alpha-items", "1", "--out", out, "--quiet");
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /--alpha-items .*add --gradient-adjust/);
    r = cli("train", "--data", dir, "--loss", "softmax", "--gradient-adjust", "--out", out, "--quiet");
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /bpr or bce/);
    r = cli("train", "--data", dir, "--gradient-adjust", "--alpha-users", "-1", "--out", out, "--quiet");
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /--alpha-users/);
    r = cli("train", "--data", dir, "--gradient-adjust", "--validation", "0", "--out", out, "--quiet");
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /--validation a fraction above 0/);
  });
});

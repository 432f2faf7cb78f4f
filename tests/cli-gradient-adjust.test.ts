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

  it("takes a validation part of the user's own for the α grid, and says when its choice is noise or switches the projection off", () => {
    // A validation part in another format (triples), with a user and an item training never saw: both are dropped and counted.
    const rng = new Rng(5);
    const rows = ["user item"];
    for (let u = 0; u < 80; u += 2) rows.push(`${u} ${10 + (u % 4) * 10 + rng.int(10)}`);
    rows.push("999 12", "3 no-such-item");
    const validationPath = join(dir, "random-exposure.tsv");
    writeFileSync(validationPath, rows.join("\n").replaceAll(" ", "\t") + "\n");
    const model = join(dir, "v.ltm");
    const t = cli(
      "train",
      "--data",
      join(dir, "train.txt"),
      "--epochs",
      "2",
      "--dim",
      "8",
      "--gradient-adjust",
      "--validation-data",
      validationPath,
      "--json",
      "--out",
      model,
    );
    assert.equal(t.status, 0, t.stderr);
    assert.match(t.stderr, /validation: .*random-exposure\.tsv.*2 interactions dropped for ids not in the training data \(1 unknown users, 1 unknown items\)/);
    const summary = JSON.parse(t.stdout);
    const g = summary.gradientAdjustment;
    assert.equal(g.gridUsers, 40, "the grid scored the given part's users, not a held-out share");
    assert.equal(summary.interactions, 80 * 12, "nothing was held out of the training data");
    assert.ok(g.gainStandardError >= 0 && g.pairsNearBest >= 1 && g.pairsNearBest <= 121, JSON.stringify(g));
    assert.equal(g.projectionOff, g.alphaItems === 0 && g.alphaUsers === 0);
    // 40 users cannot tell 121 pairs apart: the choice is reported as off or as noise, on stderr and in --json.
    const kinds = summary.warnings.map((w: { kind: string }) => w.kind);
    assert.ok(kinds.includes(g.projectionOff ? "projection-off" : "alpha-uncertain"), JSON.stringify(summary.warnings));
    assert.match(t.stderr, /longtail: warning: the α grid/);

    let r = cli("train", "--data", join(dir, "train.txt"), "--validation", "0.1", "--validation-data", validationPath, "--out", model, "--quiet");
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--validation 0\.1 holds out .* --validation-data .*: give one of them/);
    const strangers = join(dir, "strangers.txt");
    writeFileSync(strangers, "500 1 2\n501 3\n");
    r = cli("train", "--data", join(dir, "train.txt"), "--validation-data", strangers, "--out", model, "--quiet");
    assert.equal(r.status, 1);
    assert.match(r.stderr, /strangers\.txt: no validation interaction is left/);
  });

  it("evaluate says when a model trained with the adjustment serves its raw tables", () => {
    const model = join(dir, "off.ltm");
    const t = cli(
      "train",
      "--data",
      dir,
      "--epochs",
      "1",
      "--dim",
      "8",
      "--gradient-adjust",
      "--alpha-items",
      "0",
      "--alpha-users",
      "0",
      "--quiet",
      "--out",
      model,
    );
    assert.equal(t.status, 0, t.stderr);
    const train = join(dir, "train.txt");
    const e = cli("evaluate", "--model", model, "--data", train, "--test", train, "--json", "--quiet");
    assert.equal(e.status, 0, e.stderr);
    assert.match(e.stderr, /longtail: note: .*off\.ltm was trained with --gradient-adjust but serves α1 = α2 = 0/);
    assert.deepEqual(JSON.parse(e.stdout).gradientAdjustment, { alphaItems: 0, alphaUsers: 0, source: "gradients", projectionOff: true });
    const adjusted = join(dir, "on.ltm");
    assert.equal(
      cli("train", "--data", dir, "--epochs", "1", "--dim", "8", "--gradient-adjust", "--alpha-items", "1", "--alpha-users", "0", "--quiet", "--out", adjusted)
        .status,
      0,
    );
    const on = cli("evaluate", "--model", adjusted, "--data", train, "--test", train, "--json", "--quiet");
    assert.doesNotMatch(on.stderr, /note/);
    assert.equal(JSON.parse(on.stdout).gradientAdjustment.projectionOff, false);
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

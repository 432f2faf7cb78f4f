import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Rng } from "../ts/util/rng.js";
import { cli } from "./support/cli.js";

let dir: string;

/** A small "user item item ..." data set: 60 users in two taste groups over 40 items. */
function writeLinesData(folder: string): Map<string, Set<string>> {
  const rng = new Rng(11);
  const train = new Map<string, Set<string>>();
  const lines: string[] = [];
  const testLines: string[] = [];
  for (let u = 0; u < 60; u++) {
    const base = u % 2 === 0 ? 0 : 20;
    const items = new Set<string>();
    while (items.size < 8) items.add(String(base + rng.int(20)));
    const list = [...items];
    train.set(String(u), new Set(list.slice(0, 6)));
    lines.push(`${u} ${list.slice(0, 6).join(" ")}`);
    testLines.push(`${u} ${list.slice(6).join(" ")}`);
  }
  writeFileSync(join(folder, "train.txt"), lines.join("\n") + "\n");
  writeFileSync(join(folder, "test.txt"), testLines.join("\n") + "\n");
  return train;
}

let trainItems: Map<string, Set<string>>;

before(() => {
  dir = mkdtempSync(join(tmpdir(), "longtail-cli-"));
  trainItems = writeLinesData(dir);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("longtail CLI", () => {
  it("trains, evaluates with --json and recommends", () => {
    const model = join(dir, "model.ltm");
    const t = cli("train", "--data", dir, "--loss", "softmax", "--epochs", "3", "--dim", "8", "--out", model, "--quiet");
    assert.equal(t.status, 0, t.stderr);
    assert.match(t.stdout, /wrote .*model\.ltm/);
    const e = cli("evaluate", "--model", model, "--data", dir, "--k", "5", "--json", "--quiet");
    assert.equal(e.status, 0, e.stderr);
    const result = JSON.parse(e.stdout);
    for (const key of ["recall@5", "ndcg@5", "mrr", "hitrate@5", "precision@5"]) {
      assert.equal(typeof result.metrics[key], "number", key);
      assert.ok(result.metrics[key] >= 0 && result.metrics[key] <= 1, key);
    }
    assert.equal(result.users, 60);
    const r = cli("recommend", "--model", model, "--user", "4", "--k", "5", "--json");
    assert.equal(r.status, 0, r.stderr);
    const rec = JSON.parse(r.stdout);
    assert.equal(rec.items.length, 5);
    for (const { item } of rec.items) assert.ok(!trainItems.get("4")!.has(item), `recommended training item ${item}`);
  });

  it("prints --help for the program and for every command", () => {
    const program = cli("--help").stdout;
    for (const command of ["train", "evaluate", "recommend", "demo"]) assert.match(program, new RegExp(`^  ${command} `, "m"));
    for (const command of ["train", "evaluate", "recommend", "demo"]) {
      const h = cli(command, "--help");
      assert.equal(h.status, 0);
      assert.match(h.stdout, new RegExp(`Usage: longtail ${command}`));
    }
  });

  it("runs the built-in demo with no data files", () => {
    const d = cli(
      "demo",
      "--users",
      "200",
      "--items",
      "300",
      "--epochs",
      "2",
      "--alphas",
      "none",
      "--rounds",
      "0",
      "--out",
      join(dir, "demo.html"),
      "--json",
      "--quiet",
    );
    assert.equal(d.status, 0, d.stderr);
    const out = JSON.parse(d.stdout);
    assert.equal(out.models.length, 3);
    assert.ok(out.models[1].metrics["recall@10"] > 0);
  });

  it("rejects bad flags with errors that say what to fix", () => {
    const model = join(dir, "bad.ltm");
    const k0 = cli("evaluate", "--model", model, "--data", dir, "--k", "0");
    assert.equal(k0.status, 2);
    assert.match(k0.stderr, /--k must be a positive integer/);
    const d0 = cli("train", "--data", dir, "--dim", "0", "--out", model);
    assert.equal(d0.status, 2);
    assert.match(d0.stderr, /--dim must be a positive integer/);
    const typo = cli("train", "--data", dir, "--epoch", "3", "--out", model);
    assert.match(typo.stderr, /did you mean --epochs/);
  });

  it("names the file, line and field of bad data, and never replaces a model on failure", () => {
    const bad = join(dir, "bad-ratings.csv");
    writeFileSync(bad, "userId,movieId,rating,timestamp\n1,10,4.0,100\n2,11,x,200\n");
    const model = join(dir, "keep.ltm");
    writeFileSync(model, "precious");
    const r = cli("train", "--data", bad, "--format", "csv", "--out", model, "--quiet");
    assert.equal(r.status, 1);
    assert.match(r.stderr, /bad-ratings\.csv:3: field "rating"/);
    assert.equal(readFileSync(model, "utf8"), "precious");
    const empty = join(dir, "empty.txt");
    writeFileSync(empty, "");
    const e = cli("train", "--data", empty, "--out", join(dir, "never.ltm"), "--quiet");
    assert.equal(e.status, 1);
    assert.match(e.stderr, /empty\.txt/);
    assert.ok(!existsSync(join(dir, "never.ltm")));
  });

  it("reports users and items the model does not know", () => {
    const model = join(dir, "small.ltm");
    assert.equal(cli("train", "--data", dir, "--epochs", "1", "--dim", "4", "--out", model, "--quiet").status, 0);
    const u = cli("recommend", "--model", model, "--user", "ghost");
    assert.equal(u.status, 1);
    assert.match(u.stderr, /user "ghost" is not in the model/);
    const unknownTest = join(dir, "unknown-test.txt");
    writeFileSync(unknownTest, "0 1\n999 2\n");
    const e = cli("evaluate", "--model", model, "--data", join(dir, "train.txt"), "--test", unknownTest, "--quiet");
    assert.equal(e.status, 1);
    assert.match(e.stderr, /unknown-test\.txt:2: field "user"/);
    const corrupt = join(dir, "corrupt.ltm");
    const bytes = readFileSync(model);
    bytes[bytes.length >> 1] ^= 0xff;
    writeFileSync(corrupt, bytes);
    const c = cli("recommend", "--model", corrupt, "--user", "1");
    assert.equal(c.status, 1);
    assert.match(c.stderr, /corrupt\.ltm/);
  });
});

describe("longtail compare and sweep", () => {
  it("compares configurations on one split and reports changes against the first", () => {
    const out = join(dir, "comparison.json");
    const r = cli(
      "compare",
      "--data",
      dir,
      "--common",
      "--loss softmax --dim 8 --epochs 3",
      "--k",
      "5",
      "--out",
      out,
      "--json",
      "--quiet",
      "plain:",
      "warm: --temperature 0.5",
      "pop: most-popular",
    );
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.baseline, "plain");
    assert.deepEqual(
      report.configurations.map((c: { label: string }) => c.label),
      ["plain", "warm", "pop"],
    );
    assert.equal(report.configurations[1].config.temperature, 0.5);
    assert.equal(report.configurations[0].config.dim, 8);
    const base = report.configurations[0].metrics["recall@5"];
    const pop = report.configurations[2].metrics["recall@5"];
    assert.ok(Math.abs(report.changes.pop["recall@5"] - (pop - base) / base) < 1e-12);
    assert.deepEqual(JSON.parse(readFileSync(out, "utf8")).changes, report.changes);
    const text = cli("compare", "--data", dir, "--common", "--loss softmax --dim 8 --epochs 1", "--k", "5", "--quiet", "a:", "b: most-popular");
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /metric\s+a\s+b\s+change/);
    assert.match(text.stdout, /recall@5\s+\d\.\d{4}\s+\d\.\d{4}\s+[+-]\d/);
  });

  it("compares the graph filter (closed form, its own flags) with a trained model; the same seed gives the same numbers", () => {
    const run = () =>
      cli(
        "compare",
        "--data",
        dir,
        "--common",
        "--loss softmax --dim 8 --epochs 1",
        "--k",
        "5",
        "--json",
        "--quiet",
        "mf:",
        "gf: graph-filter --rank 6 --sharpen 0.3",
      );
    const r = run();
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    const gf = report.configurations[1];
    assert.equal(gf.model, "graph-filter");
    assert.equal(gf.config, null);
    assert.deepEqual(gf.graphFilter, { rank: 6, lowPassWeight: 0.3, sharpening: 0.3, iterations: 4, seed: 1 });
    assert.equal(gf.epochs, 0);
    assert.ok(gf.metrics["recall@5"] > 0, "the filter ranks held-out items");
    assert.deepEqual(JSON.parse(run().stdout).configurations[1].metrics, gf.metrics);
    const bad = cli("compare", "--data", dir, "a: --loss softmax", "b: graph-filter --rank -1");
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /configuration "b".*--rank/);
    const trainFlag = cli("compare", "--data", dir, "a: --loss softmax", "b: graph-filter --epochs 3");
    assert.equal(trainFlag.status, 2);
    assert.match(trainFlag.stderr, /configuration "b".*unknown flag --epochs/);
  });

  it("rejects a bad configuration before training anything", () => {
    const r = cli("compare", "--data", dir, "a: --loss softmax", "b: --lossy bpr");
    assert.equal(r.status, 2);
    assert.match(r.stderr, /configuration "b".*unknown flag --lossy; did you mean --loss/);
    const twice = cli("compare", "--data", dir, "a: --loss softmax", "a: --loss bpr");
    assert.equal(twice.status, 2);
    assert.match(twice.stderr, /two configurations are labelled "a"/);
  });

  it("sweeps a grid and writes the frontier as CSV", () => {
    const out = join(dir, "frontier.csv");
    const r = cli(
      "sweep",
      "--data",
      dir,
      "--base",
      "--loss softmax --dim 8 --epochs 2",
      "--k",
      "5",
      "--out",
      out,
      "--quiet",
      "temperature=0.1,1",
      "reg=0:0.01:0.01",
    );
    assert.equal(r.status, 0, r.stderr);
    const lines = readFileSync(out, "utf8").trim().split("\n");
    assert.equal(lines.length, 5);
    const header = lines[0].split(",");
    assert.deepEqual(header.slice(0, 3), ["temperature", "reg", "recall@5"]);
    assert.equal(header.at(-1), "frontier");
    assert.deepEqual(
      lines.slice(1).map((l) => l.split(",").slice(0, 2).join(" ")),
      ["0.1 0.00", "0.1 0.01", "1 0.00", "1 0.01"],
    );
    assert.ok(
      lines.slice(1).some((l) => l.endsWith(",true")),
      "at least one point is on the frontier",
    );
    const bad = cli("sweep", "--data", dir, "--y", "nonsense", "--base", "--epochs 1 --dim 4", "temperature=1");
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /"nonsense" is not a reported metric/);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareResults, formatComparison, relativeChange } from "../ts/experiments/comparison.js";
import { toCsv } from "../ts/experiments/csv.js";
import type { ExperimentResult } from "../ts/experiments/experiment.js";
import { betterDirection, paretoFrontier } from "../ts/experiments/frontier.js";
import { expandGrid, parseGridAxis } from "../ts/experiments/grid.js";
import { ArgsError, defineCommand, parseArgs } from "../ts/cli/args.js";
import { parseConfiguration } from "../ts/cli/configuration-spec.js";
import { shellWords } from "../ts/cli/shell-words.js";

function result(label: string, metrics: Record<string, number>): ExperimentResult {
  return {
    label,
    model: "mf",
    epochs: 1,
    trainSeconds: 0,
    warnings: [],
    evaluateSeconds: 0,
    evaluation: { k: 10, users: 1, testInteractions: 1, metrics } as ExperimentResult["evaluation"],
  };
}

describe("grid", () => {
  it("expands axes like nested loops, the first axis slowest", () => {
    const rows = expandGrid([
      { name: "a", values: ["0", "1"] },
      { name: "b", values: ["x", "y", "z"] },
    ]);
    assert.deepEqual(
      rows.map((r) => `${r.a}${r.b}`),
      ["0x", "0y", "0z", "1x", "1y", "1z"],
    );
    assert.deepEqual(expandGrid([]), [{}]);
    assert.throws(() => expandGrid([{ name: "a", values: [] }]), /no values/);
  });

  it("parses value lists and inclusive ranges without float noise", () => {
    assert.deepEqual(parseGridAxis("temperature=0.05, 0.1,0.2"), { name: "temperature", values: ["0.05", "0.1", "0.2"] });
    assert.deepEqual(parseGridAxis("--alpha=0:1:0.25").values, ["0.00", "0.25", "0.50", "0.75", "1.00"]);
    assert.deepEqual(parseGridAxis("alpha=0:1:0.1").values.length, 11);
    assert.equal(parseGridAxis("alpha=0:1:0.1").values[3], "0.3");
    assert.deepEqual(parseGridAxis("dim=16:64:16").values, ["16", "32", "48", "64"]);
    for (const bad of ["alpha", "=1,2", "alpha=", "alpha=1,,2", "alpha=1:0:0.1", "alpha=0:1:0", "alpha=0:1e9:1"]) {
      assert.throws(() => parseGridAxis(bad), RangeError, bad);
    }
  });
});

describe("frontier", () => {
  it("keeps the points no other point beats on both axes", () => {
    // (recall, coverage): B dominates A; C and B trade off; D ties C on x and is worse on y.
    const points = [
      { x: 0.1, y: 0.2 },
      { x: 0.2, y: 0.3 },
      { x: 0.15, y: 0.6 },
      { x: 0.15, y: 0.5 },
      { x: NaN, y: 1 },
    ];
    assert.deepEqual(paretoFrontier(points, "higher", "higher"), [false, true, true, false, false]);
    // With Gini (lower is better) on y: A (0.2) is best on y but worst on x, so it joins the frontier.
    assert.deepEqual(paretoFrontier(points, "higher", "lower"), [true, true, false, false, false]);
    // Identical points do not dominate each other.
    assert.deepEqual(
      paretoFrontier(
        [
          { x: 1, y: 1 },
          { x: 1, y: 1 },
        ],
        "higher",
        "higher",
      ),
      [true, true],
    );
  });

  it("knows which way is better from the metric name", () => {
    for (const m of ["recall@20", "ndcg@10.tail", "coverage@20", "longTailShare@20", "b50ps@20", "psei@20", "mrr.head"])
      assert.equal(betterDirection(m), "higher", m);
    for (const m of ["gini@20", "medianPopularity@20", "meanPopularity@10", "t1ps@20"]) assert.equal(betterDirection(m), "lower", m);
  });
});

describe("comparison", () => {
  it("puts every configuration beside the baseline with its relative change", () => {
    const c = compareResults([
      result("plain", { "recall@10": 0.2, gini: 0.9, zero: 0 }),
      result("debiased", { "recall@10": 0.19, gini: 0.72, zero: 0.5, extra: 3 }),
    ]);
    assert.equal(c.baseline, "plain");
    assert.deepEqual(c.metrics, ["recall@10", "gini", "zero", "extra"]);
    assert.ok(Math.abs(c.changes.debiased["recall@10"]! - -0.05) < 1e-12);
    assert.ok(Math.abs(c.changes.debiased.gini! - -0.2) < 1e-12);
    assert.equal(c.changes.debiased.zero, null, "no relative change from 0");
    assert.equal(c.changes.debiased.extra, null, "no change when the baseline lacks the metric");
    assert.equal(c.changes.plain["recall@10"], 0);
    const text = formatComparison(c);
    assert.match(text, /recall@10\s+0\.2000\s+0\.1900\s+-5\.0%/);
    assert.match(text, /gini\s+0\.9000\s+0\.7200\s+-20\.0%/);
    assert.equal(relativeChange(-2, -1), 0.5);
    // Absolute changes beside the relative ones; with points, shares show theirs in percentage points.
    assert.ok(Math.abs(c.differences.debiased.gini! - -0.18) < 1e-12);
    assert.equal(c.differences.debiased.zero, 0.5, "an absolute change from 0 exists");
    assert.equal(c.differences.debiased.extra, null);
    const near = compareResults([result("main", { b50ps: 0.006, median: 200 }), result("invr", { b50ps: 0.0582, median: 150 })]);
    const pointsText = formatComparison(near, { points: true });
    assert.match(pointsText, /b50ps\s+0\.0060\s+0\.0582\s+\+870%\s+\(\+5\.22 pts\)/);
    assert.match(pointsText, /median\s+200\.0\s+150\.0\s+-25\.0%\n/, "no points for a value that is not a share");
    assert.doesNotMatch(formatComparison(near), /pts/, "points only when asked");
    assert.throws(() => compareResults([]), /at least one/);
  });
});

describe("csv", () => {
  it("quotes only the fields that need it", () => {
    const text = toCsv(
      ["a", "b", "c"],
      [
        { a: "x,y", b: 1.5, c: true },
        { a: 'say "hi"', b: NaN, c: null },
      ],
    );
    assert.equal(text, 'a,b,c\n"x,y",1.5,true\n"say ""hi""",,\n');
  });
});

describe("configuration strings", () => {
  it("splits words like a shell", () => {
    assert.deepEqual(shellWords(`--loss softmax  --name "a b" --x 'c d' e\\ f`, "t"), ["--loss", "softmax", "--name", "a b", "--x", "c d", "e f"]);
    assert.deepEqual(shellWords("   ", "t"), []);
    assert.deepEqual(shellWords(`""`, "t"), [""]);
    assert.throws(() => shellWords(`--x "open`, "t"), ArgsError);
  });

  it("reads a label, the train flags and the most-popular baseline", () => {
    const a = parseConfiguration("la 0.5: --loss softmax --temperature 0.2", 0, ["--epochs", "3"], "compare");
    assert.equal(a.label, "la 0.5");
    assert.equal(a.config!.loss, "softmax");
    assert.equal(a.config!.temperature, 0.2);
    assert.equal(a.config!.epochs, 3);
    const b = parseConfiguration("--loss bce", 1, [], "compare");
    assert.equal(b.label, "config 2");
    assert.equal(b.config!.loss, "bce");
    assert.deepEqual(parseConfiguration("pop: most-popular", 2, [], "compare"), { label: "pop", model: "most-popular" });
    assert.deepEqual(parseConfiguration("gf: graph-filter --rank 64 --sharpen 0", 3, ["--epochs", "3", "--seed", "7"], "compare"), {
      label: "gf",
      model: "graph-filter",
      graphFilter: { rank: 64, lowPassWeight: 0.3, sharpening: 0, iterations: 4, seed: 7 },
    });
    const r = parseConfiguration("rr: --loss softmax --rerank 0.05 --logit-adjustment 0.5", 3, [], "compare");
    assert.equal(r.popularityPenalty, 0.05);
    assert.equal(r.config!.logitAdjustment, 0.5);
    assert.equal(parseConfiguration("plain: --loss softmax", 4, [], "compare").popularityPenalty, undefined);
    assert.throws(() => parseConfiguration("x: --epoch 3", 0, [], "compare"), /configuration "x".*unknown flag --epoch; did you mean --epochs/);
    assert.throws(() => parseConfiguration("x: --epochs 3", 0, ["--epochs", "2"], "compare"), /given twice/);
    assert.throws(() => parseConfiguration("x: --data foo", 0, [], "compare"), /unknown flag --data/);
  });

  it("takes a quoted list of flags as one flag value and variadic positionals", () => {
    const spec = defineCommand({
      name: "t",
      summary: "t",
      flags: [{ name: "common", type: "string", default: "", help: "h" }],
      positionals: [{ name: "config", required: true, variadic: true, help: "h" }],
    });
    const args = parseArgs(spec, ["--common", "--loss softmax", "a:", "b: --dim 8", "c"]);
    assert.equal(args.values.common, "--loss softmax");
    assert.deepEqual(args.positionals, ["a:", "b: --dim 8", "c"]);
    assert.throws(() => parseArgs(spec, ["--common", "--loss"]), /needs a value/);
    assert.throws(() => parseArgs(spec, []), /missing argument <config>/);
    assert.throws(
      () =>
        defineCommand({
          name: "u",
          summary: "u",
          flags: [],
          positionals: [
            { name: "a", help: "h", variadic: true },
            { name: "b", help: "h" },
          ],
        }),
      /last positional/,
    );
  });
});

/** `longtail simulate`: the per-round table, byte-identical JSON for one seed, the JSON file, and bad input refused by name. */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ArgsError } from "../ts/cli/args.js";
import { parseConfiguration } from "../ts/cli/configuration-spec.js";
import { cli } from "./support/cli.js";

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "longtail-simulate-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const SMALL = ["--rounds", "2", "--users", "90", "--items", "150", "--k", "5", "--quiet"];
const CONFIGS = ["plain: --loss softmax --epochs 2", "ren: --loss bpr --epochs 2 --gradient-adjust --alpha-items 1 --alpha-users 1", "pop: most-popular"];

describe("longtail simulate", () => {
  it("runs a graph-filter configuration (rebuilt from the grown log every round)", () => {
    const r = cli("simulate", ...SMALL, "plain: --loss softmax --epochs 2", "gf: graph-filter --rank 16");
    assert.equal(r.status, 0, r.stderr);
    for (const round of [1, 2]) assert.match(r.stdout, new RegExp(`^gf\\s+${round}\\s+0\\.\\d{3}\\s`, "m"), `gf round ${round}`);
  });

  it("prints one row per configuration and round", () => {
    const r = cli("simulate", ...SMALL, ...CONFIGS);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /synthetic world: 90 users × 150 items/);
    assert.match(
      r.stdout,
      /configuration\s+round\s+Gini@5\s+coverage\s+tail share\s+median pop\.\s+true prec\.\s+head\s+tail\s+true recall\s+accepted\s+log Gini/,
    );
    for (const label of ["plain", "ren", "pop"]) {
      for (const round of [1, 2]) assert.match(r.stdout, new RegExp(`^${label}\\s+${round}\\s+0\\.\\d{3}\\s`, "m"), `${label} round ${round}`);
    }
  });

  it("prints the same JSON twice for one seed, another for another seed, and writes it to --out", () => {
    const out = join(dir, "loops.json");
    const a = cli("simulate", ...SMALL, "--json", "--out", out, ...CONFIGS);
    assert.equal(a.status, 0, a.stderr);
    const b = cli("simulate", ...SMALL, "--json", ...CONFIGS);
    assert.equal(b.stdout, a.stdout, "byte-identical");
    const c = cli("simulate", ...SMALL, "--json", "--seed", "43", ...CONFIGS);
    assert.notEqual(c.stdout, a.stdout);
    const report = JSON.parse(a.stdout);
    assert.deepEqual(JSON.parse(readFileSync(out, "utf8")), report);
    assert.equal(report.command, "simulate");
    assert.deepEqual(report.configurationTexts, CONFIGS);
    assert.deepEqual([report.rounds, report.k, report.seed, report.world.users, report.world.items], [2, 5, 42, 90, 150]);
    assert.deepEqual(
      report.configurations.map((x: { label: string }) => x.label),
      ["plain", "ren", "pop"],
    );
    const ren = report.configurations[1];
    assert.deepEqual(
      [ren.config.loss, ren.config.gradientAdjustment, ren.serving.alphaItems, ren.serving.alphaUsers, ren.config.seed],
      ["bpr", true, 1, 1, 42],
    );
    assert.equal(ren.config.alphaItems, undefined);
    assert.equal(report.configurations[0].rounds.length, 2);
    assert.equal(typeof report.configurations[0].rounds[1].truePrecisionTail, "number");
  });

  it("takes the choice model's parameters", () => {
    const r = cli("simulate", ...SMALL, "--json", "--position-bias", "0", "--acceptance-steepness", "4", "--acceptance-threshold", "0.5", "pop: most-popular");
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).choice, { positionBias: 0, acceptanceSteepness: 4, acceptanceThreshold: 0.5 });
  });

  it("lists the default configurations in --help", () => {
    const r = cli("simulate", "--help");
    assert.equal(r.status, 0);
    assert.match(r.stdout, /Without configurations:\s+"plain:\s+--loss softmax/);
    assert.match(r.stdout, /--rounds/);
  });

  it("refuses bad input, naming the flag or the configuration", () => {
    const fails = (pattern: RegExp, ...args: string[]) => {
      const r = cli("simulate", "--quiet", ...args);
      assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
    };
    fails(/--rounds must be a positive integer, got "0"/, "--rounds", "0");
    fails(/--k must be a positive integer, got "-3"/, "--k", "-3");
    fails(/--users must be a positive integer/, "--users", "0");
    fails(/--users 1000 --items 5: no synthetic world of that size .*give --items 10 or more/, "--items", "5");
    fails(/configuration "bad" .*unknown flag --lossy; did you mean --loss\?/, "bad: --lossy softmax");
    fails(/configuration "g" .*--gradient-adjust in a configuration needs both --alpha-items and --alpha-users/, "g: --loss bpr --gradient-adjust");
    fails(/configuration "a" .*--alpha-items belongs to the gradient-perspective adjustment/, "a: --loss bpr --alpha-items 1");
    fails(/configuration "s" .*--seed was given twice/, "s: --seed 3");
    fails(
      /configuration "soft" .*gradientAdjustment records the gradients of BPR or BCE training.*got "softmax"/,
      "soft: --loss softmax --gradient-adjust --alpha-items 1 --alpha-users 1",
    );
    fails(/two configurations are labelled "x"/, "x: --epochs 1", "x: most-popular");
  });
});

describe("configurations with the gradient adjustment", () => {
  it("carry --gradient-adjust into the training configuration and the fixed α into the serving settings", () => {
    const spec = parseConfiguration("ren: --loss bpr --gradient-adjust --alpha-items 1.2 --alpha-users 0.4 --popular-direction head-mean", 0, [], "compare");
    assert.deepEqual(
      [spec.config!.gradientAdjustment, spec.serving!.alphaItems, spec.serving!.alphaUsers, spec.serving!.popularDirection],
      [true, 1.2, 0.4, "head-mean"],
    );
    assert.equal(parseConfiguration("plain: --loss bpr", 1, [], "compare").config!.gradientAdjustment, false);
    assert.equal(parseConfiguration("plain: --loss bpr", 1, [], "compare").serving, undefined);
    assert.throws(
      () => parseConfiguration("g: --gradient-adjust --alpha-items 1", 0, [], "sweep"),
      (e: unknown) => e instanceof ArgsError && /configuration "g".*needs both --alpha-items and --alpha-users/.test(e.message),
    );
  });
});

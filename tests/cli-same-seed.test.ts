/**
 * Same seed, same bytes (issue 14): two runs of `longtail train` with the same data, configuration
 * and seed on one thread write byte-identical model files, as `cmp` would check. The timings of a
 * run go to stdout (and `--json`), not into the file.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { decodeModelFile } from "../ts/model/model-file.js";
import { cli } from "./support/cli.js";

/** The package's tiny built-in data set (200 users, 141 items, 2,290 timed interactions). */
const DATA = fileURLToPath(new URL("../../examples/data/interactions.csv", import.meta.url));

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "longtail-same-seed-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Trains twice with `flags` and returns both files' bytes and the first run's --json summary. */
function trainTwice(name: string, flags: string[]): { a: Buffer; b: Buffer; summary: Record<string, unknown>; paths: string[] } {
  const paths = ["a", "b"].map((run) => join(dir, `${name}-${run}.ltm`));
  const runs = paths.map((out) => {
    const r = cli("train", "--data", DATA, ...flags, "--seed", "7", "--threads", "1", "--out", out, "--json", "--quiet");
    assert.equal(r.status, 0, r.stderr);
    return { bytes: readFileSync(out), summary: JSON.parse(r.stdout) as Record<string, unknown> };
  });
  return { a: runs[0].bytes, b: runs[1].bytes, summary: runs[0].summary, paths };
}

/** Every key anywhere in a JSON value. */
function keys(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) keys(v, into);
  else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      into.add(k);
      keys(v, into);
    }
  }
  return into;
}

describe("longtail train: same seed, same bytes", () => {
  const cases: [string, string[]][] = [
    ["bpr", ["--loss", "bpr", "--epochs", "3", "--dim", "8"]],
    ["softmax-early-stopping", ["--loss", "softmax", "--epochs", "3", "--dim", "8", "--validation", "0.2", "--patience", "1", "--k", "5"]],
    ["gradient-adjust", ["--loss", "bpr", "--epochs", "2", "--dim", "8", "--gradient-adjust", "--validation", "0.1", "--k", "5"]],
    ["two-tower", ["--model", "two-tower", "--epochs", "2", "--dim", "8", "--max-history", "5"]],
  ];
  for (const [name, flags] of cases) {
    it(`${name}: two runs write identical files; the timings are on stdout only`, () => {
      const { a, b, summary, paths } = trainTwice(name, flags);
      assert.ok(a.length > 0);
      assert.ok(
        a.equals(b),
        `${name}: the two model files differ (${a.length} and ${b.length} bytes; first difference at byte ${a.findIndex((x, i) => x !== b[i])})`,
      );
      // And as a user would check it, where the system has cmp (Debian's diffutils).
      const cmp = spawnSync("cmp", paths, { encoding: "utf8" });
      if (cmp.error === undefined) assert.equal(cmp.status, 0, `cmp: ${cmp.stdout}${cmp.stderr}`);
      assert.equal(typeof summary.trainSeconds, "number", "the run's time is still reported");
      const header = decodeModelFile(a, name);
      const stored = keys(header.metadata);
      for (const timing of ["seconds", "examplesPerSecond", "gridSeconds", "createdAt"]) assert.ok(!stored.has(timing), `${name}: metadata keeps "${timing}"`);
      assert.equal(header.createdAt, undefined);
      assert.ok(stored.has("epochs") && stored.has("loss"), `${name}: the losses are still in the file`);
    });
  }
});

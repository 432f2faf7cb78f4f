import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cli } from "./support/cli.js";
import { writeFallingPopularityFolder } from "./support/falling-popularity.js";

let dir: string;
let model: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), "longtail-invr-cli-"));
  model = writeFallingPopularityFolder(dir, 40);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("longtail invr", () => {
  it("--json: main lists against each ordering's slates, with the item → users pass and relative changes", () => {
    const r = cli("invr", "--model", model, "--data", dir, "--k", "6", "--top-n", "5", "--slots", "2,5", "--exposure-threshold", "2", "--json", "--quiet");
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.k, 6);
    assert.equal(out.topN, 5);
    assert.deepEqual(out.slots, [2, 5]);
    assert.equal(out.selectedItems, out.catalogItems);
    assert.ok(out.itemUsers.retrievedPairs > 0 && out.itemUsers.retrievedPairs <= 5 * out.selectedItems);
    assert.deepEqual(
      out.orderings.map((o: { ordering: string }) => o.ordering),
      ["random", "score", "user-rank"],
    );
    for (const key of ["recall@6", "ndcg@6", "coverage@6", "b50ps@6", "t1ps@6", "psei@6", "gini@6", "longTailShare@6", "medianPopularity@6"]) {
      assert.ok(Number.isFinite(out.main.metrics[key]), `main ${key}`);
      for (const o of out.orderings) assert.ok(Number.isFinite(o.metrics[key]), `${o.ordering} ${key}`);
    }
    for (const o of out.orderings) {
      assert.ok(o.invrItems > 0 && o.invrItems <= 2 * out.users, `${o.ordering}: ${o.invrItems} InvR slots`);
      const base = out.main.metrics["coverage@6"];
      if (base !== 0) assert.ok(Math.abs(o.changes["coverage@6"] - (o.metrics["coverage@6"] - base) / base) < 1e-12);
      assert.ok(Math.abs(o.differences["coverage@6"] - (o.metrics["coverage@6"] - base)) < 1e-12);
    }
  });

  it("text output: the before/after table; --out writes every test user's slates with the InvR positions", () => {
    const file = join(dir, "slates.json");
    const r = cli(
      "invr",
      "--model",
      model,
      "--data",
      dir,
      "--k",
      "6",
      "--top-n",
      "5",
      "--slots",
      "2,5",
      "--ordering",
      "user-rank",
      "--items",
      "tail",
      "--out",
      file,
      "--quiet",
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /item → top-5 users: the \d+ tail items × 40 users in/);
    assert.match(r.stdout, /^metric\s+main\s+user-rank\s+change$/m);
    assert.match(r.stdout, /^b50ps@6\s+[\d.]+\s+[\d.]+\s+/m);
    assert.match(r.stdout, /user-rank: \d+ InvR slots filled/);
    const slates = JSON.parse(readFileSync(file, "utf8"));
    assert.deepEqual(Object.keys(slates.orderings), ["user-rank"]);
    const rows = slates.orderings["user-rank"];
    assert.equal(rows.length, 40);
    const train = new Map(
      readFileSync(join(dir, "train.txt"), "utf8")
        .trim()
        .split("\n")
        .map((line) => {
          const [u, ...items] = line.split(" ");
          return [u, new Set(items)] as const;
        }),
    );
    for (const row of rows) {
      assert.equal(row.slate.length, 6);
      assert.equal(new Set(row.slate).size, 6);
      for (const p of row.invr) assert.ok(p === 2 || p === 5, `InvR at ${p}`);
      for (const item of row.slate) assert.ok(!train.get(row.user)!.has(item), `user ${row.user} is served training item ${item}`);
    }
    assert.ok(rows.some((row: { invr: number[] }) => row.invr.length > 0));
  });

  it("refuses N <= 0, slots outside 1..K, an unknown ordering and unknown items, naming the flag and value", () => {
    const run = (...extra: string[]) => cli("invr", "--model", model, "--data", dir, "--quiet", ...extra);
    let r = run("--top-n", "0");
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--top-n/);
    r = run("--k", "10", "--slots", "3,11");
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--slots "3,11": slot 11 is outside 1\.\.10/);
    r = run("--slots", "0");
    assert.match(r.stderr, /slot 0 is outside 1\.\.20/);
    r = run("--slots", "3,x");
    assert.match(r.stderr, /"x" is not a slot number/);
    r = run("--slots", "4,4");
    assert.match(r.stderr, /slot 4 is given twice/);
    r = run("--ordering", "best");
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--ordering/);
    assert.match(r.stderr, /user-rank/);
    r = run("--items", "1,ghost,2");
    assert.equal(r.status, 1);
    assert.match(r.stderr, /longtail: item "ghost" is not in the model/);
    assert.doesNotMatch(r.stderr, /at .*\.js/, "no stack trace");
  });
});

/**
 * evaluateServedLists measures GIVEN top-K lists with evaluateRanking's definitions: on a model's
 * own top-K lists every metric it reports is exactly evaluateRanking's; on hand-made lists the
 * values are hand-computed; bad lists are refused with messages.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Kernels } from "../ts/kernels/kernels.js";
import { evaluateRanking, evaluateServedLists, EvaluationError } from "../ts/eval/evaluate.js";
import { rankTopLists } from "../ts/eval/ranked-blocks.js";
import { loadWasmInstance } from "../ts/node.js";
import { Rng } from "../ts/util/rng.js";
import { FixedScorer } from "./support/fixed-scorer.js";
import { tinyParts } from "./support/tiny-data.js";

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} != ${b}`);

describe("evaluateServedLists", () => {
  it("equals evaluateRanking on the scorer's own top-K lists, key for key, less the full-ranking MRRs", async () => {
    const kernels = new Kernels(await loadWasmInstance());
    const rng = new Rng(5);
    const nUsers = 45,
      nItems = 61;
    const train: [number, number][] = [],
      test: [number, number][] = [];
    for (let u = 0; u < nUsers; u++) {
      for (let i = 0; i < nItems; i++) {
        // Popularity falls with i, so head and tail, B50PS and the groups all have something to count.
        const r = rng.next();
        if (r < 0.25 * (1 - i / nItems)) train.push([u, i]);
        else if (r < 0.35 * (1 - i / nItems) && u % 7 !== 0) test.push([u, i]);
      }
    }
    const parts = tinyParts(nUsers, nItems, train, test);
    const scorer = new FixedScorer(
      kernels,
      Array.from({ length: nUsers }, () => Array.from({ length: nItems }, () => rng.normal())),
    );
    for (const [k, options] of [
      [7, {}],
      [13, { head: { minCount: 5 }, exposureThreshold: 2 }],
      [80, {}],
    ] as const) {
      const ranked = evaluateRanking(scorer, parts.train, parts.test, { k, ...options, blockUsers: 4 });
      const users = parts.test.usersWithInteractions();
      const lists = { users, k, items: rankTopLists(scorer, parts.train, users, k, { blockUsers: 6 }) };
      const served = evaluateServedLists(lists, parts.train, parts.test, options);
      const expected = { ...ranked.metrics };
      for (const key of ["mrr", "mrr.head", "mrr.tail", "itemMrr", "itemMrr.head", "itemMrr.tail"]) delete expected[key];
      assert.deepEqual(served.metrics, expected, `K = ${k}`);
      assert.deepEqual(Object.keys(served.metrics), Object.keys(expected), "same keys in the same order");
      assert.deepEqual(served.groups, ranked.groups);
      assert.deepEqual(served.headTail, ranked.headTail);
      assert.equal(served.users, ranked.users);
      assert.equal(served.testInteractions, ranked.testInteractions);
      assert.equal(served.exposureThreshold, ranked.exposureThreshold);
    }
  });

  it("measures hand-made lists: accuracy and exposure of what was served, lists of users without test items ignored", async () => {
    // u0 test {i2, i4}, u1 test {i0}; u2 has no test items. Item counts in train: i0 3, i1 2, i2 1, i3 0, i4 0.
    const { train, test } = tinyParts(
      3,
      5,
      [
        [0, 0],
        [1, 0],
        [2, 0],
        [0, 1],
        [2, 1],
        [1, 2],
      ],
      [
        [0, 2],
        [0, 4],
        [1, 0],
      ],
    );
    const lists = { users: Int32Array.from([2, 0, 1]), k: 2, items: Int32Array.from([3, 4, 4, 2, 3, -1]) };
    const r = evaluateServedLists(lists, train, test, { exposureThreshold: 1 });
    // u0: [i4, i2] two hits of two; u1: [i3, empty] no hit.
    close(r.metrics["recall@2"], (1 + 0) / 2, "recall");
    close(r.metrics["ndcg@2"], (1 + 0) / 2, "ndcg");
    close(r.metrics["hitrate@2"], 0.5, "hitrate");
    close(r.metrics["precision@2"], (1 + 0) / 2, "precision");
    assert.equal(r.metrics["mrr"], undefined, "no MRR without a full ranking");
    // Served slots: i4, i2, i3 (u2's list is not counted): 3 of 5 items shown, each once.
    close(r.metrics["coverage@2"], 3 / 5, "coverage");
    close(r.metrics["psei@2"], 3 / 5, "psei with E = 1");
    close(r.metrics["medianPopularity@2"], 0, "median of counts 0, 1, 0");
    close(r.metrics["meanPopularity@2"], 1 / 3, "mean popularity");
    assert.equal(r.users, 2);
  });

  it("refuses lists that are missing a test user, have the wrong length or name items outside the catalog", async () => {
    const { train, test } = tinyParts(
      2,
      3,
      [[0, 0]],
      [
        [0, 1],
        [1, 2],
      ],
    );
    const bad = (lists: { users: Int32Array; k: number; items: Int32Array }, pattern: RegExp) =>
      assert.throws(
        () => evaluateServedLists(lists, train, test, { includeColdStart: true }),
        (e: Error) => e instanceof EvaluationError && pattern.test(e.message),
        String(pattern),
      );
    bad({ users: Int32Array.from([0]), k: 1, items: Int32Array.from([1]) }, /test user "u1" \(index 1\) has held-out items but no list/);
    bad({ users: Int32Array.from([0, 1]), k: 2, items: Int32Array.from([1, 2]) }, /2 lists of K = 2 need 4 items, got 2/);
    bad({ users: Int32Array.from([0, 1]), k: 1, items: Int32Array.from([1, 3]) }, /list 1, slot 1: item index 3 is outside \[0, 3\)/);
    bad({ users: Int32Array.from([0, 0]), k: 1, items: Int32Array.from([1, 2]) }, /user index 0 has two lists/);
    bad({ users: Int32Array.from([0, 1]), k: 0, items: new Int32Array(0) }, /k must be a positive integer, got 0/);
  });
});

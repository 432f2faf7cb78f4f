import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Kernels } from "../ts/kernels/kernels.js";
import { evaluateRanking, EvaluationError } from "../ts/eval/evaluate.js";
import { gini } from "../ts/eval/gini.js";
import { headTailBoundary } from "../ts/eval/head-tail.js";
import { PopularityRanking } from "../ts/eval/popularity-ranking.js";
import { servedPopularityMetrics } from "../ts/eval/served-popularity.js";
import { MostPopular } from "../ts/model/most-popular.js";
import { loadWasmInstance } from "../ts/node.js";
import { FixedScorer } from "./support/fixed-scorer.js";
import { tinyParts } from "./support/tiny-data.js";

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} != ${b}`);
const L = 1 / Math.log2(3); // DCG discount at rank 2

/** Training counts of the 10-item catalog below: ties at 30, at 10 and at 0. Total 165. */
const POPULARITY = Int32Array.from([50, 30, 30, 20, 10, 10, 10, 5, 0, 0]);

describe("Gini of exposure counts", () => {
  it("is 0 for equal values, (m-1)/m for one item holding all, and matches a hand-computed vector", () => {
    close(gini([3, 3, 3, 3]), 0, "all equal");
    close(gini([0, 0, 0, 5]), 3 / 4, "all on one of 4");
    close(gini([0, 0, 0, 0, 0, 0, 0, 0, 0, 9]), 9 / 10, "all on one of 10");
    close(gini([4, 1, 3, 2]), 10 / 40, "1..4: Σ(2j-m-1)x = -3-2+3+12 = 10 over m·Σx = 40");
    close(gini([0, 0]), 0, "nothing shown");
    close(gini([]), 0, "empty catalog");
  });
});

describe("head/tail boundary", () => {
  const ranking = new PopularityRanking(POPULARITY);
  it("by share: the most popular items until the share is reached, widened to every item with the last count", () => {
    // 50, 80, 110, 130, 140 ≥ 0.8·165 = 132 at an item with count 10 → every item with ≥ 10 (7 items, 160 interactions).
    const s80 = headTailBoundary(ranking, { share: 0.8 });
    assert.deepEqual(
      { ...s80.boundary, headInteractionShare: 0 },
      { rule: "share", share: 0.8, minCount: 10, headItems: 7, tailItems: 3, headInteractionShare: 0 },
    );
    close(s80.boundary.headInteractionShare, 160 / 165, "head share 0.8");
    assert.deepEqual([...s80.isHead], [1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
    // 50, 80, 110 ≥ 82.5 at count 30 → i0, i1, i2.
    const s50 = headTailBoundary(ranking, { share: 0.5 });
    assert.equal(s50.boundary.minCount, 30);
    assert.equal(s50.boundary.headItems, 3);
    close(s50.boundary.headInteractionShare, 110 / 165, "head share 0.5");
    // Everything: items without interactions stay tail.
    const s100 = headTailBoundary(ranking, { share: 1 });
    assert.equal(s100.boundary.minCount, 5);
    assert.equal(s100.boundary.headItems, 8);
    close(s100.boundary.headInteractionShare, 1, "head share 1");
  });

  it("by count: every item with at least minCount interactions", () => {
    const c20 = headTailBoundary(ranking, { minCount: 20 });
    assert.equal(c20.boundary.rule, "minCount");
    assert.equal(c20.boundary.share, undefined);
    assert.deepEqual([...c20.isHead], [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    close(c20.boundary.headInteractionShare, 130 / 165, "count 20");
    const none = headTailBoundary(ranking, { minCount: 1000 });
    assert.equal(none.boundary.headItems, 0);
    assert.equal(none.boundary.headInteractionShare, 0);
  });

  it("rejects shares outside (0, 1] and counts that are not positive integers", () => {
    for (const share of [0, -0.1, 1.5, NaN]) assert.throws(() => headTailBoundary(ranking, { share }), /head share must be a number in \(0, 1\]/);
    for (const minCount of [0, 2.5, -3]) assert.throws(() => headTailBoundary(ranking, { minCount }), /minimum count must be a positive integer/);
  });
});

describe("popularity of what is served", () => {
  it("shares tied items at the edge of the top 1% and the bottom 50% by the fraction of their places inside", () => {
    // Order: i0, i1 (7) at places [0, 2); i2..i5 (3) at [2, 6); i6..i8 (1) at [6, 9); i9 (0) at [9, 10).
    const ranking = new PopularityRanking(Int32Array.from([7, 7, 3, 3, 3, 3, 1, 1, 1, 0]));
    // Top 1% = places [0, 0.1): 0.1 of the 2 places of the 7s → 0.05 each.
    assert.deepEqual(
      [...ranking.bandWeights(0, 0.01)].map((w) => +w.toFixed(12)),
      [0.05, 0.05, 0, 0, 0, 0, 0, 0, 0, 0],
    );
    // Bottom 50% = places [5, 10): one of the 4 places of the 3s → 1/4 each; the 1s and the 0 fully.
    assert.deepEqual([...ranking.bandWeights(0.5, 1)], [0, 0, 0.25, 0.25, 0.25, 0.25, 1, 1, 1, 1]);
    const exposure = Int32Array.from([2, 1, 1, 0, 0, 1, 1, 0, 0, 2]); // 8 slots
    const isHead = Uint8Array.from([1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    const m = servedPopularityMetrics(exposure, ranking, { k: 4, isHead, exposureThreshold: 2 });
    close(m["t1ps@4"], (3 * 0.05) / 8, "t1ps");
    close(m["b50ps@4"], (0.25 + 0.25 + 1 + 2) / 8, "b50ps");
    close(m["coverage@4"], 6 / 10, "coverage");
    close(m["psei@4"], 2 / 10, "psei with E = 2: i0 and i9");
    close(m["longTailShare@4"], 5 / 8, "long-tail share");
    // Served popularity, ascending: 0, 0, 1, 3, 3, 7, 7, 7 → median (3 + 3)/2, mean 28/8.
    close(m["medianPopularity@4"], 3, "median");
    close(m["meanPopularity@4"], 28 / 8, "mean");
    // B50PS and T1PS do not depend on item ids: swapping two tied items' exposure changes nothing.
    const swapped = servedPopularityMetrics(Int32Array.from([1, 2, 0, 0, 1, 1, 1, 0, 0, 2]), ranking, { k: 4, isHead, exposureThreshold: 2 });
    close(swapped["b50ps@4"], m["b50ps@4"], "b50ps under a swap of tied items");
    close(swapped["t1ps@4"], m["t1ps@4"], "t1ps under a swap of tied items");
  });

  it("takes the mean of the two middle slots for the median of an even number, and 0 when nothing was served", () => {
    const ranking = new PopularityRanking(Int32Array.from([4, 3, 2, 1]));
    const isHead = new Uint8Array(4);
    const m = servedPopularityMetrics(Int32Array.from([1, 1, 1, 1]), ranking, { k: 1, isHead, exposureThreshold: 1 });
    close(m["medianPopularity@1"], 2.5, "median of 1, 2, 3, 4");
    close(m["gini@1"], 0, "equal exposure");
    const none = servedPopularityMetrics(new Int32Array(4), ranking, { k: 1, isHead, exposureThreshold: 1 });
    for (const [key, value] of Object.entries(none)) assert.equal(value, 0, key);
  });
});

for (const variant of ["simd", "scalar"] as const) {
  describe(`evaluation with popularity metrics (${variant} kernels)`, () => {
    it("matches hand-computed popularity, head/tail accuracy and PSEI on 10 items and 3 users", async () => {
      const kernels = new Kernels(await loadWasmInstance({ variant }));
      const start = kernels.wasm.allocatedBytes;
      // u0 trained on i0, u1 on i1; u2 on nothing. Test: u0 {i2 head, i5, i8}; u1 {i0 head, i9}; u2 {i3, i6} (no head item).
      const { train, test } = tinyParts(
        3,
        10,
        [
          [0, 0],
          [1, 1],
        ],
        [
          [0, 2],
          [0, 5],
          [0, 8],
          [1, 0],
          [1, 9],
          [2, 3],
          [2, 6],
        ],
      );
      const scorer = new FixedScorer(kernels, [
        [9, 8, 7, 6, 5, 4, 3, 2, 1, 0], // top 3 without i0: i1, i2, i3
        [0, 9, 1, 2, 3, 4, 5, 6, 7, 8], // without i1: i9, i8, i7 (then i6, i5, i4, i3, i2, i0)
        [5, 1, 9, 2, 8, 3, 7, 4, 6, 0], // i2, i4, i6
      ]);
      const r = evaluateRanking(scorer, train, test, { k: 3, itemPopularity: POPULARITY, head: { share: 0.5 }, exposureThreshold: 2, includeColdStart: true });
      // By default u2, who has no training interaction (an untrained embedding in a real model), is left out and counted.
      const warm = evaluateRanking(scorer, train, test, { k: 3, itemPopularity: POPULARITY, head: { share: 0.5 }, exposureThreshold: 2 });
      assert.deepEqual([warm.users, warm.coldStartUsers, r.coldStartUsers], [2, 1, 0]);
      const { test: warmTest } = tinyParts(
        3,
        10,
        [
          [0, 0],
          [1, 1],
        ],
        [
          [0, 2],
          [0, 5],
          [0, 8],
          [1, 0],
          [1, 9],
        ],
      );
      assert.deepEqual(
        warm.metrics,
        evaluateRanking(scorer, train, warmTest, { k: 3, itemPopularity: POPULARITY, head: { share: 0.5 }, exposureThreshold: 2 }).metrics,
      );
      const m = r.metrics;
      // Head = {i0, i1, i2} (count ≥ 30).
      assert.deepEqual(r.headTail, {
        rule: "share",
        share: 0.5,
        minCount: 30,
        headItems: 3,
        tailItems: 7,
        headInteractionShare: 110 / 165,
        headUsers: 2,
        tailUsers: 3,
      });
      // Overall: u0 hit i2 at 2 of 3; u1 hit i9 at 1 of 2; u2 hit i6 at 3 of 2.
      close(m["recall@3"], (1 / 3 + 1 / 2 + 1 / 2) / 3, "recall");
      close(m["ndcg@3"], (L / (1 + L + 0.5) + 1 / (1 + L) + 0.5 / (1 + L)) / 3, "ndcg");
      close(m["mrr"], (1 / 2 + 1 + 1 / 3) / 3, "mrr");
      // Head (u0: {i2} hit at 2; u1: {i0} at full rank 9).
      close(m["recall@3.head"], (1 + 0) / 2, "recall head");
      close(m["ndcg@3.head"], (L + 0) / 2, "ndcg head");
      close(m["mrr.head"], (1 / 2 + 1 / 9) / 2, "mrr head");
      close(m["hitrate@3.head"], 1 / 2, "hitrate head");
      close(m["precision@3.head"], (1 / 3 + 0) / 2, "precision head");
      // Tail (u0: {i5, i8}, best i5 at full rank 5; u1: {i9} hit at 1; u2: {i3, i6}, i6 hit at 3).
      close(m["recall@3.tail"], (0 + 1 + 1 / 2) / 3, "recall tail");
      close(m["ndcg@3.tail"], (0 + 1 + 0.5 / (1 + L)) / 3, "ndcg tail");
      close(m["mrr.tail"], (1 / 5 + 1 + 1 / 3) / 3, "mrr tail");
      close(m["hitrate@3.tail"], 2 / 3, "hitrate tail");
      close(m["precision@3.tail"], (0 + 1 / 3 + 1 / 3) / 3, "precision tail");
      // Per interaction: u0 i2 at 2, i5 at 5, i8 at 8; u1 i0 at 9, i9 at 1; u2 (nothing excluded) i3 at 8, i6 at 3.
      close(m["itemMrr.head"], (1 / 2 + 1 / 9) / 2, "item mrr head: i2, i0");
      close(m["itemMrr.tail"], (1 / 5 + 1 / 8 + 1 + 1 / 8 + 1 / 3) / 5, "item mrr tail");
      close(m["itemMrr"], (1 / 2 + 1 / 9 + 1 / 5 + 1 / 8 + 1 + 1 / 8 + 1 / 3) / 7, "item mrr");
      // Served: i1, i2, i3 | i9, i8, i7 | i2, i4, i6 → exposure [0,1,2,1,1,0,1,1,1,1], 9 slots.
      close(m["coverage@3"], 8 / 10, "coverage");
      close(m["gini@3"], 25 / 90, "gini: sorted 0,0,1×7,2 → (−5−3−1+1+3+5+7 + 9·2)/(10·9)");
      // Served popularity: 30, 30, 20 | 0, 0, 5 | 30, 10, 10 → ascending 0,0,5,10,10,20,30,30,30.
      close(m["medianPopularity@3"], 10, "median popularity");
      close(m["meanPopularity@3"], 135 / 9, "mean popularity");
      close(m["longTailShare@3"], 6 / 9, "long-tail share: all but i1, i2, i2");
      // Bottom 50% = places [5, 10): the 10s hold places [4, 7) → 2/3 each; i7, i8, i9 fully.
      close(m["b50ps@3"], (3 + 2 * (2 / 3)) / 9, "b50ps");
      close(m["t1ps@3"], 0, "t1ps: i0 (places [0, 1)) is never shown");
      close(m["psei@3"], 1 / 10, "psei, E = 2: only i2");
      assert.equal(r.exposureThreshold, 2);
      assert.equal(
        r.groups.reduce((n, g) => n + g.items, 0),
        10,
      );
      const e1 = evaluateRanking(scorer, train, test, { k: 3, itemPopularity: POPULARITY, exposureThreshold: 1, includeColdStart: true });
      close(e1.metrics["psei@3"], 8 / 10, "psei, E = 1 = coverage");
      // The boundary by count: head = {i0..i3}; u2's i3 becomes a head item.
      const byCount = evaluateRanking(scorer, train, test, { k: 3, itemPopularity: POPULARITY, head: { minCount: 20 }, includeColdStart: true });
      assert.equal(byCount.headTail.headUsers, 3);
      close(byCount.metrics["recall@3.head"], (1 + 0 + 0) / 3, "recall head by count");
      assert.equal(kernels.wasm.allocatedBytes, start);
    });
  });
}

describe("the five popularity groups", () => {
  it("cuts 20 items into 1, 1, 1, 1 and 16 and reports slot share and recall per group", async () => {
    const kernels = new Kernels(await loadWasmInstance());
    // Popularity 20, 19, ..., 1: item i is at place i.
    const popularity = Int32Array.from({ length: 20 }, (_, i) => 20 - i);
    const { train, test } = tinyParts(
      2,
      20,
      [],
      [
        [0, 0],
        [0, 5],
        [1, 4],
        [1, 3],
        [1, 10],
      ],
    );
    const u1 = new Array(20).fill(0);
    u1[10] = 2;
    u1[4] = 1;
    const scorer = new FixedScorer(kernels, [Array.from({ length: 20 }, (_, i) => 20 - i), u1]); // tops: i0, i1 | i10, i4
    const r = evaluateRanking(scorer, train, test, { k: 2, itemPopularity: popularity, includeColdStart: true });
    assert.deepEqual(r.groups, [
      { name: "top 5%", items: 1, minCount: 20, maxCount: 20, slotShare: 0.25, recall: 1, users: 1 },
      { name: "5-10%", items: 1, minCount: 19, maxCount: 19, slotShare: 0.25, recall: 0, users: 0 },
      { name: "10-15%", items: 1, minCount: 18, maxCount: 18, slotShare: 0, recall: 0, users: 0 },
      { name: "15-20%", items: 1, minCount: 17, maxCount: 17, slotShare: 0, recall: 0, users: 1 },
      { name: "bottom 80%", items: 16, minCount: 1, maxCount: 16, slotShare: 0.5, recall: (0 + 1) / 2, users: 2 },
    ]);
    assert.equal(r.metrics["slotShare@2.group1"], 0.25);
    assert.equal(r.metrics["recall@2.group4"], 0);
    assert.equal(r.metrics["slotShare@2.group5"], 0.5);
    assert.equal(r.metrics["recall@2.group5"], 0.5);
  });
});

describe("popularity metrics of the Most Popular shelf and bad options", () => {
  it("evaluates MostPopular the same way, with popularity from the training counts by default", async () => {
    const kernels = new Kernels(await loadWasmInstance());
    const { train, test } = tinyParts(
      3,
      4,
      [
        [0, 3],
        [1, 3],
        [2, 3],
        [0, 2],
        [1, 2],
        [0, 1],
      ],
      [
        [2, 2],
        [2, 1],
      ],
    );
    const r = evaluateRanking(new MostPopular(kernels, train.nUsers, train.itemCounts()), train, test, { k: 2 });
    // Counts i0..i3 = 0, 1, 2, 3; u2 saw i3 and is served i2, i1.
    close(r.metrics["coverage@2"], 2 / 4, "coverage");
    close(r.metrics["gini@2"], 4 / 8, "gini of 0, 1, 1, 0");
    close(r.metrics["meanPopularity@2"], 1.5, "mean popularity");
    close(r.metrics["medianPopularity@2"], 1.5, "median popularity");
    // Head by 0.8 of 6: 3, then 5 ≥ 4.8 at count 2 → {i2, i3}.
    assert.equal(r.headTail.minCount, 2);
    close(r.metrics["longTailShare@2"], 1 / 2, "long-tail share");
  });

  it("rejects an exposure threshold that is not a positive integer and popularity of the wrong length", async () => {
    const kernels = new Kernels(await loadWasmInstance());
    const { train, test } = tinyParts(1, 3, [[0, 0]], [[0, 1]]);
    const scorer = new FixedScorer(kernels, [[1, 2, 3]]);
    assert.throws(() => evaluateRanking(scorer, train, test, { exposureThreshold: 0 }), /exposure threshold E of PSEI must be a positive integer, got 0/);
    assert.throws(() => evaluateRanking(scorer, train, test, { itemPopularity: new Int32Array(2) }), EvaluationError);
    assert.throws(() => evaluateRanking(scorer, train, test, { head: { share: 2 } }), EvaluationError);
  });
});

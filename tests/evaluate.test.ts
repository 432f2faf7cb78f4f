import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Kernels } from "../ts/kernels/kernels.js";
import { evaluateRanking, EvaluationError } from "../ts/eval/evaluate.js";
import { MostPopular } from "../ts/model/most-popular.js";
import { loadWasmInstance } from "../ts/node.js";
import { FixedScorer } from "./support/fixed-scorer.js";
import { tinyParts } from "./support/tiny-data.js";

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} != ${b}`);

describe("full-ranking evaluation", () => {
  it("matches hand-computed Recall, NDCG, MRR, HitRate and Precision, with training items excluded", async () => {
    const kernels = new Kernels(await loadWasmInstance());
    const start = kernels.wasm.allocatedBytes;
    // u0 trained on i0 (its top score, so exclusion matters); u1 trained on i1, i2.
    const { train, test } = tinyParts(
      2,
      5,
      [
        [0, 0],
        [1, 1],
        [1, 2],
      ],
      [
        [0, 2],
        [0, 4],
        [1, 0],
      ],
    );
    const scorer = new FixedScorer(kernels, [
      [9, 5, 3, 1, 4],
      [1, 8, 7, 2, 0],
    ]);
    const r = evaluateRanking(scorer, train, test, { k: 2 });
    // u0 ranking i1, i4, i2, i3 → hit at rank 2 of 2 relevant; u1 ranking i3, i0, i4 → hit at rank 2 of 1 relevant.
    const lg3 = 1 / Math.log2(3);
    assert.equal(r.users, 2);
    assert.equal(r.testInteractions, 3);
    close(r.metrics["recall@2"], (0.5 + 1) / 2, "recall");
    close(r.metrics["ndcg@2"], (lg3 / (1 + lg3) + lg3 / 1) / 2, "ndcg");
    close(r.metrics["mrr"], 0.5, "mrr");
    close(r.metrics["hitrate@2"], 1, "hitrate");
    close(r.metrics["precision@2"], 0.5, "precision");
    // MRR reads the full ranking: with K = 1 there are no hits, yet the first relevant item is still at rank 2.
    const r1 = evaluateRanking(scorer, train, test, { k: 1 });
    close(r1.metrics["recall@1"], 0, "recall@1");
    close(r1.metrics["mrr"], 0.5, "mrr with K = 1");
    assert.equal(kernels.wasm.allocatedBytes, start);
  });

  it("skips users without test items and handles K larger than the catalog", async () => {
    const kernels = new Kernels(await loadWasmInstance({ variant: "scalar" }));
    const { train, test } = tinyParts(
      3,
      3,
      [
        [0, 0],
        [1, 0],
        [2, 1],
      ],
      [[1, 2]],
    );
    const scorer = new FixedScorer(kernels, [
      [1, 2, 3],
      [3, 2, 1],
      [0, 0, 0],
    ]);
    const r = evaluateRanking(scorer, train, test, { k: 10 });
    assert.equal(r.users, 1);
    close(r.metrics["recall@10"], 1, "recall");
    close(r.metrics["mrr"], 1 / 2, "mrr"); // u1: i1 (2) ranks above i2 (1); i0 excluded
    close(r.metrics["precision@10"], 1 / 10, "precision");
    // A K far above the catalog costs no memory: the lists hold the 3 items, Precision@K divides by K.
    const huge = evaluateRanking(scorer, train, test, { k: 1_000_000_000 });
    close(huge.metrics["recall@1000000000"], 1, "recall at K = 10^9");
    close(huge.metrics["ndcg@1000000000"], r.metrics["ndcg@10"], "ndcg at K = 10^9");
    close(huge.metrics["precision@1000000000"], 1e-9, "precision at K = 10^9");
  });

  it("rejects k <= 0 and data that does not match the model", async () => {
    const kernels = new Kernels(await loadWasmInstance());
    const { train, test } = tinyParts(2, 3, [[0, 0]], [[1, 1]]);
    assert.throws(
      () =>
        evaluateRanking(
          new FixedScorer(kernels, [
            [1, 2, 3],
            [1, 2, 3],
          ]),
          train,
          test,
          { k: 0 },
        ),
      /k must be a positive integer/,
    );
    assert.throws(
      () =>
        evaluateRanking(
          new FixedScorer(kernels, [
            [1, 2],
            [1, 2],
          ]),
          train,
          test,
        ),
      EvaluationError,
    );
  });

  it("ranks the Most Popular baseline by training counts", async () => {
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
    const pop = new MostPopular(kernels, train.nUsers, train.itemCounts());
    const r = evaluateRanking(pop, train, test, { k: 2 });
    // u2 saw i3; popularity order of the rest: i2 (2), i1 (1), i0 (0) → both test items in the top 2.
    close(r.metrics["recall@2"], 1, "recall");
    close(r.metrics["ndcg@2"], 1, "ndcg");
  });
});

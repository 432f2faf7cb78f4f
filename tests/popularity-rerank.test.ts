/**
 * Popularity-penalty re-ranking on a hand-built model whose scores and counts give known answers,
 * and the model file's record of the debiasing configuration (old files still load).
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { Kernels } from "../ts/kernels/kernels.js";
import { evaluateRanking } from "../ts/eval/evaluate.js";
import { MatrixFactorization } from "../ts/mf/matrix-factorization.js";
import { decodeModelFile, encodeModelFile, type ModelFileContents } from "../ts/model/model-file.js";
import { PopularityReranker } from "../ts/model/popularity-rerank.js";
import { loadWasmInstance } from "../ts/node.js";
import { tinyParts } from "./support/tiny-data.js";

let kernels: Kernels;
before(async () => {
  kernels = new Kernels(await loadWasmInstance());
});

/**
 * d = 1, both users have factor 1, so scores are the item factors [3, 2.9, 1, 0.5]; counts
 * [1000, 1, 5, 0]; user 1 interacted with item 1 in training.
 */
function handBuilt(config: Record<string, unknown> = { loss: "softmax", dim: 1 }): ModelFileContents {
  return {
    kind: "mf",
    config,
    shapes: { nUsers: 2, nItems: 4, dim: 1 },
    userIds: ["u0", "u1"],
    itemIds: ["i0", "i1", "i2", "i3"],
    tables: {
      userFactors: { rows: 2, cols: 1, data: Float32Array.from([1, 1]) },
      itemFactors: { rows: 4, cols: 1, data: Float32Array.from([3, 2.9, 1, 0.5]) },
      itemCounts: { rows: 1, cols: 4, data: Int32Array.from([1000, 1, 5, 0]) },
      seenIndptr: { rows: 1, cols: 3, data: Int32Array.from([0, 0, 1]) },
      seenIndices: { rows: 1, cols: 1, data: Int32Array.from([1]) },
    },
  };
}

describe("popularity-penalty re-ranking", () => {
  it("ranks on score − β·log(1 + count) and keeps training items excluded", () => {
    const model = MatrixFactorization.fromModelFile(kernels, handBuilt());
    assert.deepEqual(model.recommend("u0", 4).items, ["i0", "i1", "i2", "i3"]);
    const reranked = model.recommend("u0", 4, { popularityPenalty: 0.1 });
    // 3 − 0.1·ln 1001 = 2.3091, 2.9 − 0.1·ln 2 = 2.8307, 1 − 0.1·ln 6 = 0.8208, 0.5 − 0 = 0.5.
    assert.deepEqual(reranked.items, ["i1", "i0", "i2", "i3"]);
    const expected = [2.9 - 0.1 * Math.log(2), 3 - 0.1 * Math.log(1001), 1 - 0.1 * Math.log(6), 0.5];
    reranked.scores.forEach((s, r) => assert.ok(Math.abs(s - expected[r]) < 1e-5, `score ${r}: ${s} vs ${expected[r]}`));
    assert.deepEqual(model.recommend("u1", 4, { popularityPenalty: 0.1 }).items, ["i0", "i2", "i3"], "the seen item i1 stays out");
    assert.deepEqual(model.recommend("u0", 4, { popularityPenalty: 0 }).items, ["i0", "i1", "i2", "i3"], "β = 0 is the plain ranking");
    assert.throws(() => model.recommend("u0", 4, { popularityPenalty: -1 }), /β must be a non-negative number \(e.g. 0.05\), got -1/);
    assert.throws(() => model.recommend("u0", 4, { popularityPenalty: Number.NaN }), /got NaN/);
    model.dispose();
  });

  it("changes evaluation the same way (Recall@1 of a tail item 0 → 1) and frees what it allocates", () => {
    const start = kernels.wasm.allocatedBytes;
    const model = MatrixFactorization.fromModelFile(kernels, handBuilt());
    // u0 has a training interaction (i3, last in every ranking), so it is not a cold-start user evaluation leaves out.
    const { train, test } = tinyParts(
      2,
      4,
      [
        [1, 1],
        [0, 3],
      ],
      [[0, 1]],
    );
    assert.equal(model.evaluate(train, test, { k: 1 }).metrics["recall@1"], 0);
    assert.equal(model.evaluate(train, test, { k: 1, popularityPenalty: 0.1 }).metrics["recall@1"], 1);
    const wrapper = new PopularityReranker(model, model.itemCounts, 0.1);
    assert.equal(evaluateRanking(wrapper, train, test, { k: 1 }).metrics["recall@1"], 1);
    wrapper.dispose();
    assert.throws(() => new PopularityReranker(model, [1, 2], 0.1), /one count per item: got 2 counts for 4 items/);
    model.dispose();
    assert.equal(kernels.wasm.allocatedBytes, start);
  });
});

describe("the model file records the debiasing configuration", () => {
  it("saves the methods' parameters in the config, and files written before them load as the plain model", async () => {
    const { train } = tinyParts(
      3,
      5,
      [
        [0, 0],
        [0, 1],
        [1, 1],
        [1, 2],
        [2, 3],
        [2, 4],
        [0, 2],
      ],
      [],
    );
    const model = new MatrixFactorization(kernels, {
      loss: "softmax",
      dim: 4,
      epochs: 1,
      logitAdjustment: 0.5,
      spectralPenalty: 0.01,
      ips: true,
      ipsMinPropensity: 0.1,
    });
    await model.fit(train);
    const saved = decodeModelFile(encodeModelFile(model.toModelFile()));
    assert.deepEqual([saved.config.logitAdjustment, saved.config.spectralPenalty, saved.config.ips, saved.config.ipsMinPropensity], [0.5, 0.01, true, 0.1]);
    const loaded = MatrixFactorization.fromModelFile(kernels, saved);
    assert.equal(loaded.config.logitAdjustment, 0.5);
    // Serving a logit-adjusted model ranks on the raw scores P_u·Q_i: no bias is added back.
    const rec = loaded.recommend("u0", 5);
    const P = loaded.userFactors.view,
      Q = loaded.itemFactors.view;
    rec.indices.forEach((i, r) => {
      const raw = [0, 1, 2, 3].reduce((s, c) => s + P[c] * Q[i * 4 + c], 0);
      assert.ok(Math.abs(rec.scores[r] - raw) < 1e-6, `served score ${rec.scores[r]} = raw score ${raw}`);
    });
    assert.deepEqual(rec.scores, model.recommend("u0", 5).scores);
    loaded.dispose();
    model.dispose();
    const old = MatrixFactorization.fromModelFile(kernels, decodeModelFile(encodeModelFile(handBuilt({ loss: "softmax", dim: 1, epochs: 5 }))));
    assert.deepEqual([old.config.logitAdjustment, old.config.spectralPenalty, old.config.ips], [0, 0, false]);
    old.dispose();
  });
});

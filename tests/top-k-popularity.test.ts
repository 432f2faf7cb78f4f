import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { summarisePopularity } from "../bench/top-k-popularity.js";

describe("top-K popularity summary (bench/top-k-popularity)", () => {
  it("matches hand-computed median, mean, coverage, Gini and long-tail share", () => {
    // counts 10, 5, 1, 0: the head (80% of 16 interactions) is items 0 and 1.
    const counts = [10, 5, 1, 0];
    // Two users, K = 2: slots hold items 0, 0, 0, 1 → popularities 10, 10, 10, 5.
    const a = summarisePopularity(counts, [3, 1, 0, 0], 2, 2);
    assert.equal(a.medianPopularity, 10);
    assert.equal(a.meanPopularity, 8.75);
    assert.equal(a.coverage, 0.5);
    // Exposure sorted 0, 0, 1, 3: Σ(2i − m − 1)·x / (m·Σx) = (1·1 + 3·3) / (4·4).
    assert.equal(a.gini, 0.625);
    assert.equal(a.longTailShare, 0);
    const b = summarisePopularity(counts, [0, 0, 2, 2], 2, 2);
    assert.deepEqual([b.medianPopularity, b.meanPopularity, b.coverage, b.gini, b.longTailShare], [0.5, 0.5, 0.5, 0.5, 1]);
    const even = summarisePopularity(counts, [1, 1, 1, 1], 2, 2);
    assert.equal(even.gini, 0);
    assert.equal(even.coverage, 1);
  });
});

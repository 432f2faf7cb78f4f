/**
 * Fold-in (MatrixFactorization.recommendForHistory) against plain f64 references: the
 * regularised least-squares user vector solved by Gaussian elimination instead of Cholesky, and the
 * scores and top-k recomputed in TS, on random shapes (d = 1, d not a multiple of 4, one-item and
 * repeated histories); the history never appears in the answer; bad input is a clear error.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { Kernels } from "../ts/kernels/kernels.js";
import { DEFAULT_FOLD_IN_REGULARIZATION, foldInUser } from "../ts/mf/fold-in.js";
import { MatrixFactorization } from "../ts/mf/matrix-factorization.js";
import { UnknownIdError } from "../ts/model/recommendation.js";
import type { ModelFileContents } from "../ts/model/model-file.js";
import { solveSymmetricPositiveDefinite } from "../ts/util/cholesky.js";
import { loadWasmInstance } from "../ts/node.js";
import { Rng } from "../ts/util/rng.js";

let kernels: Kernels;
before(async () => {
  kernels = new Kernels(await loadWasmInstance());
});

/** A model file with Gaussian tables; user 0 saw items 0 and 1 in training. */
function randomModel(rng: Rng, nItems: number, dim: number): ModelFileContents {
  const normal = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
  return {
    kind: "mf",
    config: { loss: "bpr", dim },
    shapes: { nUsers: 2, nItems, dim },
    userIds: ["u0", "u1"],
    itemIds: Array.from({ length: nItems }, (_, i) => `i${i}`),
    tables: {
      userFactors: { rows: 2, cols: dim, data: normal(2 * dim) },
      itemFactors: { rows: nItems, cols: dim, data: normal(nItems * dim) },
      itemCounts: { rows: 1, cols: nItems, data: Int32Array.from({ length: nItems }, () => 1 + rng.int(500)) },
      seenIndptr: { rows: 1, cols: 3, data: Int32Array.from([0, 2, 2]) },
      seenIndices: { rows: 1, cols: 2, data: Int32Array.from([0, 1]) },
    },
  };
}

/** (Q_hᵀQ_h + λI) p = Q_hᵀ1 by Gaussian elimination with partial pivoting, in f64. */
function referenceFoldIn(items: ArrayLike<number>, d: number, history: readonly number[], lambda: number): Float64Array {
  const a = Array.from({ length: d }, (_, r) => {
    const row = new Array<number>(d + 1).fill(0);
    for (const h of history) {
      for (let c = 0; c < d; c++) row[c] += items[h * d + r] * items[h * d + c];
      row[d] += items[h * d + r];
    }
    row[r] += lambda;
    return row;
  });
  for (let col = 0; col < d; col++) {
    let pivot = col;
    for (let r = col + 1; r < d; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    for (let r = 0; r < d; r++) {
      if (r === col) continue;
      const f = a[r][col] / a[col][col];
      for (let c = col; c <= d; c++) a[r][c] -= f * a[col][c];
    }
  }
  return Float64Array.from(a, (row, r) => row[d] / row[r]);
}

function referenceScores(items: ArrayLike<number>, m: number, d: number, user: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: m }, (_, i) => {
    let s = 0;
    for (let c = 0; c < d; c++) s += user[c] * items[i * d + c];
    return s;
  });
}

/** Top-k of `scores` leaving out `excluded`, as item indices best first. */
function referenceTopK(scores: ArrayLike<number>, k: number, excluded: ReadonlySet<number>): number[] {
  return Array.from(scores, (s, i) => ({ s, i }))
    .filter(({ i }) => !excluded.has(i))
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .slice(0, k)
    .map(({ i }) => i);
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const scale = Math.max(1, Math.abs(expected[i]));
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance * scale, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

/** The returned items are a top-k of the reference scores: same scores, nothing better left out (up to f32 rounding). */
function assertTopK(indices: Int32Array, scores: Float32Array, reference: Float64Array, k: number, excluded: ReadonlySet<number>): void {
  const expected = referenceTopK(reference, k, excluded);
  assert.equal(indices.length, expected.length);
  for (let r = 0; r < indices.length; r++) {
    assert.ok(!excluded.has(indices[r]), `history item ${indices[r]} was recommended`);
    assertClose([scores[r]], [reference[indices[r]]], 1e-4, `score of item ${indices[r]}`);
    assert.ok(reference[indices[r]] >= reference[expected[expected.length - 1]] - 1e-4, `item ${indices[r]} is not among the reference top ${k}`);
  }
  assert.deepEqual(new Set(indices), new Set(expected), "top-k as sets");
}

describe("fold-in", () => {
  it("the Cholesky solve matches Gaussian elimination on random SPD systems, d = 1 included", () => {
    const rng = new Rng(3);
    for (const d of [1, 2, 5, 13]) {
      const items = Float64Array.from({ length: 9 * d }, () => rng.normal());
      const history = [0, 3, 4, 8];
      const gram = new Float64Array(d * d);
      const rhs = new Float64Array(d);
      for (const h of history)
        for (let r = 0; r < d; r++) {
          rhs[r] += items[h * d + r];
          for (let c = 0; c < d; c++) gram[r * d + c] += items[h * d + r] * items[h * d + c];
        }
      for (let r = 0; r < d; r++) gram[r * d + r] += 0.5;
      assertClose(solveSymmetricPositiveDefinite(gram, rhs, d), referenceFoldIn(items, d, history, 0.5), 1e-10, `d=${d}`);
    }
    assert.throws(() => solveSymmetricPositiveDefinite(Float64Array.from([1, 2, 2, 1]), Float64Array.from([1, 1]), 2), /not positive definite/);
  });

  it("foldInUser solves the regularised least squares of the history (d = 1, 3, 7, 16, 33; histories of 1 to 40 items)", () => {
    const rng = new Rng(5);
    for (const [m, d, h] of [
      [5, 1, 1],
      [20, 3, 2],
      [50, 7, 9],
      [64, 16, 40],
      [100, 33, 4],
    ] as const) {
      const items = Float32Array.from({ length: m * d }, () => rng.normal());
      const history = Array.from({ length: h }, () => rng.int(m));
      const distinct = [...new Set(history)];
      for (const lambda of [0.01, 1, DEFAULT_FOLD_IN_REGULARIZATION]) {
        assertClose(foldInUser(items, d, distinct, lambda), referenceFoldIn(items, d, distinct, lambda), 1e-8, `m=${m} d=${d} |h|=${h} λ=${lambda}`);
      }
    }
    assert.throws(() => foldInUser(new Float32Array(4), 2, [0], 0), /regularisation λ must be a positive number/);
  });

  it("recommendForHistory ranks the catalog by the folded-in vector, leaves the history out and frees what it allocates", () => {
    const rng = new Rng(8);
    for (const [m, d] of [
      [7, 1],
      [41, 5],
      [130, 16],
      [257, 33],
    ] as const) {
      const contents = randomModel(rng, m, d);
      const before = kernels.wasm.allocatedBytes;
      const model = MatrixFactorization.fromModelFile(kernels, contents);
      const items = contents.tables.itemFactors.data;
      const history = [m - 1, 2, 2, 0].filter((i) => i < m); // unsorted, with a repeat
      const excluded = new Set(history);
      const user = referenceFoldIn(items, d, [...excluded], DEFAULT_FOLD_IN_REGULARIZATION);
      const reference = referenceScores(items, m, d, user);
      const k = Math.min(5, m - excluded.size);
      const rec = model.recommendForHistory(Int32Array.from(history), k);
      assertTopK(rec.indices, rec.scores, reference, k, excluded);
      assert.deepEqual(
        rec.items,
        Array.from(rec.indices, (i) => `i${i}`),
      );
      // k beyond what is left: every other item, once.
      const all = model.recommendForHistory(Int32Array.from(history), m + 3);
      assert.equal(all.indices.length, m - excluded.size);
      assert.ok(all.indices.every((i) => !excluded.has(i)));
      // The popularity penalty re-ranks on score − β·log(1 + count).
      const counts = contents.tables.itemCounts.data;
      const penalised = model.recommendForHistory(Int32Array.from(history), k, { popularityPenalty: 0.3 });
      assertTopK(
        penalised.indices,
        penalised.scores,
        reference.map((s, i) => s - 0.3 * Math.log1p(counts[i])),
        k,
        excluded,
      );
      model.dispose();
      assert.equal(kernels.wasm.allocatedBytes, before, "fold-in leaked wasm memory");
    }
  });

  it("serves the folded-in vector like a trained user's, popularity projection included", () => {
    const rng = new Rng(13);
    const m = 60,
      d = 6;
    const contents = randomModel(rng, m, d);
    const model = MatrixFactorization.fromModelFile(kernels, contents);
    model.setPopularityAdjustment({ alphaItems: 0.8, alphaUsers: 0.6, source: "head-mean" });
    const history = [3, 17, 42];
    const folded = foldInUser(contents.tables.itemFactors.data as Float32Array, d, history);
    model.userFactors.view.set(Float32Array.from(folded), 1 * d); // user 1 saw nothing in training
    const asUser = model
      .recommend(1, m)
      .indices.filter((i) => !history.includes(i))
      .slice(0, 8);
    const rec = model.recommendForHistory(Int32Array.from(history), 8);
    assert.deepEqual(new Set(rec.indices), new Set(asUser));
    model.dispose();
  });

  it("rejects an empty history, unknown item indices and k ≤ 0", () => {
    const model = MatrixFactorization.fromModelFile(kernels, randomModel(new Rng(1), 10, 4));
    assert.throws(() => model.recommendForHistory(new Int32Array(0), 5), /history is empty/);
    assert.throws(
      () => model.recommendForHistory(Int32Array.from([3, 10]), 5),
      (e: Error) => e instanceof UnknownIdError && /item index 10 .* outside \[0, 10\)/.test(e.message),
    );
    assert.throws(() => model.recommendForHistory(Int32Array.from([-1]), 5), UnknownIdError);
    for (const k of [0, -2, 1.5]) assert.throws(() => model.recommendForHistory(Int32Array.from([1]), k), /k must be a positive integer/);
    model.dispose();
  });
});

/**
 * The cosine contrastive loss's row kernel (assembly/contrastive.ts) against a plain f64 reference
 * on random shapes: empty, d = 1, sizes off multiples of 4, accidental hits, row weights. Scores
 * near the margin or near 1 would make f32 and f64 disagree on a hinge, so the cases keep them
 * apart (the reference says when one is too close and the case moves its margin).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../ts/util/rng.js";
import type { Kernels } from "../ts/kernels/kernels.js";
import { F32_EPS, VARIANTS, type WasmScope, assertClose, assertCloseNumber, randomF32, randomIndices, withKernels } from "./support/kernel-harness.js";

interface Problem {
  nRows: number;
  d: number;
  N: number;
  users: Float32Array;
  positives: Float32Array;
  negatives: Float32Array;
  negIds: Int32Array;
  posIds: Int32Array;
  rowWeights: Float32Array | null;
  margin: number;
  negativeWeight: number;
}

interface Expected {
  loss: number;
  /** ∂loss/∂scores, row r's N negatives then its positive (N + 1 per row). */
  grad: Float64Array;
  gradUsers: Float64Array;
  gradPositives: Float64Array;
  /** The smallest distance of a score from its hinge (margin for negatives, 1 for positives). */
  closest: number;
}

function dot(a: Float32Array, i: number, b: Float32Array, j: number, d: number): number {
  let s = 0;
  for (let c = 0; c < d; c++) s += a[i * d + c] * b[j * d + c];
  return s;
}

function reference(p: Problem): Expected {
  const { nRows, d, N } = p;
  const grad = new Float64Array(nRows * (N + 1));
  const gradUsers = new Float64Array(nRows * d);
  const gradPositives = new Float64Array(nRows * d);
  const perNegative = N > 0 ? p.negativeWeight / N : 0;
  let loss = 0;
  let closest = Infinity;
  for (let r = 0; r < nRows; r++) {
    const w = p.rowWeights ? p.rowWeights[r] : 1;
    for (let j = 0; j < N; j++) {
      if (p.negIds[j] === p.posIds[r]) continue; // the row's own positive among the negatives: masked
      const s = dot(p.users, r, p.negatives, j, d);
      closest = Math.min(closest, Math.abs(s - p.margin));
      if (s > p.margin) {
        loss += w * perNegative * (s - p.margin);
        grad[r * (N + 1) + j] = w * perNegative;
      }
    }
    const sp = dot(p.users, r, p.positives, r, d);
    closest = Math.min(closest, Math.abs(sp - 1));
    if (sp < 1) {
      loss += w * (1 - sp);
      grad[r * (N + 1) + N] = -w;
    }
    for (let c = 0; c < d; c++) {
      let g = grad[r * (N + 1) + N] * p.positives[r * d + c];
      for (let j = 0; j < N; j++) g += grad[r * (N + 1) + j] * p.negatives[j * d + c];
      gradUsers[r * d + c] = g;
      gradPositives[r * d + c] = grad[r * (N + 1) + N] * p.users[r * d + c];
    }
  }
  return { loss, grad, gradUsers, gradPositives, closest };
}

/** A random problem whose scores all stay at least 1e-3 from their hinges. */
function randomProblem(rng: Rng, nRows: number, d: number, N: number, withWeights: boolean): Problem {
  const nIds = Math.max(2, Math.ceil((nRows + N) / 2)); // few ids: accidental hits are common
  const scale = 1 / Math.sqrt(Math.max(1, d));
  const base = {
    nRows,
    d,
    N,
    users: randomF32(rng, nRows * d),
    positives: randomF32(rng, nRows * d, 2 * scale),
    negatives: randomF32(rng, N * d, scale),
    negIds: randomIndices(rng, N, nIds),
    posIds: randomIndices(rng, nRows, nIds),
    rowWeights: withWeights ? Float32Array.from({ length: nRows }, () => 2 * rng.next()) : null,
    negativeWeight: 0.5 + 200 * rng.next(),
  };
  for (let attempt = 0; ; attempt++) {
    const p = { ...base, margin: Math.fround(1.6 * rng.next() - 0.8) };
    if (reference(p).closest >= 1e-3) return p;
    assert.ok(attempt < 100, "a margin away from every score");
  }
}

function run(k: Kernels, mem: WasmScope, p: Problem) {
  const stride = Math.ceil((p.N + 1) / 4) * 4;
  const negatives = mem.f32From(p.negatives);
  const packed = mem.f32(k.packedItemsLength(p.N, p.d));
  k.packItems(negatives, p.N, p.d, packed);
  const logits = mem.f32(Math.max(1, p.nRows * stride));
  const gradUsers = mem.f32(Math.max(1, p.nRows * p.d));
  const gradPositives = mem.f32(Math.max(1, p.nRows * p.d));
  gradPositives.view.fill(7); // the kernel overwrites, it does not add
  const loss = k.cosineContrastiveRows({
    users: mem.f32From(p.users),
    positives: mem.f32From(p.positives),
    nRows: p.nRows,
    d: p.d,
    packedNegatives: packed,
    negatives,
    N: p.N,
    logits,
    stride,
    negativeIds: mem.i32From(p.negIds),
    positiveIds: mem.i32From(p.posIds),
    rowWeights: p.rowWeights ? mem.f32From(p.rowWeights) : null,
    margin: p.margin,
    negativeWeight: p.negativeWeight,
    gradUsers,
    gradPositives,
  });
  const grad = new Float32Array(p.nRows * (p.N + 1));
  for (let r = 0; r < p.nRows; r++) grad.set(logits.view.subarray(r * stride, r * stride + p.N + 1), r * (p.N + 1));
  return {
    loss,
    grad,
    gradUsers: gradUsers.view.slice(0, p.nRows * p.d),
    gradPositives: gradPositives.view.slice(0, p.nRows * p.d),
  };
}

const SHAPES: ReadonlyArray<[nRows: number, d: number, N: number]> = [
  [0, 8, 16],
  [1, 1, 1],
  [3, 1, 7],
  [5, 3, 5],
  [7, 8, 33],
  [13, 17, 64],
  [33, 64, 127],
  [4, 5, 0],
];

for (const variant of VARIANTS) {
  describe(`cosine contrastive rows (${variant})`, () => {
    it("loss, score gradients and both row gradients match the f64 reference (empty, d = 1, odd sizes, masked hits, row weights)", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(31);
        for (const [nRows, d, N] of SHAPES) {
          for (const withWeights of [false, true]) {
            const p = randomProblem(rng, nRows, d, N, withWeights);
            const want = reference(p);
            const got = run(k, mem, p);
            const what = `${nRows}×${N}, d = ${d}${withWeights ? ", weighted" : ""}`;
            // Sums of d products of values up to a few units: f32 error ~ d·ε·|terms|.
            const tol = 64 * (d + 1) * F32_EPS * (1 + p.negativeWeight);
            assertCloseNumber(got.loss, want.loss, tol * Math.max(1, nRows * (N + 1)), `${what}: loss`);
            assertClose(got.grad, want.grad, 4 * F32_EPS * (1 + p.negativeWeight), `${what}: score gradient`);
            assertClose(got.gradUsers, want.gradUsers, tol * Math.max(1, N), `${what}: user gradient`);
            assertClose(got.gradPositives, want.gradPositives, tol, `${what}: positive gradient`);
            mem.freeAll();
          }
        }
      }));

    it("a negative below the margin and a positive at cosine 1 add no loss and no gradient", () =>
      withKernels(variant, (k, mem) => {
        const p: Problem = {
          nRows: 1,
          d: 2,
          N: 2,
          users: Float32Array.of(1, 0),
          positives: Float32Array.of(1, 0),
          negatives: Float32Array.of(0, 1, -1, 0),
          negIds: Int32Array.of(1, 2),
          posIds: Int32Array.of(0),
          rowWeights: null,
          margin: 0.5,
          negativeWeight: 150,
        };
        const got = run(k, mem, p);
        assert.equal(got.loss, 0);
        assert.deepEqual(Array.from(got.grad), [0, 0, 0]);
        assert.deepEqual(Array.from(got.gradUsers), [0, 0]);
        assert.deepEqual(Array.from(got.gradPositives), [0, 0]);
      }));

    it("rejects a stride shorter than N + 1 and short arrays before calling the kernel", () =>
      withKernels(variant, (k, mem) => {
        const d = 4,
          N = 8;
        const args = {
          users: mem.f32(2 * d),
          positives: mem.f32(2 * d),
          nRows: 2,
          d,
          packedNegatives: mem.f32(k.packedItemsLength(N, d)),
          negatives: mem.f32(N * d),
          N,
          logits: mem.f32(2 * 12),
          stride: 12,
          negativeIds: mem.i32(N),
          positiveIds: mem.i32(2),
          rowWeights: null,
          margin: 0.5,
          negativeWeight: 1,
          gradUsers: mem.f32(2 * d),
          gradPositives: mem.f32(2 * d),
        };
        assert.throws(() => k.cosineContrastiveRows({ ...args, stride: 8 }), /stride 8 < N \+ 1 = 9/);
        assert.throws(() => k.cosineContrastiveRows({ ...args, gradUsers: mem.f32(d) }), /cosineContrastiveRows gradUsers/);
        assert.throws(() => k.cosineContrastiveRows({ ...args, rowWeights: mem.f32(1) }), /cosineContrastiveRows rowWeights/);
      }));
  });
}

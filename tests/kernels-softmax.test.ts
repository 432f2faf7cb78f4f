import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../ts/util/rng.js";
import type { Kernels } from "../ts/kernels/kernels.js";
import { referenceLseRows, referenceSoftmaxXent, type SoftmaxProblem } from "./reference/softmax.js";
import { F32_EPS, VARIANTS, type WasmScope, assertClose, assertCloseNumber, randomF32, withKernels } from "./support/kernel-harness.js";

interface Case {
  nRows: number;
  nCols: number;
  stride: number;
  invTemp: number;
  withBias: boolean;
  withWeights: boolean;
}

/** A random problem: 0 to 3 targets per row (repeats possible), scores N(0,1), biases N(0,2), weights in [0, 2). */
function randomProblem(rng: Rng, c: Case): SoftmaxProblem {
  const offsets = [0];
  const targets: number[] = [];
  for (let r = 0; r < c.nRows; r++) {
    const n = c.nCols === 0 ? 0 : rng.int(4);
    for (let t = 0; t < n; t++) targets.push(rng.int(c.nCols));
    offsets.push(targets.length);
  }
  const weights = new Float32Array(c.nRows);
  for (let r = 0; r < c.nRows; r++) weights[r] = 2 * rng.next();
  return {
    scores: randomF32(rng, c.nRows === 0 ? 0 : (c.nRows - 1) * c.stride + c.nCols),
    nRows: c.nRows,
    nCols: c.nCols,
    stride: c.stride,
    invTemp: c.invTemp,
    colBias: c.withBias ? randomF32(rng, c.nCols, 2) : null,
    targetOffsets: Int32Array.from(offsets),
    targetIndices: Int32Array.from(targets),
    rowWeights: c.withWeights ? weights : null,
  };
}

/** Runs the kernel on p; returns the loss and (with writeGrad) the rewritten scores. */
function runKernel(k: Kernels, mem: WasmScope, p: SoftmaxProblem, writeGrad: boolean): { loss: number; scores: Float32Array } {
  const scores = mem.f32From(p.scores);
  const loss = k.softmaxXent(
    scores,
    p.nRows,
    p.nCols,
    p.stride,
    p.invTemp,
    p.colBias ? mem.f32From(p.colBias) : null,
    mem.i32From(p.targetOffsets),
    mem.i32From(p.targetIndices),
    p.rowWeights ? mem.f32From(p.rowWeights) : null,
    writeGrad,
  );
  return { loss, scores: Float32Array.from(scores.view) };
}

function targetCount(p: SoftmaxProblem, r: number): number {
  return p.targetOffsets[r + 1] - p.targetOffsets[r];
}

/**
 * f32 logits carry relative error ~eps·(row magnitude); exp, the blocked sum and the final scaling add
 * a few 1e-7 relative. The loss tolerance sums that over targets; the gradient's is per entry.
 */
function lossTolerance(p: SoftmaxProblem, rowMagnitude: Float64Array): number {
  let tol = 1e-12;
  for (let r = 0; r < p.nRows; r++) {
    const w = p.rowWeights ? Math.abs(p.rowWeights[r]) : 1;
    tol += w * targetCount(p, r) * (3e-6 + 16 * F32_EPS * rowMagnitude[r]);
  }
  return tol;
}

function gradTolerance(p: SoftmaxProblem, expectedGrad: Float64Array, rowMagnitude: Float64Array): (i: number) => number {
  return (i) => {
    const r = Math.floor(i / p.stride);
    if (i % p.stride >= p.nCols) return 0; // padding between rows: must be untouched
    const w = p.rowWeights ? Math.abs(p.rowWeights[r]) : 1;
    const n = targetCount(p, r);
    const scale = w * p.invTemp;
    const probabilityPart = Math.max(0, expectedGrad[i] + scale * n); // bounds scale·n·softmax from above
    return probabilityPart * (3e-6 + 16 * F32_EPS * rowMagnitude[r]) + 2 * F32_EPS * scale * (n + 1) + 1e-30;
  };
}

const CASES: Case[] = [
  { nRows: 0, nCols: 5, stride: 5, invTemp: 1, withBias: false, withWeights: false },
  { nRows: 3, nCols: 1, stride: 1, invTemp: 1, withBias: false, withWeights: false },
  { nRows: 4, nCols: 2, stride: 3, invTemp: 2, withBias: true, withWeights: true },
  { nRows: 5, nCols: 7, stride: 7, invTemp: 10, withBias: false, withWeights: true },
  { nRows: 6, nCols: 13, stride: 16, invTemp: 1, withBias: true, withWeights: false },
  { nRows: 3, nCols: 64, stride: 64, invTemp: 100, withBias: true, withWeights: true },
  { nRows: 7, nCols: 257, stride: 260, invTemp: 10, withBias: true, withWeights: true },
  { nRows: 2, nCols: 1031, stride: 1031, invTemp: 5, withBias: false, withWeights: false },
];

for (const variant of VARIANTS) {
  describe(`softmax kernels (${variant})`, () => {
    it("loss and gradient match the f64 reference on random shapes (weights, biases, strides, repeated and missing targets)", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(21);
        for (const c of CASES) {
          for (let rep = 0; rep < 3; rep++) {
            const p = randomProblem(rng, c);
            const expected = referenceSoftmaxXent(p);
            const what = `${JSON.stringify(c)} rep ${rep}`;
            const lossOnly = runKernel(k, mem, p, false);
            assertCloseNumber(lossOnly.loss, expected.loss, lossTolerance(p, expected.rowMagnitude), `loss ${what}`);
            assert.deepEqual(lossOnly.scores, Float32Array.from(p.scores), `writeGrad=false leaves scores alone ${what}`);
            const withGrad = runKernel(k, mem, p, true);
            assertCloseNumber(withGrad.loss, lossOnly.loss, 1e-12 * (1 + Math.abs(lossOnly.loss)), `same loss with writeGrad ${what}`);
            assertClose(withGrad.scores, expected.grad, gradTolerance(p, expected.grad, expected.rowMagnitude), `gradient ${what}`);
          }
        }
      }));

    it("a row without targets or of weight 0 adds no loss and gets an exactly zero gradient", () =>
      withKernels(variant, (k, mem) => {
        const p: SoftmaxProblem = {
          scores: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]),
          nRows: 3,
          nCols: 5,
          stride: 5,
          invTemp: 1,
          colBias: null,
          targetOffsets: Int32Array.from([0, 0, 1, 2]),
          targetIndices: Int32Array.from([3, 4]),
          rowWeights: Float32Array.from([1, 0, 1]),
        };
        const got = runKernel(k, mem, p, true);
        assert.deepEqual(Array.from(got.scores.subarray(0, 10)), new Array(10).fill(0));
        assertCloseNumber(got.loss, referenceSoftmaxXent(p).loss, 1e-5, "loss of the one live row");
      }));

    it("matches finite differences of its own loss", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(22);
        const p = randomProblem(rng, { nRows: 3, nCols: 6, stride: 6, invTemp: 1.5, withBias: true, withWeights: true });
        p.targetOffsets = Int32Array.from([0, 2, 2, 3]);
        p.targetIndices = Int32Array.from([1, 1, 5]); // row 0 lists column 1 twice, row 1 has none
        const grad = runKernel(k, mem, p, true).scores;
        const scores = Float32Array.from(p.scores);
        for (let i = 0; i < scores.length; i++) {
          const plus = Float32Array.from(scores);
          const minus = Float32Array.from(scores);
          plus[i] += 1e-3;
          minus[i] -= 1e-3;
          const lossPlus = runKernel(k, mem, { ...p, scores: plus }, false).loss;
          const lossMinus = runKernel(k, mem, { ...p, scores: minus }, false).loss;
          const numeric = (lossPlus - lossMinus) / (plus[i] - minus[i]);
          assertCloseNumber(grad[i], numeric, 5e-4 + 1e-3 * Math.abs(numeric), `∂loss/∂scores[${i}]`);
        }
      }));

    it("stays finite and exact for huge logits, very negative biases, ±Infinity scores and invTemp 100", () =>
      withKernels(variant, (k, mem) => {
        const nCols = 9;
        const scores = Float32Array.from([
          1e30,
          0.5,
          -1e30,
          2,
          0,
          1,
          -3,
          0.25,
          1e30, // two huge logits tied at the top
          0.1,
          0.2,
          0.3,
          0.4,
          0.5,
          0.6,
          0.7,
          0.8,
          0.9, // biases −1e30 push columns 1 and 4 out
          Infinity,
          1,
          -Infinity,
          3,
          4,
          5,
          6,
          7,
          -Infinity, // ±Infinity scores saturate at ±f32 max
          -Infinity,
          -Infinity,
          -Infinity,
          -Infinity,
          -Infinity,
          -Infinity,
          -Infinity,
          -Infinity,
          -Infinity,
        ]);
        const colBias = Float32Array.from([0, -1e30, 0, 0, -1e30, 0, 0, 0, 0]);
        const p: SoftmaxProblem = {
          scores,
          nRows: 4,
          nCols,
          stride: nCols,
          invTemp: 100,
          colBias,
          targetOffsets: Int32Array.from([0, 2, 4, 6, 7]),
          targetIndices: Int32Array.from([0, 3, 2, 1, 0, 2, 5]),
          rowWeights: null,
        };
        const expected = referenceSoftmaxXent(p);
        const got = runKernel(k, mem, p, true);
        assert.ok(Number.isFinite(got.loss), `loss ${got.loss}`);
        for (let i = 0; i < got.scores.length; i++) assert.ok(Number.isFinite(got.scores[i]), `gradient[${i}] = ${got.scores[i]}`);
        assertCloseNumber(got.loss, expected.loss, 1e-6 * Math.abs(expected.loss), "loss");
        // Softmax values here are point masses, even splits or ratios of e^(10k), all exact to ~1e-6 relative in f32.
        assertClose(got.scores, expected.grad, (i) => 1e-5 * (1 + Math.abs(expected.grad[i])) * p.invTemp, "gradient");
        const lse = mem.f32(4);
        k.lseRows(mem.f32From(scores), 4, nCols, nCols, 100, mem.f32From(colBias), lse);
        for (let r = 0; r < 4; r++) assert.ok(Number.isFinite(lse.view[r]), `lse[${r}] = ${lse.view[r]}`);
      }));

    it("a NaN score makes the loss NaN instead of hiding it (vector and tail positions)", () =>
      withKernels(variant, (k, mem) => {
        for (const at of [1, 9]) {
          const scores = Float32Array.from({ length: 10 }, (_, i) => i / 10);
          scores[at] = NaN;
          const p: SoftmaxProblem = {
            scores,
            nRows: 1,
            nCols: 10,
            stride: 10,
            invTemp: 1,
            colBias: null,
            targetOffsets: Int32Array.from([0, 1]),
            targetIndices: Int32Array.from([0]),
            rowWeights: null,
          };
          assert.ok(Number.isNaN(runKernel(k, mem, p, false).loss), `NaN at column ${at}`);
        }
      }));

    it("exp is accurate to 4e-7 relative over its whole range: softmax of [0, x, -Inf, -Inf] for x from −87 to 80", () =>
      withKernels(variant, (k, mem) => {
        // With target 0, gradient[1] = softmax_1 = e^x/(1+e^x): a direct read-out of exp. Four
        // columns put the row on the vector path of the SIMD build; -Infinity columns contribute 0.
        const xs: number[] = [];
        for (let x = -87; x <= 80; x += 0.0137) xs.push(Math.fround(x));
        const scores = new Float32Array(xs.length * 4).fill(-Infinity);
        xs.forEach((x, r) => {
          scores[4 * r] = 0;
          scores[4 * r + 1] = x;
        });
        const p: SoftmaxProblem = {
          scores,
          nRows: xs.length,
          nCols: 4,
          stride: 4,
          invTemp: 1,
          colBias: null,
          targetOffsets: Int32Array.from(xs.map((_, r) => r).concat(xs.length)),
          targetIndices: new Int32Array(xs.length),
          rowWeights: null,
        };
        const got = runKernel(k, mem, p, true).scores;
        xs.forEach((x, r) => {
          const expected = x < 0 ? Math.exp(x) / (1 + Math.exp(x)) : 1 / (1 + Math.exp(-x));
          assertCloseNumber(got[4 * r + 1], expected, 4e-7 * expected, `softmax_1 at x=${x}`);
        });
      }));

    it("a 41,000-column row (full-catalog softmax) keeps its accuracy", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(23);
        const p = randomProblem(rng, { nRows: 2, nCols: 41_003, stride: 41_003, invTemp: 10, withBias: true, withWeights: false });
        p.targetOffsets = Int32Array.from([0, 1, 2]);
        p.targetIndices = Int32Array.from([17, 40_000]);
        const expected = referenceSoftmaxXent(p);
        const got = runKernel(k, mem, p, true);
        assertCloseNumber(got.loss, expected.loss, lossTolerance(p, expected.rowMagnitude), "loss");
        assertClose(got.scores, expected.grad, gradTolerance(p, expected.grad, expected.rowMagnitude), "gradient");
      }));

    it("lseRows matches the reference; a row of no columns gives -Infinity", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(24);
        for (const c of CASES.concat([{ nRows: 3, nCols: 0, stride: 4, invTemp: 1, withBias: false, withWeights: false }])) {
          const p = randomProblem(rng, c);
          const out = mem.f32(c.nRows);
          k.lseRows(mem.f32From(p.scores), c.nRows, c.nCols, c.stride, c.invTemp, p.colBias ? mem.f32From(p.colBias) : null, out);
          const expected = referenceLseRows(p.scores, c.nRows, c.nCols, c.stride, c.invTemp, p.colBias ?? null);
          const magnitude = referenceSoftmaxXent(p).rowMagnitude;
          assertClose(out.view, expected, (r) => 3e-6 * (1 + Math.abs(expected[r])) + 16 * F32_EPS * magnitude[r], `lseRows ${JSON.stringify(c)}`);
          if (c.nCols === 0) assert.ok(Array.from(out.view).every((v) => v === -Infinity));
        }
      }));

    it("rejects a target outside the row before calling the kernel", () =>
      withKernels(variant, (k, mem) => {
        assert.throws(
          () => k.softmaxXent(mem.f32(8), 2, 4, 4, 1, null, mem.i32From([0, 1, 2]), mem.i32From([3, 4]), null, true),
          /softmaxXent targets: index 4 at position 1/,
        );
      }));
  });
}

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../ts/util/rng.js";
import { referenceAdagradRows, referenceAdamRows, referenceSgdRows } from "./reference/optimizers.js";
import { VARIANTS, assertClose, randomF32, withKernels } from "./support/kernel-harness.js";
import { ADAM_EPS, BETA1, BETA2, TableOptimizer, adamHorizon } from "../ts/train/optimizer.js";

const STEPS = 4;
const TABLE_ROWS = 9;

/** nRows distinct rows of a TABLE_ROWS table in random order, or null for the dense rows 0..nRows-1. */
function touchedRows(rng: Rng, nRows: number, dense: boolean): Int32Array | null {
  if (dense) return null;
  return Int32Array.from(rng.shuffle(Array.from({ length: TABLE_ROWS }, (_, i) => i)).slice(0, nRows));
}

/** Parameter rows no step touched: they must come out bit-for-bit unchanged. */
function untouched(rows: Int32Array | null, nRows: number): number[] {
  const hit = new Set(rows ? Array.from(rows) : Array.from({ length: nRows }, (_, i) => i));
  return Array.from({ length: TABLE_ROWS }, (_, i) => i).filter((i) => !hit.has(i));
}

// Parameters are N(0, 1) plus a few steps of ~0.1 and accumulators a few units: after a few steps of
// f32 arithmetic the kernels sit within a few ulps of such values from the f64 reference.
const PARAM_TOLERANCE = 4e-6;
/**
 * Optimizer state (accumulators, moments) is compared relative to its own size; a first moment can
 * cancel to far below the size of the terms it sums, hence the floor at 1% of the array's largest value.
 */
function relativeTo(expected: Float64Array): (i: number) => number {
  const largest = expected.reduce((a, x) => Math.max(a, Math.abs(x)), 0);
  return (i) => 4e-6 * (Math.abs(expected[i]) + 0.01 * largest) + 1e-30;
}

const CASES: Array<[d: number, nRows: number, dense: boolean, l2: number]> = [
  [1, 1, false, 0],
  [3, 5, false, 0.01],
  [4, 0, false, 0],
  [7, 4, true, 0.05],
  [16, 9, false, 0],
  [33, 6, false, 0.01],
  [64, 3, true, 0],
];

for (const variant of VARIANTS) {
  describe(`optimizer kernels (${variant})`, () => {
    it("sgdRows follows the reference over several steps; other rows untouched", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(51);
        for (const [d, nRows, dense, l2] of CASES) {
          const params0 = randomF32(rng, TABLE_ROWS * d);
          const params = mem.f32From(params0);
          const expected = Float64Array.from(params0);
          const rows = touchedRows(rng, nRows, dense);
          for (let step = 0; step < STEPS; step++) {
            const grads = randomF32(rng, nRows * d);
            k.sgdRows(params, d, rows && mem.i32From(rows), nRows, mem.f32From(grads), 0.1, l2);
            referenceSgdRows(expected, d, rows, nRows, grads, 0.1, l2);
          }
          assertClose(params.view, expected, PARAM_TOLERANCE, `sgd d=${d} nRows=${nRows} dense=${dense}`);
          for (const r of untouched(rows, nRows)) assert.deepEqual(params.view.subarray(r * d, (r + 1) * d), params0.subarray(r * d, (r + 1) * d));
        }
      }));

    it("adagradRows follows the reference (parameters and accumulators) over several steps", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(52);
        for (const [d, nRows, dense, l2] of CASES) {
          const params0 = randomF32(rng, TABLE_ROWS * d);
          const accum0 = Float32Array.from(randomF32(rng, TABLE_ROWS * d), (x) => x * x);
          const params = mem.f32From(params0);
          const accum = mem.f32From(accum0);
          const expectedParams = Float64Array.from(params0);
          const expectedAccum = Float64Array.from(accum0);
          const rows = touchedRows(rng, nRows, dense);
          for (let step = 0; step < STEPS; step++) {
            const grads = randomF32(rng, nRows * d);
            k.adagradRows(params, accum, d, rows && mem.i32From(rows), nRows, mem.f32From(grads), 0.05, 1e-8, l2);
            referenceAdagradRows(expectedParams, expectedAccum, d, rows, nRows, grads, 0.05, 1e-8, l2);
          }
          const what = `adagrad d=${d} nRows=${nRows} dense=${dense}`;
          assertClose(params.view, expectedParams, PARAM_TOLERANCE, `${what} params`);
          assertClose(accum.view, expectedAccum, relativeTo(expectedAccum), `${what} accum`);
          for (const r of untouched(rows, nRows)) assert.deepEqual(accum.view.subarray(r * d, (r + 1) * d), accum0.subarray(r * d, (r + 1) * d));
        }
      }));

    it("adamRows follows the reference with lazy moments and the global step's bias correction", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(53);
        for (const [d, nRows, dense, l2] of CASES) {
          const params0 = randomF32(rng, TABLE_ROWS * d);
          const params = mem.f32From(params0);
          const m = mem.f32From(new Float32Array(TABLE_ROWS * d));
          const v = mem.f32From(new Float32Array(TABLE_ROWS * d));
          const expectedParams = Float64Array.from(params0);
          const expectedM = new Float64Array(TABLE_ROWS * d);
          const expectedV = new Float64Array(TABLE_ROWS * d);
          for (let step = 1; step <= STEPS; step++) {
            // A different set of rows each step: a row skipped at step 2 resumes with step 3's correction.
            const rows = touchedRows(rng, nRows, dense);
            const grads = randomF32(rng, nRows * d);
            k.adamRows(params, m, v, d, rows && mem.i32From(rows), nRows, mem.f32From(grads), 0.01, 0.9, 0.999, 1e-8, step, l2);
            // The kernel receives its hyper-parameters as f32: 1 − f32(0.999) differs from 0.001 by 1.3e-5 relative.
            const [lr, beta1, beta2, eps, l2f] = [0.01, 0.9, 0.999, 1e-8, l2].map(Math.fround);
            referenceAdamRows(expectedParams, expectedM, expectedV, d, rows, nRows, grads, lr, beta1, beta2, eps, step, l2f);
          }
          const what = `adam d=${d} nRows=${nRows} dense=${dense}`;
          assertClose(params.view, expectedParams, PARAM_TOLERANCE, `${what} params`);
          assertClose(m.view, expectedM, relativeTo(expectedM), `${what} m`);
          assertClose(v.view, expectedV, relativeTo(expectedV), `${what} v`);
        }
      }));

    it("adamRows' first step moves each touched parameter by lr against the gradient's sign", () =>
      withKernels(variant, (k, mem) => {
        // At step 1, m̂ = g and v̂ = g², so the update is lr·g/(|g| + eps): the textbook check that
        // the bias correction is applied.
        const params = mem.f32From([1, 1, 1, 1, 1]);
        const grads = mem.f32From([0.5, -2, 1e-3, -7, 3]);
        const m = mem.f32From(new Float32Array(5));
        const v = mem.f32From(new Float32Array(5));
        k.adamRows(params, m, v, 5, null, 1, grads, 0.1, 0.9, 0.999, 1e-8, 1, 0);
        assertClose(params.view, [0.9, 1.1, 0.9, 1.1, 0.9], 1e-6, "params after one step");
      }));

    it("dense Adam updates: sparse steps plus the skipped steps' catch-up equal dense Adam stepping every row", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(54);
        for (const [d, perStep] of [
          [1, 2],
          [3, 4],
          [8, 1],
          [17, 6],
        ] as const) {
          const params0 = randomF32(rng, TABLE_ROWS * d);
          const table = mem.f32From(params0);
          const optimizer = new TableOptimizer(k, "adam", table, d, 0.01, 0, false, true);
          // Dense Adam: every row at every step, a zero gradient for the rows the step does not touch.
          const expected = Float64Array.from(params0);
          const [m, v] = [new Float64Array(TABLE_ROWS * d), new Float64Array(TABLE_ROWS * d)];
          const [beta1, beta2, eps] = [BETA1, BETA2, ADAM_EPS].map(Math.fround);
          let step = 0;
          try {
            // Three epochs with the rate changed between them (a schedule), rows touched at random: some
            // rows sit out a whole epoch, some resume after one step, some every step.
            for (const rate of [0.01, 0.004, 0.001]) {
              optimizer.setLearningRate(rate);
              for (let s = 0; s < 25; s++) {
                const rows = Int32Array.from(rng.shuffle(Array.from({ length: TABLE_ROWS - 2 }, (_, i) => i)).slice(0, perStep));
                const grads = randomF32(rng, perStep * d);
                optimizer.apply(mem.i32From(rows), perStep, mem.f32From(grads));
                const dense = new Float32Array(TABLE_ROWS * d);
                rows.forEach((r, i) => dense.set(grads.subarray(i * d, (i + 1) * d), r * d));
                referenceAdamRows(expected, m, v, d, null, TABLE_ROWS, dense, Math.fround(rate), beta1, beta2, eps, ++step, 0);
                // The rows just stepped are already where dense Adam has them.
                for (const r of rows)
                  assertClose(table.view.subarray(r * d, (r + 1) * d), expected.subarray(r * d, (r + 1) * d), 2e-5, `d=${d} step ${step} row ${r}`);
              }
              optimizer.finishEpoch();
              assertClose(table.view, expected, 2e-5, `d=${d} after the epoch at rate ${rate}`);
            }
            // The last two rows never had a gradient: they never moved.
            assert.deepEqual(table.view.subarray((TABLE_ROWS - 2) * d), params0.subarray((TABLE_ROWS - 2) * d));
          } finally {
            optimizer.dispose();
          }
        }
      }));

    it("adamHorizon's table sums the bias-corrected steps a row moves on its momentum", () => {
      const table = adamHorizon(0.9, 0.999);
      const r = 0.9 / Math.sqrt(0.999);
      const c = (s: number) => Math.sqrt(1 - 0.999 ** s) / (1 - 0.9 ** s);
      for (const s of [0, 1, 7, 100, 5000, table.length - 1]) {
        let direct = 0;
        for (let k = 1; k < 2000; k++) direct += r ** k * c(s + k);
        assert.ok(Math.abs(table[s] - direct) < 1e-9 * direct, `E(${s}) = ${table[s]}, summed directly ${direct}`);
      }
      assert.ok(Math.abs(table[table.length - 1] - r / (1 - r)) < 1e-6, "the table ends where c(s) = 1");
    });

    it("rejects a row index outside the table and a step below 1", () =>
      withKernels(variant, (k, mem) => {
        const params = mem.f32(8);
        assert.throws(() => k.sgdRows(params, 4, mem.i32From([2]), 1, mem.f32(4), 0.1, 0), /sgdRows: index 2 at position 0/);
        assert.throws(() => k.adamRows(params, mem.f32(8), mem.f32(8), 4, null, 1, mem.f32(4), 0.1, 0.9, 0.999, 1e-8, 0, 0), /step must be >= 1/);
      }));
  });
}

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../ts/util/rng.js";
import { referenceBlendUnitRows, referenceBlendUnitRowsBackward } from "./reference/history-tower.js";
import { F32_EPS, VARIANTS, assertClose, randomF32, withKernels } from "./support/kernel-harness.js";

// n, d: d = 1, d not a multiple of 4, an empty block, the default d = 64.
const SHAPES = [
  [5, 1],
  [7, 3],
  [9, 17],
  [0, 8],
  [4, 64],
  [33, 6],
] as const;
const BLENDS = [
  [0.5, 0.5],
  [1, 0],
  [0.2, 0.8],
] as const;

for (const variant of VARIANTS) {
  describe(`history tower kernels (${variant})`, () => {
    it("blendUnitRows matches the f64 reference: unit rows and their pre-normalisation norms", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(61);
        for (const [n, d] of SHAPES) {
          for (const [keep, weight] of BLENDS) {
            const rows0 = randomF32(rng, n * d);
            const mixed = randomF32(rng, n * d);
            const rows = mem.f32From(rows0);
            const norms = mem.f32(Math.max(1, n));
            k.blendUnitRows(rows, mem.f32From(mixed), n, d, keep, weight, norms);
            const expected = referenceBlendUnitRows(rows0, mixed, n, d, keep, weight);
            const what = `blendUnitRows n=${n} d=${d} keep=${keep}`;
            assertClose(rows.view.subarray(0, n * d), expected.out, 8 * F32_EPS * (d + 4), what);
            assertClose(norms.view.subarray(0, n), expected.norms, (i) => 8 * F32_EPS * (d + 4) * expected.norms[i], `${what} norms`);
          }
        }
      }));

    it("blendUnitRowsBackward matches the reference, which matches finite differences of the blend", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(62);
        for (const [n, d] of SHAPES) {
          for (const [keep, weight] of BLENDS) {
            const rows0 = randomF32(rng, n * d);
            const mixed0 = randomF32(rng, n * d);
            const grad0 = randomF32(rng, n * d);
            const rows = mem.f32From(rows0);
            const norms = mem.f32(Math.max(1, n));
            k.blendUnitRows(rows, mem.f32From(mixed0), n, d, keep, weight, norms);
            const unit = Float32Array.from(rows.view.subarray(0, n * d));
            const grad = mem.f32From(grad0);
            const gradMixed = mem.f32(Math.max(1, n * d));
            k.blendUnitRowsBackward(rows, grad, gradMixed, norms, n, d, keep, weight);
            const expected = referenceBlendUnitRowsBackward(unit, grad0, norms.view, n, d, keep, weight);
            const what = `blendUnitRowsBackward n=${n} d=${d} keep=${keep}`;
            assertClose(grad.view.subarray(0, n * d), expected.gradRows, 16 * F32_EPS * (d + 4), what);
            assertClose(gradMixed.view.subarray(0, n * d), expected.gradMixed, 16 * F32_EPS * (d + 4), `${what} (mixed)`);
            // The reference against central differences of L = Σ grad0·blend(rows, mixed), in f64.
            const loss = (r: ArrayLike<number>, m: ArrayLike<number>) => {
              const out = referenceBlendUnitRows(r, m, n, d, keep, weight).out;
              let s = 0;
              for (let i = 0; i < out.length; i++) s += grad0[i] * out[i];
              return s;
            };
            const h = 1e-6;
            for (let i = 0; i < Math.min(n * d, 12); i++) {
              for (const [which, input, analytic] of [
                ["id", rows0, expected.gradRows],
                ["mixed", mixed0, expected.gradMixed],
              ] as const) {
                const plus = Float64Array.from(input),
                  minus = Float64Array.from(input);
                plus[i] += h;
                minus[i] -= h;
                const numeric = which === "id" ? (loss(plus, mixed0) - loss(minus, mixed0)) / (2 * h) : (loss(rows0, plus) - loss(rows0, minus)) / (2 * h);
                assert.ok(Math.abs(numeric - analytic[i]) <= 1e-6 * (1 + Math.abs(numeric)), `${what}: ${which}[${i}] ${analytic[i]} vs ${numeric}`);
              }
            }
          }
        }
      }));

    it("a blend that cancels to zero stays zero, with norm 0 and no gradient", () =>
      withKernels(variant, (k, mem) => {
        const rows = mem.f32From([1, -2, 0.5]);
        const norms = mem.f32From([7]);
        k.blendUnitRows(rows, mem.f32From([-1, 2, -0.5]), 1, 3, 0.5, 0.5, norms);
        assert.deepEqual(Array.from(rows.view), [0, 0, 0]);
        assert.equal(norms.view[0], 0);
        const grad = mem.f32From([1, 1, 1]);
        const gradMixed = mem.f32From([5, 5, 5]);
        k.blendUnitRowsBackward(rows, grad, gradMixed, norms, 1, 3, 0.5, 0.5);
        assert.deepEqual(Array.from(grad.view), [0, 0, 0]);
        assert.deepEqual(Array.from(gradMixed.view), [0, 0, 0]);
      }));

    it("refuses buffers shorter than the shapes given", () =>
      withKernels(variant, (k, mem) => {
        assert.throws(() => k.blendUnitRows(mem.f32(5), mem.f32(6), 2, 3, 0.5, 0.5, mem.f32(2)), /blendUnitRows rows: needs 6 elements, has 5/);
        assert.throws(() => k.blendUnitRowsBackward(mem.f32(6), mem.f32(6), mem.f32(6), mem.f32(1), 2, 3, 0.5, 0.5), /norms: needs 2/);
      }));
  });
}

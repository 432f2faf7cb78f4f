import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../ts/util/rng.js";
import { referenceAddOuter, referenceAddToRows, referenceMatvec, referenceMatvecT } from "./reference/matvec.js";
import { F32_EPS, VARIANTS, assertClose, randomF32, withKernels } from "./support/kernel-harness.js";

/** Shapes (n rows, d columns): empty, d = 1, sizes that are not multiples of 4, and a wide one. */
const SHAPES: ReadonlyArray<[number, number]> = [
  [0, 5],
  [4, 0],
  [1, 1],
  [9, 1],
  [7, 3],
  [13, 17],
  [6, 64],
  [3, 129],
  [50, 33],
];

/** f32 error bound of a sum of `terms` products, relative to the sum of their magnitudes. */
const tol = (terms: number, magnitude: number) => 4 * F32_EPS * Math.sqrt(terms + 1) * magnitude + 1e-30;

for (const variant of VARIANTS) {
  describe(`matrix-vector kernels (${variant})`, () => {
    it("matvec (A·x) matches the f64 reference", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(21);
        for (const [n, d] of SHAPES) {
          const a = randomF32(rng, n * d),
            x = randomF32(rng, d);
          const out = mem.f32(n);
          k.matvec(mem.f32From(a), n, d, mem.f32From(x), out);
          const absA = a.map(Math.abs),
            absX = x.map(Math.abs);
          const mag = referenceMatvec(absA, n, d, absX);
          assertClose(out.view, referenceMatvec(a, n, d, x), (r) => tol(d, mag[r]), `matvec n=${n} d=${d}`);
        }
      }));

    it("matvecT (Aᵀ·x) matches the f64 reference and overwrites its output", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(22);
        for (const [n, d] of SHAPES) {
          const a = randomF32(rng, n * d),
            x = randomF32(rng, n);
          const out = mem.f32From(new Float32Array(d).fill(99));
          k.matvecT(mem.f32From(a), n, d, mem.f32From(x), out);
          const mag = referenceMatvecT(a.map(Math.abs), n, d, x.map(Math.abs));
          assertClose(out.view, referenceMatvecT(a, n, d, x), (c) => tol(n, mag[c]), `matvecT n=${n} d=${d}`);
        }
      }));

    it("addOuter (A += alpha·x·yᵀ) matches the f64 reference", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(23);
        for (const [n, d] of SHAPES) {
          const a = randomF32(rng, n * d),
            x = randomF32(rng, n),
            y = randomF32(rng, d);
          const wa = mem.f32From(a);
          k.addOuter(wa, n, d, -0.75, mem.f32From(x), mem.f32From(y));
          const expected = referenceAddOuter(a, n, d, -0.75, x, y);
          assertClose(wa.view, expected, (i) => 4 * F32_EPS * (Math.abs(a[i]) + Math.abs(expected[i] - a[i])) + 1e-30, `addOuter n=${n} d=${d}`);
        }
      }));

    it("addToRows adds one vector to every row and leaves the stride's padding alone", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(24);
        for (const [n, m] of SHAPES) {
          const stride = m + 3;
          const a = randomF32(rng, n * stride),
            v = randomF32(rng, m);
          const wa = mem.f32From(a);
          k.addToRows(wa, n, m, stride, 2.5, mem.f32From(v));
          const expected = referenceAddToRows(a, n, m, stride, 2.5, v);
          assertClose(wa.view, expected, (i) => 4 * F32_EPS * (Math.abs(a[i]) + Math.abs(expected[i] - a[i])) + 1e-30, `addToRows n=${n} m=${m}`);
          for (let r = 0; r < n; r++) for (let c = m; c < stride; c++) assert.equal(wa.view[r * stride + c], a[r * stride + c], "padding untouched");
        }
      }));

    it("rejects buffers shorter than the shape", () =>
      withKernels(variant, (k, mem) => {
        assert.throws(() => k.matvec(mem.f32(5), 2, 3, mem.f32(3), mem.f32(2)), /matvec a: needs 6 elements, has 5/);
        assert.throws(() => k.matvecT(mem.f32(6), 2, 3, mem.f32(1), mem.f32(3)), /matvecT x: needs 2 elements/);
        assert.throws(() => k.addOuter(mem.f32(6), 2, 3, 1, mem.f32(2), mem.f32(2)), /addOuter y: needs 3 elements/);
        assert.throws(() => k.addToRows(mem.f32(6), 2, 4, 3, 1, mem.f32(4)), /stride 3 < m 4/);
      }));
  });
}

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../ts/util/rng.js";
import { referenceDot, referenceGatherRows, referenceRowwiseDot, referenceScatterAddRows } from "./reference/rows.js";
import { AWKWARD_SIZES, F32_EPS, VARIANTS, assertClose, assertCloseNumber, randomF32, randomIndices, withKernels } from "./support/kernel-harness.js";

/** f32 accumulation error of a dot product relative to Σ|a_i·b_i|, with room for the summation order. */
function dotTolerance(a: ArrayLike<number>, b: ArrayLike<number>, n: number, aOffset = 0, bOffset = 0): number {
  let magnitude = 0;
  for (let i = 0; i < n; i++) magnitude += Math.abs(a[aOffset + i] * b[bOffset + i]);
  return 4 * F32_EPS * Math.sqrt(n + 1) * magnitude + 1e-30;
}

for (const variant of VARIANTS) {
  describe(`row kernels (${variant})`, () => {
    it("dot matches the f64 reference for every size, including 0 and non-multiples of 4 and 16", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(11);
        for (const n of [...AWKWARD_SIZES, 1000, 4099]) {
          const a = randomF32(rng, n);
          const b = randomF32(rng, n, 3);
          const got = k.dot(mem.f32From(a), mem.f32From(b), n);
          assertCloseNumber(got, referenceDot(a, b, n), dotTolerance(a, b, n), `dot n=${n}`);
        }
      }));

    it("dot honours element offsets (unaligned starts)", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(12);
        const a = randomF32(rng, 80);
        const b = randomF32(rng, 80);
        const wa = mem.f32From(a);
        const wb = mem.f32From(b);
        for (const [n, ao, bo] of [
          [37, 1, 3],
          [64, 5, 2],
          [19, 0, 7],
        ]) {
          const got = k.dot(wa, wb, n, ao, bo);
          assertCloseNumber(got, referenceDot(a, b, n, ao, bo), dotTolerance(a, b, n, ao, bo), `dot n=${n} offsets ${ao},${bo}`);
        }
      }));

    it("rowwiseDot matches the reference on random shapes, d = 1 and n = 0 included", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(13);
        for (const [n, d] of [
          [0, 8],
          [5, 0],
          [1, 1],
          [9, 1],
          [7, 3],
          [13, 17],
          [6, 64],
          [3, 129],
        ]) {
          const a = randomF32(rng, n * d);
          const b = randomF32(rng, n * d);
          const out = mem.f32(n);
          k.rowwiseDot(mem.f32From(a), mem.f32From(b), n, d, out);
          const expected = referenceRowwiseDot(a, b, n, d);
          assertClose(out.view, expected, (r) => dotTolerance(a, b, d, r * d, r * d), `rowwiseDot n=${n} d=${d}`);
        }
      }));

    it("gatherRows copies the indexed rows exactly (repeats allowed)", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(14);
        for (const [rows, n, d] of [
          [5, 0, 4],
          [1, 3, 1],
          [9, 12, 7],
          [20, 33, 16],
        ]) {
          const src = randomF32(rng, rows * d);
          const idx = randomIndices(rng, n, rows);
          const dst = mem.f32(n * d);
          k.gatherRows(mem.f32From(src), d, mem.i32From(idx), n, dst);
          assert.deepEqual(Array.from(dst.view), Array.from(referenceGatherRows(src, d, idx, n)), `gatherRows n=${n} d=${d}`);
        }
      }));

    it("scatterAddRows accumulates every row sent to a repeated index", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(15);
        for (const [rows, n, d] of [
          [4, 0, 3],
          [1, 5, 1],
          [3, 11, 5],
          [6, 40, 18],
        ]) {
          const dst0 = randomF32(rng, rows * d);
          const src = randomF32(rng, n * d);
          const idx = randomIndices(rng, n, rows);
          const dst = mem.f32From(dst0);
          k.scatterAddRows(dst, d, mem.i32From(idx), n, mem.f32From(src));
          const expected = referenceScatterAddRows(dst0, d, idx, n, src);
          // Each output element is a sum of at most n + 1 terms of size ~1.
          assertClose(dst.view, expected, 4 * F32_EPS * (n + 1) * 4, `scatterAddRows n=${n} d=${d}`);
        }
        // A fixed case where every row lands on row 1: the result is exactly the column sums.
        const dst = mem.f32From([0, 0, 0, 0, 0, 0]);
        k.scatterAddRows(dst, 3, mem.i32From([1, 1, 1]), 3, mem.f32From([1, 2, 3, 10, 20, 30, 100, 200, 300]));
        assert.deepEqual(Array.from(dst.view), [0, 0, 0, 111, 222, 333]);
      }));

    it("transpose writes srcᵀ exactly (0, 1, awkward and tile-crossing shapes; at an offset, leaving the rest of dst alone)", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(17);
        for (const [rows, cols] of [
          [0, 5],
          [5, 0],
          [1, 1],
          [1, 7],
          [7, 1],
          [3, 5],
          [33, 17],
          [70, 64],
          [129, 3],
        ]) {
          const src = randomF32(rng, rows * cols);
          for (const offset of [0, 3]) {
            const before = randomF32(rng, offset + rows * cols + 2);
            const dst = mem.f32From(before);
            k.transpose(mem.f32From(src), rows, cols, dst, offset);
            const expected = Array.from(before);
            for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) expected[offset + c * rows + r] = src[r * cols + c];
            assert.deepEqual(Array.from(dst.view), expected, `${rows}×${cols} at ${offset}`);
          }
        }
        assert.throws(() => k.transpose(mem.f32(6), 2, 3, mem.f32(5)), /transpose dst: needs 6 elements, has 5/);
        assert.throws(() => k.transpose(mem.f32(6), 2, 3, mem.f32(6), -1), /dstOffset must be a non-negative integer/);
        assert.throws(() => k.transpose(mem.f32(6), 2.5, 3, mem.f32(9)), /rows must be a non-negative integer/);
      }));

    it("rejects indices outside the table before calling the kernel", () =>
      withKernels(variant, (k, mem) => {
        const src = mem.f32(8);
        assert.throws(() => k.gatherRows(src, 4, mem.i32From([0, 2]), 2, mem.f32(8)), /index 2 at position 1/);
        assert.throws(() => k.scatterAddRows(src, 4, mem.i32From([-1]), 1, mem.f32(4)), /index -1 at position 0/);
      }));
  });
}

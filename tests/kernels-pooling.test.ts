import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../ts/util/rng.js";
import { referenceAddScaledRows, referenceGemmNT, referencePoolRows, referencePoolRowsBackward, referenceSumRows } from "./reference/pooling.js";
import { F32_EPS, VARIANTS, assertClose, randomF32, randomIndices, withKernels } from "./support/kernel-harness.js";

/** Random CSR offsets: row lengths uniform in 0..maxLen, with every third row empty. */
function randomOffsets(rng: Rng, nRows: number, maxLen: number): Int32Array {
  const off = new Int32Array(nRows + 1);
  for (let r = 0; r < nRows; r++) off[r + 1] = off[r] + (r % 3 === 1 ? 0 : rng.int(maxLen + 1));
  return off;
}

function positiveWeights(rng: Rng, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => 0.05 + rng.next());
}

// tableRows, d, nRows, maxLen: d = 1, d not a multiple of 4, empty batches, contexts up to 50.
const SHAPES = [
  [5, 1, 7, 4],
  [9, 3, 6, 5],
  [12, 17, 9, 8],
  [4, 64, 3, 3],
  [6, 5, 0, 3],
  [30, 33, 11, 50],
  [1, 7, 4, 2],
] as const;

for (const variant of VARIANTS) {
  describe(`pooling kernels (${variant})`, () => {
    it("poolRows (overwrite and accumulate, uniform and weighted) matches the f64 reference", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(41);
        for (const [rows, d, n, maxLen] of SHAPES) {
          for (const weighted of [false, true]) {
            for (const accumulate of [false, true]) {
              const table = randomF32(rng, rows * d);
              const off = randomOffsets(rng, n, maxLen);
              const idx = randomIndices(rng, off[n], rows);
              const w = weighted ? positiveWeights(rng, off[n]) : null;
              const out0 = randomF32(rng, n * d);
              const out = mem.f32From(out0);
              k.poolRows(mem.f32From(table), d, mem.i32From(off), mem.i32From(idx), w && mem.f32From(w), n, out, accumulate);
              const expected = referencePoolRows(table, d, off, idx, w, n, accumulate ? out0 : null);
              assertClose(out.view, expected, 8 * F32_EPS * (maxLen + 2) * 4, `poolRows ${rows}x${d} n=${n} weighted=${weighted} accumulate=${accumulate}`);
            }
          }
        }
      }));

    it("sumRows (overwrite and accumulate, with and without weights, any scale, signed weights) matches the f64 reference", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(43);
        for (const [rows, d, n, maxLen] of SHAPES) {
          for (const weighted of [false, true]) {
            for (const [scale, accumulate] of [
              [1, false],
              [-0.6, true],
              [2.5, false],
            ] as const) {
              const table = randomF32(rng, rows * d);
              const off = randomOffsets(rng, n, maxLen);
              const idx = randomIndices(rng, off[n], rows);
              // Signed weights: unlike poolRows nothing is divided by their sum, which may be 0.
              const w = weighted ? randomF32(rng, off[n]) : null;
              const out0 = randomF32(rng, n * d);
              const out = mem.f32From(out0);
              k.sumRows(mem.f32From(table), d, mem.i32From(off), mem.i32From(idx), w && mem.f32From(w), n, out, { scale, accumulate });
              const expected = referenceSumRows(table, d, off, idx, w, n, scale, accumulate ? out0 : null);
              assertClose(out.view, expected, 8 * F32_EPS * (maxLen + 2) * 4, `sumRows ${rows}x${d} n=${n} weighted=${weighted} scale=${scale}`);
            }
          }
        }
      }));

    it("sumRows refuses an index outside the table, short offsets and a scale that is not finite", () =>
      withKernels(variant, (k, mem) => {
        const table = mem.f32From([1, 2, 3, 4]);
        const out = mem.f32(2);
        assert.throws(() => k.sumRows(table, 2, mem.i32From([0, 1]), mem.i32From([2]), null, 1, out), /sumRows/);
        assert.throws(() => k.sumRows(table, 2, mem.i32From([0]), mem.i32From([0]), null, 1, out), /sumRows offsets/);
        assert.throws(() => k.sumRows(table, 2, mem.i32From([0, 1]), mem.i32From([0]), null, 1, out, { scale: Number.NaN }), /scale must be finite/);
      }));

    it("poolRowsBackward scatters the weighted gradient into the table rows (repeats accumulate)", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(42);
        for (const [rows, d, n, maxLen] of SHAPES) {
          for (const weighted of [false, true]) {
            const off = randomOffsets(rng, n, maxLen);
            const idx = randomIndices(rng, off[n], rows);
            const w = weighted ? positiveWeights(rng, off[n]) : null;
            const g0 = randomF32(rng, rows * d);
            const gradOut = randomF32(rng, n * d);
            const g = mem.f32From(g0);
            k.poolRowsBackward(g, d, mem.i32From(off), mem.i32From(idx), w && mem.f32From(w), n, mem.f32From(gradOut));
            const expected = referencePoolRowsBackward(g0, d, off, idx, w, n, gradOut);
            assertClose(g.view, expected, 8 * F32_EPS * (off[n] + 2) * 4, `poolRowsBackward ${rows}x${d} n=${n} weighted=${weighted}`);
          }
        }
      }));

    it("a context whose weights sum to 0 pools to zero and gets no gradient", () =>
      withKernels(variant, (k, mem) => {
        const table = mem.f32From([1, 2, 3, 4]);
        const out = mem.f32From([9, 9]);
        const off = mem.i32From([0, 2]);
        const idx = mem.i32From([0, 1]);
        const w = mem.f32From([0, 0]);
        k.poolRows(table, 2, off, idx, w, 1, out);
        assert.deepEqual(Array.from(out.view), [0, 0]);
        const g = mem.f32From([0, 0, 0, 0]);
        k.poolRowsBackward(g, 2, off, idx, w, 1, mem.f32From([1, 1]));
        assert.deepEqual(Array.from(g.view), [0, 0, 0, 0]);
      }));

    it("poolRows refuses an index outside the table and offsets that run backwards", () =>
      withKernels(variant, (k, mem) => {
        const table = mem.f32(4 * 2);
        const out = mem.f32(2 * 2);
        assert.throws(() => k.poolRows(table, 2, mem.i32From([0, 1, 2]), mem.i32From([0, 4]), null, 2, out), /index 4 at position 1 is outside \[0, 4\)/);
        assert.throws(() => k.poolRows(table, 2, mem.i32From([0, 2, 1]), mem.i32From([0, 1]), null, 2, out), /offsets\[1..2\] = 2..1/);
        // poolRowsBackward's bound on the rows in use: an index past it is refused, and so is a bound past the table.
        const gradOut = mem.f32(2 * 2);
        assert.throws(
          () => k.poolRowsBackward(table, 2, mem.i32From([0, 1, 2]), mem.i32From([0, 3]), null, 2, gradOut, 3),
          /index 3 at position 1 is outside \[0, 3\)/,
        );
        assert.throws(() => k.poolRowsBackward(table, 2, mem.i32From([0, 1, 2]), mem.i32From([0, 1]), null, 2, gradOut, 5), /poolRowsBackward gradTable/);
        assert.throws(
          () => k.poolRowsBackward(table, 2, mem.i32From([0, 1, 2]), mem.i32From([0, 1]), null, 2, gradOut, 1.5),
          /tableRows must be a non-negative integer, got 1.5/,
        );
      }));

    it("addScaledRows adds each row times its own scale", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(43);
        for (const [n, d] of [
          [0, 4],
          [1, 1],
          [5, 3],
          [7, 17],
          [3, 64],
        ]) {
          const dst0 = randomF32(rng, n * d);
          const src = randomF32(rng, n * d);
          const scales = randomF32(rng, n);
          const dst = mem.f32From(dst0);
          k.addScaledRows(dst, mem.f32From(src), mem.f32From(scales), n, d);
          assertClose(dst.view, referenceAddScaledRows(dst0, src, scales, n, d), 4 * F32_EPS * 8, `addScaledRows n=${n} d=${d}`);
        }
      }));

    it("gemmNT matches C = A·Bᵀ on awkward shapes, and accumulates", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(44);
        for (const [M, N, K] of [
          [0, 3, 4],
          [3, 0, 4],
          [1, 1, 1],
          [5, 1, 7],
          [7, 3, 5],
          [4, 8, 8],
          [9, 13, 300],
          [17, 33, 9],
          [64, 64, 65],
        ]) {
          const a = randomF32(rng, M * K);
          const b = randomF32(rng, N * K);
          const c0 = randomF32(rng, M * N);
          const c = mem.f32From(c0);
          k.gemmNT(mem.f32From(a), mem.f32From(b), c, M, N, K, true);
          const expected = referenceGemmNT(a, b, M, N, K).map((x, i) => x + c0[i]);
          assertClose(c.view, expected, 4 * F32_EPS * Math.sqrt(K + 1) * (K + 1) * 4, `gemmNT ${M}x${N}x${K}`);
        }
      }));
  });
}

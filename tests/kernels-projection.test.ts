import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../ts/util/rng.js";
import { referenceL2NormalizeRows, referenceProjectOut } from "./reference/projection.js";
import { F32_EPS, VARIANTS, assertClose, randomF32, withKernels } from "./support/kernel-harness.js";

function rowNorms(rows: ArrayLike<number>, n: number, d: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += rows[i * d + c] ** 2;
    out[i] = Math.sqrt(s);
  }
  return out;
}

const SHAPES: Array<[n: number, d: number]> = [
  [0, 4],
  [3, 0],
  [1, 1],
  [5, 1],
  [4, 3],
  [7, 5],
  [6, 16],
  [9, 33],
  [3, 128],
];

for (const variant of VARIANTS) {
  describe(`projection kernels (${variant})`, () => {
    it("projectOut matches the f64 reference for alpha in {0, 0.5, 1, 2} on random shapes", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(41);
        for (const [n, d] of SHAPES) {
          for (const alpha of [0, 0.5, 1, 2]) {
            const rows0 = randomF32(rng, n * d);
            const direction = randomF32(rng, d, 3);
            const rows = mem.f32From(rows0);
            k.projectOut(rows, n, d, mem.f32From(direction), alpha);
            const expected = referenceProjectOut(rows0, n, d, direction, alpha);
            const norms = rowNorms(rows0, n, d);
            assertClose(
              rows.view,
              expected,
              (i) => 8 * F32_EPS * Math.sqrt(d + 1) * (1 + alpha) * norms[Math.floor(i / d)] + 1e-30,
              `projectOut n=${n} d=${d} alpha=${alpha}`,
            );
          }
        }
      }));

    it("with alpha = 1 leaves rows orthogonal to the direction, whatever the direction's scale", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(42);
        const n = 6;
        const d = 13;
        const unit = randomF32(rng, d);
        for (const scale of [1e-20, 1, 1e20]) {
          const direction = Float32Array.from(unit, (x) => x * scale);
          const rows = mem.f32From(randomF32(rng, n * d));
          const norms = rowNorms(rows.view, n, d);
          k.projectOut(rows, n, d, mem.f32From(direction), 1);
          const unitNorm = rowNorms(unit, 1, d)[0];
          for (let i = 0; i < n; i++) {
            let along = 0;
            for (let c = 0; c < d; c++) along += (rows.view[i * d + c] * unit[c]) / unitNorm;
            assert.ok(Math.abs(along) <= 16 * F32_EPS * Math.sqrt(d) * norms[i], `row ${i} keeps ${along} along a direction of scale ${scale}`);
          }
        }
      }));

    it("a zero direction leaves the rows bit-for-bit unchanged", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(43);
        const rows0 = randomF32(rng, 5 * 7);
        const rows = mem.f32From(rows0);
        k.projectOut(rows, 5, 7, mem.f32From(new Float32Array(7)), 1);
        assert.deepEqual(rows.view, rows0);
      }));

    it("l2NormalizeRows matches the reference; zero rows stay zero", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(44);
        for (const [n, d] of SHAPES) {
          const rows0 = randomF32(rng, n * d, 5);
          if (n > 1) rows0.fill(0, d, 2 * d); // row 1 is all zero
          const rows = mem.f32From(rows0);
          k.l2NormalizeRows(rows, n, d);
          assertClose(rows.view, referenceL2NormalizeRows(rows0, n, d), 4 * F32_EPS * Math.sqrt(d + 1), `l2NormalizeRows n=${n} d=${d}`);
          if (n > 1)
            assert.ok(
              rows.view.subarray(d, 2 * d).every((x) => x === 0),
              "zero row stays zero",
            );
        }
      }));

    it("l2NormalizeRows gives unit rows for tiny (1e-30) and huge (1e30) rows, whose squared norm leaves f32", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(45);
        const d = 10;
        const unit = randomF32(rng, d);
        const rows0 = new Float32Array(3 * d);
        for (let c = 0; c < d; c++) {
          rows0[c] = unit[c] * 1e-30;
          rows0[d + c] = unit[c] * 1e30;
          rows0[2 * d + c] = unit[c];
        }
        const rows = mem.f32From(rows0);
        k.l2NormalizeRows(rows, 3, d);
        const expected = referenceL2NormalizeRows(rows0, 3, d);
        assertClose(rows.view, expected, 4 * F32_EPS * Math.sqrt(d + 1), "tiny, huge and ordinary rows");
        for (const norm of rowNorms(rows.view, 3, d)) assert.ok(Math.abs(norm - 1) < 1e-6, `norm ${norm}`);
      }));
  });
}

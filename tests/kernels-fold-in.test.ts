import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { foldInUser } from "../ts/mf/fold-in.js";
import { Rng } from "../ts/util/rng.js";
import { VARIANTS, randomF32, withKernels } from "./support/kernel-harness.js";

describe("kernels: fold-in of a batch of histories (fold_in_rows) against foldInUser", () => {
  for (const variant of VARIANTS) {
    it(`${variant}: the same vectors as the TypeScript fold-in, bit for bit; empty histories give zeros`, () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(31);
        for (const d of [1, 3, 8, 17, 64]) {
          const m = 40;
          const table = randomF32(rng, m * d, 0.5);
          const rows = 23;
          const histories = Array.from({ length: rows }, (_, r) =>
            r % 7 === 3 ? [] : [...new Set(Array.from({ length: 1 + rng.int(15) }, () => rng.int(m)))],
          );
          const offsets = Int32Array.from({ length: rows + 1 }, (_, r) => histories.slice(0, r).reduce((s, h) => s + h.length, 0));
          const out = mem.f32(rows * d);
          for (const lambda of [0.1, 10]) {
            k.foldInRows(mem.f32From(table), d, mem.i32From(offsets), mem.i32From(histories.flat().concat([0])), rows, lambda, out);
            const expected = new Float32Array(rows * d);
            histories.forEach((h, r) => h.length && expected.set(Float32Array.from(foldInUser(table, d, h, lambda)), r * d));
            assert.deepEqual(out.view, expected, `d = ${d}, λ = ${lambda}`);
          }
        }
        assert.throws(() => k.foldInRows(mem.f32(4), 2, mem.i32From([0, 1]), mem.i32From([0]), 1, 0, mem.f32(2)), /λ must be a positive number/);
        assert.throws(() => k.foldInRows(mem.f32(4), 2, mem.i32From([0, 1]), mem.i32From([5]), 1, 1, mem.f32(2)), /index 5 at position 0 is outside \[0, 2\)/);
        const nan = mem.f32From([NaN, 1, 0, 1]);
        assert.throws(() => k.foldInRows(nan, 2, mem.i32From([0, 1]), mem.i32From([0]), 1, 1, mem.f32(2)), /not positive definite/);
      }));
  }
});

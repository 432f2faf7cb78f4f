import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../ts/util/rng.js";
import { referenceCountAbove } from "./reference/rank.js";
import { AWKWARD_SIZES, VARIANTS, randomF32, withKernels } from "./support/kernel-harness.js";

for (const variant of VARIANTS) {
  describe(`rank kernel (${variant})`, () => {
    it("countAbove matches the reference for every size, including 0 and non-multiples of 4 and 8", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(31);
        for (const n of [...AWKWARD_SIZES, 1000, 4099]) {
          const scores = randomF32(rng, n);
          const w = mem.f32From(scores);
          // Thresholds taken from the row itself, so ties with the threshold occur.
          for (const t of [-3, 0, n > 0 ? scores[Math.floor(n / 2)] : 0.5, 3]) {
            assert.equal(k.countAbove(w, n, t), referenceCountAbove(scores, n, t), `n=${n} t=${t}`);
          }
        }
      }));

    it("countAbove honours the offset, skips -Infinity and NaN, and checks the length", () =>
      withKernels(variant, (k, mem) => {
        const scores = Float32Array.from([5, 1, -Infinity, 2, NaN, 3, 3, 0, 4, -1]);
        const w = mem.f32From(scores);
        assert.equal(k.countAbove(w, 10, 2), 4); // 5, 3, 3, 4
        assert.equal(k.countAbove(w, 6, 0, 3), 4); // 2, 3, 3, 4 of 2, NaN, 3, 3, 0, 4
        assert.equal(k.countAbove(w, 10, -Infinity), 8);
        assert.equal(k.countAbove(w, 0, -5), 0);
        assert.throws(() => k.countAbove(w, 8, 0, 3), /countAbove scores: needs 11 elements, has 10/);
      }));
  });
}

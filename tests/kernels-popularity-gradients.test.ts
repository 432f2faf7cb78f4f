import { describe, it } from "node:test";
import { Rng } from "../ts/util/rng.js";
import { referenceAccumulatePairGradients, referenceAccumulatePointwiseGradients } from "../ts/engine/reference/popularity-gradients.js";
import { F32_EPS, VARIANTS, assertClose, randomF32, randomIndices, withKernels } from "./support/kernel-harness.js";

// Sizes that are not multiples of 4, d = 1, and empty batches; repeated rows in a batch add up.
const SHAPES: Array<[nUsers: number, nItems: number, d: number, B: number]> = [[3, 4, 1, 0], [2, 3, 1, 5], [4, 6, 3, 9], [5, 7, 5, 17], [6, 9, 16, 40], [3, 5, 33, 12], [8, 11, 64, 70]];

/**
 * f32 rounding: every one of at most B + 1 additions into a row rounds at the size of the running
 * sum (start values are N(0, 1), so below 5; each term |scale|·|Q_i − Q_j| or |scale|·|P_u| below 6·|scale|).
 */
function tolerance(B: number, scale: number): number {
  return 2 * F32_EPS * (B + 1) * (5 + 6 * B * Math.abs(scale));
}

for (const variant of VARIANTS) {
  describe(`popularity-gradient kernels (${variant})`, () => {
    it("accumulatePairGradients matches the f64 reference of Algorithm 1 (BPR triples)", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(61);
        for (const [nUsers, nItems, d, B] of SHAPES) {
          const P = randomF32(rng, nUsers * d), Q = randomF32(rng, nItems * d);
          const accP0 = randomF32(rng, nUsers * d), accQ0 = randomF32(rng, nItems * d);
          const users = randomIndices(rng, B, nUsers), pos = randomIndices(rng, B, nItems), neg = randomIndices(rng, B, nItems);
          const scale = -0.37;
          const accP = mem.f32From(accP0), accQ = mem.f32From(accQ0);
          k.accumulatePairGradients(mem.f32From(P), mem.f32From(Q), d, mem.i32From(users), mem.i32From(pos), mem.i32From(neg), B, scale, accP, accQ);
          const triples = Array.from(users, (u, b) => [u, pos[b], neg[b]] as const);
          const expected = referenceAccumulatePairGradients(P, Q, d, triples, scale, accP0, accQ0);
          assertClose(accP.view, expected.accP, tolerance(B, scale), `accP ${nUsers}×${d}, B=${B}`);
          assertClose(accQ.view, expected.accQ, tolerance(B, scale), `accQ ${nItems}×${d}, B=${B}`);
        }
      }));

    it("accumulatePointwiseGradients matches the f64 reference (BCE rows, positives and negatives)", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(62);
        for (const [nUsers, nItems, d, B] of SHAPES) {
          const P = randomF32(rng, nUsers * d), Q = randomF32(rng, nItems * d);
          const accP0 = randomF32(rng, nUsers * d), accQ0 = randomF32(rng, nItems * d);
          const users = randomIndices(rng, B, nUsers), items = randomIndices(rng, B, nItems);
          const labels = Float32Array.from({ length: B }, () => (rng.next() < 0.3 ? 1 : 0));
          const scale = 0.05;
          const accP = mem.f32From(accP0), accQ = mem.f32From(accQ0);
          k.accumulatePointwiseGradients(mem.f32From(P), mem.f32From(Q), d, mem.i32From(users), mem.i32From(items), mem.f32From(labels), B, scale, accP, accQ);
          const rows = Array.from(users, (u, b) => [u, items[b], labels[b]] as const);
          const expected = referenceAccumulatePointwiseGradients(P, Q, d, rows, scale, accP0, accQ0);
          assertClose(accP.view, expected.accP, tolerance(B, scale), `accP ${nUsers}×${d}, B=${B}`);
          assertClose(accQ.view, expected.accQ, tolerance(B, scale), `accQ ${nItems}×${d}, B=${B}`);
        }
      }));
  });
}

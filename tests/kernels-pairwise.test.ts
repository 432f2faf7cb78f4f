import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../ts/util/rng.js";
import type { Kernels } from "../ts/engine/kernels.js";
import { referenceBceBatch, referenceBprBatch, softplus } from "../ts/engine/reference/pairwise.js";
import { F32_EPS, VARIANTS, WasmScope, assertClose, assertCloseNumber, randomF32, randomIndices, withKernels } from "./support/kernel-harness.js";

/** A batch over small tables: ids repeat, the slots number the distinct ids in order of first use. */
interface Batch {
  d: number;
  B: number;
  P: Float32Array;
  Q: Float32Array;
  users: Int32Array;
  pos: Int32Array;
  neg: Int32Array;
  labels: Float32Array;
  uSlot: Int32Array;
  iSlot: Int32Array;
  jSlot: Int32Array;
  weights: Float32Array | null;
  nUserSlots: number;
  nItemSlots: number;
  userSlotOf: Map<number, number>;
  itemSlotOf: Map<number, number>;
}

function slotsFor(ids: Int32Array[], slotOf: Map<number, number>): Int32Array[] {
  return ids.map((a) => Int32Array.from(a, (id) => {
    if (!slotOf.has(id)) slotOf.set(id, slotOf.size);
    return slotOf.get(id)!;
  }));
}

function randomBatch(rng: Rng, d: number, B: number, nUsers: number, nItems: number, withWeights: boolean, scale = 0.5): Batch {
  const users = randomIndices(rng, B, nUsers);
  const pos = randomIndices(rng, B, nItems);
  const neg = randomIndices(rng, B, nItems);
  if (B > 2) neg[2] = pos[2]; // a negative that is the positive: its gradients cancel
  const labels = Float32Array.from({ length: B }, () => rng.int(2));
  const userSlotOf = new Map<number, number>();
  const itemSlotOf = new Map<number, number>();
  const [uSlot] = slotsFor([users], userSlotOf);
  const [iSlot, jSlot] = slotsFor([pos, neg], itemSlotOf);
  return {
    d, B, P: randomF32(rng, nUsers * d, scale), Q: randomF32(rng, nItems * d, scale), users, pos, neg, labels, uSlot, iSlot, jSlot,
    weights: withWeights ? Float32Array.from({ length: B }, () => 2 * rng.next()) : null,
    nUserSlots: userSlotOf.size, nItemSlots: itemSlotOf.size, userSlotOf, itemSlotOf,
  };
}

interface PairwiseRun {
  loss: number;
  gradU: Float32Array;
  gradI: Float32Array;
}

function runBpr(k: Kernels, mem: WasmScope, b: Batch, gradU0: Float32Array, gradI0: Float32Array): PairwiseRun {
  const gradU = mem.f32From(gradU0);
  const gradI = mem.f32From(gradI0);
  const loss = k.bprBatch(
    mem.f32From(b.P), mem.f32From(b.Q), b.d, mem.i32From(b.users), mem.i32From(b.pos), mem.i32From(b.neg), b.B,
    mem.i32From(b.uSlot), mem.i32From(b.iSlot), mem.i32From(b.jSlot), b.weights && mem.f32From(b.weights), gradU, gradI,
  );
  return { loss, gradU: Float32Array.from(gradU.view), gradI: Float32Array.from(gradI.view) };
}

function runBce(k: Kernels, mem: WasmScope, b: Batch, gradU0: Float32Array, gradI0: Float32Array): PairwiseRun {
  const gradU = mem.f32From(gradU0);
  const gradI = mem.f32From(gradI0);
  const loss = k.bceBatch(
    mem.f32From(b.P), mem.f32From(b.Q), b.d, mem.i32From(b.users), mem.i32From(b.pos), mem.f32From(b.labels), b.B,
    mem.i32From(b.uSlot), mem.i32From(b.iSlot), b.weights && mem.f32From(b.weights), gradU, gradI,
  );
  return { loss, gradU: Float32Array.from(gradU.view), gradI: Float32Array.from(gradI.view) };
}

/**
 * A score s is a dot product: its f32 error is about eps·√d·Σ|terms|, and loss and gradient move by
 * at most |w|·that. The loss tolerance sums it over the batch; gradients get the same relative slack
 * against the largest gradient entry.
 */
function lossTolerance(b: Batch, withNegatives: boolean): number {
  let tol = 1e-12;
  for (let e = 0; e < b.B; e++) {
    let terms = 0;
    for (let c = 0; c < b.d; c++) {
      const q = Math.abs(b.Q[b.pos[e] * b.d + c]) + (withNegatives ? Math.abs(b.Q[b.neg[e] * b.d + c]) : 0);
      terms += Math.abs(b.P[b.users[e] * b.d + c]) * q;
    }
    tol += (b.weights ? b.weights[e] : 1) * (8 * F32_EPS * Math.sqrt(b.d + 1) * terms + 1e-9);
  }
  return tol;
}

function gradTolerance(expected: Float64Array, B: number): number {
  const largest = expected.reduce((a, x) => Math.max(a, Math.abs(x)), 0);
  return 1e-5 * (1 + largest) * Math.sqrt(B + 1);
}

const SHAPES: Array<[d: number, B: number, weights: boolean]> = [
  [1, 5, false], [3, 7, true], [4, 0, false], [7, 12, false], [16, 30, true], [33, 9, false], [64, 50, true],
];

for (const variant of VARIANTS) {
  describe(`pairwise loss kernels (${variant})`, () => {
    it("bprBatch matches the f64 reference and adds into existing gradients", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(61);
        for (const [d, B, withWeights] of SHAPES) {
          const b = randomBatch(rng, d, B, 6, 9, withWeights);
          const gradU0 = randomF32(rng, b.nUserSlots * d, 0.1);
          const gradI0 = randomF32(rng, b.nItemSlots * d, 0.1);
          const got = runBpr(k, mem, b, gradU0, gradI0);
          const gradU = Float64Array.from(gradU0);
          const gradI = Float64Array.from(gradI0);
          const loss = referenceBprBatch(b, b.users, b.pos, b.neg, B, b.uSlot, b.iSlot, b.jSlot, b.weights, gradU, gradI);
          const what = `d=${d} B=${B} weights=${withWeights}`;
          assertCloseNumber(got.loss, loss, lossTolerance(b, true), `loss ${what}`);
          assertClose(got.gradU, gradU, gradTolerance(gradU, B), `gradU ${what}`);
          assertClose(got.gradI, gradI, gradTolerance(gradI, B), `gradI ${what}`);
        }
      }));

    it("bceBatch matches the f64 reference and adds into existing gradients", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(62);
        for (const [d, B, withWeights] of SHAPES) {
          const b = randomBatch(rng, d, B, 6, 9, withWeights);
          const gradU0 = randomF32(rng, b.nUserSlots * d, 0.1);
          const gradI0 = randomF32(rng, b.nItemSlots * d, 0.1);
          const got = runBce(k, mem, b, gradU0, gradI0);
          const gradU = Float64Array.from(gradU0);
          const gradI = Float64Array.from(gradI0);
          const loss = referenceBceBatch(b, b.users, b.pos, b.labels, B, b.uSlot, b.iSlot, b.weights, gradU, gradI);
          const what = `d=${d} B=${B} weights=${withWeights}`;
          assertCloseNumber(got.loss, loss, lossTolerance(b, false), `loss ${what}`);
          assertClose(got.gradU, gradU, gradTolerance(gradU, B), `gradU ${what}`);
          assertClose(got.gradI, gradI, gradTolerance(gradI, B), `gradI ${what}`);
        }
      }));

    for (const loss of ["bpr", "bce"] as const) {
      it(`${loss} gradients match finite differences of the kernel's own loss (repeated users and items)`, () =>
        withKernels(variant, (k, mem) => {
          const rng = new Rng(63);
          const b = randomBatch(rng, 5, 14, 3, 5, true, 0.8);
          const run = loss === "bpr" ? runBpr : runBce;
          const zeroU = new Float32Array(b.nUserSlots * b.d);
          const zeroI = new Float32Array(b.nItemSlots * b.d);
          const grads = run(k, mem, b, zeroU, zeroI);
          const h = 3e-3;
          const check = (table: "P" | "Q", id: number, slot: number, analytic: Float32Array) => {
            for (let c = 0; c < b.d; c++) {
              const i = id * b.d + c;
              const plus = Float32Array.from(b[table]);
              const minus = Float32Array.from(b[table]);
              plus[i] += h;
              minus[i] -= h;
              const up = run(k, mem, { ...b, [table]: plus }, zeroU, zeroI).loss;
              const down = run(k, mem, { ...b, [table]: minus }, zeroU, zeroI).loss;
              const numeric = (up - down) / (plus[i] - minus[i]);
              const g = analytic[slot * b.d + c];
              assertCloseNumber(g, numeric, 1e-3 * (1 + Math.abs(numeric)), `∂${loss}/∂${table}[${id}][${c}]`);
            }
          };
          for (const [user, slot] of b.userSlotOf) check("P", user, slot, grads.gradU);
          for (const [item, slot] of b.itemSlotOf) check("Q", item, slot, grads.gradI);
        }));
    }

    it("stays finite and exact for scores far into the saturated tails (|s| up to 1e4)", () =>
      withKernels(variant, (k, mem) => {
        // One user, items scaled so that s = P·(Q_i − Q_j) = ±1e4, ±50: softplus must not overflow.
        const d = 6;
        const P = Float32Array.from([1, 0, 0, 0, 0, 0]);
        const Q = Float32Array.from([1e4, 0, 0, 0, 0, 0, -1e4, 0, 0, 0, 0, 0, 50, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        const b: Batch = {
          d, B: 4, P, Q,
          users: Int32Array.from([0, 0, 0, 0]), pos: Int32Array.from([0, 1, 2, 3]), neg: Int32Array.from([1, 0, 3, 2]),
          labels: Float32Array.from([0, 1, 1, 0]),
          uSlot: Int32Array.from([0, 0, 0, 0]), iSlot: Int32Array.from([0, 1, 2, 3]), jSlot: Int32Array.from([1, 0, 3, 2]),
          weights: null, nUserSlots: 1, nItemSlots: 4, userSlotOf: new Map([[0, 0]]), itemSlotOf: new Map(),
        };
        const zeroU = new Float32Array(d);
        const zeroI = new Float32Array(4 * d);
        const bpr = runBpr(k, mem, b, zeroU, zeroI);
        // s = 2e4, −2e4, 50, −50: loss = softplus(−s) summed.
        assertCloseNumber(bpr.loss, softplus(-2e4) + softplus(2e4) + softplus(-50) + softplus(50), 1e-9, "bpr loss");
        const bce = runBce(k, mem, b, zeroU, zeroI);
        // s = 1e4 (y 0), −1e4 (y 1), 50 (y 1), 0 (y 0).
        assertCloseNumber(bce.loss, 1e4 + 1e4 + softplus(-50) + Math.log(2), 1e-9, "bce loss");
        for (const g of [bpr.gradU, bpr.gradI, bce.gradU, bce.gradI]) assert.ok(g.every(Number.isFinite));
        // BCE: σ(s) − y is 1 at s = 1e4 (y 0), −1 at s = −1e4 (y 1), σ(50) − 1 at s = 50, so
        // gradU[0] = 1·1e4 + (−1)·(−1e4) + (σ(50) − 1)·50 + 0.5·0.
        assertCloseNumber(bce.gradU[0], 2e4 + 50 * (1 / (1 + Math.exp(-50)) - 1), 1e-3, "bce gradU[0]");
      }));
  });
}

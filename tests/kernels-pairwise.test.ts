import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../ts/util/rng.js";
import type { Kernels } from "../ts/kernels/kernels.js";
import { AliasSampler } from "../ts/train/alias-sampler.js";
import { adamHorizon } from "../ts/train/optimizer.js";
import { PLAN_FIELDS, PLAN_FLOAT_FIELDS, StructBlock, THREAD_FIELDS } from "../ts/mf/pairwise-plan.js";
import { referencePairwiseTrain, type PairwiseReferenceRun, type PairwiseReferenceState } from "./reference/pairwise-training.js";
import { VARIANTS, type WasmScope, assertClose, randomF32, withKernels } from "./support/kernel-harness.js";

interface Case
  extends Omit<PairwiseReferenceRun, "userItems" | "epochUsers" | "epochItems" | "alias" | "ips" | "accScale" | "beta1" | "beta2" | "eps" | "maxTries"> {
  popularity?: boolean;
  withIps?: boolean;
  seed: number;
  /** Interactions: every user gets 1 .. maxPerUser distinct items; user 0 holds every item but the last, user 1 every item. */
  maxPerUser: number;
}

const OPTIMIZER_CODE = { sgd: 0, adagrad: 1, adam: 2 } as const;

/** Runs the kernel over the whole epoch in `rounds` calls and the f64 reference over the same, and compares everything. */
function check(k: Kernels, mem: WasmScope, c: Case, rounds: number): void {
  const rng = new Rng(c.seed);
  const { d, nUsers, nItems } = c;
  const userItems: number[][] = [];
  for (let u = 0; u < nUsers; u++) {
    let items: number[];
    if (u === 0) items = Array.from({ length: nItems - 1 }, (_, i) => i);
    else if (u === 1) items = Array.from({ length: nItems }, (_, i) => i);
    else items = [...new Set(Array.from({ length: 1 + rng.int(c.maxPerUser) }, () => rng.int(nItems)))];
    userItems.push(items.sort((a, b) => a - b));
  }
  const pairs = userItems.flatMap((items, u) => items.map((i) => [u, i] as const));
  rng.shuffle(pairs);
  const epochUsers = Int32Array.from(pairs, (p) => p[0]),
    epochItems = Int32Array.from(pairs, (p) => p[1]);
  const counts = new Float64Array(nItems);
  for (const [, i] of pairs) counts[i]++;
  const sampler = c.popularity ? new AliasSampler(Array.from(counts, (x) => Math.pow(x + 1, 0.75))) : null;
  const alias = sampler ? { prob: Float32Array.from(sampler.prob), index: Int32Array.from(sampler.alias) } : null;
  const ips = c.withIps ? Float32Array.from({ length: nItems }, () => 0.5 + rng.next()) : null;
  const run: PairwiseReferenceRun = {
    ...c,
    userItems,
    epochUsers,
    epochItems,
    alias,
    ips,
    maxTries: 32,
    beta1: 0.9,
    beta2: 0.999,
    eps: c.optimizer === "adam" ? 1e-8 : 1e-8,
    accScale: -c.lr,
  };
  const P = randomF32(rng, nUsers * d, 0.3),
    Q = randomF32(rng, nItems * d, 0.3);
  const streamSeed = rng.nextU32();
  const ref: PairwiseReferenceState = {
    P: Float64Array.from(P),
    Q: Float64Array.from(Q),
    userState1: new Float64Array(nUsers * d),
    userState2: new Float64Array(nUsers * d),
    itemState1: new Float64Array(nItems * d),
    itemState2: new Float64Array(nItems * d),
    accUsers: new Float64Array(nUsers * d),
    accItems: new Float64Array(nItems * d),
    step: 0,
    rng: new Rng(streamSeed),
  };

  const e = k.wasm;
  const zeros = (n: number) => mem.f32From(new Float32Array(Math.max(1, n)));
  const wP = mem.f32From(P),
    wQ = mem.f32From(Q);
  const us1 = zeros(nUsers * d),
    us2 = zeros(nUsers * d),
    is1 = zeros(nItems * d),
    is2 = zeros(nItems * d);
  const accU = zeros(nUsers * d),
    accI = zeros(nItems * d),
    counter = mem.i32From([0]);
  const indptr = Int32Array.from({ length: nUsers + 1 }, (_, u) => userItems.slice(0, u).reduce((s, r) => s + r.length, 0));
  const plan = new StructBlock(e, PLAN_FIELDS, PLAN_FLOAT_FIELDS, e.exports.pairwise_layout(0), "plan");
  const state = new StructBlock(e, THREAD_FIELDS, new Set(), e.exports.pairwise_layout(1), "thread");
  try {
    const set = (f: (typeof PLAN_FIELDS)[number], v: number) => plan.set(f, v);
    set("userTable", wP.ptr);
    set("itemTable", wQ.ptr);
    set("dim", d);
    set("nUsers", nUsers);
    set("nItems", nItems);
    set("indptr", mem.i32From(indptr).ptr);
    set("sortedItems", mem.i32From(userItems.flat()).ptr);
    set("epochUsers", mem.i32From(epochUsers).ptr);
    set("epochItems", mem.i32From(epochItems).ptr);
    set("loss", { bpr: 0, bce: 1, ccl: 2 }[c.loss]);
    set("margin", c.margin ?? 0);
    set("negativeWeight", c.negativeWeight ?? 0);
    set("negatives", c.negatives);
    set("candidates", c.candidates);
    set("maxTries", 32);
    if (alias) {
      set("aliasProb", mem.f32From(alias.prob).ptr);
      set("aliasIndex", mem.i32From(alias.index).ptr);
    }
    if (ips) set("ipsWeights", mem.f32From(ips).ptr);
    set("optimizer", OPTIMIZER_CODE[c.optimizer]);
    set("userState1", us1.ptr);
    set("userState2", us2.ptr);
    set("itemState1", is1.ptr);
    set("itemState2", is2.ptr);
    set("learningRate", c.lr);
    set("l2", c.l2);
    set("beta1", 0.9);
    set("beta2", 0.999);
    set("eps", 1e-8);
    set("stepCounter", counter.ptr);
    set("normalizeUsers", c.normalizeUsers ? 1 : 0);
    set("normalizeItems", c.normalizeItems ? 1 : 0);
    if (c.accumulate) {
      set("accUsers", accU.ptr);
      set("accItems", accI.ptr);
      set("accScale", -c.lr);
    }
    set("batchSize", c.batchSize);
    const stamps = c.denseAdam ? { users: mem.i32From(new Int32Array(nUsers)), items: mem.i32From(new Int32Array(nItems)) } : null;
    const horizon = mem.f32From(adamHorizon(0.9, 0.999));
    if (stamps) {
      set("userStamps", stamps.users.ptr);
      set("itemStamps", stamps.items.ptr);
      set("horizon", horizon.ptr);
      set("horizonLength", horizon.length);
    }
    new Rng(streamSeed).words().forEach((w, i) => state.set(`rng${i}` as "rng0", w | 0));
    const B = c.batchSize,
      perPositive = c.negatives * Math.max(1, c.candidates);
    const arrays = {
      userStamp: mem.i32From(new Int32Array(nUsers)),
      userSlot: mem.i32(nUsers),
      itemStamp: mem.i32From(new Int32Array(nItems)),
      itemSlot: mem.i32(nItems),
      userRows: mem.i32(B),
      itemRows: mem.i32(B * (1 + c.negatives)),
      gradUsers: mem.f32(B * d),
      gradItems: mem.f32(B * (1 + c.negatives) * d),
      batchNegatives: mem.i32(B * c.negatives),
      batchCandidates: mem.i32(B * perPositive),
    };
    for (const [name, a] of Object.entries(arrays)) state.set(name as "userRows", a.ptr);

    // The epoch in `rounds` calls whose ends are multiples of the batch: the same batches as one call.
    const n = pairs.length;
    const ends = Array.from({ length: rounds }, (_, r) => (r === rounds - 1 ? n : Math.min(n, Math.ceil((n * (r + 1)) / rounds / B) * B)));
    let start = 0,
      loss = 0,
      refLoss = 0;
    for (const end of ends) {
      state.set("start", start);
      state.set("end", end);
      loss += k.runShares("pairwise_train", [[plan.ptr, state.ptr]])[0];
      refLoss += referencePairwiseTrain(run, ref, start, end);
      start = end;
    }
    if (stamps) {
      // The end of the epoch: every row's skipped steps, as TableOptimizer.finishEpoch applies them.
      const t = counter.view[0];
      k.adamCatchUpRows(wP, us1, us2, d, null, nUsers, stamps.users, t, t, c.lr, 0.9, 0.999, horizon);
      k.adamCatchUpRows(wQ, is1, is2, d, null, nItems, stamps.items, t, t, c.lr, 0.9, 0.999, horizon);
    }
    const what = `${c.denseAdam ? "dense Adam " : ""}${c.loss}${c.margin !== undefined ? ` margin ${c.margin}` : ""} d=${d} neg=${c.negatives}×${c.candidates} ${c.optimizer} batch ${B}${c.popularity ? " popularity" : ""}${c.withIps ? " ips" : ""}`;
    const tol = 2e-4;
    assert.ok(Math.abs(loss - refLoss) <= tol * Math.max(1, Math.abs(refLoss)), `${what}: loss ${loss} vs ${refLoss}`);
    assertClose(wP.view, ref.P, tol, `${what}: user table`);
    assertClose(wQ.view, ref.Q, tol, `${what}: item table`);
    if (c.optimizer !== "sgd") {
      assertClose(us1.view.subarray(0, nUsers * d), ref.userState1, tol, `${what}: user optimizer state`);
      assertClose(is1.view.subarray(0, nItems * d), ref.itemState1, tol, `${what}: item optimizer state`);
    }
    if (c.optimizer === "adam") assert.equal(counter.view[0], ref.step, `${what}: Adam's step counter`);
    if (c.accumulate) {
      assertClose(accU.view.subarray(0, nUsers * d), ref.accUsers, tol, `${what}: Algorithm 1 user sums`);
      assertClose(accI.view.subarray(0, nItems * d), ref.accItems, tol, `${what}: Algorithm 1 item sums`);
    }
    // The stream went on exactly as the reference's.
    const out = mem.i32(4);
    k.x.random_u32s(state.ptr, out.ptr, 4);
    assert.deepEqual(
      Array.from(out.view, (x) => x >>> 0),
      [0, 1, 2, 3].map(() => ref.rng.nextU32()),
      `${what}: random stream`,
    );
  } finally {
    plan.free();
    state.free();
  }
}

const BASE = { nUsers: 9, nItems: 13, maxPerUser: 6, lr: 0.05, l2: 0.01, normalizeUsers: false, normalizeItems: false, accumulate: false } as const;

describe("kernels: BPR/BCE/CCL training steps in wasm (pairwise_train) against an f64 reference", () => {
  for (const variant of VARIANTS) {
    it(`${variant}: BPR, uniform and best-of-C negatives, every optimizer, awkward sizes`, () =>
      withKernels(variant, (k, mem) => {
        let seed = 1;
        for (const d of [1, 3, 8, 17]) {
          for (const optimizer of ["sgd", "adagrad", "adam"] as const) {
            check(k, mem, { ...BASE, seed: seed++, d, loss: "bpr", negatives: 1, candidates: 1, optimizer, batchSize: 4 }, 3);
            check(k, mem, { ...BASE, seed: seed++, d, loss: "bpr", negatives: 2, candidates: 3, optimizer, batchSize: 5 }, 1);
          }
        }
      }));

    it(`${variant}: BCE, popularity proposal, IPS, unit norms, Algorithm 1 sums, one-positive batches`, () =>
      withKernels(variant, (k, mem) => {
        let seed = 100;
        for (const d of [1, 5, 16]) {
          check(
            k,
            mem,
            { ...BASE, seed: seed++, d, loss: "bce", negatives: 2, candidates: 1, optimizer: "adam", batchSize: 7, popularity: true, withIps: true },
            2,
          );
          check(
            k,
            mem,
            {
              ...BASE,
              seed: seed++,
              d,
              loss: "bpr",
              negatives: 1,
              candidates: 2,
              optimizer: "adam",
              batchSize: 1,
              normalizeUsers: true,
              normalizeItems: true,
              accumulate: true,
            },
            4,
          );
          check(
            k,
            mem,
            {
              ...BASE,
              seed: seed++,
              d,
              loss: "bce",
              negatives: 3,
              candidates: 2,
              optimizer: "sgd",
              batchSize: 64,
              normalizeUsers: true,
              accumulate: true,
              withIps: true,
            },
            1,
          );
        }
      }));
    it(`${variant}: CCL, per-positive negatives, margins that leave some negatives active and some not, every optimizer`, () =>
      withKernels(variant, (k, mem) => {
        let seed = 200;
        for (const d of [1, 4, 7, 16]) {
          for (const optimizer of ["sgd", "adagrad", "adam"] as const) {
            const ccl = { ...BASE, seed: seed++, d, loss: "ccl", negatives: 5, candidates: 1, optimizer, negativeWeight: 3 } as const;
            check(k, mem, { ...ccl, margin: 0.05, batchSize: 4 }, 2);
            // With d = 1 unit rows score exactly ±1, on the positive's hinge boundary, where f32 and f64 may fall either side.
            if (d > 1) check(k, mem, { ...ccl, margin: -0.3, batchSize: 9, normalizeUsers: true, normalizeItems: true, withIps: true }, 1);
            check(k, mem, { ...ccl, margin: 0.6, batchSize: 1, popularity: true }, 3);
          }
        }
      }));
  }

  for (const variant of VARIANTS) {
    it(`${variant}: dense Adam updates (rows skipped by a batch move on their momentum) equal dense Adam over every row`, () =>
      withKernels(variant, (k, mem) => {
        let seed = 300;
        for (const d of [1, 3, 8]) {
          check(k, mem, { ...BASE, seed: seed++, d, l2: 0, loss: "bpr", negatives: 1, candidates: 1, optimizer: "adam", batchSize: 3, denseAdam: true }, 3);
          check(
            k,
            mem,
            { ...BASE, seed: seed++, d, l2: 0, loss: "bce", negatives: 2, candidates: 1, optimizer: "adam", batchSize: 5, denseAdam: true, withIps: true },
            1,
          );
        }
      }));
  }

  it("the kernels' xoshiro128** continues ts/util/rng.ts's stream exactly", () =>
    withKernels("simd", (k, mem) => {
      for (const seed of [0, 1, 42, 0x7fffffff, -5]) {
        const rng = new Rng(seed);
        const state = mem.i32From(rng.words().map((w) => w | 0));
        const out = mem.i32(1000);
        k.x.random_u32s(state.ptr, out.ptr, 1000);
        assert.deepEqual(
          Array.from(out.view, (x) => x >>> 0),
          Array.from({ length: 1000 }, () => rng.nextU32()),
          `seed ${seed}`,
        );
      }
    }));

  it("the plan's layout is the kernel's: a mismatch is an error that says so", () =>
    withKernels("simd", (k) => {
      assert.equal(k.x.pairwise_layout(0), PLAN_FIELDS.length * 4);
      assert.equal(k.x.pairwise_layout(1), THREAD_FIELDS.length * 4);
      assert.throws(() => new StructBlock(k.wasm, PLAN_FIELDS.slice(1), PLAN_FLOAT_FIELDS, k.x.pairwise_layout(0), "plan"), /different builds/);
    }));
});

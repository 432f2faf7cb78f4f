// Whole training steps of BPR, BCE and CCL with per-positive negatives in one call: for a run of
// positions of the epoch's shuffled order, in mini-batches of `batchSize` positives, sample each
// positive's negatives (uniform among the items the user has not interacted with, rejected against
// the user's sorted row; or drawn in proportion to popularity from an alias table; or the
// best-scored of `candidates` such draws), add the loss gradients into compact per-batch rows, and
// step the optimizer on the rows the batch touched. Nothing crosses into JavaScript between
// positives, and one call covers many batches.
//
// Several threads may run this kernel at once on the same tables (Hogwild: each thread its own run
// of positions, its own random stream, its own batch buffers; the tables, the optimizer state and
// the step counter are shared and written without locks). A lost or torn update under contention
// is part of that method; with one thread the result is exact and reproducible.

import { dotProduct, addScaledRow } from "./rows";
import { adagrad_rows, adam_catch_up_rows, adamCatchUpRow, adam_rows, sgd_rows } from "./optimizers";
import { l2_normalize_rows_at } from "./projection";
import { nextU32 } from "./random";
import { sampleBatch } from "./pairwise-sampling";
import { AHEAD, Plan, ThreadState, touch } from "./pairwise-plan";

/** Fields of Plan and ThreadState: ts/train/pairwise-plan.ts checks its layout against these. */
export function pairwise_layout(which: i32): i32 {
  return which == 0 ? <i32>offsetof<Plan>() : <i32>offsetof<ThreadState>();
}

/**
 * Trains on interactions start .. end of the epoch's shuffled order, for the thread state at
 * `thread` (see the file comment); returns the summed loss (BPR: per positive, the mean over its
 * negatives; BCE: per row).
 */
export function pairwise_train(planPtr: usize, threadPtr: usize): f64 {
  const plan = changetype<Plan>(planPtr);
  const state = changetype<ThreadState>(threadPtr);
  const batch = plan.batchSize;
  let loss: f64 = 0;
  for (let b0 = state.start; b0 < state.end; b0 += batch) {
    loss += trainBatch(plan, state, threadPtr, b0, min<i32>(state.end, b0 + batch));
  }
  return loss;
}

function trainBatch(plan: Plan, state: ThreadState, rng: usize, from: i32, to: i32): f64 {
  const P = plan.userTable, Q = plan.itemTable, d = plan.dim;
  const rowBytes = <usize>d << 2;
  const users = plan.epochUsers, items = plan.epochItems;
  const negatives = plan.negatives;
  const bce = plan.loss == 1;
  const ips = plan.ipsWeights;
  const accU = plan.accUsers, accI = plan.accItems, accScale = plan.accScale;
  const gradU = state.gradUsers, gradI = state.gradItems;
  const batchNegatives = state.batchNegatives;
  const invNegatives: f64 = 1.0 / <f64>negatives;
  let sink = state.sink;

  sink ^= sampleBatch(plan, state, rng, from, to);

  let generation = state.generation + 1;
  if (generation == 0x7fffffff) {
    memory.fill(state.userStamp, 0, <usize>plan.nUsers << 2);
    memory.fill(state.itemStamp, 0, <usize>plan.nItems << 2);
    generation = 1;
  }
  state.generation = generation;
  state.usedUsers = 0;
  state.usedItems = 0;
  let loss: f64 = 0;

  for (let p = from; p < to; p++) {
    if (p + AHEAD < to) {
      const q = <usize>(p + AHEAD) << 2;
      sink ^= touch(P + <usize>load<i32>(users + q) * rowBytes, rowBytes);
      sink ^= touch(Q + <usize>load<i32>(items + q) * rowBytes, rowBytes);
      const ahead = batchNegatives + (<usize>((p + AHEAD - from) * negatives) << 2);
      const early = plan.loss == 2 ? min<i32>(negatives, NEGATIVES_AHEAD) : negatives;
      for (let n = 0; n < early; n++) sink ^= touch(Q + <usize>load<i32>(ahead + (<usize>n << 2)) * rowBytes, rowBytes);
    }
    const u = load<i32>(users + (<usize>p << 2));
    const i = load<i32>(items + (<usize>p << 2));
    const pu = P + <usize>u * rowBytes;
    const qi = Q + <usize>i * rowBytes;
    const w: f64 = ips != 0 ? <f64>load<f32>(ips + (<usize>i << 2)) : 1;
    const gu = userGradient(plan, state, u, generation, rowBytes);
    const gi = itemGradient(plan, state, i, generation, rowBytes);
    if (bce) {
      const s = <f64>dotProduct(pu, qi, d);
      const e = Math.exp(-Math.abs(s));
      loss += w * (max(s, 0) + Math.log1p(e) - s);
      const g = <f32>(w * ((s >= 0 ? 1 / (1 + e) : e / (1 + e)) - 1));
      if (accU != 0) {
        addScaledRow(accU + <usize>u * rowBytes, accScale, qi, d);
        addScaledRow(accI + <usize>i * rowBytes, accScale, pu, d);
      }
      addScaledRow(gu, g, qi, d);
      addScaledRow(gi, g, pu, d);
    }
    const mine = batchNegatives + (<usize>((p - from) * negatives) << 2);
    if (plan.loss == 2) {
      loss += contrastiveRow(plan, state, generation, pu, qi, gu, gi, mine, w, rowBytes);
      continue;
    }
    for (let n = 0; n < negatives; n++) {
      const j = load<i32>(mine + (<usize>n << 2));
      const qj = Q + <usize>j * rowBytes;
      const gj = itemGradient(plan, state, j, generation, rowBytes);
      if (bce) {
        // A sampled negative: label 0, weight 1 (IPS reweights observed positives only).
        const s = <f64>dotProduct(pu, qj, d);
        const e = Math.exp(-Math.abs(s));
        loss += max(s, 0) + Math.log1p(e);
        const g = <f32>(s >= 0 ? 1 / (1 + e) : e / (1 + e));
        if (accU != 0) addScaledRow(accU + <usize>u * rowBytes, -accScale, qj, d);
        addScaledRow(gu, g, qj, d);
        addScaledRow(gj, g, pu, d);
      } else {
        // s = P_u·(Q_i − Q_j); loss w·softplus(−s); g = −w·σ(−s).
        const s = <f64>dotWithDifference(pu, qi, qj, d);
        const e = Math.exp(-Math.abs(s));
        loss += w * (max(-s, 0) + Math.log1p(e)) * invNegatives;
        const g = <f32>(-w * (s <= 0 ? 1 / (1 + e) : e / (1 + e)));
        if (accU != 0) {
          addScaledDifference(accU + <usize>u * rowBytes, accScale, qi, qj, d);
          addScaledRow(accI + <usize>i * rowBytes, accScale, pu, d);
        }
        addScaledDifference(gu, g, qi, qj, d);
        addScaledRow(gi, g, pu, d);
        addScaledRow(gj, -g, pu, d);
      }
    }
  }
  const nu = state.usedUsers, ni = state.usedItems;
  state.sink = sink;
  if (plan.optimizer != 3) {
    // Adam: one global step per batch for both tables, advanced on the shared counter.
    let t = 0;
    if (plan.optimizer == 2) {
      t = load<i32>(plan.stepCounter) + 1;
      store<i32>(plan.stepCounter, t);
    }
    step(plan, P, plan.userState1, plan.userState2, plan.userStamps, state.userRows, nu, gradU, d, plan.normalizeUsers != 0, t);
    step(plan, Q, plan.itemState1, plan.itemState2, plan.itemStamps, state.itemRows, ni, gradI, d, plan.normalizeItems != 0, t);
  }
  return loss;
}

/**
 * CCL for one positive, on unit rows (their dot products are cosines):
 * w·max(0, 1 − s⁺) + (negativeWeight / N)·Σ_j max(0, s_j − margin). Only negatives above the
 * margin have a gradient, so only they claim a gradient row; the rest cost one dot product.
 * Returns the row's loss.
 */
function contrastiveRow(plan: Plan, state: ThreadState, generation: i32, pu: usize, qi: usize, gu: usize, gi: usize, mine: usize, w: f64, rowBytes: usize): f64 {
  const Q = plan.itemTable, d = plan.dim, negatives = plan.negatives;
  const margin = plan.margin;
  const perNegative = <f32>(w * <f64>plan.negativeWeight / <f64>negatives);
  let loss: f64 = 0;
  let sink = 0;
  const sPos = dotProduct(pu, qi, d);
  if (sPos < 1) {
    loss += w * <f64>(1 - sPos);
    addScaledRow(gu, <f32>-w, qi, d);
    addScaledRow(gi, <f32>-w, pu, d);
  }
  let hinge: f64 = 0;
  for (let n = 0; n < negatives; n++) {
    if (n + NEGATIVES_AHEAD < negatives) sink ^= touch(Q + <usize>load<i32>(mine + (<usize>(n + NEGATIVES_AHEAD) << 2)) * rowBytes, rowBytes);
    const j = load<i32>(mine + (<usize>n << 2));
    const qj = Q + <usize>j * rowBytes;
    const s = dotProduct(pu, qj, d);
    if (s <= margin) continue;
    hinge += <f64>(s - margin);
    addScaledRow(gu, perNegative, qj, d);
    addScaledRow(itemGradient(plan, state, j, generation, rowBytes), perNegative, pu, d);
  }
  state.sink ^= sink;
  return loss + <f64>perNegative * hinge;
}

/** Negatives ahead whose rows the contrastive loop loads early. */
const NEGATIVES_AHEAD: i32 = 16;

// Slots: the batch's gradient rows, compact. A table row gets the next slot, with its gradient row
// zeroed, the first time the batch touches it (its stamp is then this batch's generation).

/** The gradient row of user u in this batch; with dense Adam, the row's skipped steps are applied on its first touch, before it is read. */
// @ts-ignore: decorator
@inline function userGradient(plan: Plan, state: ThreadState, u: i32, generation: i32, rowBytes: usize): usize {
  const used = changetype<usize>(state) + offsetof<ThreadState>("usedUsers");
  if (plan.userStamps != 0 && load<i32>(state.userStamp + (<usize>u << 2)) != generation) {
    catchUp(plan, plan.userTable, plan.userState1, plan.userState2, plan.userStamps, u);
  }
  return gradientRow(state.userStamp, state.userSlot, state.userRows, state.gradUsers, used, u, generation, rowBytes);
}

/** The gradient row of item i in this batch (dense Adam: caught up on first touch, as users are). */
// @ts-ignore: decorator
@inline function itemGradient(plan: Plan, state: ThreadState, i: i32, generation: i32, rowBytes: usize): usize {
  const used = changetype<usize>(state) + offsetof<ThreadState>("usedItems");
  if (plan.itemStamps != 0 && load<i32>(state.itemStamp + (<usize>i << 2)) != generation) {
    catchUp(plan, plan.itemTable, plan.itemState1, plan.itemState2, plan.itemStamps, i);
  }
  return gradientRow(state.itemStamp, state.itemSlot, state.itemRows, state.gradItems, used, i, generation, rowBytes);
}

/** Dense Adam: row `row` moved by the steps it skipped, through the last step any thread took. */
function catchUp(plan: Plan, table: usize, m: usize, v: usize, stamps: usize, row: i32): void {
  const through = load<i32>(plan.stepCounter);
  adamCatchUpRow(table, m, v, plan.dim, row, stamps, through, through, plan.learningRate, plan.beta1, plan.beta2, plan.horizon, plan.horizonLength);
}

/** The gradient row of table row `row`: its slot's, claimed (the count at `used` advanced, the row zeroed) on first touch. */
// @ts-ignore: decorator
@inline function gradientRow(stamps: usize, slots: usize, rows: usize, grads: usize, used: usize, row: i32, generation: i32, rowBytes: usize): usize {
  const o = <usize>row << 2;
  if (load<i32>(stamps + o) == generation) return grads + <usize>load<i32>(slots + o) * rowBytes;
  const slot = load<i32>(used);
  store<i32>(used, slot + 1);
  claim(stamps + o, slots + o, rows, row, slot, generation);
  return zeroed(grads + <usize>slot * rowBytes, rowBytes);
}

// @ts-ignore: decorator
@inline function claim(stamp: usize, slotOf: usize, rows: usize, row: i32, slot: i32, generation: i32): void {
  store<i32>(stamp, generation);
  store<i32>(slotOf, slot);
  store<i32>(rows + (<usize>slot << 2), row);
}

// @ts-ignore: decorator
@inline function zeroed(row: usize, bytes: usize): usize {
  memory.fill(row, 0, bytes);
  return row;
}

/**
 * The optimizer step on the batch's `n` touched rows of one table (ids in `rows`, gradients compact
 * in `grads`). Dense Adam (stamps ≠ 0) first moves the rows by the steps they skipped since they
 * were last stepped (up to t − 1).
 */
function step(plan: Plan, table: usize, state1: usize, state2: usize, stamps: usize, rows: usize, n: i32, grads: usize, d: i32, normalize: bool, t: i32): void {
  if (n == 0) return;
  const kind = plan.optimizer;
  if (kind == 0) sgd_rows(table, d, rows, n, grads, plan.learningRate, plan.l2);
  else if (kind == 1) adagrad_rows(table, state1, d, rows, n, grads, plan.learningRate, plan.eps, plan.l2);
  else {
    if (stamps != 0) adam_catch_up_rows(table, state1, state2, d, rows, n, stamps, t - 1, t, plan.learningRate, plan.beta1, plan.beta2, plan.horizon, plan.horizonLength);
    adam_rows(table, state1, state2, d, rows, n, grads, plan.learningRate, plan.beta1, plan.beta2, plan.eps, t, plan.l2);
  }
  if (normalize) l2_normalize_rows_at(table, d, rows, n);
}

/** p·(a − b) over n floats, the difference formed per element (no cancellation between two large dots). */
// @ts-ignore: decorator
@inline function dotWithDifference(p: usize, a: usize, b: usize, n: i32): f32 {
  let i = 0;
  let sum: f32 = 0;
  if (ASC_FEATURE_SIMD) {
    let acc0 = f32x4.splat(0);
    let acc1 = f32x4.splat(0);
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 2;
      acc0 = f32x4.add(acc0, f32x4.mul(v128.load(p + o), f32x4.sub(v128.load(a + o), v128.load(b + o))));
      acc1 = f32x4.add(acc1, f32x4.mul(v128.load(p + o, 16), f32x4.sub(v128.load(a + o, 16), v128.load(b + o, 16))));
    }
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      acc0 = f32x4.add(acc0, f32x4.mul(v128.load(p + o), f32x4.sub(v128.load(a + o), v128.load(b + o))));
    }
    const acc = f32x4.add(acc0, acc1);
    sum = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
  } else {
    let s0: f32 = 0;
    let s1: f32 = 0;
    for (; i + 2 <= n; i += 2) {
      const o = <usize>i << 2;
      s0 += load<f32>(p + o) * (load<f32>(a + o) - load<f32>(b + o));
      s1 += load<f32>(p + o, 4) * (load<f32>(a + o, 4) - load<f32>(b + o, 4));
    }
    sum = s0 + s1;
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    sum += load<f32>(p + o) * (load<f32>(a + o) - load<f32>(b + o));
  }
  return sum;
}

/** Fills out[0 .. n) with the next n u32 of the stream at `state` (tests compare it with ts/util/rng.ts). */
export function random_u32s(state: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<u32>(out + (<usize>i << 2), nextU32(state));
}

/** y += alpha·(a − b) over n floats. */
export function addScaledDifference(y: usize, alpha: f32, a: usize, b: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const va = f32x4.splat(alpha);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(va, f32x4.sub(v128.load(a + o), v128.load(b + o)))));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) + alpha * (load<f32>(a + o) - load<f32>(b + o)));
  }
}

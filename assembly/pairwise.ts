// Per-example losses of matrix factorisation: BPR over (user, positive, negative) triples and
// binary cross-entropy with logits over (user, item, label) pairs. They read the tables P (users)
// and Q (items) and add gradients into compact rows gradU/gradI (the slots the caller assigned to
// the batch's distinct users and items), so the optimizer step can run on those rows afterwards.
//
// The logistic terms use e = exp(−|s|), which never overflows: softplus(x) = max(x, 0) + log1p(e)
// and σ(x) = 1/(1+e) for x ≥ 0, e/(1+e) otherwise. They run in f64: one exp and one log1p per
// example is small next to the O(d) vector work.

import { addScaledRow, dotProduct, horizontalSum } from "./rows";

/**
 * s = P_u·(Q_i − Q_j); loss += w·softplus(−s) (= −w·log σ(s)); g = −w·σ(−s);
 * gradU[uSlot] += g·(Q_i − Q_j); gradI[iSlot] += g·P_u; gradI[jSlot] −= g·P_u. Returns the loss sum.
 */
export function bpr_batch(
  P: usize, Q: usize, d: i32, users: usize, pos: usize, neg: usize, B: i32,
  uSlot: usize, iSlot: usize, jSlot: usize, weights: usize, gradU: usize, gradI: usize,
): f64 {
  const rowBytes = <usize>d << 2;
  let loss: f64 = 0;
  for (let b = 0; b < B; b++) {
    const o = <usize>b << 2;
    const pu = P + <usize>load<i32>(users + o) * rowBytes;
    const qi = Q + <usize>load<i32>(pos + o) * rowBytes;
    const qj = Q + <usize>load<i32>(neg + o) * rowBytes;
    const w: f64 = weights != 0 ? <f64>load<f32>(weights + o) : 1;
    const s = <f64>dotWithDifference(pu, qi, qj, d);
    const e = Math.exp(-Math.abs(s));
    loss += w * (max(-s, 0) + Math.log1p(e));
    const sigmoidOfMinusS = s <= 0 ? 1 / (1 + e) : e / (1 + e);
    const g = <f32>(-w * sigmoidOfMinusS);
    addScaledDifference(gradU + <usize>load<i32>(uSlot + o) * rowBytes, g, qi, qj, d);
    addScaledRow(gradI + <usize>load<i32>(iSlot + o) * rowBytes, g, pu, d);
    addScaledRow(gradI + <usize>load<i32>(jSlot + o) * rowBytes, -g, pu, d);
  }
  return loss;
}

/**
 * s = P_u·Q_i; loss += w·(softplus(s) − y·s); g = w·(σ(s) − y);
 * gradU[uSlot] += g·Q_i; gradI[iSlot] += g·P_u. Returns the loss sum.
 */
export function bce_batch(
  P: usize, Q: usize, d: i32, users: usize, items: usize, labels: usize, B: i32,
  uSlot: usize, iSlot: usize, weights: usize, gradU: usize, gradI: usize,
): f64 {
  const rowBytes = <usize>d << 2;
  let loss: f64 = 0;
  for (let b = 0; b < B; b++) {
    const o = <usize>b << 2;
    const pu = P + <usize>load<i32>(users + o) * rowBytes;
    const qi = Q + <usize>load<i32>(items + o) * rowBytes;
    const w: f64 = weights != 0 ? <f64>load<f32>(weights + o) : 1;
    const y = <f64>load<f32>(labels + o);
    const s = <f64>dotProduct(pu, qi, d);
    const e = Math.exp(-Math.abs(s));
    loss += w * (max(s, 0) + Math.log1p(e) - y * s);
    const sigmoidOfS = s >= 0 ? 1 / (1 + e) : e / (1 + e);
    const g = <f32>(w * (sigmoidOfS - y));
    addScaledRow(gradU + <usize>load<i32>(uSlot + o) * rowBytes, g, qi, d);
    addScaledRow(gradI + <usize>load<i32>(iSlot + o) * rowBytes, g, pu, d);
  }
  return loss;
}

/** p·(a − b) over n floats, the difference formed per element (no cancellation between two large dots). */
function dotWithDifference(p: usize, a: usize, b: usize, n: i32): f32 {
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
    sum = horizontalSum(f32x4.add(acc0, acc1));
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

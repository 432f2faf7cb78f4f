// Row-sparse optimizer steps: a batch touches few rows of the user and item tables, so only those
// rows (and their optimizer state) are read and written. rows[r] names the parameter row that
// compact gradient row r belongs to; rows = 0 means the dense rows 0 .. nRows-1. Each row must
// appear at most once per call (callers sum duplicate gradients first, e.g. with
// scatter_add_rows): a repeated row would be stepped twice with stale state.
// L2 regularisation is folded into the gradient first: g = grad + l2·param.

/** Byte offset of the parameter row that compact row r updates (the same in params and state). */
// @ts-ignore: decorator
@inline function rowOffset(rows: usize, r: i32, rowBytes: usize): usize {
  const index = rows != 0 ? <usize>load<i32>(rows + (<usize>r << 2)) : <usize>r;
  return index * rowBytes;
}

/** p −= lr·(g + l2·p). */
export function sgd_rows(params: usize, d: i32, rows: usize, nRows: i32, grads: usize, lr: f32, l2: f32): void {
  const rowBytes = <usize>d << 2;
  for (let r = 0; r < nRows; r++) {
    const offset = rowOffset(rows, r, rowBytes);
    const p = params + offset;
    const g = grads + <usize>r * rowBytes;
    let i = 0;
    if (ASC_FEATURE_SIMD) {
      const vlr = f32x4.splat(lr);
      const vl2 = f32x4.splat(l2);
      for (; i + 4 <= d; i += 4) {
        const o = <usize>i << 2;
        const pv = v128.load(p + o);
        const gv = f32x4.add(v128.load(g + o), f32x4.mul(vl2, pv));
        v128.store(p + o, f32x4.sub(pv, f32x4.mul(vlr, gv)));
      }
    }
    for (; i < d; i++) {
      const o = <usize>i << 2;
      const pv = load<f32>(p + o);
      store<f32>(p + o, pv - lr * (load<f32>(g + o) + l2 * pv));
    }
  }
}

/** acc += g²; p −= lr·g/(√acc + eps), with g = grad + l2·p. */
export function adagrad_rows(params: usize, accum: usize, d: i32, rows: usize, nRows: i32, grads: usize, lr: f32, eps: f32, l2: f32): void {
  const rowBytes = <usize>d << 2;
  for (let r = 0; r < nRows; r++) {
    const offset = rowOffset(rows, r, rowBytes);
    const p = params + offset;
    const a = accum + offset;
    const g = grads + <usize>r * rowBytes;
    let i = 0;
    if (ASC_FEATURE_SIMD) {
      const vlr = f32x4.splat(lr);
      const vl2 = f32x4.splat(l2);
      const veps = f32x4.splat(eps);
      for (; i + 4 <= d; i += 4) {
        const o = <usize>i << 2;
        const pv = v128.load(p + o);
        const gv = f32x4.add(v128.load(g + o), f32x4.mul(vl2, pv));
        const av = f32x4.add(v128.load(a + o), f32x4.mul(gv, gv));
        v128.store(a + o, av);
        v128.store(p + o, f32x4.sub(pv, f32x4.div(f32x4.mul(vlr, gv), f32x4.add(f32x4.sqrt(av), veps))));
      }
    }
    for (; i < d; i++) {
      const o = <usize>i << 2;
      const pv = load<f32>(p + o);
      const gv = load<f32>(g + o) + l2 * pv;
      const av = load<f32>(a + o) + gv * gv;
      store<f32>(a + o, av);
      store<f32>(p + o, pv - (lr * gv) / (Mathf.sqrt(av) + eps));
    }
  }
}

/**
 * Lazy Adam: m = β1·m + (1−β1)·g, v = β2·v + (1−β2)·g² on the given rows only, then
 * p −= lr·m̂/(√v̂ + eps) with m̂ = m/(1−β1^step), v̂ = v/(1−β2^step) and the global step (≥ 1).
 */
export function adam_rows(
  params: usize, m: usize, v: usize, d: i32, rows: usize, nRows: i32, grads: usize,
  lr: f32, beta1: f32, beta2: f32, eps: f32, step: i32, l2: f32,
): void {
  // Bias corrections in f64: 1 − β^step loses most of its digits in f32 for β2 = 0.999 and small steps.
  const stepSize = <f32>(<f64>lr / (1 - Math.pow(<f64>beta1, <f64>step)));
  const invSqrtCorrection2 = <f32>(1 / Math.sqrt(1 - Math.pow(<f64>beta2, <f64>step)));
  const oneMinusBeta1 = <f32>(1 - <f64>beta1);
  const oneMinusBeta2 = <f32>(1 - <f64>beta2);
  const rowBytes = <usize>d << 2;
  for (let r = 0; r < nRows; r++) {
    const offset = rowOffset(rows, r, rowBytes);
    const p = params + offset;
    const pm = m + offset;
    const pv = v + offset;
    const g = grads + <usize>r * rowBytes;
    let i = 0;
    if (ASC_FEATURE_SIMD) {
      const vl2 = f32x4.splat(l2);
      const vb1 = f32x4.splat(beta1);
      const vb2 = f32x4.splat(beta2);
      const v1b1 = f32x4.splat(oneMinusBeta1);
      const v1b2 = f32x4.splat(oneMinusBeta2);
      const vStep = f32x4.splat(stepSize);
      const vCorr2 = f32x4.splat(invSqrtCorrection2);
      const veps = f32x4.splat(eps);
      for (; i + 4 <= d; i += 4) {
        const o = <usize>i << 2;
        const pCur = v128.load(p + o);
        const gv = f32x4.add(v128.load(g + o), f32x4.mul(vl2, pCur));
        const mv = f32x4.add(f32x4.mul(vb1, v128.load(pm + o)), f32x4.mul(v1b1, gv));
        const vv = f32x4.add(f32x4.mul(vb2, v128.load(pv + o)), f32x4.mul(v1b2, f32x4.mul(gv, gv)));
        v128.store(pm + o, mv);
        v128.store(pv + o, vv);
        const denom = f32x4.add(f32x4.mul(f32x4.sqrt(vv), vCorr2), veps);
        v128.store(p + o, f32x4.sub(pCur, f32x4.div(f32x4.mul(vStep, mv), denom)));
      }
    }
    for (; i < d; i++) {
      const o = <usize>i << 2;
      const pCur = load<f32>(p + o);
      const gv = load<f32>(g + o) + l2 * pCur;
      const mv = beta1 * load<f32>(pm + o) + oneMinusBeta1 * gv;
      const vv = beta2 * load<f32>(pv + o) + oneMinusBeta2 * gv * gv;
      store<f32>(pm + o, mv);
      store<f32>(pv + o, vv);
      store<f32>(p + o, pCur - (stepSize * mv) / (Mathf.sqrt(vv) * invSqrtCorrection2 + eps));
    }
  }
}

/**
 * Dense Adam's steps for rows that sat steps out. Dense Adam (PyTorch's and Keras's Adam on an
 * embedding table) moves every row at every step s, a row without a gradient on its decaying
 * momentum: m ← β1·m, v ← β2·v, p −= lr·c(s)·m/√v with c(s) = √(1 − β2^s)/(1 − β1^s). Sparse rows
 * skip those steps, so a rarely touched row (a tail item, a light user) moves about ten times less
 * per gradient than in dense Adam. This applies a row's skipped steps t0+1 .. t (t0 = stamps[row],
 * t = through, K = t − t0) at once:
 *   p −= lr·(m/√v)·Σ_{k=1..K} r^k·c(t0 + k),  m ← β1^K·m,  v ← β2^K·v,   r = β1/√β2,
 * then sets stamps[row] = after. The sum is E(t0) − r^K·E(t), from the table horizon[s] =
 * E(s) = Σ_{k≥1} r^k·c(s + k) (f32, `horizonLength` entries; beyond them c = 1 and E = r/(1 − r)).
 * ε is left out: this equals dense Adam while √v ≫ ε. rows = 0: rows 0 .. nRows-1.
 */
export function adam_catch_up_rows(
  params: usize, m: usize, v: usize, d: i32, rows: usize, nRows: i32, stamps: usize,
  through: i32, after: i32, lr: f32, beta1: f32, beta2: f32, horizon: usize, horizonLength: i32,
): void {
  for (let r = 0; r < nRows; r++) {
    const index = rows != 0 ? load<i32>(rows + (<usize>r << 2)) : r;
    adamCatchUpRow(params, m, v, d, index, stamps, through, after, lr, beta1, beta2, horizon, horizonLength);
  }
}

/** adam_catch_up_rows for the one row `index` (the training kernels call it on a row's first touch). */
export function adamCatchUpRow(
  params: usize, m: usize, v: usize, d: i32, index: i32, stamps: usize,
  through: i32, after: i32, lr: f32, beta1: f32, beta2: f32, horizon: usize, horizonLength: i32,
): void {
  const stamp = stamps + (<usize>index << 2);
  const last = load<i32>(stamp);
  store<i32>(stamp, after);
  const skipped = through - last;
  if (skipped <= 0) return;
  const ratio = <f64>beta1 / Math.sqrt(<f64>beta2);
  const tail = ratio / (1 - ratio);
  const k = <f64>skipped;
  const travel = <f32>(<f64>lr * (horizonAt(horizon, horizonLength, last, tail) - Math.pow(ratio, k) * horizonAt(horizon, horizonLength, through, tail)));
  const decay1 = <f32>Math.pow(<f64>beta1, k);
  const decay2 = <f32>Math.pow(<f64>beta2, k);
  const offset = <usize>index * (<usize>d << 2);
  const p = params + offset, pm = m + offset, pv = v + offset;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    // The same operations lane by lane (so the same bits); a row's first touch runs this, which
    // made it a quarter of a history-tower epoch as a scalar loop (node --cpu-prof).
    const vTravel = f32x4.splat(travel);
    const vDecay1 = f32x4.splat(decay1);
    const vDecay2 = f32x4.splat(decay2);
    const zero = f32x4.splat(0);
    for (; i + 4 <= d; i += 4) {
      const o = <usize>i << 2;
      const mi = v128.load(pm + o), vi = v128.load(pv + o);
      const pOld = v128.load(p + o);
      // v = 0 (a row never stepped) keeps p: m/√v would be 0/0 there.
      const pNew = f32x4.sub(pOld, f32x4.div(f32x4.mul(vTravel, mi), f32x4.sqrt(vi)));
      v128.store(p + o, v128.bitselect(pNew, pOld, f32x4.gt(vi, zero)));
      v128.store(pm + o, f32x4.mul(mi, vDecay1));
      v128.store(pv + o, f32x4.mul(vi, vDecay2));
    }
  }
  for (; i < d; i++) {
    const o = <usize>i << 2;
    const mi = load<f32>(pm + o), vi = load<f32>(pv + o);
    if (vi > 0) store<f32>(p + o, load<f32>(p + o) - (travel * mi) / Mathf.sqrt(vi));
    store<f32>(pm + o, mi * decay1);
    store<f32>(pv + o, vi * decay2);
  }
}

// @ts-ignore: decorator
@inline function horizonAt(horizon: usize, length: i32, s: i32, tail: f64): f64 {
  return s < length ? <f64>load<f32>(horizon + (<usize>s << 2)) : tail;
}

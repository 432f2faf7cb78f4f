// Softmax cross-entropy and log-sum-exp over rows of logits z = s·invTemp + colBias.
//
// Stability: every row is shifted by its largest logit before exp, so exp never sees a positive
// argument and the largest term is exactly 1. Logits saturate at ±f32 max (LOGIT_LIMIT), which keeps
// ±Infinity scores (a masked column) and huge logits finite instead of producing Inf − Inf = NaN.
// A NaN score makes its row's max NaN, hence a NaN loss: divergence shows instead of being hidden.
//
// Accuracy: exp terms are summed in f32 lanes for at most SUM_BLOCK columns, then in f64, so a
// 41k-column row loses no more than a 256-column one; the loss itself is accumulated in f64.

import { expLanes, expScalar } from "./exp";
import { horizontalSum, scaleRow } from "./rows";

const LOGIT_LIMIT: f32 = f32.MAX_VALUE;
const SUM_BLOCK: i32 = 256;

/**
 * Returns Σ_r w_r Σ_{t ∈ targets(r)} (lse_r − z_rt). With writeGrad, row r of scores becomes
 * w_r·invTemp·(n_r·softmax(z_r) − Σ_t onehot_t); a row without targets (or of weight 0) adds no
 * loss and gets a zero gradient. Targets are CSR: targetIndices[targetOffsets[r] .. targetOffsets[r+1]).
 */
export function softmax_xent(
  scores: usize, nRows: i32, nCols: i32, stride: i32, invTemp: f32, colBias: usize,
  targetOffsets: usize, targetIndices: usize, rowWeights: usize, writeGrad: i32,
): f64 {
  let loss: f64 = 0;
  for (let r = 0; r < nRows; r++) {
    const row = scores + ((<usize>r * <usize>stride) << 2);
    const first = load<i32>(targetOffsets + (<usize>r << 2));
    const end = load<i32>(targetOffsets + (<usize>r << 2), 4);
    const nTargets = end - first;
    const weight: f32 = rowWeights != 0 ? load<f32>(rowWeights + (<usize>r << 2)) : 1;
    if (nTargets <= 0 || weight == 0) {
      if (writeGrad) memory.fill(row, 0, <usize>nCols << 2);
      continue;
    }
    const shift = rowLogitMax(row, nCols, invTemp, colBias);
    // The targets' logits are read before the gradient overwrites the row.
    let targetGap: f64 = 0;
    for (let e = first; e < end; e++) {
      const c = load<i32>(targetIndices + (<usize>e << 2));
      targetGap += <f64>shift - <f64>logitAt(row, colBias, c, invTemp);
    }
    const sumExp = writeGrad
      ? storeExpShifted(row, nCols, invTemp, colBias, shift)
      : sumExpShifted(row, nCols, invTemp, colBias, shift);
    loss += <f64>weight * (targetGap + <f64>nTargets * Math.log(sumExp));
    if (writeGrad) {
      const gradScale = <f64>weight * <f64>invTemp;
      // sumExp ≥ 1 (the max term is e^0) unless the row holds a NaN.
      scaleRow(row, sumExp > 0 ? <f32>(gradScale * <f64>nTargets / sumExp) : 0, nCols);
      const oneHot = <f32>gradScale;
      for (let e = first; e < end; e++) {
        const at = row + (<usize>load<i32>(targetIndices + (<usize>e << 2)) << 2);
        store<f32>(at, load<f32>(at) - oneHot);
      }
    }
  }
  return loss;
}

/** out[r] = lse(z_r) as f32; a row of nCols = 0 gives -Infinity. */
export function lse_rows(scores: usize, nRows: i32, nCols: i32, stride: i32, invTemp: f32, colBias: usize, out: usize): void {
  for (let r = 0; r < nRows; r++) {
    const row = scores + ((<usize>r * <usize>stride) << 2);
    const shift = rowLogitMax(row, nCols, invTemp, colBias);
    store<f32>(out + (<usize>r << 2), <f32>(<f64>shift + Math.log(sumExpShifted(row, nCols, invTemp, colBias, shift))));
  }
}

// @ts-ignore: decorator
@inline function clampLogit(z: f32): f32 {
  return min(max(z, -LOGIT_LIMIT), LOGIT_LIMIT);
}

// @ts-ignore: decorator
@inline function logitAt(row: usize, colBias: usize, c: i32, invTemp: f32): f32 {
  const o = <usize>c << 2;
  let z = load<f32>(row + o) * invTemp;
  if (colBias != 0) z += load<f32>(colBias + o);
  return clampLogit(z);
}

// @ts-ignore: decorator
@inline function rawLogitLanes(row: usize, colBias: usize, o: usize, invTemp: v128): v128 {
  const z = f32x4.mul(v128.load(row + o), invTemp);
  return colBias != 0 ? f32x4.add(z, v128.load(colBias + o)) : z;
}

// @ts-ignore: decorator
@inline function logitLanes(row: usize, colBias: usize, o: usize, invTemp: v128): v128 {
  // pmax/pmin (single instructions on x86) keep a NaN lane NaN with the operands in this order.
  return f32x4.pmin(f32x4.pmax(rawLogitLanes(row, colBias, o, invTemp), f32x4.splat(-LOGIT_LIMIT)), f32x4.splat(LOGIT_LIMIT));
}

/** The row's largest (saturated) logit; -LOGIT_LIMIT for an empty row, NaN if any score is NaN. */
function rowLogitMax(row: usize, n: i32, invTemp: f32, colBias: usize): f32 {
  let best: f32 = -Infinity;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    // pmax is one instruction on x86 where max is a NaN-exact sequence; it drops NaN lanes, so NaN
    // is tracked on the side. Saturation commutes with max, so it is applied once at the end.
    const vInvTemp = f32x4.splat(invTemp);
    let best0 = f32x4.splat(-Infinity);
    let best1 = f32x4.splat(-Infinity);
    let nanLanes = v128.splat<i32>(0);
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 2;
      const z0 = rawLogitLanes(row, colBias, o, vInvTemp);
      const z1 = rawLogitLanes(row, colBias, o + 16, vInvTemp);
      best0 = f32x4.pmax(best0, z0);
      best1 = f32x4.pmax(best1, z1);
      nanLanes = v128.or(nanLanes, v128.or(f32x4.ne(z0, z0), f32x4.ne(z1, z1)));
    }
    for (; i + 4 <= n; i += 4) {
      const z = rawLogitLanes(row, colBias, <usize>i << 2, vInvTemp);
      best0 = f32x4.pmax(best0, z);
      nanLanes = v128.or(nanLanes, f32x4.ne(z, z));
    }
    const b = f32x4.pmax(best0, best1);
    best = max(max(f32x4.extract_lane(b, 0), f32x4.extract_lane(b, 1)), max(f32x4.extract_lane(b, 2), f32x4.extract_lane(b, 3)));
    if (v128.any_true(nanLanes)) best = NaN;
  }
  for (; i < n; i++) best = max(best, logitAt(row, colBias, i, invTemp));
  return clampLogit(best);
}

/** Σ_c exp(z_c − shift). */
function sumExpShifted(row: usize, n: i32, invTemp: f32, colBias: usize, shift: f32): f64 {
  let total: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vInvTemp = f32x4.splat(invTemp);
    const vShift = f32x4.splat(shift);
    const vectorEnd = n & ~3;
    while (i < vectorEnd) {
      const blockEnd = min(vectorEnd, i + SUM_BLOCK);
      // Two vectors per iteration: each exp is a long dependent chain, two chains overlap.
      let acc0 = f32x4.splat(0);
      let acc1 = f32x4.splat(0);
      for (; i + 8 <= blockEnd; i += 8) {
        const o = <usize>i << 2;
        acc0 = f32x4.add(acc0, expLanes(f32x4.sub(logitLanes(row, colBias, o, vInvTemp), vShift)));
        acc1 = f32x4.add(acc1, expLanes(f32x4.sub(logitLanes(row, colBias, o + 16, vInvTemp), vShift)));
      }
      for (; i < blockEnd; i += 4) {
        acc0 = f32x4.add(acc0, expLanes(f32x4.sub(logitLanes(row, colBias, <usize>i << 2, vInvTemp), vShift)));
      }
      total += <f64>horizontalSum(f32x4.add(acc0, acc1));
    }
  }
  for (; i < n; i++) total += <f64>expScalar(logitAt(row, colBias, i, invTemp) - shift);
  return total;
}

/** row[c] = exp(z_c − shift), returning their sum (the unnormalised softmax, kept for the gradient). */
function storeExpShifted(row: usize, n: i32, invTemp: f32, colBias: usize, shift: f32): f64 {
  let total: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vInvTemp = f32x4.splat(invTemp);
    const vShift = f32x4.splat(shift);
    const vectorEnd = n & ~3;
    while (i < vectorEnd) {
      const blockEnd = min(vectorEnd, i + SUM_BLOCK);
      let acc0 = f32x4.splat(0);
      let acc1 = f32x4.splat(0);
      for (; i + 8 <= blockEnd; i += 8) {
        const o = <usize>i << 2;
        const e0 = expLanes(f32x4.sub(logitLanes(row, colBias, o, vInvTemp), vShift));
        const e1 = expLanes(f32x4.sub(logitLanes(row, colBias, o + 16, vInvTemp), vShift));
        v128.store(row + o, e0);
        v128.store(row + o, e1, 16);
        acc0 = f32x4.add(acc0, e0);
        acc1 = f32x4.add(acc1, e1);
      }
      for (; i < blockEnd; i += 4) {
        const o = <usize>i << 2;
        const e = expLanes(f32x4.sub(logitLanes(row, colBias, o, vInvTemp), vShift));
        v128.store(row + o, e);
        acc0 = f32x4.add(acc0, e);
      }
      total += <f64>horizontalSum(f32x4.add(acc0, acc1));
    }
  }
  for (; i < n; i++) {
    const e = expScalar(logitAt(row, colBias, i, invTemp) - shift);
    store<f32>(row + (<usize>i << 2), e);
    total += <f64>e;
  }
  return total;
}

/**
 * Sampled softmax's accidental hits: logits[r·stride + j] = value wherever colIds[j] == rowIds[r],
 * for r < nRows and j < nCols (a sampled negative that is the row's own positive gets softmax
 * weight 0). O(nRows·nCols) comparisons, four columns at a time with SIMD.
 */
export function mask_matching_columns(logits: usize, nRows: i32, stride: i32, colIds: usize, nCols: i32, rowIds: usize, value: f32): void {
  for (let r = 0; r < nRows; r++) {
    const id = load<i32>(rowIds + (<usize>r << 2));
    const row = logits + ((<usize>r * <usize>stride) << 2);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      const vid = i32x4.splat(id);
      for (; j + 4 <= nCols; j += 4) {
        const hit = i32x4.eq(v128.load(colIds + (<usize>j << 2)), vid);
        if (!v128.any_true(hit)) continue;
        for (let c = j; c < j + 4; c++) if (load<i32>(colIds + (<usize>c << 2)) == id) store<f32>(row + (<usize>c << 2), value);
      }
    }
    for (; j < nCols; j++) if (load<i32>(colIds + (<usize>j << 2)) == id) store<f32>(row + (<usize>j << 2), value);
  }
}

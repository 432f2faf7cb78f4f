/**
 * Plain f64 references for the history tower (assembly/history-tower.ts, ts/mf/history-tower.ts):
 * the definitions the tests compare against, written for clarity, not speed.
 */
import { referencePoolRows } from "./pooling.js";
import { referenceGemmNN } from "./scoring.js";

/** Row r of n: h = keep·rows[r] + weight·mixed[r], then h/‖h‖ (a zero h stays zero); with the norms. */
export function referenceBlendUnitRows(
  rows: ArrayLike<number>,
  mixed: ArrayLike<number>,
  n: number,
  d: number,
  keep: number,
  weight: number,
): { out: Float64Array; norms: Float64Array } {
  const out = new Float64Array(n * d);
  const norms = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let squared = 0;
    for (let c = 0; c < d; c++) {
      const v = keep * rows[r * d + c] + weight * mixed[r * d + c];
      out[r * d + c] = v;
      squared += v * v;
    }
    norms[r] = Math.sqrt(squared);
    if (norms[r] > 0) for (let c = 0; c < d; c++) out[r * d + c] /= norms[r];
  }
  return { out, norms };
}

/**
 * The gradient of the blend from its definition: for each row, ∂L/∂h = (g − ĥ(ĥ·g))/‖h‖ with g =
 * ∂L/∂ĥ; the id row's share is keep·∂L/∂h and the mixed row's weight·∂L/∂h.
 */
export function referenceBlendUnitRowsBackward(
  unit: ArrayLike<number>,
  grad: ArrayLike<number>,
  norms: ArrayLike<number>,
  n: number,
  d: number,
  keep: number,
  weight: number,
): { gradRows: Float64Array; gradMixed: Float64Array } {
  const gradRows = new Float64Array(n * d);
  const gradMixed = new Float64Array(n * d);
  for (let r = 0; r < n; r++) {
    if (!(norms[r] > 0)) continue;
    let dot = 0;
    for (let c = 0; c < d; c++) dot += unit[r * d + c] * grad[r * d + c];
    for (let c = 0; c < d; c++) {
      const g = (grad[r * d + c] - unit[r * d + c] * dot) / norms[r];
      gradRows[r * d + c] = keep * g;
      gradMixed[r * d + c] = weight * g;
    }
  }
  return { gradRows, gradMixed };
}

/** The whole tower on n rows: normalize(keep·ids[r] + weight·(weighted mean of the rows' items)·W). */
export function referenceHistoryTower(
  ids: ArrayLike<number>,
  items: ArrayLike<number>,
  projection: ArrayLike<number>,
  offsets: ArrayLike<number>,
  entries: ArrayLike<number>,
  weights: ArrayLike<number>,
  n: number,
  d: number,
  keep: number,
  weight: number,
): Float64Array {
  const pooled = referencePoolRows(items, d, offsets, entries, weights, n, null);
  const mixed = referenceGemmNN(pooled, projection, n, d, d, null);
  return referenceBlendUnitRows(ids, mixed, n, d, keep, weight).out;
}

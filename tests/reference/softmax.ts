/**
 * Plain f64 references for softmax cross-entropy and row log-sum-exp (assembly/softmax.ts).
 * Logits are z = s·invTemp + colBias, saturated at ±f32 max as the kernels define them.
 */

export const F32_MAX = 3.4028234663852886e38;

/** Rows of logits: row r, column c is scores[r·stride + c]·invTemp + colBias[c]. */
export interface LogitRows {
  scores: ArrayLike<number>;
  nCols: number;
  stride: number;
  invTemp: number;
  colBias?: ArrayLike<number> | null;
}

export interface SoftmaxProblem extends LogitRows {
  nRows: number;
  /** CSR offsets, nRows + 1 entries. */
  targetOffsets: ArrayLike<number>;
  targetIndices: ArrayLike<number>;
  rowWeights?: ArrayLike<number> | null;
}

export interface SoftmaxResult {
  /** Σ_r w_r Σ_t (lse_r − z_rt). */
  loss: number;
  /** ∂loss/∂scores in the layout of scores (stride); entries past nCols are copied unchanged. */
  grad: Float64Array;
  /**
   * Per row: max_c |s_rc·invTemp| + |colBias_c|, the size f32 rounding of that row's logits is
   * relative to (what tolerances scale with).
   */
  rowMagnitude: Float64Array;
}

export function referenceLogit(p: LogitRows, r: number, c: number): number {
  const z = p.scores[r * p.stride + c] * p.invTemp + (p.colBias ? p.colBias[c] : 0);
  return Math.min(Math.max(z, -F32_MAX), F32_MAX);
}

/**
 * A row's log-sum-exp as max_c z_rc + log Σ_c exp(z_rc − max): kept in two parts so that
 * lse − z stays exact when the logits are huge (max − z is formed before the small log is added).
 */
export function referenceLseParts(p: LogitRows, r: number): { max: number; logSum: number } {
  let max = -Infinity;
  for (let c = 0; c < p.nCols; c++) max = Math.max(max, referenceLogit(p, r, c));
  if (max === -Infinity) return { max, logSum: 0 };
  let sum = 0;
  for (let c = 0; c < p.nCols; c++) sum += Math.exp(referenceLogit(p, r, c) - max);
  return { max, logSum: Math.log(sum) };
}

/** log Σ_c exp(z_rc); -Infinity for a row without columns. */
export function referenceLse(p: LogitRows, r: number): number {
  const { max, logSum } = referenceLseParts(p, r);
  return max + logSum;
}

export function referenceLseRows(
  scores: ArrayLike<number>,
  nRows: number,
  nCols: number,
  stride: number,
  invTemp: number,
  colBias: ArrayLike<number> | null,
): Float64Array {
  const out = new Float64Array(nRows);
  for (let r = 0; r < nRows; r++) out[r] = referenceLse({ scores, nCols, stride, invTemp, colBias }, r);
  return out;
}

export function referenceSoftmaxXent(p: SoftmaxProblem): SoftmaxResult {
  const grad = Float64Array.from(p.scores);
  const rowMagnitude = new Float64Array(p.nRows);
  let loss = 0;
  for (let r = 0; r < p.nRows; r++) {
    const first = p.targetOffsets[r];
    const end = p.targetOffsets[r + 1];
    const nTargets = end - first;
    const w = p.rowWeights ? p.rowWeights[r] : 1;
    for (let c = 0; c < p.nCols; c++) {
      const size = Math.abs(p.scores[r * p.stride + c] * p.invTemp) + Math.abs(p.colBias ? p.colBias[c] : 0);
      rowMagnitude[r] = Math.max(rowMagnitude[r], size);
    }
    for (let c = 0; c < p.nCols; c++) grad[r * p.stride + c] = 0;
    if (nTargets === 0 || w === 0) continue;
    const { max, logSum } = referenceLseParts(p, r);
    for (let e = first; e < end; e++) loss += w * (max - referenceLogit(p, r, p.targetIndices[e]) + logSum);
    for (let c = 0; c < p.nCols; c++) {
      grad[r * p.stride + c] = w * p.invTemp * nTargets * Math.exp(referenceLogit(p, r, c) - max - logSum);
    }
    for (let e = first; e < end; e++) grad[r * p.stride + p.targetIndices[e]] -= w * p.invTemp;
  }
  return { loss, grad, rowMagnitude };
}

/**
 * Plain reference for top-k selection (assembly/topk.ts): sort every candidate and cut.
 * Candidates are the columns not excluded whose score is above -Infinity (NaN never qualifies);
 * order is score descending, then column index ascending; missing places are -1 / -Infinity.
 */

export interface TopkResult {
  indices: Int32Array;
  scores: Float64Array;
  /** scores after the exclusion wrote -Infinity into the excluded entries. */
  maskedScores: Float64Array;
}

export function referenceTopkRows(
  scores: ArrayLike<number>,
  nRows: number,
  nCols: number,
  stride: number,
  k: number,
  excl: { offsets: ArrayLike<number>; indices: ArrayLike<number> } | null,
): TopkResult {
  const maskedScores = Float64Array.from(scores);
  const indices = new Int32Array(nRows * k).fill(-1);
  const out = new Float64Array(nRows * k).fill(-Infinity);
  for (let r = 0; r < nRows; r++) {
    if (excl) {
      for (let e = excl.offsets[r]; e < excl.offsets[r + 1]; e++) {
        const c = excl.indices[e];
        if (c >= 0 && c < nCols) maskedScores[r * stride + c] = -Infinity;
      }
    }
    const candidates: number[] = [];
    for (let c = 0; c < nCols; c++) if (maskedScores[r * stride + c] > -Infinity) candidates.push(c);
    candidates.sort((a, b) => maskedScores[r * stride + b] - maskedScores[r * stride + a] || a - b);
    for (let i = 0; i < Math.min(k, candidates.length); i++) {
      indices[r * k + i] = candidates[i];
      out[r * k + i] = maskedScores[r * stride + candidates[i]];
    }
  }
  return { indices, scores: out, maskedScores };
}

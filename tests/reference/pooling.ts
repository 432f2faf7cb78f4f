/**
 * Plain f64 references for the pooling kernels (assembly/pooling.ts) and gemm_nt: the
 * definitions the kernel tests compare against, written for clarity, not speed.
 */

/** Row r of the CSR contexts: its entries' table rows and their normalised weights (empty when they sum to 0). */
function normalisedEntries(
  offsets: ArrayLike<number>,
  weights: ArrayLike<number> | null,
  r: number,
): { first: number; end: number; scale: (e: number) => number } {
  const first = offsets[r],
    end = offsets[r + 1];
  let total = 0;
  for (let e = first; e < end; e++) total += weights ? weights[e] : 1;
  return { first, end: total === 0 ? first : end, scale: (e) => (weights ? weights[e] : 1) / total };
}

/** out[r] = (out0[r] when accumulating) + Σ_e w_e·table[indices[e]] / Σ_e w_e. */
export function referencePoolRows(
  table: ArrayLike<number>,
  d: number,
  offsets: ArrayLike<number>,
  indices: ArrayLike<number>,
  weights: ArrayLike<number> | null,
  nRows: number,
  out0: ArrayLike<number> | null,
): Float64Array {
  const out = out0 ? Float64Array.from(out0) : new Float64Array(nRows * d);
  for (let r = 0; r < nRows; r++) {
    const { first, end, scale } = normalisedEntries(offsets, weights, r);
    for (let e = first; e < end; e++) for (let c = 0; c < d; c++) out[r * d + c] += scale(e) * table[indices[e] * d + c];
  }
  return out;
}

/** out0 (or zeros) + scale·Σ_e w_e·table[indices[e]] for every row: the sparse product sumRows computes. */
export function referenceSumRows(
  table: ArrayLike<number>,
  d: number,
  offsets: ArrayLike<number>,
  indices: ArrayLike<number>,
  weights: ArrayLike<number> | null,
  nRows: number,
  scale: number,
  out0: ArrayLike<number> | null,
): Float64Array {
  const out = out0 ? Float64Array.from(out0) : new Float64Array(nRows * d);
  for (let r = 0; r < nRows; r++) {
    for (let e = offsets[r]; e < offsets[r + 1]; e++) {
      const w = scale * (weights ? weights[e] : 1);
      for (let c = 0; c < d; c++) out[r * d + c] += w * table[indices[e] * d + c];
    }
  }
  return out;
}

/** A copy of gradTable with (w_e / Σ w)·gradOut[r] added into row indices[e] for every entry. */
export function referencePoolRowsBackward(
  gradTable: ArrayLike<number>,
  d: number,
  offsets: ArrayLike<number>,
  indices: ArrayLike<number>,
  weights: ArrayLike<number> | null,
  nRows: number,
  gradOut: ArrayLike<number>,
): Float64Array {
  const out = Float64Array.from(gradTable);
  for (let r = 0; r < nRows; r++) {
    const { first, end, scale } = normalisedEntries(offsets, weights, r);
    for (let e = first; e < end; e++) for (let c = 0; c < d; c++) out[indices[e] * d + c] += scale(e) * gradOut[r * d + c];
  }
  return out;
}

/** dst0[r] + scales[r]·src[r] for n rows of d. */
export function referenceAddScaledRows(dst0: ArrayLike<number>, src: ArrayLike<number>, scales: ArrayLike<number>, n: number, d: number): Float64Array {
  const out = Float64Array.from(dst0);
  for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) out[r * d + c] += scales[r] * src[r * d + c];
  return out;
}

/** C = A·Bᵀ with A[M×K], B[N×K]. */
export function referenceGemmNT(a: ArrayLike<number>, b: ArrayLike<number>, M: number, N: number, K: number): Float64Array {
  const c = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a[i * K + k] * b[j * K + k];
      c[i * N + j] = s;
    }
  return c;
}

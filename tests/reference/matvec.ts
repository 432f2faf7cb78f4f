/**
 * Plain f64 references for the matrix-vector kernels (assembly/matvec.ts), written for clarity.
 */

/** out[r] = a[r]·x for n rows of d. */
export function referenceMatvec(a: ArrayLike<number>, n: number, d: number, x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) out[r] += a[r * d + c] * x[c];
  return out;
}

/** Σ_r x[r]·a[r] over n rows of d. */
export function referenceMatvecT(a: ArrayLike<number>, n: number, d: number, x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) out[c] += x[r] * a[r * d + c];
  return out;
}

/** A copy of a (n rows of d) plus alpha·x·yᵀ. */
export function referenceAddOuter(a: ArrayLike<number>, n: number, d: number, alpha: number, x: ArrayLike<number>, y: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(a);
  for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) out[r * d + c] += alpha * x[r] * y[c];
  return out;
}

/** A copy of a with alpha·v added to columns 0..m-1 of each of the n rows (row r starts at r·stride). */
export function referenceAddToRows(a: ArrayLike<number>, n: number, m: number, stride: number, alpha: number, v: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(a);
  for (let r = 0; r < n; r++) for (let c = 0; c < m; c++) out[r * stride + c] += alpha * v[c];
  return out;
}

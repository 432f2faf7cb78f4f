/**
 * Plain f64 references for the row kernels (assembly/rows.ts): the definitions the kernel tests
 * compare against, written for clarity, not speed.
 */

/** Σ a[aOffset+i]·b[bOffset+i] for i < n. */
export function referenceDot(a: ArrayLike<number>, b: ArrayLike<number>, n: number, aOffset = 0, bOffset = 0): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += a[aOffset + i] * b[bOffset + i];
  return sum;
}

/** out[r] = a[r]·b[r] for n rows of d. */
export function referenceRowwiseDot(a: ArrayLike<number>, b: ArrayLike<number>, n: number, d: number): Float64Array {
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) out[r] = referenceDot(a, b, d, r * d, r * d);
  return out;
}

/** dst[r] = src[indices[r]] (rows of d). */
export function referenceGatherRows(src: ArrayLike<number>, d: number, indices: ArrayLike<number>, n: number): Float64Array {
  const dst = new Float64Array(n * d);
  for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) dst[r * d + c] = src[indices[r] * d + c];
  return dst;
}

/** A copy of dst with src[r] added into row indices[r] for every r (repeated indices accumulate). */
export function referenceScatterAddRows(dst: ArrayLike<number>, d: number, indices: ArrayLike<number>, n: number, src: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(dst);
  for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) out[indices[r] * d + c] += src[r * d + c];
  return out;
}

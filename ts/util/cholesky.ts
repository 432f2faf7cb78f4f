/**
 * Solve A·x = b for a symmetric positive-definite A (d×d, row-major) by Cholesky, in f64.
 * For the small systems of serving-time fold-in (d ≤ a few hundred), where a plain loop is fast
 * enough and f64 keeps the solve exact to far below f32 precision.
 */
export function solveSymmetricPositiveDefinite(a: Float64Array, b: Float64Array, d: number): Float64Array {
  if (a.length !== d * d || b.length !== d) throw new RangeError(`expected a ${d}×${d} matrix and ${d} right-hand values, got ${a.length} and ${b.length}`);
  // Lower factor L with A = L·Lᵀ, column by column.
  const l = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    let diagonal = a[j * d + j];
    for (let k = 0; k < j; k++) diagonal -= l[j * d + k] * l[j * d + k];
    if (!(diagonal > 0)) throw new RangeError(`the matrix is not positive definite (pivot ${j} is ${diagonal}); add regularisation`);
    const root = Math.sqrt(diagonal);
    l[j * d + j] = root;
    for (let i = j + 1; i < d; i++) {
      let s = a[i * d + j];
      for (let k = 0; k < j; k++) s -= l[i * d + k] * l[j * d + k];
      l[i * d + j] = s / root;
    }
  }
  // L·y = b, then Lᵀ·x = y.
  const x = Float64Array.from(b);
  for (let i = 0; i < d; i++) {
    let s = x[i];
    for (let k = 0; k < i; k++) s -= l[i * d + k] * x[k];
    x[i] = s / l[i * d + i];
  }
  for (let i = d - 1; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < d; k++) s -= l[k * d + i] * x[k];
    x[i] = s / l[i * d + i];
  }
  return x;
}

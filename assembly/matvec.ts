// Matrix-vector products and rank-1 updates on row-major f32 tables: the per-step vector work
// of the spectral-norm penalty (ReSN), which reaches σ_max(U·Vᵀ) through the factors and never
// forms the score matrix, and the per-column score shift of popularity re-ranking.

import { addScaledRow, dotProduct } from "./rows";

/** out[r] = a[r]·x for n rows of d (A·x). */
export function matvec(a: usize, n: i32, d: i32, x: usize, out: usize): void {
  const rowBytes = <usize>d << 2;
  for (let r = 0; r < n; r++) store<f32>(out + (<usize>r << 2), dotProduct(a + <usize>r * rowBytes, x, d));
}

/** out = Σ_r x[r]·a[r] over n rows of d (Aᵀ·x); out is overwritten. */
export function matvec_t(a: usize, n: i32, d: i32, x: usize, out: usize): void {
  memory.fill(out, 0, <usize>max(d, 0) << 2);
  const rowBytes = <usize>d << 2;
  for (let r = 0; r < n; r++) addScaledRow(out, load<f32>(x + (<usize>r << 2)), a + <usize>r * rowBytes, d);
}

/** a[r] += alpha·x[r]·y for n rows of d (A += alpha·x·yᵀ). */
export function add_outer(a: usize, n: i32, d: i32, alpha: f32, x: usize, y: usize): void {
  const rowBytes = <usize>d << 2;
  for (let r = 0; r < n; r++) addScaledRow(a + <usize>r * rowBytes, alpha * load<f32>(x + (<usize>r << 2)), y, d);
}

/** a[r·stride + c] += alpha·v[c] for n rows of m columns (the same vector added to every row). */
export function add_to_rows(a: usize, n: i32, m: i32, stride: i32, alpha: f32, v: usize): void {
  const strideBytes = <usize>stride << 2;
  for (let r = 0; r < n; r++) addScaledRow(a + <usize>r * strideBytes, alpha, v, m);
}

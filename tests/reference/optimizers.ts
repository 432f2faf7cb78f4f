/**
 * Plain f64 references for the row-sparse optimizers (assembly/optimizers.ts). Each updates its
 * state arrays in place. rows[r] is the parameter row of compact gradient row r (null: row r);
 * the gradient used is grads[r] + l2·param.
 */

function rowOf(rows: ArrayLike<number> | null, r: number): number {
  return rows ? rows[r] : r;
}

export function referenceSgdRows(
  params: Float64Array,
  d: number,
  rows: ArrayLike<number> | null,
  nRows: number,
  grads: ArrayLike<number>,
  lr: number,
  l2: number,
): void {
  for (let r = 0; r < nRows; r++) {
    const base = rowOf(rows, r) * d;
    for (let c = 0; c < d; c++) {
      const g = grads[r * d + c] + l2 * params[base + c];
      params[base + c] -= lr * g;
    }
  }
}

export function referenceAdagradRows(
  params: Float64Array,
  accum: Float64Array,
  d: number,
  rows: ArrayLike<number> | null,
  nRows: number,
  grads: ArrayLike<number>,
  lr: number,
  eps: number,
  l2: number,
): void {
  for (let r = 0; r < nRows; r++) {
    const base = rowOf(rows, r) * d;
    for (let c = 0; c < d; c++) {
      const g = grads[r * d + c] + l2 * params[base + c];
      accum[base + c] += g * g;
      params[base + c] -= (lr * g) / (Math.sqrt(accum[base + c]) + eps);
    }
  }
}

export function referenceAdamRows(
  params: Float64Array,
  m: Float64Array,
  v: Float64Array,
  d: number,
  rows: ArrayLike<number> | null,
  nRows: number,
  grads: ArrayLike<number>,
  lr: number,
  beta1: number,
  beta2: number,
  eps: number,
  step: number,
  l2: number,
): void {
  for (let r = 0; r < nRows; r++) {
    const base = rowOf(rows, r) * d;
    for (let c = 0; c < d; c++) {
      const i = base + c;
      const g = grads[r * d + c] + l2 * params[i];
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      const mHat = m[i] / (1 - Math.pow(beta1, step));
      const vHat = v[i] / (1 - Math.pow(beta2, step));
      params[i] -= (lr * mHat) / (Math.sqrt(vHat) + eps);
    }
  }
}

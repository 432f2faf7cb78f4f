// Geometry on embedding rows: removing the component along a direction (the popularity direction
// of the gradient-perspective debiasing) and scaling rows to unit length.

import { addScaledRow, dotProduct, scaleRow } from "./rows";

/**
 * rows[i] −= alpha·(rows[i]·û)·û with û = direction/‖direction‖, for n rows of d; a zero
 * direction leaves the rows unchanged. Computed as rows[i] −= (alpha·rows[i]·u/‖u‖²)·u, so û is
 * never materialised; ‖u‖² is taken in f64, which cannot underflow or overflow for f32 input.
 */
export function project_out(rows: usize, n: i32, d: i32, direction: usize, alpha: f32): void {
  const normSquared = sumOfSquares64(direction, d);
  if (!(normSquared > 0) || !isFinite(normSquared)) return;
  const coefficient = <f64>alpha / normSquared;
  const rowBytes = <usize>d << 2;
  for (let i = 0; i < n; i++) {
    const row = rows + <usize>i * rowBytes;
    const along = <f64>dotProduct(row, direction, d) * coefficient;
    addScaledRow(row, <f32>-along, direction, d);
  }
}

/** Scales each of n rows of d to unit L2 norm; all-zero rows stay zero. */
export function l2_normalize_rows(rows: usize, n: i32, d: i32): void {
  const rowBytes = <usize>d << 2;
  for (let i = 0; i < n; i++) normalizeRow(rows + <usize>i * rowBytes, d);
}

/** Scales rows[indices[r]] of the table to unit L2 norm for r < n (a row listed twice is normalised twice: harmless). */
export function l2_normalize_rows_at(table: usize, d: i32, indices: usize, n: i32): void {
  const rowBytes = <usize>d << 2;
  for (let r = 0; r < n; r++) normalizeRow(table + <usize>load<i32>(indices + (<usize>r << 2)) * rowBytes, d);
}

/** One row of d to unit L2 norm; an all-zero row stays zero. */
export function normalizeRow(row: usize, d: i32): void {
  const squared = dotProduct(row, row, d);
  if (squared >= 1e-30 && squared <= 1e30) {
    scaleRow(row, <f32>(1.0 / Math.sqrt(<f64>squared)), d);
  } else {
    // Tiny rows underflow and huge rows overflow a squared norm in f32 (or a row holds a
    // non-finite value); f64 covers every finite f32 row exactly enough.
    const squared64 = sumOfSquares64(row, d);
    if (squared64 > 0 && isFinite(squared64)) scaleRow64(row, 1.0 / Math.sqrt(squared64), d);
  }
}

function sumOfSquares64(x: usize, n: i32): f64 {
  let total: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    total += v * v;
  }
  return total;
}

/** x *= scale with the product in f64 (scale itself may not be representable in f32). */
function scaleRow64(x: usize, scale: f64, n: i32): void {
  for (let i = 0; i < n; i++) {
    const at = x + (<usize>i << 2);
    store<f32>(at, <f32>(<f64>load<f32>(at) * scale));
  }
}

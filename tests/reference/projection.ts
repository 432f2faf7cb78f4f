/** Plain f64 references for assembly/projection.ts. */

/** rows[i] − alpha·(rows[i]·û)·û with û = direction/‖direction‖; a zero direction changes nothing. */
export function referenceProjectOut(rows: ArrayLike<number>, n: number, d: number, direction: ArrayLike<number>, alpha: number): Float64Array {
  const out = Float64Array.from(rows);
  let norm = 0;
  for (let c = 0; c < d; c++) norm += direction[c] * direction[c];
  norm = Math.sqrt(norm);
  if (norm === 0) return out;
  for (let i = 0; i < n; i++) {
    let along = 0;
    for (let c = 0; c < d; c++) along += rows[i * d + c] * (direction[c] / norm);
    for (let c = 0; c < d; c++) out[i * d + c] -= alpha * along * (direction[c] / norm);
  }
  return out;
}

/** Each row divided by its L2 norm; all-zero rows stay zero. */
export function referenceL2NormalizeRows(rows: ArrayLike<number>, n: number, d: number): Float64Array {
  const out = Float64Array.from(rows);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let c = 0; c < d; c++) norm += rows[i * d + c] * rows[i * d + c];
    norm = Math.sqrt(norm);
    if (norm > 0) for (let c = 0; c < d; c++) out[i * d + c] = rows[i * d + c] / norm;
  }
  return out;
}

// Weighted mean pooling of gathered table rows over CSR contexts: the history tower of the
// two-tower model reads a user as the (weighted) mean of the input embeddings of the items in
// their context, and the item tower reads an item's genres the same way. The backward pass is
// the matching scatter-add, so every per-entry product stays in wasm.

import { addScaledRow } from "./rows";

/**
 * out[r] (+)= Σ_e w_e·table[indices[e]] / Σ_e w_e over the entries e of row r
 * (offsets[r] .. offsets[r+1]); weights = 0 (null) means w_e = 1 (a plain mean). A row without
 * entries, or whose weights sum to 0, pools to zero (adds nothing). accumulate = 0 overwrites out.
 */
export function pool_rows(
  table: usize, d: i32, offsets: usize, indices: usize, weights: usize, nRows: i32, out: usize, accumulate: i32,
): void {
  if (accumulate == 0) memory.fill(out, 0, <usize>max(0, nRows) * (<usize>d << 2));
  poolEntries(table, d, offsets, indices, weights, nRows, out, false);
}

/**
 * The gradient of pool_rows: gradTable[indices[e]] += (w_e / Σ_e' w_e')·gradOut[r] for every
 * entry e of row r. Repeated indices accumulate; gradTable is only added to.
 */
export function pool_rows_backward(
  gradTable: usize, d: i32, offsets: usize, indices: usize, weights: usize, nRows: i32, gradOut: usize,
): void {
  poolEntries(gradTable, d, offsets, indices, weights, nRows, gradOut, true, 0, i32.MAX_VALUE);
}

/**
 * pool_rows_backward for the table rows first .. end-1 only: the entries of other rows are
 * skipped. Threads that take disjoint ranges share one backward pass without races, and every
 * table row still adds its entries in entry order, so any split gives the same sums.
 */
export function pool_rows_backward_range(
  gradTable: usize, d: i32, offsets: usize, indices: usize, weights: usize, nRows: i32, gradOut: usize, first: i32, end: i32,
): void {
  poolEntries(gradTable, d, offsets, indices, weights, nRows, gradOut, true, first, end);
}

/**
 * A sparse-times-dense product over CSR rows: out[r] (+)= scale·Σ_e w_e·table[indices[e]] over the
 * entries e of row r, weights = 0 (null) meaning w_e = 1. pool_rows without the division by Σ w:
 * the graph filter multiplies its normalised interaction matrix into blocks of dense columns.
 */
export function sum_rows(
  table: usize, d: i32, offsets: usize, indices: usize, weights: usize, nRows: i32, out: usize, scale: f32, accumulate: i32,
): void {
  if (accumulate == 0) memory.fill(out, 0, <usize>max(0, nRows) * (<usize>d << 2));
  poolEntries(table, d, offsets, indices, weights, nRows, out, false, 0, i32.MAX_VALUE, scale);
}

/**
 * For every entry e of row r, with its normalised weight ŵ_e = w_e / Σ w (or w_e·sumScale when
 * sumScale is given: no normalisation): forward, rows[r] +=
 * ŵ_e·table[indices[e]]; backward, table[indices[e]] += ŵ_e·rows[r] where indices[e] lies in
 * first .. end-1.
 */
function poolEntries(
  table: usize, d: i32, offsets: usize, indices: usize, weights: usize, nRows: i32, rows: usize, backward: bool,
  first: i32 = 0, end: i32 = i32.MAX_VALUE, sumScale: f32 = NaN,
): void {
  const rowBytes = <usize>d << 2;
  const mean = isNaN(sumScale);
  for (let r = 0; r < nRows; r++) {
    const row = rows + <usize>r * rowBytes;
    const from = load<i32>(offsets + (<usize>r << 2));
    const to = load<i32>(offsets + (<usize>r << 2), 4);
    let inv = sumScale;
    if (mean) {
      const total = weightSum(weights, from, to);
      if (total == 0) continue;
      inv = <f32>(1 / total);
    }
    for (let e = from; e < to; e++) {
      const index = load<i32>(indices + (<usize>e << 2));
      if (index < first || index >= end) continue;
      const w: f32 = weights != 0 ? load<f32>(weights + (<usize>e << 2)) : 1;
      const tableRow = table + <usize>index * rowBytes;
      if (backward) addScaledRow(tableRow, w * inv, row, d);
      else addScaledRow(row, w * inv, tableRow, d);
    }
  }
}

/** dst[r] += scales[r]·src[r] for n rows of d (a per-row axpy: the sampled softmax's positive column). */
export function add_scaled_rows(dst: usize, src: usize, scales: usize, n: i32, d: i32): void {
  const rowBytes = <usize>d << 2;
  for (let r = 0; r < n; r++) {
    const o = <usize>r * rowBytes;
    addScaledRow(dst + o, load<f32>(scales + (<usize>r << 2)), src + o, d);
  }
}

/** Σ_e w_e in f64 over entries first..end (their count when there are no weights). */
function weightSum(weights: usize, first: i32, end: i32): f64 {
  if (weights == 0) return <f64>max(0, end - first);
  let total: f64 = 0;
  for (let e = first; e < end; e++) total += <f64>load<f32>(weights + (<usize>e << 2));
  return total;
}


/**
 * Compressed sparse rows: row r holds indices[indptr[r] .. indptr[r+1]). Interactions are kept
 * this way (user → items, item → users) because every consumer (samplers, exclusion lists for
 * top-k, per-user metrics) walks whole rows, and two Int32Arrays can be handed to wasm as they are.
 */
export interface Csr {
  /** rows + 1 offsets, indptr[0] = 0, non-decreasing, last = indices.length. */
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
}

/** Number of rows. */
export function csrRowCount(csr: Csr): number {
  return csr.indptr.length - 1;
}

/** Row r as a view (no copy) on csr.indices. */
export function csrRow(csr: Csr, r: number): Int32Array {
  if (!Number.isInteger(r) || r < 0 || r >= csr.indptr.length - 1) {
    throw new RangeError(`row ${r} is outside this CSR (${csr.indptr.length - 1} rows)`);
  }
  return csr.indices.subarray(csr.indptr[r]!, csr.indptr[r + 1]!);
}

/**
 * Stable counting sort of entry positions by row: `order` lists the positions 0..n-1 grouped by
 * rows[position], keeping input order within a row; `indptr` delimits the groups. Readers use the
 * order to carry ratings and timestamps along with the item indices.
 */
export function groupByRow(rows: Int32Array, nRows: number): { indptr: Int32Array; order: Int32Array } {
  checkCount(nRows, "nRows");
  const n = rows.length;
  const indptr = new Int32Array(nRows + 1);
  for (let k = 0; k < n; k++) {
    const r = rows[k]!;
    if (r < 0 || r >= nRows) throw new RangeError(`row index ${r} at position ${k} is outside [0, ${nRows})`);
    indptr[r + 1]!++;
  }
  for (let r = 0; r < nRows; r++) indptr[r + 1]! += indptr[r]!;
  const next = indptr.slice(0, nRows);
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) order[next[rows[k]!]!++] = k;
  return { indptr, order };
}

/** CSR with nRows rows from (row, col) pairs; within a row the input order is kept. */
export function csrFromPairs(rows: Int32Array, cols: Int32Array, nRows: number): Csr {
  if (rows.length !== cols.length) {
    throw new RangeError(`csrFromPairs: ${rows.length} rows but ${cols.length} cols`);
  }
  const { indptr, order } = groupByRow(rows, nRows);
  const indices = new Int32Array(order.length);
  for (let k = 0; k < order.length; k++) indices[k] = cols[order[k]!]!;
  return { indptr, indices };
}

/**
 * The transpose (column c lists the rows holding c), by counting sort: rows appear in ascending
 * order within each column, and an entry repeated within a row keeps its relative order.
 */
export function transposeCsr(csr: Csr, nCols: number): Csr {
  checkCount(nCols, "nCols");
  const { indptr, indices } = csr;
  const nRows = indptr.length - 1;
  const nnz = indices.length;
  if (nRows < 0 || indptr[0] !== 0 || indptr[nRows] !== nnz) {
    throw new RangeError(`transposeCsr: indptr does not delimit ${nnz} indices`);
  }
  const tIndptr = new Int32Array(nCols + 1);
  for (let k = 0; k < nnz; k++) {
    const c = indices[k]!;
    if (c < 0 || c >= nCols) throw new RangeError(`column index ${c} at position ${k} is outside [0, ${nCols})`);
    tIndptr[c + 1]!++;
  }
  for (let c = 0; c < nCols; c++) tIndptr[c + 1]! += tIndptr[c]!;
  const next = tIndptr.slice(0, nCols);
  const tIndices = new Int32Array(nnz);
  for (let r = 0; r < nRows; r++) {
    const end = indptr[r + 1]!;
    for (let k = indptr[r]!; k < end; k++) tIndices[next[indices[k]!]!++] = r;
  }
  return { indptr: tIndptr, indices: tIndices };
}

function checkCount(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff - 1) throw new RangeError(`${what} must be a non-negative integer, got ${n}`);
}

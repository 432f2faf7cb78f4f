import type { Csr } from "../data/csr.js";
import type { Interactions } from "../data/interactions.js";
import type { WasmI32Array } from "../kernels/wasm-instance.js";

/**
 * Loads a block of users for full-ranking scoring: blockUsers[r] = users[start + r] for r < n, and
 * their training items as the CSR exclusion list the top-k kernel takes (offsets n + 1 long;
 * indices at least n × {@link maxRowLength}(train) long). Users beyond the training part have none.
 */
export function loadUserBlock(
  train: Interactions,
  users: ArrayLike<number>,
  start: number,
  n: number,
  blockUsers: WasmI32Array,
  exclOffsets: WasmI32Array,
  exclIndices: WasmI32Array,
): void {
  loadCsrBlock(train.byUser, train.nUsers, users, start, n, blockUsers, exclOffsets, exclIndices);
}

/**
 * The same for the rows of any CSR (users → items, or items → users for inverse retrieval):
 * blockRows[r] = rows[start + r], and each row's CSR entries as that row's exclusion list. Rows at
 * or beyond `nRows` (the CSR's row count) have none.
 */
export function loadCsrBlock(
  csr: Csr,
  nRows: number,
  rows: ArrayLike<number>,
  start: number,
  n: number,
  blockRows: WasmI32Array,
  exclOffsets: WasmI32Array,
  exclIndices: WasmI32Array,
): void {
  const indptr = csr.indptr,
    indices = csr.indices;
  const b = blockRows.view,
    off = exclOffsets.view,
    ex = exclIndices.view;
  let e = 0;
  off[0] = 0;
  for (let r = 0; r < n; r++) {
    const row = rows[start + r];
    b[r] = row;
    if (row < nRows) {
      ex.set(indices.subarray(indptr[row], indptr[row + 1]), e);
      e += indptr[row + 1] - indptr[row];
    }
    off[r + 1] = e;
  }
}

/** The most interactions any one user has in `data`. */
export function maxRowLength(data: Interactions): number {
  return maxCsrRowLength(data.byUser);
}

/** The longest row of a CSR. */
export function maxCsrRowLength(csr: Csr): number {
  const p = csr.indptr;
  let max = 0;
  for (let r = 0; r + 1 < p.length; r++) max = Math.max(max, p[r + 1] - p[r]);
  return max;
}

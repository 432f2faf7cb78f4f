import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { csrFromPairs, csrRow, csrRowCount, groupByRow, transposeCsr, type Csr } from "../ts/data/csr.js";
import { Rng } from "../ts/util/rng.js";

/** Row lists built the obvious way: push each pair into its row in input order. */
function bruteRows(rows: ArrayLike<number>, cols: ArrayLike<number>, nRows: number): number[][] {
  const out: number[][] = Array.from({ length: nRows }, () => []);
  for (let k = 0; k < rows.length; k++) out[rows[k]!]!.push(cols[k]!);
  return out;
}

function csrToRows(csr: Csr): number[][] {
  return Array.from({ length: csrRowCount(csr) }, (_, r) => Array.from(csrRow(csr, r)));
}

function randomPairs(rng: Rng, nRows: number, nCols: number, nnz: number): { rows: Int32Array; cols: Int32Array } {
  const rows = new Int32Array(nnz);
  const cols = new Int32Array(nnz);
  for (let k = 0; k < nnz; k++) {
    // Skewed rows and columns so some are empty and some are long.
    rows[k] = Math.floor(nRows * rng.next() ** 2);
    cols[k] = Math.floor(nCols * rng.next() ** 3);
  }
  return { rows, cols };
}

const SHAPES: Array<[nRows: number, nCols: number, nnz: number]> = [
  [0, 0, 0],
  [0, 5, 0],
  [3, 0, 0],
  [1, 1, 1],
  [1, 1, 7],
  [1, 13, 29],
  [17, 1, 33],
  [37, 53, 0],
  [37, 53, 301],
  [250, 999, 4097],
];

describe("csrFromPairs", () => {
  it("matches pushing pairs into rows, keeping input order within a row", () => {
    const rng = new Rng(11);
    for (const [nRows, nCols, nnz] of SHAPES) {
      if (nRows === 0 && nnz > 0) continue;
      const { rows, cols } = nCols === 0 ? { rows: new Int32Array(0), cols: new Int32Array(0) } : randomPairs(rng, nRows, nCols, nnz);
      const csr = csrFromPairs(rows, cols, nRows);
      assert.equal(csr.indptr.length, nRows + 1, `shape ${nRows}x${nCols}`);
      assert.equal(csr.indptr[0], 0);
      assert.equal(csr.indptr[nRows], rows.length);
      assert.deepEqual(csrToRows(csr), bruteRows(rows, cols, nRows), `shape ${nRows}x${nCols} nnz ${nnz}`);
    }
  });

  it("groupByRow's order is a stable permutation of the positions", () => {
    const rng = new Rng(5);
    const { rows } = randomPairs(rng, 23, 10, 500);
    const { indptr, order } = groupByRow(rows, 23);
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      Array.from({ length: 500 }, (_, k) => k),
    );
    for (let r = 0; r < 23; r++) {
      const expected = [...rows.keys()].filter((k) => rows[k] === r);
      assert.deepEqual(Array.from(order.subarray(indptr[r]!, indptr[r + 1]!)), expected);
    }
  });

  it("rejects row indices outside [0, nRows) and mismatched lengths", () => {
    assert.throws(() => csrFromPairs(Int32Array.of(0, 3), Int32Array.of(1, 1), 3), /row index 3 at position 1/);
    assert.throws(() => csrFromPairs(Int32Array.of(-1), Int32Array.of(1), 3), RangeError);
    assert.throws(() => csrFromPairs(Int32Array.of(0), Int32Array.of(1, 2), 3), RangeError);
    assert.throws(() => csrFromPairs(new Int32Array(0), new Int32Array(0), -1), RangeError);
  });
});

describe("transposeCsr", () => {
  it("matches a brute-force transpose on random data (rows ascending within a column)", () => {
    const rng = new Rng(99);
    for (const [nRows, nCols, nnz] of SHAPES) {
      if ((nRows === 0 || nCols === 0) && nnz > 0) continue;
      const { rows, cols } = randomPairs(rng, nRows, nCols, nRows === 0 || nCols === 0 ? 0 : nnz);
      const csr = csrFromPairs(rows, cols, nRows);
      const t = transposeCsr(csr, nCols);
      const expected: number[][] = Array.from({ length: nCols }, () => []);
      for (let r = 0; r < nRows; r++) for (const c of csrRow(csr, r)) expected[c]!.push(r);
      assert.deepEqual(csrToRows(t), expected, `shape ${nRows}x${nCols} nnz ${nnz}`);
      // Transposing back gives every row's entries sorted (duplicates kept).
      const back = transposeCsr(t, nRows);
      assert.deepEqual(
        csrToRows(back),
        csrToRows(csr).map((row) => row.sort((a, b) => a - b)),
      );
    }
  });

  it("rejects column indices outside [0, nCols) and a broken indptr", () => {
    const csr = csrFromPairs(Int32Array.of(0, 1), Int32Array.of(2, 5), 2);
    assert.throws(() => transposeCsr(csr, 5), /column index 5 at position 1/);
    assert.throws(() => transposeCsr({ indptr: Int32Array.of(0, 3), indices: Int32Array.of(1) }, 4), RangeError);
  });

  it("csrRow is a view and rejects rows outside the matrix", () => {
    const csr = csrFromPairs(Int32Array.of(1, 1, 0), Int32Array.of(4, 2, 9), 3);
    assert.deepEqual(Array.from(csrRow(csr, 1)), [4, 2]);
    assert.equal(csrRow(csr, 1).buffer, csr.indices.buffer);
    assert.equal(csrRow(csr, 2).length, 0);
    assert.throws(() => csrRow(csr, 3), RangeError);
  });
});

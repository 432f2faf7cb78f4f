import { F32_EPS, copyF32, f32At, filledF32, hashIndex, hashValue, newI32, release, setF32, setI32, within, zeroF32 } from "./support/kernel-spec-data";
import { add_scaled_rows, pool_rows, pool_rows_backward, sum_rows } from "../pooling";

/** CSR offsets for nRows rows of lengths hash-chosen in 0..maxLen (row 1 always empty). */
function offsetsFor(nRows: i32, maxLen: i32, seed: i32): usize {
  const off = newI32(nRows + 1);
  let t = 0;
  setI32(off, 0, 0);
  for (let r = 0; r < nRows; r++) {
    t += r == 1 ? 0 : hashIndex(seed, r, maxLen + 1);
    setI32(off, r + 1, t);
  }
  return off;
}

function positiveWeights(n: i32, seed: i32): usize {
  const w = filledF32(n, seed);
  for (let e = 0; e < n; e++) setF32(w, e, Math.abs(f32At(w, e)) as f32 + 0.1);
  return w;
}

function check(tableRows: i32, d: i32, nRows: i32, maxLen: i32, weighted: bool, seed: i32): void {
  const table = filledF32(tableRows * d, seed);
  const off = offsetsFor(nRows, maxLen, seed + 1);
  const entries = load<i32>(off + (<usize>nRows << 2));
  const idx = newI32(max(entries, 1));
  for (let e = 0; e < entries; e++) setI32(idx, e, hashIndex(seed + 2, e, tableRows));
  const w: usize = weighted ? positiveWeights(max(entries, 1), seed + 3) : 0;
  const out = filledF32(nRows * d, seed + 4);
  const out0 = copyF32(out, nRows * d);
  const grad = filledF32(nRows * d, seed + 5);
  const gTable = filledF32(tableRows * d, seed + 6);
  const gTable0 = copyF32(gTable, tableRows * d);
  pool_rows(table, d, off, idx, w, nRows, out, 1);
  pool_rows_backward(gTable, d, off, idx, w, nRows, grad);
  const expectedGrad = new Array<f64>(tableRows * d);
  for (let i = 0; i < tableRows * d; i++) expectedGrad[i] = <f64>f32At(gTable0, i);
  for (let r = 0; r < nRows; r++) {
    const first = load<i32>(off + (<usize>r << 2));
    const end = load<i32>(off + (<usize>r << 2), 4);
    let total: f64 = 0;
    for (let e = first; e < end; e++) total += w != 0 ? <f64>f32At(w, e) : 1;
    for (let c = 0; c < d; c++) {
      let s: f64 = <f64>f32At(out0, r * d + c);
      for (let e = first; e < end; e++) {
        const we: f64 = (w != 0 ? <f64>f32At(w, e) : 1) / total;
        const row = load<i32>(idx + (<usize>e << 2));
        s += we * <f64>f32At(table, row * d + c);
        expectedGrad[row * d + c] += we * <f64>f32At(grad, r * d + c);
      }
      expect<bool>(within(<f64>f32At(out, r * d + c), s, 8 * F32_EPS * (<f64>(end - first) + 2) * 4)).toBe(true, "pooled row within f32 tolerance");
    }
  }
  for (let i = 0; i < tableRows * d; i++) {
    expect<bool>(within(<f64>f32At(gTable, i), expectedGrad[i], 8 * F32_EPS * (<f64>entries + 2) * 4)).toBe(true, "table gradient within f32 tolerance");
  }
  release(table); release(off); release(idx); if (w != 0) release(w); release(out); release(out0); release(grad); release(gTable); release(gTable0);
}

describe("pool_rows and pool_rows_backward", () => {
  it("match the f64 reference on shapes with d = 1, d not a multiple of 4, empty rows and no rows", () => {
    // tableRows, d, nRows, maxLen
    const shapes: i32[] = [5, 1, 6, 4, 9, 3, 7, 5, 12, 17, 9, 8, 4, 64, 3, 3, 6, 5, 0, 3, 30, 33, 11, 50];
    for (let s = 0; s < shapes.length; s += 4) {
      check(shapes[s], shapes[s + 1], shapes[s + 2], shapes[s + 3], false, 10 + s);
      check(shapes[s], shapes[s + 1], shapes[s + 2], shapes[s + 3], true, 50 + s);
    }
  });

  it("overwrites with accumulate = 0 and pools an empty row to zero", () => {
    const table = filledF32(3 * 5, 1);
    const off = newI32(3);
    setI32(off, 0, 0); setI32(off, 1, 0); setI32(off, 2, 2);
    const idx = newI32(2);
    setI32(idx, 0, 2); setI32(idx, 1, 0);
    const out = filledF32(2 * 5, 9);
    pool_rows(table, 5, off, idx, 0, 2, out, 0);
    for (let c = 0; c < 5; c++) {
      expect<f32>(f32At(out, c)).toBe(0);
      expect<bool>(within(<f64>f32At(out, 5 + c), 0.5 * (<f64>f32At(table, 10 + c) + <f64>f32At(table, c)), 1e-6)).toBe(true);
    }
    release(table); release(off); release(idx); release(out);
  });
});

describe("sum_rows", () => {
  it("adds scale·Σ w_e·table[indices[e]] per row, unnormalised (signed weights), over d = 1, 3, 17 and an empty row", () => {
    // tableRows, d, nRows, maxLen
    const shapes: i32[] = [5, 1, 6, 4, 9, 3, 7, 5, 12, 17, 9, 8, 6, 5, 0, 3];
    for (let s = 0; s < shapes.length; s += 4) {
      const tableRows = shapes[s], d = shapes[s + 1], nRows = shapes[s + 2];
      const table = filledF32(tableRows * d, 70 + s);
      const off = offsetsFor(nRows, shapes[s + 3], 71 + s);
      const entries = load<i32>(off + (<usize>nRows << 2));
      const idx = newI32(max(entries, 1));
      for (let e = 0; e < entries; e++) setI32(idx, e, hashIndex(72 + s, e, tableRows));
      const w = filledF32(max(entries, 1), 73 + s);
      const out = filledF32(nRows * d, 74 + s);
      const out0 = copyF32(out, nRows * d);
      const scale: f32 = -0.75;
      sum_rows(table, d, off, idx, w, nRows, out, scale, 1);
      for (let r = 0; r < nRows; r++) {
        const first = load<i32>(off + (<usize>r << 2));
        const end = load<i32>(off + (<usize>r << 2), 4);
        for (let c = 0; c < d; c++) {
          let expected: f64 = <f64>f32At(out0, r * d + c);
          for (let e = first; e < end; e++) expected += <f64>scale * <f64>f32At(w, e) * <f64>f32At(table, load<i32>(idx + (<usize>e << 2)) * d + c);
          expect<bool>(within(<f64>f32At(out, r * d + c), expected, 8 * F32_EPS * (<f64>(end - first) + 2) * 4)).toBe(true, "summed row within f32 tolerance");
        }
      }
      release(table); release(off); release(idx); release(w); release(out); release(out0);
    }
  });
});

describe("add_scaled_rows", () => {
  it("adds each row of src times its own scale, d = 1 and d = 7 included", () => {
    const shapes: i32[] = [0, 3, 1, 1, 4, 7, 3, 64];
    for (let s = 0; s < shapes.length; s += 2) {
      const n = shapes[s], d = shapes[s + 1];
      const dst = filledF32(n * d, 3 + s);
      const dst0 = copyF32(dst, n * d);
      const src = filledF32(n * d, 4 + s);
      const scales = zeroF32(max(n, 1));
      for (let r = 0; r < n; r++) setF32(scales, r, hashValue(5 + s, r));
      add_scaled_rows(dst, src, scales, n, d);
      for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) {
        const expected = <f64>f32At(dst0, r * d + c) + <f64>f32At(scales, r) * <f64>f32At(src, r * d + c);
        expect<bool>(within(<f64>f32At(dst, r * d + c), expected, 4 * F32_EPS * 4)).toBe(true);
      }
      release(dst); release(dst0); release(src); release(scales);
    }
  });
});

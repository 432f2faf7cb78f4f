import { topk_rows } from "../topk";
import { f32At, filledF32, hashIndex, i32At, newI32, release, setF32, setI32, zeroF32 } from "./support/kernel-spec-data";

/** Is column a ranked before column b (higher score, then lower index)? */
function before(row: usize, a: i32, b: i32): bool {
  const sa = f32At(row, a);
  const sb = f32At(row, b);
  return sa > sb || (sa == sb && a < b);
}

/**
 * Checks one row's output against a selection by insertion sort over the candidates (scores above
 * -Infinity after the exclusion was applied, which the kernel wrote into the row itself).
 */
function checkRow(row: usize, nCols: i32, k: i32, outIndices: usize, outScores: usize): void {
  const order = new Array<i32>(0);
  for (let c = 0; c < nCols; c++) {
    if (!(f32At(row, c) > -Infinity)) continue;
    let at = order.length;
    order.push(c);
    while (at > 0 && before(row, c, order[at - 1])) {
      order[at] = order[at - 1];
      at--;
    }
    order[at] = c;
  }
  for (let i = 0; i < k; i++) {
    if (i < order.length) {
      expect<i32>(i32At(outIndices, i)).toBe(order[i]);
      expect<f32>(f32At(outScores, i)).toBe(f32At(row, order[i]));
    } else {
      expect<i32>(i32At(outIndices, i)).toBe(-1);
      expect<f32>(f32At(outScores, i)).toBe(-Infinity);
    }
  }
}

/** Random rows (integer scores when `ties`), up to 3 exclusions per row when `exclude`. */
function check(nRows: i32, nCols: i32, stride: i32, k: i32, ties: bool, exclude: bool, seed: i32): void {
  const nScores = nRows == 0 ? 0 : (nRows - 1) * stride + nCols;
  const scores = filledF32(nScores, seed);
  if (ties) for (let i = 0; i < nScores; i++) setF32(scores, i, <f32>hashIndex(seed, i, 4));
  const offsets = newI32(nRows + 1);
  const excluded = newI32(nRows * 3);
  let n = 0;
  setI32(offsets, 0, 0);
  for (let r = 0; r < nRows; r++) {
    const count = exclude && nCols > 0 ? r % 4 : 0;
    for (let e = 0; e < count; e++) setI32(excluded, n + e, hashIndex(seed + 1, n + e, nCols));
    n += count;
    setI32(offsets, r + 1, n);
  }
  const outIndices = newI32(nRows * k);
  const outScores = zeroF32(nRows * k);
  topk_rows(scores, nRows, nCols, stride, k, exclude ? offsets : 0, excluded, outIndices, outScores);
  for (let r = 0; r < nRows; r++) {
    const row = scores + (<usize>(r * stride) << 2);
    for (let e = i32At(offsets, r); e < i32At(offsets, r + 1); e++) expect<f32>(f32At(row, i32At(excluded, e))).toBe(-Infinity);
    checkRow(row, nCols, k, outIndices + (<usize>(r * k) << 2), outScores + (<usize>(r * k) << 2));
  }
  release(scores);
  release(offsets);
  release(excluded);
  release(outIndices);
  release(outScores);
}

describe("topk_rows", () => {
  it("selects like a full sort for k below, at and above nCols, with ties and exclusions", () => {
    const shapes: i32[] = [0, 5, 5, 3, 0, 2, 1, 1, 1, 4, 3, 3, 5, 7, 9, 3, 17, 17, 4, 64, 64, 2, 257, 259];
    const ks: i32[] = [1, 2, 5, 10, 70];
    for (let s = 0; s < shapes.length; s += 3) {
      for (let j = 0; j < ks.length; j++) {
        for (let variant = 0; variant < 4; variant++) {
          check(shapes[s], shapes[s + 1], shapes[s + 2], ks[j], (variant & 1) != 0, (variant & 2) != 0, 10 * s + j);
        }
      }
    }
  });

  it("never returns NaN or -Infinity and pads with -1", () => {
    const scores = zeroF32(6);
    setF32(scores, 0, NaN);
    setF32(scores, 1, 2);
    setF32(scores, 2, -Infinity);
    setF32(scores, 3, NaN);
    setF32(scores, 4, Infinity);
    setF32(scores, 5, -3);
    const outIndices = newI32(5);
    const outScores = zeroF32(5);
    topk_rows(scores, 1, 6, 6, 5, 0, 0, outIndices, outScores);
    expect<i32>(i32At(outIndices, 0)).toBe(4);
    expect<i32>(i32At(outIndices, 1)).toBe(1);
    expect<i32>(i32At(outIndices, 2)).toBe(5);
    expect<i32>(i32At(outIndices, 3)).toBe(-1);
    expect<i32>(i32At(outIndices, 4)).toBe(-1);
    expect<f32>(f32At(outScores, 3)).toBe(-Infinity);
    release(scores);
    release(outIndices);
    release(outScores);
  });
});

// The rank of one score within a row: 1 + the number of entries scoring strictly above it. Full-
// ranking metrics (MRR, and its head/tail split) need the rank of an item that fell outside the
// top-K list, which is one pass over the whole catalog row per user.

/**
 * The number of the n floats at `scores` that are > threshold. -Infinity entries (excluded items)
 * never count; NaN entries never count, and a NaN threshold counts nothing.
 */
export function count_above(scores: usize, n: i32, threshold: f32): i32 {
  let i = 0;
  let count = 0;
  if (ASC_FEATURE_SIMD) {
    const t = f32x4.splat(threshold);
    // A lane that compares true is all ones (-1): subtracting the mask counts it.
    let acc0 = i32x4.splat(0);
    let acc1 = i32x4.splat(0);
    for (; i + 8 <= n; i += 8) {
      const p = scores + (<usize>i << 2);
      acc0 = i32x4.sub(acc0, f32x4.gt(v128.load(p), t));
      acc1 = i32x4.sub(acc1, f32x4.gt(v128.load(p, 16), t));
    }
    const acc = i32x4.add(acc0, acc1);
    count = i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3);
  }
  for (; i < n; i++) if (load<f32>(scores + (<usize>i << 2)) > threshold) count++;
  return count;
}

/**
 * For each row r < nRows of `scores` (rows `stride` floats apart, nCols long) and each entry e of
 * its list (items[offsets[r] .. offsets[r+1]), absolute into items): out[e] = the number of the row's
 * entries > row[items[e]] (the item's rank − 1), or -1 when that score is -Infinity or NaN (an
 * excluded item ranks nowhere). Full-ranking MRR for every test item of a block in one call.
 */
export function count_above_items(scores: usize, nRows: i32, stride: i32, nCols: i32, offsets: usize, items: usize, out: usize): void {
  for (let r = 0; r < nRows; r++) {
    const row = scores + ((<usize>r * <usize>stride) << 2);
    const end = load<i32>(offsets + (<usize>r << 2), 4);
    for (let e = load<i32>(offsets + (<usize>r << 2)); e < end; e++) {
      const v = load<f32>(row + (<usize>load<i32>(items + (<usize>e << 2)) << 2));
      store<i32>(out + (<usize>e << 2), v > -Infinity ? count_above(row, nCols, v) : -1);
    }
  }
}

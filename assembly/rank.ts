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

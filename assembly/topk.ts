// Top-k columns per row, for k much smaller than the row (recommendation lists over a catalog).
//
// One pass per row keeps the k best seen so far in a min-heap whose root is the worst of them, so a
// column only costs a comparison with the root's score (the threshold) unless it beats it. The
// SIMD build tests four columns against the threshold at once and looks at single lanes only when
// one of them passes. The heap lives in the row's own output slots and is heap-sorted in place at
// the end, so the kernel needs no scratch memory.
//
// Order: higher score first, equal scores by lower column index. Columns are scanned in increasing
// index order, so a later column with a score equal to the root's is never better than it: the
// threshold test is a strict `>`. That same test rejects -Infinity and NaN (every comparison with
// NaN is false), so such columns are never returned, exactly like excluded ones.

/**
 * For each row: columns listed in its exclusion (CSR, exclOffsets[r] .. exclOffsets[r+1] into
 * exclIndices, exclOffsets = 0 for none; indices outside [0, nCols) are ignored) are set to
 * -Infinity in scores; then the k best columns with a score above -Infinity are written best first
 * to outIndices/outScores (row r at r·k), padded with -1 / -Infinity.
 */
export function topk_rows(
  scores: usize, nRows: i32, nCols: i32, stride: i32, k: i32,
  exclOffsets: usize, exclIndices: usize, outIndices: usize, outScores: usize,
): void {
  for (let r = 0; r < nRows; r++) {
    const row = scores + ((<usize>r * <usize>stride) << 2);
    if (exclOffsets != 0) {
      const end = load<i32>(exclOffsets + (<usize>r << 2), 4);
      for (let e = load<i32>(exclOffsets + (<usize>r << 2)); e < end; e++) {
        const c = load<i32>(exclIndices + (<usize>e << 2));
        if (c >= 0 && c < nCols) store<f32>(row + (<usize>c << 2), -Infinity);
      }
    }
    if (k <= 0) continue;
    const heapScores = outScores + ((<usize>r * <usize>k) << 2);
    const heapIndices = outIndices + ((<usize>r * <usize>k) << 2);
    const size = collectBest(row, nCols, 0, k, heapScores, heapIndices, 0);
    finishBest(heapScores, heapIndices, size, k);
  }
}

/**
 * Offers the n scores at `row` (columns first .. first+n) to a heap that already holds `size` of
 * the k best (a row scanned in pieces, in increasing column order, keeps the same order and ties
 * as one pass); returns how many it holds now.
 */
export function collectBest(row: usize, n: i32, first: i32, k: i32, heapScores: usize, heapIndices: usize, size: i32): i32 {
  // Until the heap is full every candidate gets in; after that, only what beats the root.
  let threshold: f32 = size == k ? load<f32>(heapScores) : -Infinity;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    let vThreshold = f32x4.splat(threshold);
    // Once the heap is full almost nothing passes: test 16 columns per branch, look closer only on a hit.
    for (; i + 16 <= n; i += 16) {
      const p = row + (<usize>i << 2);
      const any = v128.or(
        v128.or(f32x4.gt(v128.load(p), vThreshold), f32x4.gt(v128.load(p, 16), vThreshold)),
        v128.or(f32x4.gt(v128.load(p, 32), vThreshold), f32x4.gt(v128.load(p, 48), vThreshold)),
      );
      if (!v128.any_true(any)) continue;
      for (let c = i; c < i + 16; c++) {
        const s = load<f32>(row + (<usize>c << 2));
        if (s > threshold) {
          size = offer(heapScores, heapIndices, size, k, s, first + c);
          if (size == k) threshold = load<f32>(heapScores);
        }
      }
      vThreshold = f32x4.splat(threshold);
    }
    for (; i + 4 <= n; i += 4) {
      const pass = f32x4.gt(v128.load(row + (<usize>i << 2)), vThreshold);
      if (!v128.any_true(pass)) continue;
      let lanes = i32x4.bitmask(pass);
      while (lanes != 0) {
        const c = i + ctz(lanes);
        lanes &= lanes - 1;
        const s = load<f32>(row + (<usize>c << 2));
        if (s > threshold) {
          size = offer(heapScores, heapIndices, size, k, s, first + c);
          if (size == k) threshold = load<f32>(heapScores);
        }
      }
      vThreshold = f32x4.splat(threshold);
    }
  }
  for (; i < n; i++) {
    const s = load<f32>(row + (<usize>i << 2));
    if (s > threshold) {
      size = offer(heapScores, heapIndices, size, k, s, first + i);
      if (size == k) threshold = load<f32>(heapScores);
    }
  }
  return size;
}

/** Sorts a heap of `size` best first and pads it to k slots with -1 / -Infinity. */
export function finishBest(heapScores: usize, heapIndices: usize, size: i32, k: i32): void {
  sortBestFirst(heapScores, heapIndices, size);
  for (let i = size; i < k; i++) {
    store<f32>(heapScores + (<usize>i << 2), -Infinity);
    store<i32>(heapIndices + (<usize>i << 2), -1);
  }
}

/** Adds column c (known to beat the root when the heap is full); returns the new size. */
function offer(heapScores: usize, heapIndices: usize, size: i32, k: i32, s: f32, c: i32): i32 {
  if (size < k) {
    siftUp(heapScores, heapIndices, size, s, c);
    return size + 1;
  }
  siftDown(heapScores, heapIndices, 0, size, s, c);
  return size;
}

// @ts-ignore: decorator
@inline function isWorse(sa: f32, ca: i32, sb: f32, cb: i32): bool {
  return sa < sb || (sa == sb && ca > cb);
}

/** Places (s, c) at slot `hole` (the new last slot) and moves it up to restore the heap. */
function siftUp(heapScores: usize, heapIndices: usize, hole: i32, s: f32, c: i32): void {
  while (hole > 0) {
    const parent = (hole - 1) >> 1;
    const ps = load<f32>(heapScores + (<usize>parent << 2));
    const pc = load<i32>(heapIndices + (<usize>parent << 2));
    if (!isWorse(s, c, ps, pc)) break;
    store<f32>(heapScores + (<usize>hole << 2), ps);
    store<i32>(heapIndices + (<usize>hole << 2), pc);
    hole = parent;
  }
  store<f32>(heapScores + (<usize>hole << 2), s);
  store<i32>(heapIndices + (<usize>hole << 2), c);
}

/** Places (s, c) at slot `hole` of a heap of `size` and moves it down to restore the heap. */
function siftDown(heapScores: usize, heapIndices: usize, hole: i32, size: i32, s: f32, c: i32): void {
  while (true) {
    let child = 2 * hole + 1;
    if (child >= size) break;
    let cs = load<f32>(heapScores + (<usize>child << 2));
    let cc = load<i32>(heapIndices + (<usize>child << 2));
    const right = child + 1;
    if (right < size) {
      const rs = load<f32>(heapScores + (<usize>right << 2));
      const rc = load<i32>(heapIndices + (<usize>right << 2));
      if (isWorse(rs, rc, cs, cc)) {
        child = right;
        cs = rs;
        cc = rc;
      }
    }
    if (!isWorse(cs, cc, s, c)) break;
    store<f32>(heapScores + (<usize>hole << 2), cs);
    store<i32>(heapIndices + (<usize>hole << 2), cc);
    hole = child;
  }
  store<f32>(heapScores + (<usize>hole << 2), s);
  store<i32>(heapIndices + (<usize>hole << 2), c);
}

/** Heap-sort in place: repeatedly moving the worst (the root) to the end leaves the best first. */
function sortBestFirst(heapScores: usize, heapIndices: usize, size: i32): void {
  for (let last = size - 1; last > 0; last--) {
    const worstScore = load<f32>(heapScores);
    const worstIndex = load<i32>(heapIndices);
    const s = load<f32>(heapScores + (<usize>last << 2));
    const c = load<i32>(heapIndices + (<usize>last << 2));
    store<f32>(heapScores + (<usize>last << 2), worstScore);
    store<i32>(heapIndices + (<usize>last << 2), worstIndex);
    siftDown(heapScores, heapIndices, 0, last, s, c);
  }
}

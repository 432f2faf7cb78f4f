// Row primitives over row-major f32 tables (row r of width d starts at float r·d). They are the
// building blocks the other kernels reuse (dot products, axpy into a gradient row).

import { madd } from "./madd";

/** a·b over n floats. */
export function dot(a: usize, b: usize, n: i32): f32 {
  return dotProduct(a, b, n);
}

/** out[r] = a[r]·b[r] for n rows of d. */
export function rowwise_dot(a: usize, b: usize, n: i32, d: i32, out: usize): void {
  const rowBytes = <usize>d << 2;
  for (let r = 0; r < n; r++) {
    const offset = <usize>r * rowBytes;
    store<f32>(out + (<usize>r << 2), dotProduct(a + offset, b + offset, d));
  }
}

/** dst[r] = src[indices[r]] for n rows of d. */
export function gather_rows(src: usize, d: i32, indices: usize, n: i32, dst: usize): void {
  const rowBytes = <usize>d << 2;
  for (let r = 0; r < n; r++) {
    const from = src + <usize>load<i32>(indices + (<usize>r << 2)) * rowBytes;
    memory.copy(dst + <usize>r * rowBytes, from, rowBytes);
  }
}

/** dst[indices[r]] += src[r] for n rows of d; a repeated index accumulates every row sent to it. */
export function scatter_add_rows(dst: usize, d: i32, indices: usize, n: i32, src: usize): void {
  const rowBytes = <usize>d << 2;
  for (let r = 0; r < n; r++) {
    const to = dst + <usize>load<i32>(indices + (<usize>r << 2)) * rowBytes;
    addScaledRow(to, 1, src + <usize>r * rowBytes, d);
  }
}

/**
 * dst[c·rows + r] = src[r·cols + c] for the columns c = first .. first+count-1 of src (rows × cols,
 * row-major): a transpose, split by the destination's rows so threads write disjoint memory. Rows
 * go in tiles of 32 so that the columns read stay in cache between the destination rows.
 */
export function transpose_columns(src: usize, rows: i32, cols: i32, dst: usize, first: i32, count: i32): void {
  const end = first + count;
  const rowBytes = <usize>cols << 2;
  for (let r0 = 0; r0 < rows; r0 += 32) {
    const r1 = min(rows, r0 + 32);
    for (let c = first; c < end; c++) {
      const out = dst + ((<usize>c * <usize>rows) << 2);
      let from = src + <usize>r0 * rowBytes + (<usize>c << 2);
      for (let r = r0; r < r1; r++) {
        store<f32>(out + (<usize>r << 2), load<f32>(from));
        from += rowBytes;
      }
    }
  }
}

/**
 * a·b over n floats. The SIMD path keeps four independent f32x4 accumulators so consecutive
 * adds do not wait on each other (add latency, not throughput, bounds a single accumulator).
 */
export function dotProduct(a: usize, b: usize, n: i32): f32 {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    let acc0 = f32x4.splat(0);
    let acc1 = f32x4.splat(0);
    let acc2 = f32x4.splat(0);
    let acc3 = f32x4.splat(0);
    for (; i + 16 <= n; i += 16) {
      const pa = a + (<usize>i << 2);
      const pb = b + (<usize>i << 2);
      acc0 = madd(v128.load(pa), v128.load(pb), acc0);
      acc1 = madd(v128.load(pa, 16), v128.load(pb, 16), acc1);
      acc2 = madd(v128.load(pa, 32), v128.load(pb, 32), acc2);
      acc3 = madd(v128.load(pa, 48), v128.load(pb, 48), acc3);
    }
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      acc0 = madd(v128.load(a + o), v128.load(b + o), acc0);
    }
    let sum = horizontalSum(f32x4.add(f32x4.add(acc0, acc1), f32x4.add(acc2, acc3)));
    for (; i < n; i++) {
      const o = <usize>i << 2;
      sum += load<f32>(a + o) * load<f32>(b + o);
    }
    return sum;
  } else {
    let s0: f32 = 0;
    let s1: f32 = 0;
    let s2: f32 = 0;
    let s3: f32 = 0;
    for (; i + 4 <= n; i += 4) {
      const pa = a + (<usize>i << 2);
      const pb = b + (<usize>i << 2);
      s0 += load<f32>(pa) * load<f32>(pb);
      s1 += load<f32>(pa, 4) * load<f32>(pb, 4);
      s2 += load<f32>(pa, 8) * load<f32>(pb, 8);
      s3 += load<f32>(pa, 12) * load<f32>(pb, 12);
    }
    let sum = (s0 + s1) + (s2 + s3);
    for (; i < n; i++) {
      const o = <usize>i << 2;
      sum += load<f32>(a + o) * load<f32>(b + o);
    }
    return sum;
  }
}

/** y += alpha·x over n floats (y and x may be the same row: each element is read before it is written). */
export function addScaledRow(y: usize, alpha: f32, x: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const va = f32x4.splat(alpha);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, madd(va, v128.load(x + o), v128.load(y + o)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o));
  }
}

/** y *= alpha over n floats. */
export function scaleRow(y: usize, alpha: f32, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const va = f32x4.splat(alpha);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, f32x4.mul(va, v128.load(y + o)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, alpha * load<f32>(y + o));
  }
}

// @ts-ignore: decorator
@inline export function horizontalSum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

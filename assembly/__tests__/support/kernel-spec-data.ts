// Test data for the kernel specs: deterministic values from an integer hash of (seed, index), so
// every case is reproducible without carrying generator state, and raw buffers for the kernels.
import { alloc, free } from "../../memory";

export const F32_EPS: f64 = 5.960464477539063e-8;

/** A value in [-1, 1). */
export function hashValue(seed: i32, i: i32): f32 {
  let h = <u32>(seed * 0x9e3779b1) ^ <u32>(i * 0x85ebca6b);
  h ^= h >> 15;
  h *= 0x2c1b3c6d;
  h ^= h >> 12;
  h *= 0x297a2d39;
  h ^= h >> 15;
  return <f32>(<f64>(h & 0xffffff) / 8388608.0 - 1.0);
}

/** An integer in [0, n). */
export function hashIndex(seed: i32, i: i32, n: i32): i32 {
  return min(n - 1, <i32>((<f64>hashValue(seed, i) + 1) * 0.5 * <f64>n));
}

/** n floats scale·hashValue(seed, i) (at least one float is allocated, so n = 0 is a valid buffer). */
export function filledF32(n: i32, seed: i32, scale: f32 = 1): usize {
  const p = alloc(max(n, 1) << 2);
  for (let i = 0; i < n; i++) store<f32>(p + (<usize>i << 2), scale * hashValue(seed, i));
  return p;
}

/** Row lengths 0..40 (every SIMD tail and block edge) and two long rows. */
export function rowSizes(): i32[] {
  const sizes: i32[] = [];
  for (let n = 0; n <= 40; n++) sizes.push(n);
  sizes.push(1000);
  sizes.push(4099);
  return sizes;
}

export function zeroF32(n: i32): usize {
  const p = alloc(max(n, 1) << 2);
  memory.fill(p, 0, <usize>max(n, 1) << 2);
  return p;
}

export function copyF32(src: usize, n: i32): usize {
  const p = alloc(max(n, 1) << 2);
  memory.copy(p, src, <usize>n << 2);
  return p;
}

export function newI32(n: i32): usize {
  return alloc(max(n, 1) << 2);
}

export function f32At(p: usize, i: i32): f32 {
  return load<f32>(p + (<usize>i << 2));
}

export function setF32(p: usize, i: i32, v: f32): void {
  store<f32>(p + (<usize>i << 2), v);
}

export function i32At(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

export function setI32(p: usize, i: i32, v: i32): void {
  store<i32>(p + (<usize>i << 2), v);
}

export function release(p: usize): void {
  free(p);
}

/** |got − expected| ≤ tol, and false for NaN on either side. */
export function within(got: f64, expected: f64, tol: f64): bool {
  if (got == expected) return true;
  return Math.abs(got - expected) <= tol;
}

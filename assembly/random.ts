// xoshiro128** in wasm, the same generator as ts/util/rng.ts: the TypeScript Rng seeds a state of
// four u32 words (Rng.prototype.forkState) into wasm memory and the kernels draw from it there, so
// a training step samples without crossing into JavaScript. Each thread keeps its own state.

/** The next u32 of the state at `s` (four u32 words, updated in place). */
// @ts-ignore: decorator
@inline export function nextU32(s: usize): u32 {
  const s0 = load<u32>(s, 0), s1 = load<u32>(s, 4), s2 = load<u32>(s, 8), s3 = load<u32>(s, 12);
  const result = rotl<u32>(s1 * 5, 7) * 9;
  const t = s1 << 9;
  const n2 = s2 ^ s0;
  const n3 = s3 ^ s1;
  store<u32>(s, s0 ^ n3, 0);
  store<u32>(s, s1 ^ n2, 4);
  store<u32>(s, n2 ^ t, 8);
  store<u32>(s, rotl<u32>(n3, 11), 12);
  return result;
}

/** Uniform integer in [0, n) for 0 < n < 2^31: the high half of a 32×32-bit product (no modulo bias beyond 2^-32). */
// @ts-ignore: decorator
@inline export function nextBelow(s: usize, n: i32): i32 {
  return <i32>((<u64>nextU32(s) * <u64>n) >> 32);
}

/** Uniform in [0, 1) with 24 random bits (exact in f32). */
// @ts-ignore: decorator
@inline export function nextUnitF32(s: usize): f32 {
  return <f32>(nextU32(s) >>> 8) * (1.0 / 16777216.0);
}

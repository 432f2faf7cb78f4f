// The one multiply-add every SIMD hot loop goes through. The relaxed build (`--target relaxed`,
// relaxed-simd enabled) turns it into f32x4.relaxed_madd, which V8 lowers to one fused vfmadd
// on x64 CPUs with FMA3 and Arm NEON (rounded once; elsewhere, or without FMA hardware, it may be
// mul + add, rounded twice: either is within the kernels' tolerances). The plain SIMD build keeps
// mul then add, the only form every SIMD engine accepts.

/** acc + a·b, lane-wise. */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}

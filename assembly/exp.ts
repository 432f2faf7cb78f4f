// exp for the softmax kernels, which spend most of their time here (full-softmax training takes
// the exp of every logit of every row, every step).
//
// SIMD build: four lanes at once with the Cephes expf scheme: Cody-Waite range reduction
// x = n·ln2 + r (|r| ≤ ln2/2, ln2 split in a part exact in f32 and a correction), a degree-6
// polynomial for e^r, and 2^n built directly in the exponent bits. Relative error about 2e-7.
// Scalar build: Mathf.exp (correctly rounded to within an ulp).
//
// Both clamp the same way, so that neither can produce Infinity or NaN from a finite or infinite
// input: results saturate at e^88 above, and are exactly 0 below EXP_ZERO_BELOW (there e^x is under
// 1.2e-38, the smallest normal f32, and 2^n would no longer fit the exponent field). NaN gives 0
// too: callers that must propagate NaN do it on their own (softmax does it through its row max).

export const EXP_ZERO_BELOW: f32 = -87.3;
export const EXP_SATURATE_ABOVE: f32 = 88.0;

const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const P0: f32 = 1.9875691500e-4;
const P1: f32 = 1.3981999507e-3;
const P2: f32 = 8.3334519073e-3;
const P3: f32 = 4.1665795894e-2;
const P4: f32 = 1.6666665459e-1;
const P5: f32 = 5.0000001201e-1;
const ROUNDING_SHIFT: f32 = 12582912.0; // 1.5·2^23: its ulp is 1
const ROUNDING_SHIFT_BITS: i32 = 0x4b400000; // the bit pattern of ROUNDING_SHIFT

// The SIMD constants, read from this table rather than written as v128 constants. V8 15 (Deno
// 2.9; Chromium 156 times the same way) re-creates a v128 constant at every use: a scalar move
// and two shuffles, which compete with the polynomial for port 5. A load is one load-port uop,
// free of a bounds check at a constant address. Measured (lse_rows, 256 × 40,000 logits,
// constants vs this table): Deno 2.9.5 193 → 253 M exp/s, Chromium 156 229 → 261, Node 20
// (V8 11.3) 269 → 249.
const EXP_TABLE: usize = memory.data<f32>(
  [EXP_ZERO_BELOW, EXP_SATURATE_ABOVE, LOG2E, ROUNDING_SHIFT, LN2_HI, LN2_LO, P0, P1, P2, P3, P4, P5, 1.0], 16);
// Each constant's slot in EXP_TABLE.
const AT_ZERO_BELOW = 0, AT_SATURATE_ABOVE = 1, AT_LOG2E = 2, AT_ROUNDING_SHIFT = 3, AT_LN2_HI = 4, AT_LN2_LO = 5;
const AT_P0 = 6, AT_P1 = 7, AT_P2 = 8, AT_P3 = 9, AT_P4 = 10, AT_P5 = 11, AT_ONE = 12;

/** The table's constant in `slot`, on four lanes. */
// @ts-ignore: decorator
@inline function constant(slot: i32): v128 {
  return v128.load32_splat(EXP_TABLE + (<usize>slot << 2));
}

/** e^x on four lanes (SIMD build only). */
// @ts-ignore: decorator
@inline export function expLanes(x: v128): v128 {
  const zeroBelow = constant(AT_ZERO_BELOW);
  const inRange = f32x4.ge(x, zeroBelow);
  // pmin/pmax are single instructions on x86 where min/max are NaN-exact sequences; a NaN lane is
  // masked off by inRange anyway.
  const xc = f32x4.pmin(f32x4.pmax(x, zeroBelow), constant(AT_SATURATE_ABOVE));
  // Adding 1.5·2^23 rounds x·log2e to the nearest integer n and leaves n in the low mantissa bits,
  // which gives both n as a float (after subtracting it back) and 2^n, without a float-to-int conversion.
  const roundingShift = constant(AT_ROUNDING_SHIFT);
  const shifted = f32x4.add(f32x4.mul(xc, constant(AT_LOG2E)), roundingShift);
  const n = f32x4.sub(shifted, roundingShift);
  let r = f32x4.sub(xc, f32x4.mul(n, constant(AT_LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, constant(AT_LN2_LO)));
  let p = f32x4.add(f32x4.mul(constant(AT_P0), r), constant(AT_P1));
  p = f32x4.add(f32x4.mul(p, r), constant(AT_P2));
  p = f32x4.add(f32x4.mul(p, r), constant(AT_P3));
  p = f32x4.add(f32x4.mul(p, r), constant(AT_P4));
  p = f32x4.add(f32x4.mul(p, r), constant(AT_P5));
  p = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), constant(AT_ONE));
  const pow2n = i32x4.shl(i32x4.add(shifted, i32x4.splat(127 - ROUNDING_SHIFT_BITS)), 23);
  return v128.and(f32x4.mul(p, pow2n), inRange);
}

/** e^x with the same clamping as {@link expLanes}. */
// @ts-ignore: decorator
@inline export function expScalar(x: f32): f32 {
  if (!(x >= EXP_ZERO_BELOW)) return 0;
  return Mathf.exp(min(x, EXP_SATURATE_ABOVE));
}

// The benchmarks' yardstick: how fast this engine retires multiply-adds when nothing else is in
// the way. Ten independent accumulator chains (more than the FMA latency × ports of x64 and Arm
// cores need) and no loads. bench/score-builds.ts times it in the same rounds as the scoring
// kernels and reports each as a share of it, which cancels the clock changes of a shared machine.

import { madd } from "./madd";

// Where the chains' sum goes, so that the work stays live.
const SINK: usize = memory.data(16, 16);
// The factor and addend, read from memory rather than written as constants: V8 15 (Deno 2.9;
// Chromium 156 times the same way) re-creates a v128 constant at every use (a scalar move and
// two shuffles on port 5), which capped this loop at 2 FLOPs per cycle there: a ceiling below
// the kernels it is meant to bound. A loaded value stays in a register.
const FACTORS: usize = memory.data<f32>([0.999, 0.001]);

/** Runs `steps` rounds of 10 independent multiply-adds; returns the FLOPs per round (80 with SIMD, 20 without). */
export function madd_ceiling(steps: i32): i32 {
  if (ASC_FEATURE_SIMD) {
    const a = v128.load32_splat(FACTORS);
    const b = v128.load32_splat(FACTORS, 4);
    let x0 = f32x4.splat(1), x1 = f32x4.splat(1), x2 = f32x4.splat(1), x3 = f32x4.splat(1), x4 = f32x4.splat(1);
    let x5 = f32x4.splat(1), x6 = f32x4.splat(1), x7 = f32x4.splat(1), x8 = f32x4.splat(1), x9 = f32x4.splat(1);
    for (let i = 0; i < steps; i++) {
      x0 = madd(x0, a, b); x1 = madd(x1, a, b); x2 = madd(x2, a, b); x3 = madd(x3, a, b); x4 = madd(x4, a, b);
      x5 = madd(x5, a, b); x6 = madd(x6, a, b); x7 = madd(x7, a, b); x8 = madd(x8, a, b); x9 = madd(x9, a, b);
    }
    const s = f32x4.add(f32x4.add(f32x4.add(x0, x1), f32x4.add(x2, x3)), f32x4.add(f32x4.add(x4, x5), f32x4.add(f32x4.add(x6, x7), f32x4.add(x8, x9))));
    v128.store(SINK, s);
    return 80;
  }
  const a = load<f32>(FACTORS);
  const b = load<f32>(FACTORS, 4);
  let y0: f32 = 1, y1: f32 = 1, y2: f32 = 1, y3: f32 = 1, y4: f32 = 1, y5: f32 = 1, y6: f32 = 1, y7: f32 = 1, y8: f32 = 1, y9: f32 = 1;
  for (let i = 0; i < steps; i++) {
    y0 = y0 * a + b; y1 = y1 * a + b; y2 = y2 * a + b; y3 = y3 * a + b; y4 = y4 * a + b;
    y5 = y5 * a + b; y6 = y6 * a + b; y7 = y7 * a + b; y8 = y8 * a + b; y9 = y9 * a + b;
  }
  store<f32>(SINK, y0 + y1 + y2 + y3 + y4 + y5 + y6 + y7 + y8 + y9);
  return 20;
}

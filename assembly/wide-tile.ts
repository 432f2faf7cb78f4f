// The relaxed-SIMD scoring tile: 3 rows × WIDE_PANEL (12) columns, 9 accumulators. score_packed
// runs it in the relaxed build only; the plain SIMD build and the GEMMs keep microkernel.ts's 4×8.
//
// Why 3×12 and not 4×8 once the multiply-add is fused (read off V8 11.3's x64 code, Node 20, and
// timed on this 2-core Xeon against a pure 10-chain FMA loop run in the same process, which is
// what 128-bit FMA allows here):
// - V8 loads every operand of a basic block before its arithmetic, so a k step needs
//   accumulators + left values + panel vectors ≤ 15 xmm registers. 3×12 (9 + 3 + 3) is the
//   largest product that fits: 9 FMAs per 6 loads against 4×8's 8 per 6.
// - Loads and loop bookkeeping are not free beside the FMAs: 9 FMA chains fed by 6 loads per step
//   ran at 0.88 of the same chains with no loads. So a trip holds 4 k steps at constant offsets
//   from one pair of pointers, bumped once per trip; the exit test between steps (a
//   compare-and-branch on a folded offset) is what keeps each step its own basic block, without
//   which V8 would hoist the loads of every step to the top and spill.
// - One call sweeps a whole run of full panels, and a tile always stores all 12 columns: a
//   narrower edge goes through a staging tile in the caller. A call per tile, or a branch to a
//   partial store after the loop, made V8 spill the accumulators on every tile.
// - Measured, relaxed build, 512×64 · 100k×64: against single-thread numpy in `node
//   dist/bench/kernels.js`'s alternating pairs (median of 21), 4×8 reached 0.37×, this tile
//   0.40-0.46× (five runs); against madd_ceiling in `node dist/bench/score-builds.js`, 0.69
//   against 0.80 (1.17×; README "Benchmarks" has the other shapes). The plain SIMD build needs
//   a temporary per product, one register more than 3×12 has: an experiment build ran 3×12 at
//   0.73 of its mul-add loop against 4×8's 0.79, so that build keeps 4×8.

import { madd } from "./madd";
import { packedRowsBytes } from "./microkernel";

/** Columns per panel of the wide tile, and so items per panel of the relaxed build's packed layout. */
export const WIDE_PANEL: i32 = 12;
/** Rows per full wide tile. */
export const WIDE_ROWS: i32 = 3;

/**
 * C = packed row group × `panels` consecutive packed panels (overwrites). `pa` holds `rows` (3, 2
 * or 1) rows packed by packRows (pre-broadcast), `pb` the first panel of WIDE_PANEL columns
 * packed by packPanels, both over kc ≥ 1 steps. Panel j fills columns 12j .. 12j+11 of the
 * `rows` rows that start at byte address c, row pitch cStride: all 12 of them, so the caller
 * sends a panel with fewer real columns to a staging tile.
 */
export function wideRun(rows: i32, pa: usize, pb: usize, kc: i32, c: usize, cStride: usize, panels: i32): void {
  if (rows == 3) wideRun3(pa, pb, kc, c, cStride, panels);
  else if (rows == 2) wideRun2(pa, pb, kc, c, cStride, panels);
  else wideRun1(pa, pb, kc, c, panels);
}

function wideRun3(pa: usize, pb: usize, kc: i32, c: usize, cStride: usize, panels: i32): void {
  const paEnd = pa + packedRowsBytes(3, kc);
  const panelBytes = <usize>kc * 48;
  for (let j = 0; j < panels; j++) {
    let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0);
    let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0);
    let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c22 = f32x4.splat(0);
    let b0: v128, b1: v128, b2: v128, a: v128;
    let a3 = pa;
    let b = pb;
    while (true) {
      b0 = v128.load(b, 0);
      b1 = v128.load(b, 16);
      b2 = v128.load(b, 32);
      a = v128.load(a3, 0);
      c00 = madd(a, b0, c00); c01 = madd(a, b1, c01); c02 = madd(a, b2, c02);
      a = v128.load(a3, 16);
      c10 = madd(a, b0, c10); c11 = madd(a, b1, c11); c12 = madd(a, b2, c12);
      a = v128.load(a3, 32);
      c20 = madd(a, b0, c20); c21 = madd(a, b1, c21); c22 = madd(a, b2, c22);
      if (a3 + 48 >= paEnd) break;
      b0 = v128.load(b, 48);
      b1 = v128.load(b, 64);
      b2 = v128.load(b, 80);
      a = v128.load(a3, 48);
      c00 = madd(a, b0, c00); c01 = madd(a, b1, c01); c02 = madd(a, b2, c02);
      a = v128.load(a3, 64);
      c10 = madd(a, b0, c10); c11 = madd(a, b1, c11); c12 = madd(a, b2, c12);
      a = v128.load(a3, 80);
      c20 = madd(a, b0, c20); c21 = madd(a, b1, c21); c22 = madd(a, b2, c22);
      if (a3 + 96 >= paEnd) break;
      b0 = v128.load(b, 96);
      b1 = v128.load(b, 112);
      b2 = v128.load(b, 128);
      a = v128.load(a3, 96);
      c00 = madd(a, b0, c00); c01 = madd(a, b1, c01); c02 = madd(a, b2, c02);
      a = v128.load(a3, 112);
      c10 = madd(a, b0, c10); c11 = madd(a, b1, c11); c12 = madd(a, b2, c12);
      a = v128.load(a3, 128);
      c20 = madd(a, b0, c20); c21 = madd(a, b1, c21); c22 = madd(a, b2, c22);
      if (a3 + 144 >= paEnd) break;
      b0 = v128.load(b, 144);
      b1 = v128.load(b, 160);
      b2 = v128.load(b, 176);
      a = v128.load(a3, 144);
      c00 = madd(a, b0, c00); c01 = madd(a, b1, c01); c02 = madd(a, b2, c02);
      a = v128.load(a3, 160);
      c10 = madd(a, b0, c10); c11 = madd(a, b1, c11); c12 = madd(a, b2, c12);
      a = v128.load(a3, 176);
      c20 = madd(a, b0, c20); c21 = madd(a, b1, c21); c22 = madd(a, b2, c22);
      a3 += 192;
      b += 192;
      if (a3 >= paEnd) break;
    }
    storeWide(c, c00, c01, c02);
    storeWide(c + cStride, c10, c11, c12);
    storeWide(c + 2 * cStride, c20, c21, c22);
    pb += panelBytes;
    c += 48;
  }
}

function wideRun2(pa: usize, pb: usize, kc: i32, c: usize, cStride: usize, panels: i32): void {
  const paEnd = pa + packedRowsBytes(2, kc);
  const panelBytes = <usize>kc * 48;
  for (let j = 0; j < panels; j++) {
    let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0);
    let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0);
    let b0: v128, b1: v128, b2: v128, a: v128;
    let a2 = pa;
    let b = pb;
    while (true) {
      b0 = v128.load(b, 0);
      b1 = v128.load(b, 16);
      b2 = v128.load(b, 32);
      a = v128.load(a2, 0);
      c00 = madd(a, b0, c00); c01 = madd(a, b1, c01); c02 = madd(a, b2, c02);
      a = v128.load(a2, 16);
      c10 = madd(a, b0, c10); c11 = madd(a, b1, c11); c12 = madd(a, b2, c12);
      a2 += 32;
      b += 48;
      if (a2 >= paEnd) break;
    }
    storeWide(c, c00, c01, c02);
    storeWide(c + cStride, c10, c11, c12);
    pb += panelBytes;
    c += 48;
  }
}

function wideRun1(pa: usize, pb: usize, kc: i32, c: usize, panels: i32): void {
  const paEnd = pa + packedRowsBytes(1, kc);
  const panelBytes = <usize>kc * 48;
  for (let j = 0; j < panels; j++) {
    // Two accumulator sets on alternating k halve the add dependency chain of a lone row.
    let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0);
    let e0 = f32x4.splat(0), e1 = f32x4.splat(0), e2 = f32x4.splat(0);
    let a: v128;
    let a1 = pa;
    let b = pb;
    while (true) {
      a = v128.load(a1, 0);
      c0 = madd(a, v128.load(b, 0), c0);
      c1 = madd(a, v128.load(b, 16), c1);
      c2 = madd(a, v128.load(b, 32), c2);
      a1 += 16;
      b += 48;
      if (a1 >= paEnd) break;
      a = v128.load(a1, 0);
      e0 = madd(a, v128.load(b, 0), e0);
      e1 = madd(a, v128.load(b, 16), e1);
      e2 = madd(a, v128.load(b, 32), e2);
      a1 += 16;
      b += 48;
      if (a1 >= paEnd) break;
    }
    storeWide(c, f32x4.add(c0, e0), f32x4.add(c1, e1), f32x4.add(c2, e2));
    pb += panelBytes;
    c += 48;
  }
}

// @ts-ignore: decorator
@inline function storeWide(p: usize, v0: v128, v1: v128, v2: v128): void {
  v128.store(p, v0, 0);
  v128.store(p, v1, 16);
  v128.store(p, v2, 32);
}

// The register-blocked tile products behind score_packed, gemm_nn and gemm_tn, and the packing
// routines that feed them. All three kernels reduce to the same work: a tile of C (up to 4 rows ×
// PANEL columns) (+)= Σ_k a_k ⊗ b_k, with both operands first re-laid k-major so that the inner
// loop reads two sequential streams at constant offsets and does nothing else.
//
//   row groups (left operand):  4 rows (then 2 and/or 1 for the remainder); for each k, the
//                               group's values side by side, each in a slot of A_SLOT bytes;
//   panels (right operand):     PANEL columns; for each k, the PANEL values side by side,
//                               zero-padded past the last real column.
//
// Why packed left values are stored pre-broadcast (16-byte slots) in the SIMD build: V8 folds a
// constant offset into a v128.load but materialises it with an extra `lea` for v128.load32_splat,
// so broadcasting once while packing takes 3 integer ops out of every k step. The GEMMs no longer
// pack their left operand in SIMD builds (inPlaceTile4x8, gemm.ts says why); score_packed still
// does, once per call for all its users.
//
// Why the loops look the way they do (read off V8 11.3's x64 code for this file, Node 20, and
// timed with bench/kernels.ts):
// - Without a fused multiply-add, 4×8 is the largest tile that fits: V8 schedules all loads of
//   a basic block before its arithmetic, so one k step holds 8 accumulators + 4 left + 2 panel
//   vectors + 1 temporary = 15 xmm registers, all that V8 allocates: a 5th row or a 3rd panel
//   vector (5×8, 6×8, 3×12) has nowhere to live but the stack.
// - Two k steps per trip with the exit test between them. A plain two-step body lets V8 hoist
//   the loads of both steps to the top and spill 4 accumulators (measured 10-15% slower than one
//   step); the mid-body branch splits the basic block, so each step keeps its own loads while
//   the loop's stack check and index zero-extensions are paid once per two steps.
// - The relaxed build's GEMMs run the same 4×8 tile with one fused vfmadd231ps per product
//   (madd.ts): 14 xmm registers, no temporary. Its scoring runs the wider 3×12 tile of
//   wide-tile.ts instead, which only fits once the temporary is gone (9 + 3 + 3 = 15 registers)
//   and is 1.15-1.2× faster there (wide-tile.ts has the numbers). Tried before it and measured
//   slower on 512×64 · 100k×64 scoring (CPU time, Node 20, this 2.1 GHz Xeon; the 4×8 tile
//   reached 19.5-21 GFLOP/s): 6×8 and 5×8 tiles (12 and 10 accumulators) kept in registers by
//   splitting each k step into blocks with never-taken branches, 15.7-18.6 (the extra
//   compare-and-branch uops compete with the FMAs for ports 0/1); 4 k steps per trip,
//   19.9-20.4; left values packed 4 per v128 and broadcast with i32x4.shuffle in the tile, 19.8;
//   panel blocks of 16-128 panels, all within 5%. A pure register loop of 8 independent FMA
//   chains reaches only ~26 GFLOP/s here (12 chains: ~32).

import { madd } from "./madd";

/** Columns per packed panel of this tile (the SIMD and scalar builds' packed item layout, see scoring.ts). */
export const PANEL: i32 = 8;

/** Bytes per packed left-operand value: pre-broadcast f32x4 with SIMD, a plain f32 without. */
export const A_SLOT: usize = ASC_FEATURE_SIMD ? 16 : 4;

// Staging for tiles narrower than a panel: the tile is stored here whole, then only its real
// columns are copied out, so columns past the edge of C are never written. It lives in the
// caller's scratch (see useEdgeScratch), never in static memory: with shared memory every thread
// runs these tiles at once, each on its own staging row. A global is per instance, so per thread.
let edgeRow: usize = 0;

/** Bytes of scratch the tiles' edge staging takes (the first bytes of a kernel's scratch). */
export const EDGE_SCRATCH_BYTES: usize = 256;

/** Points the edge staging at the first EDGE_SCRATCH_BYTES of `scratch` (16-byte aligned); returns the rest. */
export function useEdgeScratch(scratch: usize): usize {
  edgeRow = scratch;
  return scratch + EDGE_SCRATCH_BYTES;
}

/**
 * Rows in the group that starts `done` rows into `rows`: `most` (the tile's height: 4 here, 3 for
 * the wide scoring tile) while possible, then 2, then 1.
 */
// @ts-ignore: decorator
@inline export function groupRows(rows: i32, done: i32, most: i32 = 4): i32 {
  const left = rows - done;
  return left >= most ? most : left >= 2 ? 2 : 1;
}

/** Bytes of packed left operand for `rows` rows of `kc` values. */
// @ts-ignore: decorator
@inline export function packedRowsBytes(rows: i32, kc: i32): usize {
  return <usize>rows * <usize>kc * A_SLOT;
}

/**
 * Pack `rows` rows of `kc` values into row groups of at most `most` rows (see groupRows). Value
 * (r, k) of the source sits at src + r*rowStride + k*kStride (bytes), so the same routine packs
 * row-major tables (kStride 4) and the transposed left operand of gemm_tn (rowStride 4).
 */
export function packRows(src: usize, rowStride: usize, kStride: usize, rows: i32, kc: i32, dst: usize, most: i32 = 4): void {
  if (kStride <= rowStride) {
    // Row-major source: walk each row along k, a sequential stream per row.
    let r = 0;
    while (r < rows) {
      const g = groupRows(rows, r, most);
      const step = <usize>g * A_SLOT;
      for (let j = 0; j < g; j++) {
        let s = src + <usize>(r + j) * rowStride;
        let o = dst + <usize>j * A_SLOT;
        for (let k = 0; k < kc; k++) {
          if (ASC_FEATURE_SIMD) v128.store(o, v128.load32_splat(s));
          else store<f32>(o, load<f32>(s));
          s += kStride;
          o += step;
        }
      }
      dst += packedRowsBytes(g, kc);
      r += g;
    }
  } else {
    // Transposed source (gemm_tn): the rows' values for one k are adjacent and successive k are
    // a whole source row apart, so take all rows at each k: one page per k instead of one per
    // (row, k). Walking row by row instead made gemm_tn ~15% slower (measured; most likely TLB misses).
    for (let k = 0; k < kc; k++) {
      let s = src + <usize>k * kStride;
      let groupStart = dst;
      let r = 0;
      while (r < rows) {
        const g = groupRows(rows, r, most);
        let o = groupStart + <usize>(k * g) * A_SLOT;
        for (let j = 0; j < g; j++) {
          if (ASC_FEATURE_SIMD) v128.store(o, v128.load32_splat(s));
          else store<f32>(o, load<f32>(s));
          s += rowStride;
          o += A_SLOT;
        }
        groupStart += packedRowsBytes(g, kc);
        r += g;
      }
    }
  }
}

/**
 * Pack `cols` columns of `kc` values into panels of `panel` columns (PANEL here, WIDE_PANEL for
 * the wide scoring tile), zero-padding the last one. Value (column j, k) of the source sits at
 * src + j*colStride + k*kStride (bytes): item tables (one item per row: colStride d*4, kStride 4)
 * and GEMM right operands (colStride 4) alike.
 */
export function packPanels(src: usize, colStride: usize, kStride: usize, cols: i32, kc: i32, dst: usize, panel: i32 = PANEL): void {
  const panelBytes = <usize>(kc * panel) << 2;
  const kBytes = <usize>panel << 2;
  for (let p = 0; p < cols; p += panel) {
    const width = min<i32>(panel, cols - p);
    const base = src + <usize>p * colStride;
    if (width == PANEL && panel == PANEL && colStride == 4) {
      // A full panel of a row-major right operand: each k is one contiguous 32-byte run.
      let s = base;
      let o = dst;
      for (let k = 0; k < kc; k++) {
        if (ASC_FEATURE_SIMD) {
          v128.store(o, v128.load(s, 0), 0);
          v128.store(o, v128.load(s, 16), 16);
        } else {
          store<u64>(o, load<u64>(s, 0), 0);
          store<u64>(o, load<u64>(s, 8), 8);
          store<u64>(o, load<u64>(s, 16), 16);
          store<u64>(o, load<u64>(s, 24), 24);
        }
        s += kStride;
        o += 32;
      }
    } else {
      if (width < panel) memory.fill(dst, 0, panelBytes);
      for (let j = 0; j < width; j++) {
        let s = base + <usize>j * colStride;
        let o = dst + (<usize>j << 2);
        for (let k = 0; k < kc; k++) {
          store<f32>(o, load<f32>(s));
          s += kStride;
          o += kBytes;
        }
      }
    }
    dst += panelBytes;
  }
}

/**
 * C tile (+)= packed row group × packed panel. `pa` holds `rows` (4, 2 or 1) rows packed by
 * packRows, `pb` one panel packed by packPanels, both over kc steps. The tile starts at byte
 * address c with row pitch cStride (bytes); only its first `cols` (1..PANEL) columns are
 * written. accumulate = false overwrites C (kc = 0 then writes zeros).
 */
export function tile(rows: i32, pa: usize, pb: usize, kc: i32, c: usize, cStride: usize, cols: i32, accumulate: bool): void {
  if (ASC_FEATURE_SIMD) {
    if (rows == 4) tile4x8(pa, pb, kc, c, cStride, cols, accumulate);
    else if (rows == 2) tile2x8(pa, pb, kc, c, cStride, cols, accumulate);
    else tile1x8(pa, pb, kc, c, cols, accumulate);
  } else {
    // 2 rows × 4 columns (8 scalar accumulators) is the largest block that stays in registers
    // once its operands are counted; a group is covered by row pairs × half panels.
    const aStep = <usize>rows * A_SLOT;
    for (let r = 0; r < rows; r += 2) {
      for (let half = 0; half < cols; half += 4) {
        const halfCols = min<i32>(4, cols - half);
        const a = pa + <usize>r * A_SLOT;
        const b = pb + (<usize>half << 2);
        const cc = c + <usize>r * cStride + (<usize>half << 2);
        if (rows - r >= 2) scalarTile2x4(a, aStep, b, kc, cc, cStride, halfCols, accumulate);
        else scalarTile1x4(a, aStep, b, kc, cc, halfCols, accumulate);
      }
    }
  }
}

function tile4x8(pa: usize, pb: usize, kc: i32, c: usize, cStride: usize, cols: i32, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let b0: v128, b1: v128, a: v128;
  const paEnd = pa + packedRowsBytes(4, kc);
  if (kc > 0) while (true) {
    b0 = v128.load(pb, 0);
    b1 = v128.load(pb, 16);
    a = v128.load(pa, 0);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load(pa, 16);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load(pa, 32);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load(pa, 48);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    pa += 64;
    pb += 32;
    if (pa >= paEnd) break;
    b0 = v128.load(pb, 0);
    b1 = v128.load(pb, 16);
    a = v128.load(pa, 0);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load(pa, 16);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load(pa, 32);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load(pa, 48);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    pa += 64;
    pb += 32;
    if (pa >= paEnd) break;
  }
  storeRow(c, c00, c01, cols, accumulate);
  storeRow(c + cStride, c10, c11, cols, accumulate);
  storeRow(c + 2 * cStride, c20, c21, cols, accumulate);
  storeRow(c + 3 * cStride, c30, c31, cols, accumulate);
}

/**
 * The 4×8 tile with its left operand read in place instead of packed: value (r, k) sits at
 * pa + r·aRowStride + k·aKStride, and each is loaded straight into all four lanes
 * (v128.load32_splat). SIMD builds only.
 */
export function inPlaceTile4x8(pa: usize, aRowStride: usize, aKStride: usize, pb: usize, kc: i32, c: usize, cStride: usize, cols: i32, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let b0: v128, b1: v128, t: v128;
  let a0 = pa, a1 = pa + aRowStride, a2 = pa + 2 * aRowStride, a3 = pa + 3 * aRowStride;
  const pbEnd = pb + (<usize>(kc * PANEL) << 2);
  if (kc > 0) while (true) {
    b0 = v128.load(pb, 0);
    b1 = v128.load(pb, 16);
    t = v128.load32_splat(a0);
    c00 = madd(t, b0, c00);
    c01 = madd(t, b1, c01);
    t = v128.load32_splat(a1);
    c10 = madd(t, b0, c10);
    c11 = madd(t, b1, c11);
    t = v128.load32_splat(a2);
    c20 = madd(t, b0, c20);
    c21 = madd(t, b1, c21);
    t = v128.load32_splat(a3);
    c30 = madd(t, b0, c30);
    c31 = madd(t, b1, c31);
    a0 += aKStride;
    a1 += aKStride;
    a2 += aKStride;
    a3 += aKStride;
    pb += 32;
    if (pb >= pbEnd) break;
    b0 = v128.load(pb, 0);
    b1 = v128.load(pb, 16);
    t = v128.load32_splat(a0);
    c00 = madd(t, b0, c00);
    c01 = madd(t, b1, c01);
    t = v128.load32_splat(a1);
    c10 = madd(t, b0, c10);
    c11 = madd(t, b1, c11);
    t = v128.load32_splat(a2);
    c20 = madd(t, b0, c20);
    c21 = madd(t, b1, c21);
    t = v128.load32_splat(a3);
    c30 = madd(t, b0, c30);
    c31 = madd(t, b1, c31);
    a0 += aKStride;
    a1 += aKStride;
    a2 += aKStride;
    a3 += aKStride;
    pb += 32;
    if (pb >= pbEnd) break;
  }
  storeRow(c, c00, c01, cols, accumulate);
  storeRow(c + cStride, c10, c11, cols, accumulate);
  storeRow(c + 2 * cStride, c20, c21, cols, accumulate);
  storeRow(c + 3 * cStride, c30, c31, cols, accumulate);
}

function tile2x8(pa: usize, pb: usize, kc: i32, c: usize, cStride: usize, cols: i32, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let b0: v128, b1: v128, a: v128;
  const paEnd = pa + packedRowsBytes(2, kc);
  if (kc > 0) while (true) {
    b0 = v128.load(pb, 0);
    b1 = v128.load(pb, 16);
    a = v128.load(pa, 0);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load(pa, 16);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    pa += 32;
    pb += 32;
    if (pa >= paEnd) break;
    b0 = v128.load(pb, 0);
    b1 = v128.load(pb, 16);
    a = v128.load(pa, 0);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load(pa, 16);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    pa += 32;
    pb += 32;
    if (pa >= paEnd) break;
  }
  storeRow(c, c00, c01, cols, accumulate);
  storeRow(c + cStride, c10, c11, cols, accumulate);
}

function tile1x8(pa: usize, pb: usize, kc: i32, c: usize, cols: i32, accumulate: bool): void {
  // Two accumulator pairs on alternating k halve the add dependency chain of a lone row.
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  let e0 = f32x4.splat(0), e1 = f32x4.splat(0);
  let a: v128;
  const paEnd = pa + packedRowsBytes(1, kc);
  if (kc > 0) while (true) {
    a = v128.load(pa, 0);
    c0 = madd(a, v128.load(pb, 0), c0);
    c1 = madd(a, v128.load(pb, 16), c1);
    pa += 16;
    pb += 32;
    if (pa >= paEnd) break;
    a = v128.load(pa, 0);
    e0 = madd(a, v128.load(pb, 0), e0);
    e1 = madd(a, v128.load(pb, 16), e1);
    pa += 16;
    pb += 32;
    if (pa >= paEnd) break;
  }
  storeRow(c, f32x4.add(c0, e0), f32x4.add(c1, e1), cols, accumulate);
}

// @ts-ignore: decorator
@inline function storeRow(p: usize, lo: v128, hi: v128, cols: i32, accumulate: bool): void {
  if (cols == PANEL) {
    if (accumulate) {
      lo = f32x4.add(lo, v128.load(p, 0));
      hi = f32x4.add(hi, v128.load(p, 16));
    }
    v128.store(p, lo, 0);
    v128.store(p, hi, 16);
  } else {
    storeRowPart(p, lo, hi, cols, accumulate);
  }
}

function storeRowPart(p: usize, lo: v128, hi: v128, cols: i32, accumulate: bool): void {
  v128.store(edgeRow, lo, 0);
  v128.store(edgeRow, hi, 16);
  for (let j = 0; j < cols; j++) {
    const o = p + (<usize>j << 2);
    let v = load<f32>(edgeRow + (<usize>j << 2));
    if (accumulate) v += load<f32>(o);
    store<f32>(o, v);
  }
}

function scalarTile2x4(pa: usize, aStep: usize, pb: usize, kc: i32, c: usize, cStride: usize, cols: i32, accumulate: bool): void {
  let s00: f32 = 0, s01: f32 = 0, s02: f32 = 0, s03: f32 = 0;
  let s10: f32 = 0, s11: f32 = 0, s12: f32 = 0, s13: f32 = 0;
  for (let k = 0; k < kc; k++) {
    const a0 = load<f32>(pa, 0);
    const a1 = load<f32>(pa, 4);
    const b0 = load<f32>(pb, 0);
    const b1 = load<f32>(pb, 4);
    const b2 = load<f32>(pb, 8);
    const b3 = load<f32>(pb, 12);
    s00 += a0 * b0; s01 += a0 * b1; s02 += a0 * b2; s03 += a0 * b3;
    s10 += a1 * b0; s11 += a1 * b1; s12 += a1 * b2; s13 += a1 * b3;
    pa += aStep;
    pb += 32;
  }
  storeScalar4(c, s00, s01, s02, s03, cols, accumulate);
  storeScalar4(c + cStride, s10, s11, s12, s13, cols, accumulate);
}

function scalarTile1x4(pa: usize, aStep: usize, pb: usize, kc: i32, c: usize, cols: i32, accumulate: bool): void {
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
  for (let k = 0; k < kc; k++) {
    const a = load<f32>(pa);
    s0 += a * load<f32>(pb, 0);
    s1 += a * load<f32>(pb, 4);
    s2 += a * load<f32>(pb, 8);
    s3 += a * load<f32>(pb, 12);
    pa += aStep;
    pb += 32;
  }
  storeScalar4(c, s0, s1, s2, s3, cols, accumulate);
}

// @ts-ignore: decorator
@inline function storeScalar4(p: usize, s0: f32, s1: f32, s2: f32, s3: f32, cols: i32, accumulate: bool): void {
  if (accumulate) {
    s0 += load<f32>(p, 0);
    if (cols > 1) s1 += load<f32>(p, 4);
    if (cols > 2) s2 += load<f32>(p, 8);
    if (cols > 3) s3 += load<f32>(p, 12);
  }
  store<f32>(p, s0, 0);
  if (cols > 1) store<f32>(p, s1, 4);
  if (cols > 2) store<f32>(p, s2, 8);
  if (cols > 3) store<f32>(p, s3, 12);
}

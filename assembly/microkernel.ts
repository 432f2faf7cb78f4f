// The register-blocked tile products behind score_packed, gemm_nn and gemm_tn, and the packing
// routines that feed them. All three kernels reduce to the same shape of work: a tile of C
// (R rows × PANEL columns) (+)= Σ_k a_k ⊗ b_k, where both operands were first re-laid k-major so
// that the inner loop reads two sequential streams with constant offsets and nothing else.
//
//   packed rows (A side): a group of R rows, for each k the R values of that k side by side
//                         (groups of 4, then a group of 2 and/or 1 for the remainder);
//   packed panels (B side): PANEL columns, for each k the PANEL values of that k side by side,
//                         zero-padded past the last real column.
//
// The SIMD tile keeps 4×8 results in 8 f32x4 accumulators (plus 2 panel vectors, 1 broadcast and
// V8's temporary: 12 of the 15 xmm registers V8 allocates), so it neither spills nor re-reads C.

/** Columns per packed panel. The packed item layout (see scoring.ts) depends on it. */
export const PANEL: i32 = 8;

/** Rows per full register block. */
export const ROW_BLOCK: i32 = 4;

// Staging for tiles that are narrower than a panel: the tile is stored here whole, then only its
// real columns are copied out, so columns past the edge of C are never written.
const EDGE_TILE: usize = memory.data(ROW_BLOCK * PANEL * 4, 16);

/** Rows in the group that starts `done` rows into a block of `rows`: 4 while possible, then 2, then 1. */
// @ts-ignore: decorator
@inline export function groupRows(rows: i32, done: i32): i32 {
  const left = rows - done;
  return left >= 4 ? 4 : left >= 2 ? 2 : 1;
}

/**
 * Pack `rows` rows of `kc` values into row groups. Value (r, k) of the source sits at
 * src + r*rowStride + k*kStride (bytes), so the same routine packs row-major user tables
 * (kStride 4) and the transposed operand of gemm_tn (rowStride 4).
 */
export function packRows(src: usize, rowStride: usize, kStride: usize, rows: i32, kc: i32, dst: usize): void {
  let r = 0;
  while (r < rows) {
    const g = groupRows(rows, r);
    const base = src + <usize>r * rowStride;
    if (g == 4 && rowStride == 4) {
      // The 4 values of one k are adjacent in the source: copy them as one block.
      let s = base;
      for (let k = 0; k < kc; k++) {
        if (ASC_FEATURE_SIMD) {
          v128.store(dst, v128.load(s));
        } else {
          store<f32>(dst, load<f32>(s, 0), 0);
          store<f32>(dst, load<f32>(s, 4), 4);
          store<f32>(dst, load<f32>(s, 8), 8);
          store<f32>(dst, load<f32>(s, 12), 12);
        }
        s += kStride;
        dst += 16;
      }
    } else {
      for (let j = 0; j < g; j++) {
        let s = base + <usize>j * rowStride;
        let o = dst + (<usize>j << 2);
        const step = <usize>g << 2;
        for (let k = 0; k < kc; k++) {
          store<f32>(o, load<f32>(s));
          s += kStride;
          o += step;
        }
      }
      dst += <usize>(g * kc) << 2;
    }
    r += g;
  }
}

/**
 * Pack `cols` columns of `kc` values into panels of PANEL columns, zero-padding the last one.
 * Value (column j, k) of the source sits at src + j*colStride + k*kStride (bytes): item tables
 * (one item per row: colStride d*4, kStride 4) and GEMM right operands (colStride 4) alike.
 */
export function packPanels(src: usize, colStride: usize, kStride: usize, cols: i32, kc: i32, dst: usize): void {
  for (let p = 0; p < cols; p += PANEL) {
    const width = min<i32>(PANEL, cols - p);
    const base = src + <usize>p * colStride;
    if (width == PANEL && colStride == 4) {
      let s = base;
      for (let k = 0; k < kc; k++) {
        if (ASC_FEATURE_SIMD) {
          v128.store(dst, v128.load(s), 0);
          v128.store(dst, v128.load(s, 16), 16);
        } else {
          memory.copy(dst, s, 32);
        }
        s += kStride;
        dst += 32;
      }
    } else {
      if (width < PANEL) memory.fill(dst, 0, <usize>(kc * PANEL) << 2);
      for (let j = 0; j < width; j++) {
        let s = base + <usize>j * colStride;
        let o = dst + (<usize>j << 2);
        for (let k = 0; k < kc; k++) {
          store<f32>(o, load<f32>(s));
          s += kStride;
          o += 32;
        }
      }
      dst += <usize>(kc * PANEL) << 2;
    }
  }
}

/**
 * C tile (+)= packed row group × packed panel. `pa` holds `rows` (4, 2 or 1) rows packed k-major,
 * `pb` one panel, both over kc steps. The tile starts at byte address c with row pitch cStride
 * (bytes); only its first `cols` (1..PANEL) columns are written. accumulate = false overwrites.
 */
export function tile(rows: i32, pa: usize, pb: usize, kc: i32, c: usize, cStride: usize, cols: i32, accumulate: bool): void {
  if (ASC_FEATURE_SIMD) {
    if (rows == 4) tile4x8(pa, pb, kc, c, cStride, cols, accumulate);
    else if (rows == 2) tile2x8(pa, pb, kc, c, cStride, cols, accumulate);
    else tile1x8(pa, pb, kc, c, cStride, cols, accumulate);
  } else {
    // 2×4 scalar accumulators (8 values) is the largest block that stays in registers once the
    // operands are counted; a 4-row group is two of them per half-panel.
    const aStep = <usize>rows << 2;
    for (let r = 0; r < rows; r += 2) {
      const pair = rows - r >= 2;
      for (let half = 0; half < PANEL; half += 4) {
        const halfCols = min<i32>(4, cols - half);
        if (halfCols <= 0) break;
        const cc = c + <usize>r * cStride + (<usize>half << 2);
        if (pair) scalarTile2x4(pa + (<usize>r << 2), aStep, pb + (<usize>half << 2), kc, cc, cStride, halfCols, accumulate);
        else scalarTile1x4(pa + (<usize>r << 2), aStep, pb + (<usize>half << 2), kc, cc, halfCols, accumulate);
      }
    }
  }
}

function tile4x8(pa: usize, pb: usize, kc: i32, c: usize, cStride: usize, cols: i32, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const paEnd = pa + (<usize>kc << 4);
  while (pa < paEnd) {
    const b0 = v128.load(pb, 0);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa, 0);
    c00 = f32x4.add(c00, f32x4.mul(a, b0));
    c01 = f32x4.add(c01, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 4);
    c10 = f32x4.add(c10, f32x4.mul(a, b0));
    c11 = f32x4.add(c11, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 8);
    c20 = f32x4.add(c20, f32x4.mul(a, b0));
    c21 = f32x4.add(c21, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 12);
    c30 = f32x4.add(c30, f32x4.mul(a, b0));
    c31 = f32x4.add(c31, f32x4.mul(a, b1));
    pa += 16;
    pb += 32;
  }
  if (cols == PANEL) {
    storeRow(c, c00, c01, accumulate);
    storeRow(c + cStride, c10, c11, accumulate);
    storeRow(c + 2 * cStride, c20, c21, accumulate);
    storeRow(c + 3 * cStride, c30, c31, accumulate);
  } else {
    storeRowPart(c, c00, c01, cols, accumulate);
    storeRowPart(c + cStride, c10, c11, cols, accumulate);
    storeRowPart(c + 2 * cStride, c20, c21, cols, accumulate);
    storeRowPart(c + 3 * cStride, c30, c31, cols, accumulate);
  }
}

function tile2x8(pa: usize, pb: usize, kc: i32, c: usize, cStride: usize, cols: i32, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb, 0);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa, 0);
    c00 = f32x4.add(c00, f32x4.mul(a, b0));
    c01 = f32x4.add(c01, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 4);
    c10 = f32x4.add(c10, f32x4.mul(a, b0));
    c11 = f32x4.add(c11, f32x4.mul(a, b1));
    pa += 8;
    pb += 32;
  }
  if (cols == PANEL) {
    storeRow(c, c00, c01, accumulate);
    storeRow(c + cStride, c10, c11, accumulate);
  } else {
    storeRowPart(c, c00, c01, cols, accumulate);
    storeRowPart(c + cStride, c10, c11, cols, accumulate);
  }
}

function tile1x8(pa: usize, pb: usize, kc: i32, c: usize, cStride: usize, cols: i32, accumulate: bool): void {
  // Two accumulator pairs over alternating k halve the add dependency chain of a lone row.
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let e00 = f32x4.splat(0), e01 = f32x4.splat(0);
  let k = 0;
  for (; k + 2 <= kc; k += 2) {
    let a = v128.load32_splat(pa, 0);
    c00 = f32x4.add(c00, f32x4.mul(a, v128.load(pb, 0)));
    c01 = f32x4.add(c01, f32x4.mul(a, v128.load(pb, 16)));
    a = v128.load32_splat(pa, 4);
    e00 = f32x4.add(e00, f32x4.mul(a, v128.load(pb, 32)));
    e01 = f32x4.add(e01, f32x4.mul(a, v128.load(pb, 48)));
    pa += 8;
    pb += 64;
  }
  if (k < kc) {
    const a = v128.load32_splat(pa, 0);
    c00 = f32x4.add(c00, f32x4.mul(a, v128.load(pb, 0)));
    c01 = f32x4.add(c01, f32x4.mul(a, v128.load(pb, 16)));
  }
  c00 = f32x4.add(c00, e00);
  c01 = f32x4.add(c01, e01);
  if (cols == PANEL) storeRow(c, c00, c01, accumulate);
  else storeRowPart(c, c00, c01, cols, accumulate);
}

// @ts-ignore: decorator
@inline function storeRow(p: usize, lo: v128, hi: v128, accumulate: bool): void {
  if (accumulate) {
    lo = f32x4.add(lo, v128.load(p, 0));
    hi = f32x4.add(hi, v128.load(p, 16));
  }
  v128.store(p, lo, 0);
  v128.store(p, hi, 16);
}

function storeRowPart(p: usize, lo: v128, hi: v128, cols: i32, accumulate: bool): void {
  v128.store(EDGE_TILE, lo, 0);
  v128.store(EDGE_TILE, hi, 16);
  for (let j = 0; j < cols; j++) {
    const o = p + (<usize>j << 2);
    let v = load<f32>(EDGE_TILE + (<usize>j << 2));
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
    store<f32>(p, s0 + load<f32>(p, 0), 0);
    if (cols > 1) store<f32>(p, s1 + load<f32>(p, 4), 4);
    if (cols > 2) store<f32>(p, s2 + load<f32>(p, 8), 8);
    if (cols > 3) store<f32>(p, s3 + load<f32>(p, 12), 12);
  } else {
    store<f32>(p, s0, 0);
    if (cols > 1) store<f32>(p, s1, 4);
    if (cols > 2) store<f32>(p, s2, 8);
    if (cols > 3) store<f32>(p, s3, 12);
  }
}

// The int8 item table: catalogs scored against 7-bit codes instead of floats to shortlist each
// user's best R candidates, which are then re-scored exactly against the float rows.
//
// Codes. Item i is stored as codes q_i ∈ [-63, 63] and one scale s_i = max_k |x_ik| / 63 (per
// item, symmetric); a user vector is quantized the same way per query (scale s_u). The candidate
// score is f32(q_u · q_i) · (s_i · s_u): the dot product itself is exact integer arithmetic, so
// every build computes the same candidate scores. Why 63 and not 127: the relaxed-SIMD kernel
// multiplies bytes with i16x8.relaxed_dot_i8x16_i7x16_s, whose second operand must lie in
// [0, 127] (the user's codes, shifted by +64), and sums two such products in 16 bits before
// widening; with item codes within ±63 that sum stays below 2·2·127·63 = 32,004, so it never
// wraps. That halves the widening work (V8 11.3 lowers the fused i32 dot-add to five
// instructions with no VNNI; the pair costs 2.5 per 16 products), and 7-bit codes shortlist as
// well as 8-bit ones once 2k candidates are re-scored (docs/scale.md has the measurements).
// The shift is undone by starting the sums at -64·Σ_k q_ik, kept per item ("sums").
//
// Packed layout (the same for every build, so a table is portable between them): panels of
// QPANEL = 8 items; dimensions padded with zeros to a multiple of 8; per step of 8 dimensions a
// panel holds 64 bytes: for each half h (dims 8s+4h .. 8s+4h+3) two 16-byte vectors, items 0-3
// then 4-7, each item's 4 codes adjacent. A v128 of codes is 4 items × 4 dims, so one dot
// instruction adds 4 dimensions to 4 items' sums at once and no horizontal sums are needed.
// Panel p starts at byte p·panelBytes (panelBytes = 8·d8) of its chunk: large catalogs are
// chunks of whole panel blocks (a 1 GiB allocation limit, and tables of many GB), found through
// a directory of chunk pointers.

import { collectBest, finishBest } from "./topk";
import { addScaledRow, dotProduct } from "./rows";

/** Items per panel. */
const QPANEL: i32 = 8;
/** Largest code magnitude (7 bits). */
const QLEVELS: f32 = 63;
/** Shift that makes a user code a 7-bit unsigned operand (relaxed build). */
const UOFFSET: i32 = 64;
/** Users per register tile: 3 × 8 items fit the relaxed build's 15 xmm registers, 2 × 8 the plain SIMD one's (4 accumulators a user there). */
const QROWS: i32 = ASC_FEATURE_RELAXED_SIMD ? 3 : 2;
/** Panels per block: 512 items, 32 KiB of codes at d = 64, swept by every user group of a block while it sits in L1/L2. */
const QPB: i32 = 64;
/** Floats of staging per user row: one panel block. */
const STAGE_COLUMNS: i32 = QPB * QPANEL;
/** Most users quantized and packed per block (a multiple of 2 and 3). */
const USER_BLOCK: i32 = 480;

// @ts-ignore: decorator
@inline function paddedDims(d: i32): i32 {
  return (max<i32>(d, 0) + 7) & ~7;
}

/** Bytes of a packed user group of `rows` users: 4 bytes per dimension with SIMD (pre-broadcast), 1 without. */
// @ts-ignore: decorator
@inline function packedUserBytes(rows: i32, d8: i32): usize {
  return <usize>rows * <usize>d8 * (ASC_FEATURE_SIMD ? 4 : 1);
}

// @ts-ignore: decorator
@inline function align16(bytes: usize): usize {
  return (bytes + 15) & ~<usize>15;
}

/** Bytes of one packed panel of items of d dimensions. */
export function quantized_panel_bytes(d: i32): i32 {
  return paddedDims(d) * QPANEL;
}

/** Items per panel block: a chunk of the packed table holds a multiple of this many items. */
export function quantized_block_items(): i32 {
  return QPB * QPANEL;
}

/** The code of x at scale s (s > 0): round to nearest, ties to even, within ±63. */
// @ts-ignore: decorator
@inline function code(x: f32, s: f32): i32 {
  return <i32>min<f32>(QLEVELS, max<f32>(-QLEVELS, nearest<f32>(x / s)));
}

/** The largest |x| over n floats (0 for n = 0; NaN when one is NaN). */
function maxAbs(p: usize, n: i32): f32 {
  let m: f32 = 0;
  let k = 0;
  if (ASC_FEATURE_SIMD) {
    let v = f32x4.splat(0);
    for (; k + 4 <= n; k += 4) v = f32x4.max(v, f32x4.abs(v128.load(p + (<usize>k << 2))));
    m = max<f32>(max<f32>(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max<f32>(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
  }
  for (; k < n; k++) m = max<f32>(m, abs<f32>(load<f32>(p + (<usize>k << 2))));
  return m;
}

/** code() of four floats at once, as i32 lanes (the same rounding: IEEE division, ties to even). */
// @ts-ignore: decorator
@inline function codes4(x: v128, vs: v128): v128 {
  return i32x4.trunc_sat_f32x4_s(f32x4.min(f32x4.splat(QLEVELS), f32x4.max(f32x4.splat(-QLEVELS), f32x4.nearest(f32x4.div(x, vs)))));
}

/**
 * Per-item symmetric quantization of n rows of d floats: scales[r] = max_k |x_rk| / 63 and
 * codes (n×d bytes, row-major) = x / scale rounded to nearest (ties to even), within ±63; an
 * all-zero row gets scale 0 and codes 0. The rows must be finite (the caller checks).
 */
export function quantize_rows(src: usize, n: i32, d: i32, codes: usize, scales: usize): void {
  for (let r = 0; r < n; r++) {
    const row = src + (<usize>r * <usize>d << 2);
    const out = codes + <usize>r * <usize>d;
    const s = maxAbs(row, d) / QLEVELS;
    store<f32>(scales + (<usize>r << 2), s);
    if (s == 0) {
      memory.fill(out, 0, <usize>d);
      continue;
    }
    let k = 0;
    if (ASC_FEATURE_SIMD) {
      const vs = f32x4.splat(s);
      for (; k + 16 <= d; k += 16) {
        const p = row + (<usize>k << 2);
        const lo = i16x8.narrow_i32x4_s(codes4(v128.load(p), vs), codes4(v128.load(p, 16), vs));
        const hi = i16x8.narrow_i32x4_s(codes4(v128.load(p, 32), vs), codes4(v128.load(p, 48), vs));
        v128.store(out + <usize>k, i8x16.narrow_i16x8_s(lo, hi));
      }
    }
    for (; k < d; k++) store<i8>(out + <usize>k, <i8>code(load<f32>(row + (<usize>k << 2)), s));
  }
}

/**
 * Packs n items' codes (n×d bytes, row-major) into the panel layout at `packed`
 * (ceil(n/8)·quantized_panel_bytes(d) bytes, the last panel zero-padded) and writes sums[i] =
 * -64·Σ_k codes[i][k] for the ceil(n/8)·8 slots (0 past n). Returns -1, or the first row holding a
 * code outside [-63, 63] (packed then, but unusable).
 */
export function pack_quantized(codes: usize, n: i32, d: i32, packed: usize, sums: usize): i32 {
  if (n <= 0) return -1;
  const d8 = paddedDims(d);
  const panelBytes = <usize>d8 * QPANEL;
  const panels = (n + QPANEL - 1) / QPANEL;
  let bad = -1;
  for (let p = 0; p < panels; p++) {
    const base = packed + <usize>p * panelBytes;
    memory.fill(base, 0, panelBytes);
    for (let j = 0; j < QPANEL; j++) {
      const i = p * QPANEL + j;
      if (i >= n) {
        store<i32>(sums + (<usize>i << 2), 0);
        continue;
      }
      const row = codes + <usize>i * <usize>d;
      const lane = base + (<usize>(j >> 2) << 4) + (<usize>(j & 3) << 2);
      let sum = 0;
      let outside = false;
      let k = 0;
      if (ASC_FEATURE_SIMD) {
        let acc = i32x4.splat(0);
        let out = i8x16.splat(0);
        for (; k + 16 <= d; k += 16) {
          const v = v128.load(row + <usize>k);
          out = v128.or(out, v128.or(i8x16.gt_s(v, i8x16.splat(63)), i8x16.lt_s(v, i8x16.splat(-63))));
          acc = i32x4.add(acc, i32x4.extadd_pairwise_i16x8_s(i16x8.extadd_pairwise_i8x16_s(v)));
        }
        sum = i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3);
        outside = v128.any_true(out);
      }
      for (; k < d; k++) {
        const c = <i32>load<i8>(row + <usize>k);
        outside = outside || c < -63 || c > 63;
        sum += c;
      }
      if (outside && bad < 0) bad = i;
      // Whole groups of 4 dims move as one word; a last partial group byte by byte.
      let g = 0;
      for (; (g << 2) + 4 <= d; g++) store<i32>(lane + (<usize>(g >> 1) << 6) + (<usize>(g & 1) << 5), load<i32>(row + (<usize>g << 2)));
      for (let t = g << 2; t < d; t++) store<i8>(lane + (<usize>(g >> 1) << 6) + (<usize>(g & 1) << 5) + <usize>(t & 3), load<i8>(row + <usize>t));
      store<i32>(sums + (<usize>i << 2), -sum * UOFFSET);
    }
  }
  return bad;
}

/** Bytes of scratch the scoring kernels need for nUsers users of d. */
export function score_quantized_scratch_bytes(nUsers: i32, d: i32): i32 {
  const block = nUsers > 0 ? blockRows(nUsers) : 0;
  return <i32>(
    (<usize>(QROWS * STAGE_COLUMNS) << 2) + <usize>QROWS * ROW_INFO + align16(<usize>block << 2) * 2 + packedUserBytes(block, paddedDims(d))
  );
}

/** Users per block for nUsers ≥ 1: equal blocks, a multiple of QROWS (or all of them), at most USER_BLOCK. */
function blockRows(nUsers: i32): i32 {
  const blocks = (nUsers + USER_BLOCK - 1) / USER_BLOCK;
  return min<i32>(nUsers, min<i32>(USER_BLOCK, ((nUsers + blocks - 1) / blocks + QROWS - 1) / QROWS * QROWS));
}

// @ts-ignore: decorator
@inline function groupRows(rows: i32, done: i32): i32 {
  const left = rows - done;
  return left >= QROWS ? QROWS : left >= 2 ? 2 : 1;
}

/**
 * Quantizes nb user rows (d floats each, from `users`) into `packed` (row groups of
 * groupRows, each laid out per 8-dim step as its users' half-0 vectors then their half-1 vectors)
 * and their scales into `scales`.
 */
function packUsers(users: usize, nb: i32, d: i32, packed: usize, scales: usize): void {
  const d8 = paddedDims(d);
  const dBytes = <usize>d << 2;
  let r = 0;
  let dst = packed;
  while (r < nb) {
    const g = groupRows(nb, r);
    for (let j = 0; j < g; j++) {
      const row = users + <usize>(r + j) * dBytes;
      const s = maxAbs(row, d) / QLEVELS;
      store<f32>(scales + (<usize>(r + j) << 2), s);
      // A row holding NaN or ±Infinity gets codes 0 and keeps its non-finite scale: its candidate
      // scores are then NaN and never listed, as the float path never lists NaN scores.
      const finite = s > 0 && s < Infinity;
      for (let k0 = 0; k0 < d8; k0 += 4) {
        // The user's codes of dims k0 .. k0+3 (0 past d or for a zero row).
        let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
        if (finite) {
          if (k0 < d) c0 = code(load<f32>(row + (<usize>k0 << 2)), s);
          if (k0 + 1 < d) c1 = code(load<f32>(row + (<usize>(k0 + 1) << 2)), s);
          if (k0 + 2 < d) c2 = code(load<f32>(row + (<usize>(k0 + 2) << 2)), s);
          if (k0 + 3 < d) c3 = code(load<f32>(row + (<usize>(k0 + 3) << 2)), s);
        }
        if (ASC_FEATURE_SIMD) {
          const o = dst + (<usize>(k0 >> 3) * <usize>(32 * g)) + (<usize>((k0 >> 2) & 1) * <usize>(16 * g)) + (<usize>j << 4);
          if (ASC_FEATURE_RELAXED_SIMD) {
            const w = (c0 + UOFFSET) | ((c1 + UOFFSET) << 8) | ((c2 + UOFFSET) << 16) | ((c3 + UOFFSET) << 24);
            v128.store(o, i32x4.splat(w));
          } else {
            const lo = (c0 & 0xffff) | (c1 << 16);
            const hi = (c2 & 0xffff) | (c3 << 16);
            v128.store(o, i64x2.splat((<i64>lo & 0xffffffff) | (<i64>hi << 32)));
          }
        } else {
          const o = dst + <usize>j * <usize>d8 + <usize>k0;
          store<i8>(o, <i8>c0);
          store<i8>(o, <i8>c1, 1);
          store<i8>(o, <i8>c2, 2);
          store<i8>(o, <i8>c3, 3);
        }
      }
    }
    dst += packedUserBytes(g, d8);
    r += g;
  }
}

/**
 * Candidate scores of a group of `rows` packed users with `panels`
 * consecutive panels, into the staging rows (pitch stagePitch bytes, 8 columns a panel):
 * f32(q_u·q_i)·(s_i·s_u), with the panels' items' scales at `scales` and their shift corrections
 * at `sums` (both from the block's first item); `info` holds the group's ROW_INFO records. The tiles
 * finish each panel in registers: storing raw dots and converting them in a second pass cost a
 * fifth of the kernel's time (measured). They also flag a row when a score beats its heap's
 * threshold: a row without a hit skips the top-R pass, which otherwise took a tenth of the time.
 */
function groupScores(rows: i32, pa: usize, pb: usize, d8: i32, stage: usize, stagePitch: usize, panels: i32, scales: usize, sums: usize, info: usize): void {
  if (ASC_FEATURE_RELAXED_SIMD) {
    if (rows == 3) relaxedRun3(pa, pb, d8, stage, stagePitch, panels, scales, sums, info);
    else if (rows == 2) relaxedRun2(pa, pb, d8, stage, stagePitch, panels, scales, sums, info);
    else relaxedRun1(pa, pb, d8, stage, panels, scales, sums, info);
  } else if (ASC_FEATURE_SIMD) {
    if (rows == 2) simdRun2(pa, pb, d8, stage, stagePitch, panels, scales, info);
    else simdRun1(pa, pb, d8, stage, panels, scales, info);
  } else {
    scalarRun(rows, pa, pb, d8, stage, stagePitch, panels, scales, info);
  }
}

/** Bytes per user row of a group's row records: its scale s_u, its heap's threshold, a hit flag. */
const ROW_INFO: usize = 16;

/**
 * Stores f32(raw)·(scale·s_u) for 8 items (raw dots r0: items 0-3, r1: 4-7; their scales at sp)
 * and raises the row's hit flag when one of them beats its threshold (row: its ROW_INFO record).
 */
// @ts-ignore: decorator
@inline function storeScores(c: usize, r0: v128, r1: v128, sp: usize, row: usize): void {
  const vsu = f32x4.splat(load<f32>(row));
  const s0 = f32x4.mul(f32x4.convert_i32x4_s(r0), f32x4.mul(v128.load(sp), vsu));
  const s1 = f32x4.mul(f32x4.convert_i32x4_s(r1), f32x4.mul(v128.load(sp, 16), vsu));
  v128.store(c, s0, 0);
  v128.store(c, s1, 16);
  const t = f32x4.splat(load<f32>(row, 4));
  if (v128.any_true(v128.or(f32x4.gt(s0, t), f32x4.gt(s1, t)))) store<i32>(row, 1, 8);
}

// Relaxed tiles. One 8-dim step: 4 code vectors (half 0 items 0-3, 4-7; half 1 the same), per
// user one vector per half; the two halves' byte products are summed in i16 (no wrap: see the
// header), widened pairwise to i32 and added. The accumulators start at the panel's corrections
// (-64·Σq_i), which takes the shift off for free. V8 11.3 loads every operand of a basic block
// before its arithmetic; a step whose 3 users' loads share one block needs 16 xmm registers and
// spills, so a never-taken exit test after each user splits the step (6 accumulators + 4 code
// vectors + 2 user vectors + 2 temporaries = 14): 3×8 then ran 1.2× faster than with the spills
// and 1.15× faster than a 2×8 tile (2 steps a trip; the split step at one step a trip measured
// the same as two).

// @ts-ignore: decorator
@inline function pairDot(b: v128, e: v128, a: v128, a2: v128, acc: v128): v128 {
  return i32x4.add(acc, i32x4.extadd_pairwise_i16x8_s(i16x8.add(i16x8.relaxed_dot_i8x16_i7x16_s(b, a), i16x8.relaxed_dot_i8x16_i7x16_s(e, a2))));
}

function relaxedRun3(pa: usize, pb: usize, d8: i32, c: usize, cStride: usize, panels: i32, scales: usize, sums: usize, info: usize): void {
  const paEnd = pa + packedUserBytes(3, d8);
  const panelBytes = <usize>d8 * QPANEL;
  for (let j = 0; j < panels; j++) {
    let c00 = v128.load(sums), c01 = v128.load(sums, 16);
    let c10 = c00, c11 = c01, c20 = c00, c21 = c01;
    let b0: v128, b1: v128, e0: v128, e1: v128, a: v128, a2: v128;
    let ap = pa;
    let b = pb;
    while (true) {
      b0 = v128.load(b, 0); b1 = v128.load(b, 16); e0 = v128.load(b, 32); e1 = v128.load(b, 48);
      a = v128.load(ap, 0); a2 = v128.load(ap, 48);
      c00 = pairDot(b0, e0, a, a2, c00); c01 = pairDot(b1, e1, a, a2, c01);
      if (ap + 1 >= paEnd) break;
      a = v128.load(ap, 16); a2 = v128.load(ap, 64);
      c10 = pairDot(b0, e0, a, a2, c10); c11 = pairDot(b1, e1, a, a2, c11);
      if (ap + 2 >= paEnd) break;
      a = v128.load(ap, 32); a2 = v128.load(ap, 80);
      c20 = pairDot(b0, e0, a, a2, c20); c21 = pairDot(b1, e1, a, a2, c21);
      ap += 96;
      b += 64;
      if (ap >= paEnd) break;
    }
    storeScores(c, c00, c01, scales, info);
    storeScores(c + cStride, c10, c11, scales, info + ROW_INFO);
    storeScores(c + 2 * cStride, c20, c21, scales, info + 2 * ROW_INFO);
    pb += panelBytes;
    c += 32;
    scales += 32;
    sums += 32;
  }
}

function relaxedRun2(pa: usize, pb: usize, d8: i32, c: usize, cStride: usize, panels: i32, scales: usize, sums: usize, info: usize): void {
  const paEnd = pa + packedUserBytes(2, d8);
  const panelBytes = <usize>d8 * QPANEL;
  for (let j = 0; j < panels; j++) {
    let c00 = v128.load(sums), c01 = v128.load(sums, 16);
    let c10 = c00, c11 = c01;
    let b0: v128, b1: v128, e0: v128, e1: v128, a: v128, a2: v128;
    let ap = pa;
    let b = pb;
    while (true) {
      b0 = v128.load(b, 0); b1 = v128.load(b, 16); e0 = v128.load(b, 32); e1 = v128.load(b, 48);
      a = v128.load(ap, 0); a2 = v128.load(ap, 32);
      c00 = pairDot(b0, e0, a, a2, c00); c01 = pairDot(b1, e1, a, a2, c01);
      a = v128.load(ap, 16); a2 = v128.load(ap, 48);
      c10 = pairDot(b0, e0, a, a2, c10); c11 = pairDot(b1, e1, a, a2, c11);
      ap += 64;
      b += 64;
      if (ap >= paEnd) break;
    }
    storeScores(c, c00, c01, scales, info);
    storeScores(c + cStride, c10, c11, scales, info + ROW_INFO);
    pb += panelBytes;
    c += 32;
    scales += 32;
    sums += 32;
  }
}

function relaxedRun1(pa: usize, pb: usize, d8: i32, c: usize, panels: i32, scales: usize, sums: usize, info: usize): void {
  const paEnd = pa + packedUserBytes(1, d8);
  const panelBytes = <usize>d8 * QPANEL;
  for (let j = 0; j < panels; j++) {
    let c0 = v128.load(sums), c1 = v128.load(sums, 16);
    let a: v128, a2: v128;
    let ap = pa;
    let b = pb;
    while (true) {
      a = v128.load(ap, 0); a2 = v128.load(ap, 16);
      c0 = pairDot(v128.load(b, 0), v128.load(b, 32), a, a2, c0);
      c1 = pairDot(v128.load(b, 16), v128.load(b, 48), a, a2, c1);
      ap += 32;
      b += 64;
      if (ap >= paEnd) break;
    }
    storeScores(c, c0, c1, scales, info);
    pb += panelBytes;
    c += 32;
    scales += 32;
    sums += 32;
  }
}

// Plain SIMD tiles: codes widened to i16 and multiplied pairwise with i32x4.dot_i16x8_s against
// the user's i16 codes (4 dims, twice). A product vector holds two items' halves, [i0 d01, i0
// d23, i1 d01, i1 d23], so each user keeps 4 accumulators (items 0-1, 2-3, 4-5, 6-7) folded at
// the store. The user codes are not shifted here: no correction.

// @ts-ignore: decorator
@inline function foldPairs(lo: v128, hi: v128): v128 {
  return i32x4.add(i32x4.shuffle(lo, hi, 0, 2, 4, 6), i32x4.shuffle(lo, hi, 1, 3, 5, 7));
}

function simdRun2(pa: usize, pb: usize, d8: i32, c: usize, cStride: usize, panels: i32, scales: usize, info: usize): void {
  const paEnd = pa + packedUserBytes(2, d8);
  const panelBytes = <usize>d8 * QPANEL;
  for (let j = 0; j < panels; j++) {
    let l00 = i32x4.splat(0), h00 = i32x4.splat(0), l01 = i32x4.splat(0), h01 = i32x4.splat(0);
    let l10 = i32x4.splat(0), h10 = i32x4.splat(0), l11 = i32x4.splat(0), h11 = i32x4.splat(0);
    let t: v128, lo0: v128, hi0: v128, lo1: v128, hi1: v128, a: v128;
    let ap = pa;
    let b = pb;
    while (true) {
      t = v128.load(b, 0); lo0 = i16x8.extend_low_i8x16_s(t); hi0 = i16x8.extend_high_i8x16_s(t);
      t = v128.load(b, 16); lo1 = i16x8.extend_low_i8x16_s(t); hi1 = i16x8.extend_high_i8x16_s(t);
      a = v128.load(ap, 0);
      l00 = i32x4.add(l00, i32x4.dot_i16x8_s(lo0, a)); h00 = i32x4.add(h00, i32x4.dot_i16x8_s(hi0, a));
      l01 = i32x4.add(l01, i32x4.dot_i16x8_s(lo1, a)); h01 = i32x4.add(h01, i32x4.dot_i16x8_s(hi1, a));
      a = v128.load(ap, 16);
      l10 = i32x4.add(l10, i32x4.dot_i16x8_s(lo0, a)); h10 = i32x4.add(h10, i32x4.dot_i16x8_s(hi0, a));
      l11 = i32x4.add(l11, i32x4.dot_i16x8_s(lo1, a)); h11 = i32x4.add(h11, i32x4.dot_i16x8_s(hi1, a));
      // Never taken (steps hold both halves): splits the block so each half keeps its own loads.
      if (ap + 32 >= paEnd) break;
      t = v128.load(b, 32); lo0 = i16x8.extend_low_i8x16_s(t); hi0 = i16x8.extend_high_i8x16_s(t);
      t = v128.load(b, 48); lo1 = i16x8.extend_low_i8x16_s(t); hi1 = i16x8.extend_high_i8x16_s(t);
      a = v128.load(ap, 32);
      l00 = i32x4.add(l00, i32x4.dot_i16x8_s(lo0, a)); h00 = i32x4.add(h00, i32x4.dot_i16x8_s(hi0, a));
      l01 = i32x4.add(l01, i32x4.dot_i16x8_s(lo1, a)); h01 = i32x4.add(h01, i32x4.dot_i16x8_s(hi1, a));
      a = v128.load(ap, 48);
      l10 = i32x4.add(l10, i32x4.dot_i16x8_s(lo0, a)); h10 = i32x4.add(h10, i32x4.dot_i16x8_s(hi0, a));
      l11 = i32x4.add(l11, i32x4.dot_i16x8_s(lo1, a)); h11 = i32x4.add(h11, i32x4.dot_i16x8_s(hi1, a));
      ap += 64;
      b += 64;
      if (ap >= paEnd) break;
    }
    storeScores(c, foldPairs(l00, h00), foldPairs(l01, h01), scales, info);
    storeScores(c + cStride, foldPairs(l10, h10), foldPairs(l11, h11), scales, info + ROW_INFO);
    pb += panelBytes;
    c += 32;
    scales += 32;
  }
}

function simdRun1(pa: usize, pb: usize, d8: i32, c: usize, panels: i32, scales: usize, info: usize): void {
  const paEnd = pa + packedUserBytes(1, d8);
  const panelBytes = <usize>d8 * QPANEL;
  for (let j = 0; j < panels; j++) {
    let l0 = i32x4.splat(0), h0 = i32x4.splat(0), l1 = i32x4.splat(0), h1 = i32x4.splat(0);
    let t: v128, a: v128;
    let ap = pa;
    let b = pb;
    while (true) {
      a = v128.load(ap, 0);
      t = v128.load(b, 0);
      l0 = i32x4.add(l0, i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(t), a)); h0 = i32x4.add(h0, i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(t), a));
      t = v128.load(b, 16);
      l1 = i32x4.add(l1, i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(t), a)); h1 = i32x4.add(h1, i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(t), a));
      ap += 16;
      b += 32;
      if (ap >= paEnd) break;
    }
    storeScores(c, foldPairs(l0, h0), foldPairs(l1, h1), scales, info);
    pb += panelBytes;
    c += 32;
    scales += 32;
  }
}

/** The scalar build: one user and one item at a time over the same layout. */
function scalarRun(rows: i32, pa: usize, pb: usize, d8: i32, c: usize, cStride: usize, panels: i32, scales: usize, info: usize): void {
  const panelBytes = <usize>d8 * QPANEL;
  for (let r = 0; r < rows; r++) {
    const user = pa + <usize>r * <usize>d8;
    const row = info + <usize>r * ROW_INFO;
    const s = load<f32>(row),
      threshold = load<f32>(row, 4);
    let panel = pb;
    let out = c + <usize>r * cStride;
    let sp = scales;
    for (let p = 0; p < panels; p++) {
      for (let j = 0; j < QPANEL; j++) {
        const lane = panel + (<usize>(j >> 2) << 4) + (<usize>(j & 3) << 2);
        let sum = 0;
        for (let k = 0; k < d8; k++) {
          sum += <i32>load<i8>(user + <usize>k) * <i32>load<i8>(lane + (<usize>(k >> 3) << 6) + (<usize>((k >> 2) & 1) << 5) + <usize>(k & 3));
        }
        const score = <f32>sum * (load<f32>(sp + (<usize>j << 2)) * s);
        store<f32>(out + (<usize>j << 2), score);
        if (score > threshold) store<i32>(row, 1, 8);
      }
      panel += panelBytes;
      out += 32;
      sp += 32;
    }
  }
}

/** Pointer to panel block p0's first panel: chunk p0 / chunkPanels of the directory. */
// @ts-ignore: decorator
@inline function panelAt(dir: usize, chunkPanels: i32, p0: i32, panelBytes: usize): usize {
  const chunk = p0 / chunkPanels;
  return <usize>load<u32>(dir + (<usize>chunk << 2)) + <usize>(p0 - chunk * chunkPanels) * panelBytes;
}

/**
 * The common sweep: for each block of users and each panel block, every group's candidate scores
 * land in the staging rows, and `sink` is called per user row (mode 0: copy to out, mode 1: offer
 * to the user's top-R heap).
 */
function sweep(
  mode: i32, users: usize, nUsers: i32, d: i32, dir: usize, chunkPanels: i32, scales: usize, sums: usize, m: i32,
  colBias: usize, biasScale: f32, R: i32, exclOffsets: usize, exclIndices: usize,
  out: usize, outStride: i32, outIndices: usize, outScores: usize, scratch: usize,
): void {
  const d8 = paddedDims(d);
  const panelBytes = <usize>d8 * QPANEL;
  const panels = (m + QPANEL - 1) / QPANEL;
  const block = blockRows(nUsers);
  const stage = scratch;
  const stagePitch = <usize>STAGE_COLUMNS << 2;
  const info = stage + (<usize>(QROWS * STAGE_COLUMNS) << 2);
  const userScales = info + <usize>QROWS * ROW_INFO;
  const sizes = userScales + align16(<usize>block << 2);
  const packedUsers = sizes + align16(<usize>block << 2);
  for (let u0 = 0; u0 < nUsers; u0 += block) {
    const nb = min<i32>(block, nUsers - u0);
    packUsers(users + <usize>u0 * (<usize>d << 2), nb, d, packedUsers, userScales);
    if (mode == 1) memory.fill(sizes, 0, <usize>nb << 2);
    for (let p0 = 0; p0 < panels; p0 += QPB) {
      const np = min<i32>(QPB, panels - p0);
      const first = p0 * QPANEL;
      const columns = min<i32>(m, (p0 + np) * QPANEL) - first;
      const pb = panelAt(dir, chunkPanels, p0, panelBytes);
      let pa = packedUsers;
      let r = 0;
      while (r < nb) {
        const g = groupRows(nb, r);
        // Only rows whose heap is full and not shifted by a column bias can skip the top-R pass.
        for (let j = 0; j < g; j++) {
          const rec = info + <usize>j * ROW_INFO;
          const size = mode == 1 ? load<i32>(sizes + (<usize>(r + j) << 2)) : 0;
          store<f32>(rec, load<f32>(userScales + (<usize>(r + j) << 2)));
          store<f32>(rec, mode == 1 && colBias == 0 && size == R ? load<f32>(outScores + (<usize>(u0 + r + j) * <usize>R << 2)) : -Infinity, 4);
          store<i32>(rec, 0, 8);
        }
        groupScores(g, pa, pb, d8, stage, stagePitch, np, scales + (<usize>first << 2), sums + (<usize>first << 2), info);
        for (let j = 0; j < g; j++) {
          const u = u0 + r + j;
          const row = stage + <usize>j * stagePitch;
          if (mode == 0) {
            memory.copy(out + <usize>u * (<usize>outStride << 2) + (<usize>first << 2), row, <usize>columns << 2);
            continue;
          }
          if (load<i32>(info + <usize>j * ROW_INFO, 8) == 0) continue;
          // The same bias, exclusion and best-k steps as score_topk's, kept inline: a shared function
          // measured 1.3× slower here (bench/quantized-topk.ts, 1M items, 1 thread: 297 → 388 ms).
          if (colBias != 0) addScaledRow(row, biasScale, colBias + (<usize>first << 2), columns);
          if (exclOffsets != 0) {
            const end = load<i32>(exclOffsets + (<usize>u << 2), 4);
            for (let e = load<i32>(exclOffsets + (<usize>u << 2)); e < end; e++) {
              const c = load<i32>(exclIndices + (<usize>e << 2)) - first;
              if (c >= 0 && c < columns) store<f32>(row + (<usize>c << 2), -Infinity);
            }
          }
          const sizeAt = sizes + (<usize>(r + j) << 2);
          const heap = <usize>u * <usize>R << 2;
          store<i32>(sizeAt, collectBest(row, columns, first, R, outScores + heap, outIndices + heap, load<i32>(sizeAt)));
        }
        pa += packedUserBytes(g, d8);
        r += g;
      }
    }
    if (mode == 1) {
      for (let j = 0; j < nb; j++) {
        const heap = <usize>(u0 + j) * <usize>R << 2;
        finishBest(outScores + heap, outIndices + heap, load<i32>(sizes + (<usize>j << 2)), R);
      }
    }
  }
}

/**
 * Candidate scores of nUsers user rows (d floats each) against the m items of a packed table
 * (directory `dir` of chunk pointers, chunkPanels panels a chunk, a multiple of 64; scales and
 * sums padded to whole panels): out[u·outStride + i] = f32(q_u·q_i)·(s_i·s_u) for i < m.
 * `scratch`: score_quantized_scratch_bytes(nUsers, d) bytes, 16-byte aligned.
 */
export function score_quantized(
  users: usize, nUsers: i32, d: i32, dir: usize, chunkPanels: i32, scales: usize, sums: usize, m: i32, out: usize, outStride: i32, scratch: usize,
): void {
  if (nUsers <= 0 || m <= 0) return;
  sweep(0, users, nUsers, d, dir, chunkPanels, scales, sums, m, 0, 0, 0, 0, 0, out, outStride, 0, 0, scratch);
}

/**
 * Each user's R best candidates by candidate score (+ biasScale·colBias[i] when colBias ≠ 0),
 * best first into outIndices/outScores (row u at u·R), padded with -1 / -Infinity; the items of
 * the CSR exclusion (exclOffsets = 0 for none; indices outside [0, m) ignored) never appear. Order
 * and ties as in topk_rows. Same table arguments and scratch as score_quantized.
 */
export function score_topk_quantized(
  users: usize, nUsers: i32, d: i32, dir: usize, chunkPanels: i32, scales: usize, sums: usize, m: i32,
  colBias: usize, biasScale: f32, R: i32, exclOffsets: usize, exclIndices: usize, outIndices: usize, outScores: usize, scratch: usize,
): void {
  if (nUsers <= 0 || R <= 0) return;
  if (m <= 0) {
    for (let u = 0; u < nUsers; u++) finishBest(outScores + (<usize>u * <usize>R << 2), outIndices + (<usize>u * <usize>R << 2), 0, R);
    return;
  }
  sweep(1, users, nUsers, d, dir, chunkPanels, scales, sums, m, colBias, biasScale, R, exclOffsets, exclIndices, 0, 0, outIndices, outScores, scratch);
}

/**
 * The exact pass: for each of nUsers users, its R candidates (candidates[u·R ..], -1 = none) are
 * scored against their float rows (row i at directory entry i / chunkItems, offset i % chunkItems;
 * + biasScale·colBias[i] when colBias ≠ 0) and the k best, by score and then lower index, are
 * written best first to outIndices/outScores (row u at u·k), padded with -1 / -Infinity.
 * Candidates scoring -Infinity or NaN are dropped, as topk_rows drops them.
 */
export function rescore_topk(
  users: usize, nUsers: i32, d: i32, rowsDir: usize, chunkItems: i32, colBias: usize, biasScale: f32,
  candidates: usize, R: i32, k: i32, outIndices: usize, outScores: usize,
): void {
  if (k <= 0) return;
  const dBytes = <usize>max<i32>(d, 0) << 2;
  for (let u = 0; u < nUsers; u++) {
    const user = users + <usize>u * dBytes;
    const idx = outIndices + (<usize>u * <usize>k << 2);
    const sc = outScores + (<usize>u * <usize>k << 2);
    let size = 0;
    for (let t = 0; t < R; t++) {
      const c = load<i32>(candidates + (<usize>(u * R + t) << 2));
      if (c < 0) continue;
      const chunk = c / chunkItems;
      const row = <usize>load<u32>(rowsDir + (<usize>chunk << 2)) + <usize>(c - chunk * chunkItems) * dBytes;
      let s = d > 0 ? dotProduct(user, row, d) : 0;
      if (colBias != 0) s = s + biasScale * load<f32>(colBias + (<usize>c << 2));
      if (!(s > -Infinity)) continue;
      // Sorted insertion into the best-first list: a slot opens at the end (or the worst is dropped).
      let p = size;
      if (size == k) {
        if (!better(s, c, load<f32>(sc + (<usize>(k - 1) << 2)), load<i32>(idx + (<usize>(k - 1) << 2)))) continue;
        p = k - 1;
      } else {
        size++;
      }
      while (p > 0 && better(s, c, load<f32>(sc + (<usize>(p - 1) << 2)), load<i32>(idx + (<usize>(p - 1) << 2)))) {
        store<f32>(sc + (<usize>p << 2), load<f32>(sc + (<usize>(p - 1) << 2)));
        store<i32>(idx + (<usize>p << 2), load<i32>(idx + (<usize>(p - 1) << 2)));
        p--;
      }
      store<f32>(sc + (<usize>p << 2), s);
      store<i32>(idx + (<usize>p << 2), c);
    }
    for (let t = size; t < k; t++) {
      store<f32>(sc + (<usize>t << 2), -Infinity);
      store<i32>(idx + (<usize>t << 2), -1);
    }
  }
}

// @ts-ignore: decorator
@inline function better(sa: f32, ca: i32, sb: f32, cb: i32): bool {
  return sa > sb || (sa == sb && ca < cb);
}

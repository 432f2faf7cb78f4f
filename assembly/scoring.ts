// Batched scoring: out[u*outStride + i] = users[u]·items[i]. The items are packed once into panels
// (pack_items) so that score_packed reads them as one sequential stream; score_rows_dot is the
// unpacked one-dot-product-per-pair baseline that shows what the blocking buys.

import { PANEL, groupRows, packPanels, packRows, packedRowsBytes, tile } from "./microkernel";
import { madd } from "./madd";

// Users packed per block: 256 users × d = 64 pre-broadcast is 256 KiB, kept in L2 while every
// item panel is swept against it (a 4-user group, 4 KiB, stays in L1 across its panel run).
const USER_BLOCK: i32 = 256;
// Panels swept by one group before the next group starts: 64 panels × 8 items × d = 64 is
// 128 KiB of items, read from memory once per user block and then from L2 by every group.
const PANEL_BLOCK: i32 = 64;

/**
 * Items per panel of the packed layout (W). Panel p holds items p*W .. p*W+W-1 as d runs of W
 * floats (the k-th component of each of the W items side by side, zero past the last item), so
 * panel p starts at float p*W*d and a catalog tile that starts at an item index that is a
 * multiple of W is itself a valid packed table.
 */
export function packed_panel_width(): i32 {
  return PANEL;
}

/** Floats needed to pack m items of d: whole panels, the last one zero-padded. */
export function packed_items_length(m: i32, d: i32): i32 {
  return ((m + PANEL - 1) / PANEL) * PANEL * d;
}

/** Re-lay Q (m×d, row-major) into the panel layout of {@link packed_panel_width}. */
export function pack_items(q: usize, m: i32, d: i32, out: usize): void {
  if (m <= 0 || d <= 0) return;
  packPanels(q, <usize>d << 2, 4, m, d, out);
}

/**
 * out[u*outStride + i] = users[u]·Q[i] for u < nUsers and i < m, from the packed items. Columns
 * i >= m of each output row are never written; d = 0 writes zeros.
 */
export function score_packed(users: usize, nUsers: i32, d: i32, packed: usize, m: i32, out: usize, outStride: i32): void {
  if (nUsers <= 0 || m <= 0) return;
  const dBytes = <usize>d << 2;
  const rowPitch = <usize>outStride << 2;
  const panelBytes = dBytes * PANEL;
  const panels = (m + PANEL - 1) / PANEL;
  const scratch = heap.alloc(max<usize>(16, packedRowsBytes(min<i32>(nUsers, USER_BLOCK), d)));
  for (let u0 = 0; u0 < nUsers; u0 += USER_BLOCK) {
    const nb = min<i32>(USER_BLOCK, nUsers - u0);
    packRows(users + <usize>u0 * dBytes, dBytes, 4, nb, d, scratch);
    for (let p0 = 0; p0 < panels; p0 += PANEL_BLOCK) {
      const p1 = min<i32>(panels, p0 + PANEL_BLOCK);
      let pa = scratch;
      let r = 0;
      while (r < nb) {
        const g = groupRows(nb, r);
        const rowOut = out + <usize>(u0 + r) * rowPitch;
        for (let p = p0; p < p1; p++) {
          const cols = min<i32>(PANEL, m - p * PANEL);
          tile(g, pa, packed + <usize>p * panelBytes, d, rowOut + (<usize>(p * PANEL) << 2), rowPitch, cols, false);
        }
        pa += packedRowsBytes(g, d);
        r += g;
      }
    }
  }
  heap.free(scratch);
}

/** The same scores as score_packed from the unpacked item table (m×d), one dot product per pair. */
export function score_rows_dot(users: usize, nUsers: i32, d: i32, items: usize, m: i32, out: usize, outStride: i32): void {
  const dBytes = <usize>d << 2;
  for (let u = 0; u < nUsers; u++) {
    const user = users + <usize>u * dBytes;
    const row = out + <usize>u * (<usize>outStride << 2);
    let item = items;
    for (let i = 0; i < m; i++) {
      store<f32>(row + (<usize>i << 2), dotProduct(user, item, d));
      item += dBytes;
    }
  }
}

// @ts-ignore: decorator
@inline function dotProduct(a: usize, b: usize, n: i32): f32 {
  let k = 0;
  let s: f32 = 0;
  if (ASC_FEATURE_SIMD) {
    let acc = f32x4.splat(0);
    for (; k + 4 <= n; k += 4) {
      const o = <usize>k << 2;
      acc = madd(v128.load(a + o), v128.load(b + o), acc);
    }
    s = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  }
  for (; k < n; k++) {
    const o = <usize>k << 2;
    s += load<f32>(a + o) * load<f32>(b + o);
  }
  return s;
}

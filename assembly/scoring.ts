// Batched scoring: out[u*outStride + i] = users[u]·items[i]. The items are packed once into panels
// (pack_items) so that score_packed reads them as one sequential stream; score_rows_dot is the
// unpacked one-dot-product-per-pair baseline that shows what the blocking buys.

import { EDGE_SCRATCH_BYTES, PANEL, groupRows, packPanels, packRows, packedRowsBytes, tile, useEdgeScratch } from "./microkernel";
import { WIDE_PANEL, WIDE_ROWS, wideRun } from "./wide-tile";
import { madd } from "./madd";

// With a fused multiply-add the wide 3×12 tile is the faster one (wide-tile.ts says why); without,
// the 4×8 tile of microkernel.ts. The packed item layout follows the tile's width.
export const SCORE_PANEL: i32 = ASC_FEATURE_RELAXED_SIMD ? WIDE_PANEL : PANEL;
export const SCORE_ROWS: i32 = ASC_FEATURE_RELAXED_SIMD ? WIDE_ROWS : 4;

// Most users packed per block (a multiple of both tile heights): 480 users × d = 64 pre-broadcast
// is 480 KiB, kept in L2 while every item panel is swept against it (a row group, 3-4 KiB, stays
// in L1 across its panel run). Blocks of 240 and 960 users, and panel blocks of 16-128 panels,
// measured within 4% of this.
const USER_BLOCK: i32 = 480;
// Panels swept by one group before the next group starts: 64 panels × 8-12 items × d = 64 is
// 128-192 KiB of items, read from memory once per user block and then from L2 by every group.
export const PANEL_BLOCK: i32 = 64;
// The staging tile for a last panel narrower than WIDE_PANEL (WIDE_ROWS rows of WIDE_PANEL floats)
// sits in the caller's scratch after the 4×8 tile's edge row: 144 bytes, a multiple of 16.
const WIDE_EDGE_BYTES: usize = <usize>(WIDE_ROWS * WIDE_PANEL * 4);

/**
 * Items per panel of the packed layout (W). Panel p holds items p*W .. p*W+W-1 as d runs of W
 * floats (the k-th component of each of the W items side by side, zero past the last item), so
 * panel p starts at float p*W*d and a catalog tile that starts at an item index that is a
 * multiple of W is itself a valid packed table.
 */
export function packed_panel_width(): i32 {
  return SCORE_PANEL;
}

/** Floats needed to pack m items of d: whole panels, the last one zero-padded. */
export function packed_items_length(m: i32, d: i32): i32 {
  return ((m + SCORE_PANEL - 1) / SCORE_PANEL) * SCORE_PANEL * d;
}

/** Re-lay Q (m×d, row-major) into the panel layout of {@link packed_panel_width}. */
export function pack_items(q: usize, m: i32, d: i32, out: usize): void {
  if (m <= 0 || d <= 0) return;
  packPanels(q, <usize>d << 2, 4, m, d, out, SCORE_PANEL);
}

/** Rows of users packed per block by score_packed for nUsers users (equal blocks, a multiple of the tile height). */
export function blockRowsFor(nUsers: i32): i32 {
  // Blocks of equal size (a multiple of the tile height): 600 users as 300 + 300, not 480 + 120,
  // whose last block would stream the whole catalog for few users.
  const blocks = (nUsers + USER_BLOCK - 1) / USER_BLOCK;
  return min<i32>(USER_BLOCK, ((nUsers + blocks - 1) / blocks + SCORE_ROWS - 1) / SCORE_ROWS * SCORE_ROWS);
}

/** Bytes of scratch score_packed needs for nUsers users of d: the edge staging and one packed block of users. */
export function score_packed_scratch_bytes(nUsers: i32, d: i32): i32 {
  const block = nUsers > 0 ? min<i32>(nUsers, blockRowsFor(nUsers)) : 0;
  return <i32>(EDGE_SCRATCH_BYTES + WIDE_EDGE_BYTES + packedRowsBytes(block, max<i32>(d, 0)));
}

/**
 * out[u*outStride + i] = users[u]·Q[i] for u < nUsers and i < m, from the packed items. Columns
 * i >= m of each output row are never written; d = 0 writes zeros. `scratch` (16-byte aligned)
 * holds score_packed_scratch_bytes(nUsers, d) bytes this call may overwrite: the kernel allocates
 * nothing, so threads sharing one memory each pass their own.
 */
export function score_packed(users: usize, nUsers: i32, d: i32, packed: usize, m: i32, out: usize, outStride: i32, scratch: usize): void {
  if (nUsers <= 0 || m <= 0) return;
  if (d <= 0) {
    for (let u = 0; u < nUsers; u++) memory.fill(out + <usize>u * (<usize>outStride << 2), 0, <usize>m << 2);
    return;
  }
  const dBytes = <usize>d << 2;
  const rowPitch = <usize>outStride << 2;
  const panelBytes = dBytes * SCORE_PANEL;
  const panels = (m + SCORE_PANEL - 1) / SCORE_PANEL;
  const blockRows = blockRowsFor(nUsers);
  const wideEdge = useEdgeScratch(scratch);
  const packedUsers = wideEdge + WIDE_EDGE_BYTES;
  for (let u0 = 0; u0 < nUsers; u0 += blockRows) {
    const nb = min<i32>(blockRows, nUsers - u0);
    packRows(users + <usize>u0 * dBytes, dBytes, 4, nb, d, packedUsers, SCORE_ROWS);
    for (let p0 = 0; p0 < panels; p0 += PANEL_BLOCK) {
      const p1 = min<i32>(panels, p0 + PANEL_BLOCK);
      let pa = packedUsers;
      let r = 0;
      while (r < nb) {
        const g = groupRows(nb, r, SCORE_ROWS);
        const rowOut = out + <usize>(u0 + r) * rowPitch;
        if (ASC_FEATURE_RELAXED_SIMD) {
          // Full panels in one sweep; a last panel with fewer than 12 items through the staging tile.
          const full = min<i32>(p1, m / SCORE_PANEL) - p0;
          if (full > 0) wideRun(g, pa, packed + <usize>p0 * panelBytes, d, rowOut + (<usize>(p0 * SCORE_PANEL) << 2), rowPitch, full);
          if (p0 + max<i32>(full, 0) < p1) {
            const p = p1 - 1;
            wideRun(g, pa, packed + <usize>p * panelBytes, d, wideEdge, <usize>SCORE_PANEL << 2, 1);
            const cols = <usize>(m - p * SCORE_PANEL) << 2;
            for (let j = 0; j < g; j++) {
              memory.copy(rowOut + <usize>j * rowPitch + (<usize>(p * SCORE_PANEL) << 2), wideEdge + <usize>j * (<usize>SCORE_PANEL << 2), cols);
            }
          }
        } else {
          for (let p = p0; p < p1; p++) {
            const cols = min<i32>(SCORE_PANEL, m - p * SCORE_PANEL);
            tile(g, pa, packed + <usize>p * panelBytes, d, rowOut + (<usize>(p * SCORE_PANEL) << 2), rowPitch, cols, false);
          }
        }
        pa += packedRowsBytes(g, d);
        r += g;
      }
    }
  }
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

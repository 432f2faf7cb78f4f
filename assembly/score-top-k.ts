// Scoring fused with top-k: each user's k best items over the whole packed catalog without ever
// writing the user × catalog score matrix. score_packed followed by topk_rows writes every score to
// memory and reads it back (for 30k users × 41k items, 4.9 GB each way, more than the caches hold);
// here each row group's scores for a block of panels land in a small staging buffer that stays in
// L1, are offered to the users' heaps at once, and are overwritten by the next block. The tiles are
// score_packed's own, so the scores, and therefore the lists, are exactly those of the two-kernel path.

import { EDGE_SCRATCH_BYTES, groupRows, packRows, packedRowsBytes, tile, useEdgeScratch } from "./microkernel";
import { wideRun } from "./wide-tile";
import { PANEL_BLOCK, SCORE_PANEL, SCORE_ROWS, blockRowsFor } from "./scoring";
import { collectBest, finishBest } from "./topk";
import { addScaledRow } from "./rows";

/** Floats of staging per row of a row group: one panel block. */
const STAGE_COLUMNS: i32 = PANEL_BLOCK * SCORE_PANEL;

/** Bytes of scratch score_topk needs for nUsers users of d. */
export function score_topk_scratch_bytes(nUsers: i32, d: i32): i32 {
  const block = nUsers > 0 ? min<i32>(nUsers, blockRowsFor(nUsers)) : 0;
  return <i32>(EDGE_SCRATCH_BYTES + (<usize>(SCORE_ROWS * STAGE_COLUMNS) << 2) + sizesBytes(block) + packedRowsBytes(block, max<i32>(d, 0)));
}

/** Bytes of the per-user heap sizes of a block, rounded up to keep what follows 16-byte aligned. */
// @ts-ignore: decorator
@inline function sizesBytes(users: i32): usize {
  return ((<usize>users << 2) + 15) & ~<usize>15;
}

/**
 * For each of nUsers users (rows of d at `users`): the k best of the m packed items, by score
 * users[u]·Q[i] (+ biasScale·colBias[i] when colBias ≠ 0, rounded as add_to_rows rounds it), best first into outIndices/outScores (row u at
 * u·k), padded with -1 / -Infinity; the items listed for the user in the CSR exclusion (exclOffsets
 * per user, exclOffsets = 0 for none; indices outside [0, m) ignored) never appear. Ties and
 * -Infinity/NaN scores behave as in topk_rows. `scratch`: score_topk_scratch_bytes(nUsers, d) bytes.
 */
export function score_topk(
  users: usize, nUsers: i32, d: i32, packed: usize, m: i32, colBias: usize, biasScale: f32, k: i32,
  exclOffsets: usize, exclIndices: usize, outIndices: usize, outScores: usize, scratch: usize,
): void {
  if (nUsers <= 0 || k <= 0) return;
  const stage = useEdgeScratch(scratch);
  const stagePitch = <usize>STAGE_COLUMNS << 2;
  const sizes = stage + (<usize>(SCORE_ROWS * STAGE_COLUMNS) << 2);
  const blockRows = blockRowsFor(nUsers);
  const packedUsers = sizes + sizesBytes(min<i32>(nUsers, blockRows));
  const dBytes = <usize>max<i32>(d, 0) << 2;
  const panelBytes = dBytes * SCORE_PANEL;
  const panels = (m + SCORE_PANEL - 1) / SCORE_PANEL;
  for (let u0 = 0; u0 < nUsers; u0 += blockRows) {
    const nb = min<i32>(blockRows, nUsers - u0);
    memory.fill(sizes, 0, <usize>nb << 2);
    if (d > 0) packRows(users + <usize>u0 * dBytes, dBytes, 4, nb, d, packedUsers, SCORE_ROWS);
    for (let p0 = 0; p0 < panels; p0 += PANEL_BLOCK) {
      const p1 = min<i32>(panels, p0 + PANEL_BLOCK);
      const first = p0 * SCORE_PANEL;
      const columns = min<i32>(m, p1 * SCORE_PANEL) - first;
      let pa = packedUsers;
      let r = 0;
      while (r < nb) {
        const g = groupRows(nb, r, SCORE_ROWS);
        if (d <= 0) {
          for (let j = 0; j < g; j++) memory.fill(stage + <usize>j * stagePitch, 0, <usize>columns << 2);
        } else if (ASC_FEATURE_RELAXED_SIMD) {
          // Whole panels, the zero-padded last one included: the staging row is wide enough.
          wideRun(g, pa, packed + <usize>p0 * panelBytes, d, stage, stagePitch, p1 - p0);
        } else {
          for (let p = p0; p < p1; p++) tile(g, pa, packed + <usize>p * panelBytes, d, stage + (<usize>((p - p0) * SCORE_PANEL) << 2), stagePitch, SCORE_PANEL, false);
        }
        for (let j = 0; j < g; j++) {
          const u = u0 + r + j;
          const row = stage + <usize>j * stagePitch;
          if (colBias != 0) addScaledRow(row, biasScale, colBias + (<usize>first << 2), columns);
          if (exclOffsets != 0) {
            const end = load<i32>(exclOffsets + (<usize>u << 2), 4);
            for (let e = load<i32>(exclOffsets + (<usize>u << 2)); e < end; e++) {
              const c = load<i32>(exclIndices + (<usize>e << 2)) - first;
              if (c >= 0 && c < columns) store<f32>(row + (<usize>c << 2), -Infinity);
            }
          }
          const sizeAt = sizes + (<usize>(r + j) << 2);
          const heap = <usize>u * <usize>k << 2;
          store<i32>(sizeAt, collectBest(row, columns, first, k, outScores + heap, outIndices + heap, load<i32>(sizeAt)));
        }
        pa += packedRowsBytes(g, d);
        r += g;
      }
    }
    for (let j = 0; j < nb; j++) {
      const heap = <usize>(u0 + j) * <usize>k << 2;
      finishBest(outScores + heap, outIndices + heap, load<i32>(sizes + (<usize>j << 2)), k);
    }
  }
}

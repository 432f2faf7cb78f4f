// The per-row part of a sampled-softmax step (ts/train/sampled-softmax-runner.ts) in one call, so
// that a thread takes a whole share of the batch's rows at once: each row (a user and its positive)
// is scored against the N shared negatives, the positive's logit goes to column N, accidental hits
// are masked, the softmax cross-entropy and its gradient are taken in place, and the row's user and
// positive gradients follow. The negatives' gradient needs every row, and is the caller's next call.

import { score_packed } from "./scoring";
import { softmax_xent, mask_matching_columns } from "./softmax";
import { gemm_nn } from "./gemm";
import { addScaledRow, dotProduct } from "./rows";

/** A masked logit: softmax weight 0 (a negative that is the row's own positive). */
const MASKED_LOGIT: f32 = -1e9;

/**
 * Rows r < nRows: logits[r·stride + j] = users[r]·negatives[j] (j < N, from the packed negatives),
 * logits[r·stride + N] = users[r]·positives[r] + T·itemBias[posIds[r]]; columns j with negIds[j] ==
 * posIds[r] masked; then softmax_xent over the N + 1 columns (colBias, the targets, rowWeights) with
 * its gradient written over the logits, gradUsers[r] = Σ_j g_rj·negRows[j] + g_rN·positives[r] and
 * gradPos[r] = g_rN·users[r]. Returns the rows' loss. `scratch`: the larger of score_packed's and
 * gemm_nn's (d columns over N) scratch sizes.
 */
export function sampled_softmax_rows(
  users: usize, positives: usize, nRows: i32, d: i32, packedNeg: usize, negRows: usize, N: i32,
  logits: usize, stride: i32, colBias: usize, itemBias: usize, negIds: usize, posIds: usize,
  targetOffsets: usize, targetIndices: usize, rowWeights: usize, invTemp: f32, T: f32,
  gradUsers: usize, gradPos: usize, scratch: usize,
): f64 {
  if (nRows <= 0) return 0;
  const rowBytes = <usize>d << 2;
  const pitch = <usize>stride << 2;
  score_packed(users, nRows, d, packedNeg, N, logits, stride, scratch);
  for (let r = 0; r < nRows; r++) {
    const i = load<i32>(posIds + (<usize>r << 2));
    const s = dotProduct(users + <usize>r * rowBytes, positives + <usize>r * rowBytes, d);
    store<f32>(logits + <usize>r * pitch + (<usize>N << 2), s + T * load<f32>(itemBias + (<usize>i << 2)));
  }
  mask_matching_columns(logits, nRows, stride, negIds, N, posIds, MASKED_LOGIT);
  const loss = softmax_xent(logits, nRows, N + 1, stride, invTemp, colBias, targetOffsets, targetIndices, rowWeights, 1);
  gemm_nn(logits, stride, negRows, gradUsers, nRows, d, N, 0, scratch);
  for (let r = 0; r < nRows; r++) {
    const g = load<f32>(logits + <usize>r * pitch + (<usize>N << 2));
    const user = users + <usize>r * rowBytes, pos = positives + <usize>r * rowBytes;
    addScaledRow(gradUsers + <usize>r * rowBytes, g, pos, d);
    const out = gradPos + <usize>r * rowBytes;
    memory.fill(out, 0, rowBytes);
    addScaledRow(out, g, user, d);
  }
  return loss;
}

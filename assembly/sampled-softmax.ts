// The per-row part of a step over shared negatives (ts/mf/sampled-softmax-runner.ts) in one call,
// so that a thread takes a whole share of the batch's rows at once: each row (a user and its
// positive) is scored against the N shared negatives, the positive's logit goes to column N,
// accidental hits are masked, the loss and its gradient are taken in place, and the row's user and
// positive gradients follow. The negatives' gradient needs every row, and is the caller's next call.
// Two losses share this shape: the sampled softmax (below) and the cosine contrastive loss
// (./contrastive.ts).

import { score_packed } from "./scoring";
import { softmax_xent, mask_matching_columns } from "./softmax";
import { gemm_nn } from "./gemm";
import { addScaledRow, dotProduct } from "./rows";

/** A masked logit: softmax weight 0, and below any contrastive margin (a negative that is the row's own positive). */
export const MASKED_LOGIT: f32 = -1e9;

/**
 * logits[r·stride + j] = users[r]·negatives[j] (j < N, from the packed negatives),
 * logits[r·stride + N] = users[r]·positives[r] + biasScale·itemBias[posIds[r]] (no bias when
 * itemBias is 0); columns j with negIds[j] == posIds[r] set to MASKED_LOGIT.
 */
export function scoreSharedNegatives(
  users: usize, positives: usize, nRows: i32, d: i32, packedNeg: usize, N: i32, logits: usize, stride: i32,
  itemBias: usize, biasScale: f32, negIds: usize, posIds: usize, scratch: usize,
): void {
  const rowBytes = <usize>d << 2;
  const pitch = <usize>stride << 2;
  score_packed(users, nRows, d, packedNeg, N, logits, stride, scratch);
  for (let r = 0; r < nRows; r++) {
    let s = dotProduct(users + <usize>r * rowBytes, positives + <usize>r * rowBytes, d);
    if (itemBias) s += biasScale * load<f32>(itemBias + (<usize>load<i32>(posIds + (<usize>r << 2)) << 2));
    store<f32>(logits + <usize>r * pitch + (<usize>N << 2), s);
  }
  mask_matching_columns(logits, nRows, stride, negIds, N, posIds, MASKED_LOGIT);
}

/**
 * From the logits' gradient g (written over the logits): gradUsers[r] = Σ_j g_rj·negRows[j] +
 * g_rN·positives[r] and gradPos[r] = g_rN·users[r].
 */
export function sharedNegativeRowGradients(
  users: usize, positives: usize, nRows: i32, d: i32, negRows: usize, N: i32, grad: usize, stride: i32,
  gradUsers: usize, gradPos: usize, scratch: usize,
): void {
  const rowBytes = <usize>d << 2;
  const pitch = <usize>stride << 2;
  gemm_nn(grad, stride, negRows, gradUsers, nRows, d, N, 0, scratch);
  for (let r = 0; r < nRows; r++) {
    const g = load<f32>(grad + <usize>r * pitch + (<usize>N << 2));
    const user = users + <usize>r * rowBytes, pos = positives + <usize>r * rowBytes;
    addScaledRow(gradUsers + <usize>r * rowBytes, g, pos, d);
    const out = gradPos + <usize>r * rowBytes;
    memory.fill(out, 0, rowBytes);
    addScaledRow(out, g, user, d);
  }
}

/**
 * Rows r < nRows: the logits of scoreSharedNegatives with the positive's bias T·itemBias[posIds[r]],
 * then softmax_xent over the N + 1 columns (colBias, the targets, rowWeights) with its gradient
 * written over the logits, and the row gradients of sharedNegativeRowGradients. Returns the rows'
 * loss. `scratch`: the larger of score_packed's and gemm_nn's (d columns over N) scratch sizes.
 */
export function sampled_softmax_rows(
  users: usize, positives: usize, nRows: i32, d: i32, packedNeg: usize, negRows: usize, N: i32,
  logits: usize, stride: i32, colBias: usize, itemBias: usize, negIds: usize, posIds: usize,
  targetOffsets: usize, targetIndices: usize, rowWeights: usize, invTemp: f32, T: f32,
  gradUsers: usize, gradPos: usize, scratch: usize,
): f64 {
  if (nRows <= 0) return 0;
  scoreSharedNegatives(users, positives, nRows, d, packedNeg, N, logits, stride, itemBias, T, negIds, posIds, scratch);
  const loss = softmax_xent(logits, nRows, N + 1, stride, invTemp, colBias, targetOffsets, targetIndices, rowWeights, 1);
  sharedNegativeRowGradients(users, positives, nRows, d, negRows, N, logits, stride, gradUsers, gradPos, scratch);
  return loss;
}

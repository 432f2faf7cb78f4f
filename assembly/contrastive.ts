// The cosine contrastive loss of SimpleX / MF-CCL (Mao et al., CIKM 2021) over negatives shared by
// the batch: on unit-norm embeddings, a row's loss is max(0, 1 − s⁺) + (w/N)·Σ_j max(0, s_j − m).
// The positive is pulled up to cosine 1; a negative is pushed only while its cosine exceeds the
// margin m, so the many easy negatives cost nothing and the few hard ones carry the gradient.

import { MASKED_LOGIT, scoreSharedNegatives, sharedNegativeRowGradients } from "./sampled-softmax";

/**
 * Rows r < nRows: scores as in sampled_softmax_rows (no bias; masked hits get no gradient), the
 * loss above times rowWeights[r] (1 when rowWeights is 0) with its gradient written over the
 * logits, then gradUsers and gradPos. Returns the rows' summed loss. `scratch`: as sampled_softmax_rows.
 */
export function cosine_contrastive_rows(
  users: usize, positives: usize, nRows: i32, d: i32, packedNeg: usize, negRows: usize, N: i32,
  logits: usize, stride: i32, negIds: usize, posIds: usize, rowWeights: usize, margin: f32, negativeWeight: f32,
  gradUsers: usize, gradPos: usize, scratch: usize,
): f64 {
  if (nRows <= 0) return 0;
  scoreSharedNegatives(users, positives, nRows, d, packedNeg, N, logits, stride, 0, 0, negIds, posIds, scratch);
  const pitch = <usize>stride << 2;
  const perNegative: f32 = N > 0 ? negativeWeight / <f32>N : 0;
  let loss: f64 = 0;
  for (let r = 0; r < nRows; r++) {
    const row = logits + <usize>r * pitch;
    const w: f32 = rowWeights ? load<f32>(rowWeights + (<usize>r << 2)) : 1;
    const c = w * perNegative;
    let rowLoss: f64 = 0;
    for (let j = 0; j < N; j++) {
      const s = load<f32>(row + (<usize>j << 2));
      // A masked hit sits far below any margin: no loss, no gradient.
      if (s > margin && s != MASKED_LOGIT) {
        rowLoss += <f64>(s - margin);
        store<f32>(row + (<usize>j << 2), c);
      } else {
        store<f32>(row + (<usize>j << 2), 0);
      }
    }
    const sp = load<f32>(row + (<usize>N << 2));
    if (sp < 1) {
      store<f32>(row + (<usize>N << 2), -w);
      loss += <f64>w * (1 - <f64>sp);
    } else {
      store<f32>(row + (<usize>N << 2), 0);
    }
    loss += <f64>c * rowLoss;
  }
  sharedNegativeRowGradients(users, positives, nRows, d, negRows, N, logits, stride, gradUsers, gradPos, scratch);
  return loss;
}

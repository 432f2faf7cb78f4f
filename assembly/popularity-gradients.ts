// Algorithm 1 of Ren et al. (gradient-perspective popularity debiasing): while BPR/BCE trains,
// every user and item keeps a running sum of the simplified gradient updates it receives, from
// which the popular directions P̄ (users) and Q̄ (items) are taken after training. The sums are
// the unweighted terms of Eq. 5 (no σ factor), read at the parameters of the step, and added
// into full-size per-user/per-item tables accP/accQ (rows of d), scaled by `scale` (−lr).
//
// Items accumulate only as positives (line 11): adding line 12's +lr·P_u for negatives as well
// would cancel line 11 in the mean over items (Σ_i Q̄_i = 0 exactly), leaving no direction.

import { addScaledRow } from "./rows";
import { addScaledDifference } from "./pairwise";

/**
 * BPR triples (users[b], pos[b], neg[b]), b < B: accP[u] += scale·(Q_i − Q_j) (line 10) and
 * accQ[i] += scale·P_u (line 11, P_u being the user embedding the score uses).
 */
export function accumulate_pair_gradients(
  P: usize, Q: usize, d: i32, users: usize, pos: usize, neg: usize, B: i32, scale: f32, accP: usize, accQ: usize,
): void {
  const rowBytes = <usize>d << 2;
  for (let b = 0; b < B; b++) {
    const o = <usize>b << 2;
    const u = <usize>load<i32>(users + o) * rowBytes;
    const i = <usize>load<i32>(pos + o) * rowBytes;
    const j = <usize>load<i32>(neg + o) * rowBytes;
    addScaledDifference(accP + u, scale, Q + i, Q + j, d);
    addScaledRow(accQ + i, scale, P + u, d);
  }
}

/**
 * BCE rows (users[b], items[b], labels[b]): a positive (label > 0) adds accP[u] += scale·Q_i and
 * accQ[i] += scale·P_u; a negative adds accP[u] −= scale·Q_i (the pointwise split of line 10).
 */
export function accumulate_pointwise_gradients(
  P: usize, Q: usize, d: i32, users: usize, items: usize, labels: usize, B: i32, scale: f32, accP: usize, accQ: usize,
): void {
  const rowBytes = <usize>d << 2;
  for (let b = 0; b < B; b++) {
    const o = <usize>b << 2;
    const u = <usize>load<i32>(users + o) * rowBytes;
    const i = <usize>load<i32>(items + o) * rowBytes;
    if (load<f32>(labels + o) > 0) {
      addScaledRow(accP + u, scale, Q + i, d);
      addScaledRow(accQ + i, scale, P + u, d);
    } else {
      addScaledRow(accP + u, -scale, Q + i, d);
    }
  }
}

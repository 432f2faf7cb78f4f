/**
 * Plain f64 references for the BPR and BCE batch losses (assembly/pairwise.ts). Gradients are
 * added into the given compact gradient rows (gradU[uSlot[b]], gradI[iSlot[b]], gradI[jSlot[b]]).
 */

/** log(1 + e^x) without overflow. */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

export interface PairwiseTables {
  P: ArrayLike<number>;
  Q: ArrayLike<number>;
  d: number;
}

function rowDot(a: ArrayLike<number>, aRow: number, b: ArrayLike<number>, bRow: number, d: number): number {
  let s = 0;
  for (let c = 0; c < d; c++) s += a[aRow * d + c] * b[bRow * d + c];
  return s;
}

/** Returns Σ_b w_b·softplus(−s_b), s_b = P_u·(Q_i − Q_j), and adds the gradients into gradU/gradI. */
export function referenceBprBatch(
  t: PairwiseTables,
  users: ArrayLike<number>,
  pos: ArrayLike<number>,
  neg: ArrayLike<number>,
  B: number,
  uSlot: ArrayLike<number>,
  iSlot: ArrayLike<number>,
  jSlot: ArrayLike<number>,
  weights: ArrayLike<number> | null,
  gradU: Float64Array,
  gradI: Float64Array,
): number {
  const { P, Q, d } = t;
  let loss = 0;
  for (let b = 0; b < B; b++) {
    const u = users[b];
    const i = pos[b];
    const j = neg[b];
    const w = weights ? weights[b] : 1;
    const s = rowDot(P, u, Q, i, d) - rowDot(P, u, Q, j, d);
    loss += w * softplus(-s);
    const g = -w * sigmoid(-s);
    for (let c = 0; c < d; c++) {
      gradU[uSlot[b] * d + c] += g * (Q[i * d + c] - Q[j * d + c]);
      gradI[iSlot[b] * d + c] += g * P[u * d + c];
      gradI[jSlot[b] * d + c] -= g * P[u * d + c];
    }
  }
  return loss;
}

/** Returns Σ_b w_b·(softplus(s_b) − y_b·s_b), s_b = P_u·Q_i, and adds the gradients into gradU/gradI. */
export function referenceBceBatch(
  t: PairwiseTables,
  users: ArrayLike<number>,
  items: ArrayLike<number>,
  labels: ArrayLike<number>,
  B: number,
  uSlot: ArrayLike<number>,
  iSlot: ArrayLike<number>,
  weights: ArrayLike<number> | null,
  gradU: Float64Array,
  gradI: Float64Array,
): number {
  const { P, Q, d } = t;
  let loss = 0;
  for (let b = 0; b < B; b++) {
    const u = users[b];
    const i = items[b];
    const w = weights ? weights[b] : 1;
    const y = labels[b];
    const s = rowDot(P, u, Q, i, d);
    loss += w * (softplus(s) - y * s);
    const g = w * (sigmoid(s) - y);
    for (let c = 0; c < d; c++) {
      gradU[uSlot[b] * d + c] += g * Q[i * d + c];
      gradI[iSlot[b] * d + c] += g * P[u * d + c];
    }
  }
  return loss;
}

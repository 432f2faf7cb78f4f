/** Plain f64 references for assembly/popularity-gradients.ts (Algorithm 1 of Ren et al.). */

/** accP[u] += scale·(Q_i − Q_j), accQ[i] += scale·P_u for each triple; returns new arrays. */
export function referenceAccumulatePairGradients(
  P: ArrayLike<number>, Q: ArrayLike<number>, d: number, triples: ReadonlyArray<readonly [u: number, i: number, j: number]>,
  scale: number, accP: ArrayLike<number>, accQ: ArrayLike<number>,
): { accP: Float64Array; accQ: Float64Array } {
  const outP = Float64Array.from(accP), outQ = Float64Array.from(accQ);
  for (const [u, i, j] of triples) {
    for (let c = 0; c < d; c++) {
      outP[u * d + c] += scale * (Q[i * d + c] - Q[j * d + c]);
      outQ[i * d + c] += scale * P[u * d + c];
    }
  }
  return { accP: outP, accQ: outQ };
}

/** A positive row adds accP[u] += scale·Q_i and accQ[i] += scale·P_u; a negative adds accP[u] −= scale·Q_i. */
export function referenceAccumulatePointwiseGradients(
  P: ArrayLike<number>, Q: ArrayLike<number>, d: number, rows: ReadonlyArray<readonly [u: number, i: number, label: number]>,
  scale: number, accP: ArrayLike<number>, accQ: ArrayLike<number>,
): { accP: Float64Array; accQ: Float64Array } {
  const outP = Float64Array.from(accP), outQ = Float64Array.from(accQ);
  for (const [u, i, label] of rows) {
    const positive = label > 0;
    for (let c = 0; c < d; c++) {
      outP[u * d + c] += (positive ? scale : -scale) * Q[i * d + c];
      if (positive) outQ[i * d + c] += scale * P[u * d + c];
    }
  }
  return { accP: outP, accQ: outQ };
}

/** Plain reference for assembly/rank.ts: how many of scores[offset .. offset+n) are > threshold. */
export function referenceCountAbove(scores: ArrayLike<number>, n: number, threshold: number, offset = 0): number {
  let count = 0;
  for (let i = offset; i < offset + n; i++) if (scores[i] > threshold) count++;
  return count;
}

/**
 * Per-user accuracy metrics of one top-K list against the user's held-out items, accumulated
 * into means over users. Definitions (../shared/notes/methods.md): binary relevance; Recall@K =
 * hits/|test|; NDCG@K with the ideal DCG over min(|test|, K); MRR = 1/rank of the first relevant
 * item in the full ranking; HitRate@K; Precision@K = hits/K.
 */
export class AccuracyAccumulator {
  private users = 0;
  private recall = 0;
  private ndcg = 0;
  private mrr = 0;
  private hitRate = 0;
  private precision = 0;
  private readonly idcg: Float64Array;

  constructor(readonly k: number) {
    this.idcg = new Float64Array(k + 1);
    for (let n = 1; n <= k; n++) this.idcg[n] = this.idcg[n - 1] + 1 / Math.log2(n + 1);
  }

  /**
   * @param topK the user's ranked list (item indices, -1 = empty slot), at least k long
   * @param isRelevant membership test for the user's test items
   * @param nRelevant number of the user's test items (> 0)
   * @param firstRelevantRank 1-based rank of the first relevant item in the full ranking (Infinity if unreachable)
   */
  add(topK: ArrayLike<number>, isRelevant: (item: number) => boolean, nRelevant: number, firstRelevantRank: number): void {
    const k = this.k;
    let hits = 0;
    let dcg = 0;
    for (let r = 0; r < k; r++) {
      const item = topK[r];
      if (item >= 0 && isRelevant(item)) {
        hits++;
        dcg += 1 / Math.log2(r + 2);
      }
    }
    this.users++;
    this.recall += hits / nRelevant;
    this.ndcg += dcg / this.idcg[Math.min(nRelevant, k)];
    this.hitRate += hits > 0 ? 1 : 0;
    this.precision += hits / k;
    this.mrr += Number.isFinite(firstRelevantRank) ? 1 / firstRelevantRank : 0;
  }

  get count(): number {
    return this.users;
  }

  /** Means over the users added, keyed as the CLI's JSON reports them. */
  result(suffix = ""): Record<string, number> {
    const n = Math.max(1, this.users);
    const k = this.k;
    return {
      [`recall@${k}${suffix}`]: this.recall / n,
      [`ndcg@${k}${suffix}`]: this.ndcg / n,
      [`mrr${suffix}`]: this.mrr / n,
      [`hitrate@${k}${suffix}`]: this.hitRate / n,
      [`precision@${k}${suffix}`]: this.precision / n,
    };
  }
}

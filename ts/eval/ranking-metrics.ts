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
  /** discount[r] = 1/log2(r + 2): the DCG gain of a relevant item at 0-based position r of the list. */
  readonly discount: Float64Array;

  /**
   * @param k the K of the metrics
   * @param slots the list places a caller reads (≤ k; the catalog size when K exceeds it): the
   *   discounts are kept for those only, and a user's relevant items are never more than the catalog
   */
  constructor(
    readonly k: number,
    slots = k,
  ) {
    this.discount = new Float64Array(slots);
    this.idcg = new Float64Array(slots + 1);
    for (let r = 0; r < slots; r++) {
      this.discount[r] = 1 / Math.log2(r + 2);
      this.idcg[r + 1] = this.idcg[r] + this.discount[r];
    }
  }

  /**
   * One user, from what the caller read off the user's top-K list in its own single pass (so one
   * pass can serve several relevance sets, e.g. all, head and tail test items).
   * @param hits relevant items in the top-K list
   * @param dcg Σ discount[r] over the positions r of those hits
   * @param nRelevant number of the user's relevant items (> 0)
   * @param firstRelevantRank 1-based rank of the first relevant item in the full ranking (Infinity if unreachable)
   */
  add(hits: number, dcg: number, nRelevant: number, firstRelevantRank: number): void {
    const k = this.k;
    this.users++;
    this.recall += hits / nRelevant;
    this.ndcg += dcg / this.idcg[Math.min(nRelevant, k, this.idcg.length - 1)];
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

/**
 * The reciprocal rank of every held-out interaction: for each test item of a user, 1 / its
 * 1-based rank among the user's non-excluded items, averaged over interactions (all, head, tail).
 * This is the MRR of next-item evaluation, where every example has one target (the blog's
 * "MRR head / tail" and the reference table in methods.md), generalised to users with several
 * test items; `mrr` itself is the reciprocal rank of each user's first relevant item.
 */
export class InteractionRankAccumulator {
  private readonly sums = new Float64Array(3);
  private readonly counts = new Float64Array(3);

  /**
   * @param top the user's top-K list (item indices, -1 = empty), its ranks known without counting
   * @param isHead 1 for head items
   * @param above per test item, how many items score strictly above it in the user's full ranking
   *   (Kernels.countAboveItems), -1 for an item that ranks nowhere (excluded, or a NaN score)
   * @param bestRanks [unused, head, tail]: each lowered to the best rank of the user's items of that kind
   */
  addUser(top: Int32Array, k: number, testItems: Int32Array, isHead: Uint8Array, above: Int32Array, bestRanks: Float64Array): void {
    for (let t = 0; t < testItems.length; t++) {
      const item = testItems[t];
      let rank = top.indexOf(item) + 1;
      // Excluded (training) items and NaN scores are unreachable: reciprocal rank 0.
      if (rank === 0 || rank > k) rank = above[t] >= 0 ? above[t] + 1 : Infinity;
      const kind = isHead[item] === 1 ? 1 : 2;
      this.sums[kind] += 1 / rank;
      if (rank < bestRanks[kind]) bestRanks[kind] = rank;
      this.counts[kind]++;
    }
  }

  /** `itemMrr`, `itemMrr.head`, `itemMrr.tail`: means over the test interactions of each kind. */
  result(): Record<string, number> {
    const mean = (s: number, c: number) => (c > 0 ? s / c : 0);
    return {
      itemMrr: mean(this.sums[1] + this.sums[2], this.counts[1] + this.counts[2]),
      "itemMrr.head": mean(this.sums[1], this.counts[1]),
      "itemMrr.tail": mean(this.sums[2], this.counts[2]),
    };
  }
}

/**
 * The catalog ordered by popularity (training interaction count), most popular first, and the
 * bands of that order that the popularity metrics read (top 1%, bottom 50%, the five groups).
 */
export class PopularityRanking {
  /** Item indices, most popular first; equal counts in item-index order (deterministic, but arbitrary among ties). */
  readonly order: Int32Array;

  constructor(readonly counts: Int32Array) {
    const order = new Int32Array(counts.length);
    for (let i = 0; i < order.length; i++) order[i] = i;
    order.sort((a, b) => counts[b] - counts[a] || a - b);
    this.order = order;
  }

  get nItems(): number {
    return this.order.length;
  }

  /**
   * Per-item membership in the band of places [from·m, to·m) of the order (m = catalog size;
   * fractions, 0 = the most popular place). Band edges need not be whole places, and ties are
   * shared: an item whose group of equal counts straddles an edge gets the fraction of that
   * group's places inside the band. That is its expected membership over every order of the tied
   * items, so shares read through these weights never depend on item ids (which are arbitrary).
   */
  bandWeights(from: number, to: number): Float64Array {
    const m = this.order.length;
    const lo = from * m,
      hi = to * m;
    const weights = new Float64Array(m);
    for (let a = 0; a < m; ) {
      const count = this.counts[this.order[a]];
      let b = a + 1;
      while (b < m && this.counts[this.order[b]] === count) b++;
      const inside = Math.max(0, Math.min(b, hi) - Math.max(a, lo));
      if (inside > 0) for (let p = a; p < b; p++) weights[this.order[p]] = inside / (b - a);
      a = b;
    }
    return weights;
  }
}

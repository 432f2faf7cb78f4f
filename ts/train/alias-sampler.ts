import type { Rng } from "../util/rng.js";

/** Walker/Vose alias table: O(1) draws from a fixed discrete distribution. */
export class AliasSampler {
  /** Per slot: the probability of keeping the slot's own outcome, else its alias is drawn (the kernels read copies of both). */
  readonly prob: Float64Array;
  readonly alias: Int32Array;
  /** The normalised probability of each outcome. */
  readonly probabilities: Float64Array;

  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    if (n === 0) throw new RangeError("AliasSampler needs at least one outcome");
    let total = 0;
    for (let i = 0; i < n; i++) {
      const w = weights[i];
      if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`AliasSampler: weight ${i} is ${w}`);
      total += w;
    }
    if (!(total > 0)) throw new RangeError("AliasSampler: all weights are zero");
    this.probabilities = new Float64Array(n);
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = new Float64Array(n);
    const small: number[] = [];
    const large: number[] = [];
    for (let i = 0; i < n; i++) {
      this.probabilities[i] = weights[i] / total;
      scaled[i] = this.probabilities[i] * n;
      (scaled[i] < 1 ? small : large).push(i);
    }
    while (small.length && large.length) {
      const s = small.pop()!;
      const l = large.pop()!;
      this.prob[s] = scaled[s];
      this.alias[s] = l;
      scaled[l] = scaled[l] + scaled[s] - 1;
      (scaled[l] < 1 ? small : large).push(l);
    }
    for (const i of large) this.prob[i] = 1;
    for (const i of small) this.prob[i] = 1;
  }

  sample(rng: Rng): number {
    const n = this.prob.length;
    const x = rng.next() * n;
    const i = Math.floor(x);
    return x - i < this.prob[i] ? i : this.alias[i];
  }
}

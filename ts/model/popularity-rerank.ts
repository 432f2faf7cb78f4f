/**
 * Post-hoc popularity-penalty re-ranking, the serving-time baseline for the training-time
 * debiasing methods: score'(u, i) = score(u, i) − β·log(1 + c_i), c_i = the item's training count.
 *
 * Why a log-penalty and not score / popularity^β: MF scores are dot products or cosines and can be
 * negative, and dividing a negative score by a larger popularity raises it, so division would
 * promote popular items for exactly the users who dislike them. Subtracting β·log(1 + c) is the
 * same monotone discount for every sign; for a softmax model it is the post-hoc form of logit
 * adjustment (Menon et al.): ranking on s/T − α·log(1 + c) equals ranking on s − β·log(1 + c)
 * with β = α·T. The user's training items stay excluded: exclusion happens after scoring.
 */
import type { Kernels } from "../kernels/kernels.js";
import type { WasmF32Array, WasmI32Array } from "../kernels/wasm-instance.js";
import type { UserBlockScorer } from "../eval/scorer.js";

export class PopularityReranker implements UserBlockScorer {
  readonly kernels: Kernels;
  private readonly logPopularity: WasmF32Array;

  /** Wraps `base`; `strength` is β ≥ 0 (0 ranks exactly like the base scorer). Call dispose() when done. */
  constructor(
    private readonly base: UserBlockScorer,
    itemCounts: ArrayLike<number>,
    readonly strength: number,
  ) {
    if (!(typeof strength === "number" && Number.isFinite(strength) && strength >= 0)) {
      throw new RangeError(`the popularity penalty β must be a non-negative number (e.g. 0.05), got ${strength}`);
    }
    if (itemCounts.length !== base.nItems) {
      throw new RangeError(`the popularity penalty needs one count per item: got ${itemCounts.length} counts for ${base.nItems} items`);
    }
    this.kernels = base.kernels;
    this.logPopularity = base.kernels.wasm.f32From(Array.from(itemCounts, (c) => Math.log1p(c)));
    const baseRank = base.rankUsers?.bind(base);
    if (baseRank) {
      this.rankUsers = (users, n, k, excl, outIndices, outScores, colBias) => {
        if (colBias) throw new RangeError("PopularityReranker.rankUsers: the re-ranker sets the column bias itself");
        // score − β·log(1 + c), rounded exactly as scoreUsers' addToRows rounds it.
        baseRank(users, n, k, excl, outIndices, outScores, this.strength > 0 ? { values: this.logPopularity, scale: -this.strength } : null);
      };
    }
  }

  get nUsers(): number {
    return this.base.nUsers;
  }
  get nItems(): number {
    return this.base.nItems;
  }

  /** Present when the base scorer has the fused path: the penalty rides along as its column bias. */
  readonly rankUsers?: UserBlockScorer["rankUsers"];

  scoreUsers(users: WasmI32Array, n: number, out: WasmF32Array): void {
    this.base.scoreUsers(users, n, out);
    if (this.strength > 0) this.kernels.addToRows(out, n, this.nItems, this.nItems, -this.strength, this.logPopularity);
  }

  dispose(): void {
    this.logPopularity.free();
  }
}

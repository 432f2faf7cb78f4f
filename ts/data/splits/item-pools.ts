import type { Rng } from "../../util/rng.js";
import type { Interactions } from "../interactions.js";
import { checkCount } from "./parts.js";

/** What the item-based splits share: the generator and the training data no item or user may lose. */
export interface ItemSamplingOptions {
  /** Every item keeps at least this many training interactions. Default 1. */
  readonly minTrainPerItem?: number;
  /** Every user keeps at least this many training interactions. Default 1. */
  readonly minTrainPerUser?: number;
  readonly rng: Rng;
}

/**
 * What item-based test sampling draws from: for each item, the entries (positions in
 * `byUser.indices`) that may still leave train. An entry may leave train only while its item keeps
 * more than minTrainPerItem and its user more than minTrainPerUser training interactions, so no
 * user or item loses its last training data unless those minimums are 0.
 */
export class ItemPools {
  /** Training interactions left per item / per user. */
  readonly itemTrain: Int32Array;
  readonly userTrain: Int32Array;
  private readonly start: Int32Array;
  /** Candidates not yet drawn or discarded per item: entries[start[i] .. start[i] + left[i]). */
  private readonly left: Int32Array;
  private readonly entries: Int32Array;
  private readonly entryUser: Int32Array;

  /** The pools of `data` under the options' minimums (checked: non-negative integers, default 1). */
  static of(data: Interactions, options: ItemSamplingOptions): ItemPools {
    return new ItemPools(
      data,
      options.rng,
      checkCount("minTrainPerItem", options.minTrainPerItem ?? 1),
      checkCount("minTrainPerUser", options.minTrainPerUser ?? 1),
    );
  }

  private constructor(
    data: Interactions,
    private readonly rng: Rng,
    readonly minTrainPerItem: number,
    private readonly minTrainPerUser: number,
  ) {
    this.itemTrain = data.itemCounts();
    this.userTrain = data.userCounts();
    this.entryUser = data.entryUsers();
    const nItems = data.nItems;
    this.start = new Int32Array(nItems + 1);
    for (let i = 0; i < nItems; i++) this.start[i + 1] = this.start[i]! + this.itemTrain[i]!;
    this.left = this.itemTrain.slice();
    this.entries = new Int32Array(data.nnz);
    const fill = this.start.slice(0, nItems);
    const { indices } = data.byUser;
    for (let k = 0; k < indices.length; k++) this.entries[fill[indices[k]!]!++] = k;
  }

  /** Whether item i can still give an entry (it may find none once users' minimums are checked). */
  canGive(item: number): boolean {
    return this.left[item]! > 0 && this.itemTrain[item]! > this.minTrainPerItem;
  }

  /**
   * A uniformly chosen entry of `item` that may leave train, now counted as out of train; -1 when
   * none is left. Entries whose user is down to minTrainPerUser are dropped from the pool for good
   * (a user's training count never grows back).
   */
  take(item: number): number {
    if (this.itemTrain[item]! <= this.minTrainPerItem) return -1;
    const base = this.start[item]!;
    while (this.left[item]! > 0) {
      const last = base + --this.left[item]!;
      const pick = base + this.rng.int(this.left[item]! + 1);
      const entry = this.entries[pick]!;
      this.entries[pick] = this.entries[last]!;
      this.entries[last] = entry;
      const user = this.entryUser[entry]!;
      if (this.userTrain[user]! <= this.minTrainPerUser) continue;
      this.userTrain[user]!--;
      this.itemTrain[item]!--;
      return entry;
    }
    return -1;
  }
}

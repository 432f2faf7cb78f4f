import type { PopularityRanking } from "./popularity-ranking.js";

/**
 * The five popularity groups of Ren et al.: items sorted by training count, four groups of 5% of
 * the catalog each from the top, the rest last. Group edges are rounded to whole items (round(g·m/20)),
 * and items with equal counts are ordered by item index, so a group of equal counts can be split
 * across an edge (minCount/maxCount show where).
 */
const GROUP_NAMES = ["top 5%", "5-10%", "10-15%", "15-20%", "bottom 80%"] as const;

export interface PopularityGroup {
  name: string;
  /** Items in the group. */
  items: number;
  /** Smallest and largest training count in the group (0 and 0 for an empty group). */
  minCount: number;
  maxCount: number;
  /** Share of all served top-K slots that hold the group's items (recommendation frequency). */
  slotShare: number;
  /** Recall@K restricted to the group's test items, averaged over the users having at least one. */
  recall: number;
  /** Users having at least one test item in the group. */
  users: number;
}

/** Accumulates, user by user, the per-group recall; reads the per-group slot shares from the exposure counts at the end. */
export class PopularityGroupAccumulator {
  /** Group (0..4) of every item. */
  readonly groupOf: Uint8Array;
  private readonly edges: number[];
  private readonly testInGroup = new Int32Array(GROUP_NAMES.length);
  private readonly hitsInGroup = new Int32Array(GROUP_NAMES.length);
  private readonly recallSum = new Float64Array(GROUP_NAMES.length);
  private readonly users = new Int32Array(GROUP_NAMES.length);

  constructor(
    private readonly ranking: PopularityRanking,
    private readonly k: number,
  ) {
    const m = ranking.nItems;
    this.edges = [0, 1, 2, 3, 4].map((g) => Math.round((g * m) / 20)).concat(m);
    this.groupOf = new Uint8Array(m);
    for (let g = 0; g < GROUP_NAMES.length; g++) {
      for (let p = this.edges[g]; p < this.edges[g + 1]; p++) this.groupOf[ranking.order[p]] = g;
    }
  }

  /**
   * @param topK the user's ranked list (item indices, -1 = empty slot), at least k long
   * @param isTest non-zero for the user's test items
   * @param testItems the user's test items
   */
  addUser(topK: ArrayLike<number>, isTest: Uint8Array, testItems: Int32Array): void {
    const groupOf = this.groupOf;
    this.testInGroup.fill(0);
    this.hitsInGroup.fill(0);
    for (let t = 0; t < testItems.length; t++) this.testInGroup[groupOf[testItems[t]]]++;
    for (let r = 0; r < this.k; r++) {
      const item = topK[r];
      if (item >= 0 && isTest[item] !== 0) this.hitsInGroup[groupOf[item]]++;
    }
    for (let g = 0; g < GROUP_NAMES.length; g++) {
      if (this.testInGroup[g] === 0) continue;
      this.recallSum[g] += this.hitsInGroup[g] / this.testInGroup[g];
      this.users[g]++;
    }
  }

  /** The groups, most popular first; exposure[i] = slots holding item i over all users. */
  result(exposure: Int32Array): PopularityGroup[] {
    const { order, counts } = this.ranking;
    let slots = 0;
    for (let i = 0; i < exposure.length; i++) slots += exposure[i];
    return GROUP_NAMES.map((name, g) => {
      const from = this.edges[g],
        to = this.edges[g + 1];
      let groupSlots = 0;
      for (let p = from; p < to; p++) groupSlots += exposure[order[p]];
      return {
        name,
        items: to - from,
        minCount: to > from ? counts[order[to - 1]] : 0,
        maxCount: to > from ? counts[order[from]] : 0,
        slotShare: slots > 0 ? groupSlots / slots : 0,
        recall: this.users[g] > 0 ? this.recallSum[g] / this.users[g] : 0,
        users: this.users[g],
      };
    });
  }
}

/** The groups as flat metric keys for plotting: `slotShare@K.group1` .. `recall@K.group5` (group1 = top 5%). */
export function groupMetrics(groups: readonly PopularityGroup[], k: number): Record<string, number> {
  const metrics: Record<string, number> = {};
  groups.forEach((group, g) => {
    metrics[`slotShare@${k}.group${g + 1}`] = group.slotShare;
    metrics[`recall@${k}.group${g + 1}`] = group.recall;
  });
  return metrics;
}

import { gini } from "./gini.js";
import type { PopularityRanking } from "./popularity-ranking.js";

/** How many times each item was served over all evaluated users' top-K lists, and the popularity of what was served. */
export interface ServedPopularityOptions {
  k: number;
  /** Tail items (not head) are the long tail of longTailShare@K. */
  isHead: Uint8Array;
  /** E of PSEI: an item counts when it was shown at least E times. */
  exposureThreshold: number;
}

/**
 * The popularity metrics of the served slots (../shared/notes/methods.md, "Popularity of what is
 * served"). A slot is one filled place of one user's top-K list; exposure[i] = the slots holding
 * item i; popularity = the item's training count. Every value is 0 when nothing was served.
 */
export function servedPopularityMetrics(exposure: Int32Array, ranking: PopularityRanking, options: ServedPopularityOptions): Record<string, number> {
  const m = exposure.length;
  const counts = ranking.counts;
  const k = options.k;
  let slots = 0,
    shown = 0,
    shownOften = 0,
    tailSlots = 0,
    popularitySum = 0;
  for (let i = 0; i < m; i++) {
    const e = exposure[i];
    slots += e;
    popularitySum += e * counts[i];
    if (e > 0) shown++;
    if (e >= options.exposureThreshold) shownOften++;
    if (options.isHead[i] === 0) tailSlots += e;
  }
  const share = (part: number) => (slots > 0 ? part / slots : 0);
  return {
    [`coverage@${k}`]: m > 0 ? shown / m : 0,
    [`gini@${k}`]: gini(exposure),
    [`medianPopularity@${k}`]: medianServedPopularity(exposure, ranking, slots),
    [`meanPopularity@${k}`]: share(popularitySum),
    [`longTailShare@${k}`]: share(tailSlots),
    [`b50ps@${k}`]: share(weightedSlots(exposure, ranking.bandWeights(0.5, 1))),
    [`t1ps@${k}`]: share(weightedSlots(exposure, ranking.bandWeights(0, 0.01))),
    [`psei@${k}`]: m > 0 ? shownOften / m : 0,
  };
}

/** Slots weighted by each item's membership in a band. */
function weightedSlots(exposure: Int32Array, weights: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < exposure.length; i++) sum += exposure[i] * weights[i];
  return sum;
}

/** Median training count over all served slots (the mean of the two middle slots when their number is even). */
function medianServedPopularity(exposure: Int32Array, ranking: PopularityRanking, slots: number): number {
  if (slots === 0) return 0;
  const lowerMiddle = Math.floor((slots + 1) / 2),
    upperMiddle = Math.floor(slots / 2) + 1;
  let lower = -1,
    seen = 0;
  // Least popular first, so the running slot count walks the slots in ascending popularity.
  for (let p = ranking.order.length - 1; p >= 0; p--) {
    const item = ranking.order[p];
    seen += exposure[item];
    if (lower < 0 && seen >= lowerMiddle) lower = ranking.counts[item];
    if (seen >= upperMiddle) return (lower + ranking.counts[item]) / 2;
  }
  return lower;
}

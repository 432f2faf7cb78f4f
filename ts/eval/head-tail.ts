import { EvaluationError } from "./evaluation-error.js";
import type { PopularityRanking } from "./popularity-ranking.js";

/**
 * Where the head ends: the most popular items holding a share of the training interactions
 * (methods.md: 0.8), or every item with at least `minCount` training interactions (the
 * logit-adjustment blog's "more than 1,000 ratings" is `minCount: 1001`).
 */
export type HeadRule = { share: number } | { minCount: number };

/** methods.md: head = the most popular items holding 80% of the training interactions. */
export const DEFAULT_HEAD_SHARE = 0.8;
export const DEFAULT_HEAD_RULE: HeadRule = { share: DEFAULT_HEAD_SHARE };

/** The boundary actually used, as evaluation results report it. */
export interface HeadTailBoundary {
  rule: "share" | "minCount";
  /** The share asked for (share rule only). */
  share?: number;
  /** Head = every item with at least this many training interactions (both rules end as this threshold). */
  minCount: number;
  headItems: number;
  tailItems: number;
  /** Share of the training interactions the head items actually hold. */
  headInteractionShare: number;
}

/**
 * Resolve a head rule on the training counts. The share rule takes the most popular items until
 * their counts reach the share, then widens the head to every item with the count of the last one
 * taken: equal counts are never split, so the head is always "count ≥ minCount" and may hold a
 * little more than the share. Items without training interactions are always tail.
 */
export function headTailBoundary(ranking: PopularityRanking, rule: HeadRule): { boundary: HeadTailBoundary; isHead: Uint8Array } {
  const counts = ranking.counts;
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  let minCount: number;
  if ("share" in rule) {
    if (!(rule.share > 0 && rule.share <= 1)) throw new EvaluationError(`the head share must be a number in (0, 1], got ${rule.share}`);
    minCount = shareThreshold(ranking, total, rule.share);
  } else {
    if (!(Number.isSafeInteger(rule.minCount) && rule.minCount > 0)) {
      throw new EvaluationError(`the head's minimum count must be a positive integer, got ${rule.minCount}`);
    }
    minCount = rule.minCount;
  }
  const isHead = new Uint8Array(counts.length);
  let headItems = 0,
    headInteractions = 0;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] >= minCount) {
      isHead[i] = 1;
      headItems++;
      headInteractions += counts[i];
    }
  }
  const boundary: HeadTailBoundary = {
    rule: "share" in rule ? "share" : "minCount",
    ...("share" in rule && { share: rule.share }),
    minCount,
    headItems,
    tailItems: counts.length - headItems,
    headInteractionShare: total > 0 ? headInteractions / total : 0,
  };
  return { boundary, isHead };
}

/** Count of the last item taken in popularity order until the running total reaches share·total (1 without interactions). */
function shareThreshold(ranking: PopularityRanking, total: number, share: number): number {
  if (total === 0) return 1;
  // The relative slack keeps e.g. 0.8 · 1000 from being missed by a rounding error.
  const target = share * total * (1 - 1e-12);
  let running = 0;
  for (const item of ranking.order) {
    running += ranking.counts[item];
    if (running >= target) return ranking.counts[item];
  }
  return 1;
}

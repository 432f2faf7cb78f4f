import type { IdMap } from "../data/id-map.js";
import type { Recommendation } from "./recommendation.js";

/** A model that recommends for a watch history it may never have seen (a watchlist). */
export interface HistoryRecommender {
  readonly items: IdMap; // external item id <-> dense index
  readonly itemCounts: Int32Array; // training interactions per item (popularity)
  /** Top-k for a time-ordered history of item indices; the history's items never appear in the answer. */
  recommendForHistory(history: Int32Array, k: number, options?: { popularityPenalty?: number }): Recommendation;
}

/** Full-ranking evaluation of a trained model, optionally through popularity-penalty re-ranking. */
import type { Interactions } from "../data/interactions.js";
import { evaluateRanking, type EvaluationResult } from "../eval/evaluate.js";
import type { UserBlockScorer } from "../eval/scorer.js";
import { PopularityReranker } from "./popularity-rerank.js";

export interface EvaluateModelOptions {
  k?: number;
  /** Rank on score − β·log(1 + training count). */
  popularityPenalty?: number;
}

/** Accuracy on held-out interactions (read with the model's id maps): training items excluded, every item ranked. */
export function evaluateModel(
  model: UserBlockScorer & { readonly itemCounts: Int32Array },
  train: Interactions,
  test: Interactions,
  options: EvaluateModelOptions = {},
): EvaluationResult {
  const reranker = options.popularityPenalty !== undefined ? new PopularityReranker(model, model.itemCounts, options.popularityPenalty) : null;
  try {
    return evaluateRanking(reranker ?? model, train, test, options);
  } finally {
    reranker?.dispose();
  }
}

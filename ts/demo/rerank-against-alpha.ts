/**
 * Does anything cheaper than retraining beat the debiased model? The plain model re-ranked at
 * serving (score − β·log(1 + count), PopularityReranker) over a grid of β, each point measured on
 * the held-out part like the served models, against logit adjustment α on both accuracy and the
 * median popularity of what is served. Only evaluation runs: no model is trained.
 */
import type { Interactions } from "../data/interactions.js";
import { evaluateRanking } from "../eval/evaluate.js";
import type { UserBlockScorer } from "../eval/scorer.js";
import { PopularityReranker } from "../model/popularity-rerank.js";
import type { RerankAgainstAlpha } from "../report/report-data.js";

/** β of the re-rank grid: scores are cosines (unit-norm softmax models), so β = 0.05 moves an item by 0.05 per e-fold of its count. */
export const RERANK_BETAS: readonly number[] = [0.01, 0.02, 0.03, 0.04, 0.05, 0.055, 0.06, 0.07, 0.08, 0.1];

export function rerankAgainstAlpha(
  plain: UserBlockScorer,
  train: Interactions,
  test: Interactions,
  k: number,
  alpha: number,
  debiasedMetrics: Record<string, number>,
  betas: readonly number[] = RERANK_BETAS,
): RerankAgainstAlpha {
  const accuracyMetric = `recall@${k}`,
    popularityMetric = `medianPopularity@${k}`;
  const debiased = { accuracy: debiasedMetrics[accuracyMetric]!, popularity: debiasedMetrics[popularityMetric]! };
  const counts = train.itemCounts();
  const points = betas.map((beta) => {
    const reranker = new PopularityReranker(plain, counts, beta);
    try {
      const { metrics } = evaluateRanking(reranker, train, test, { k });
      return { beta, accuracy: metrics[accuracyMetric]!, popularity: metrics[popularityMetric]! };
    } finally {
      reranker.dispose();
    }
  });
  let beats: RerankAgainstAlpha["beats"] = null;
  for (const p of points) if (p.accuracy > debiased.accuracy && p.popularity < debiased.popularity && (!beats || p.accuracy > beats.accuracy)) beats = p;
  return { alpha, accuracyMetric, popularityMetric, debiased, points, beats };
}

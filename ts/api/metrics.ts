/** longtail/metrics: full-ranking evaluation, served lists, head/tail and the popularity of what is served. */
export {
  evaluateRanking,
  evaluateServedLists,
  EvaluationError,
  DEFAULT_EXPOSURE_THRESHOLD,
  FULL_RANKING_METRICS,
  type EvaluateOptions,
  type EvaluationResult,
  type ServedLists,
} from "../eval/evaluate.js";
export { DEFAULT_HEAD_RULE, DEFAULT_HEAD_SHARE, type HeadRule, type HeadTailBoundary } from "../eval/head-tail.js";
export type { PopularityGroup } from "../eval/popularity-groups.js";
export type { UserBlockScorer } from "../eval/scorer.js";
export { forEachRankedBlock, rankTopLists, type RankedBlock } from "../eval/ranked-blocks.js";
export { evaluateSequential, sequentialContexts, type SequentialEvaluationResult } from "../eval/sequential.js";

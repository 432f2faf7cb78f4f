/** longtail/models: model internals and configuration tables (losses, defaults, fold-in, the history tower, the graph filter, the model file). */
export { resolveMfConfig, LOSSES, OPTIMIZERS, NORMALIZE_MODES, LOSS_DEFAULTS, type NormalizeMode, type OptimizerName } from "../mf/config.js";
export {
  resolveTwoTowerConfig,
  TWO_TOWER_DEFAULTS,
  TWO_TOWER_LOSSES,
  HISTORY_WEIGHTINGS,
  type TwoTowerLoss,
  type HistoryWeighting,
} from "../two-tower/config.js";
export { HistoryScorer, type ContextScorer } from "../model/history-scorer.js";
export { ContextBatch, recencyWeight } from "../model/context-batch.js";
export { itemGenresFromMovies, type ItemGenres } from "../two-tower/item-genres.js";
export type { HistoryRecommender } from "../model/history-recommender.js";
export { loadHistoryRecommender, HISTORY_MODEL_KINDS, type LoadedHistoryRecommender } from "../model/load-history-recommender.js";
export { foldInUser, DEFAULT_FOLD_IN_REGULARIZATION } from "../mf/fold-in.js";
export { FoldInScorer, DEFAULT_FOLD_IN_WINDOW, type FoldInScorerOptions } from "../mf/fold-in-scorer.js";
export type { ModelFileContents } from "../model/model-file.js";
export type { EpochSummary, TrainingWarning, TrainingWarningKind } from "../train/fit-report.js";
export { trainScorer, type TrainedScorer } from "../experiments/trained-scorer.js";
export type { ExperimentSpec } from "../experiments/experiment.js";
export { GraphFilter, GRAPH_FILTER_DEFAULTS, type GraphFilterOptions, type ResolvedGraphFilter } from "../graph-filter/graph-filter.js";

/**
 * longtail's runtime-neutral core. It never touches a file system or a network: the per-runtime
 * entries (ts/node.ts, ...) compile the .wasm their own way and pass a WebAssembly.Module in.
 */
import { preferredVariant, type KernelVariant } from "./engine/capabilities.js";
import { Kernels } from "./engine/kernels.js";
import { WasmEngine } from "./engine/wasm-engine.js";

export { detectCapabilities, preferredVariant, type Capabilities, type KernelVariant } from "./engine/capabilities.js";
export { chooseVariant, KERNEL_VARIANTS, KernelUnavailableError, type VariantChoice } from "./engine/capabilities.js";
export { WasmEngine, WasmF32Array, WasmI32Array, freeAll } from "./engine/wasm-engine.js";
export { Kernels } from "./engine/kernels.js";
export { Rng } from "./util/rng.js";

export { DataError } from "./data/errors.js";
export { IdMap } from "./data/id-map.js";
export type { Csr } from "./data/csr.js";
export { Interactions, InteractionsBuilder } from "./data/interactions.js";
export { readInteractions, INTERACTION_FORMATS, type InteractionsFormat, type ReadInteractionsOptions } from "./data/read.js";
export { readMovieLensMovies, type MovieInfo } from "./data/readers/movielens-csv.js";
export { readMovieLensDatMovies } from "./data/readers/movielens-dat.js";
export { randomHoldout, validationSplit } from "./data/splits.js";
export { randomSplit, type RandomSplitOptions } from "./data/splits/random.js";
export { temporalSplit, leaveLastSplit, type TemporalSplitOptions, type LeaveLastOptions } from "./data/splits/temporal.js";
export { itemBalancedSplit, type ItemBalancedOptions } from "./data/splits/item-balanced.js";
export { itemEqualCountSplit, type ItemEqualCountOptions } from "./data/splits/item-equal-count.js";
export { splitInteractions, SPLIT_METHODS, type SplitMethod, type SplitSpec } from "./data/splits/split-by-method.js";
export { summarizeSplit, formatSplitSummary, type SplitSummary, type PartSummary } from "./data/splits/summary.js";
export { mergeParts } from "./data/splits/merge.js";
export { linesText } from "./data/splits/lines-text.js";
export type { SplitParts } from "./data/splits/parts.js";
// The two-tower model with a history tower, sequential evaluation and the held-out-users split.
export { TwoTower, type TwoTowerFitOptions } from "./model/two-tower.js";
export { resolveTwoTowerConfig, TWO_TOWER_DEFAULTS, TWO_TOWER_LOSSES, HISTORY_WEIGHTINGS, type TwoTowerConfig, type TwoTowerLoss, type HistoryWeighting } from "./train/two-tower-config.js";
export { HistoryScorer, type ContextScorer } from "./model/history-scorer.js";
export { ContextBatch, recencyWeight } from "./model/context-batch.js";
export { itemGenresFromMovies, type ItemGenres } from "./model/item-genres.js";
export { evaluateSequential, sequentialContexts, type SequentialEvaluationResult } from "./eval/sequential.js";
export { usersSplit, type UsersSplitOptions } from "./data/splits/users.js";

export { MatrixFactorization, UnknownIdError, type Recommendation } from "./model/matrix-factorization.js";
export { MostPopular } from "./model/most-popular.js";
export type { HistoryRecommender } from "./model/history-recommender.js";
export { loadHistoryRecommender, HISTORY_MODEL_KINDS, type LoadedHistoryRecommender } from "./model/load-history-recommender.js";
export { foldInUser, DEFAULT_FOLD_IN_REGULARIZATION } from "./model/fold-in.js";
export { FoldInScorer, DEFAULT_FOLD_IN_WINDOW, type FoldInScorerOptions } from "./model/fold-in-scorer.js";
export { TitleIndex, type TitleMatch, type TitleMatchRule } from "./data/titles/title-index.js";
export { parseWatchlist, resolveWatchlist, WatchlistError, AMBIGUITY_RATIO, type WatchlistCatalog, type WatchlistItem } from "./data/titles/watchlist.js";
export { buildWall, describePicks, wallStatistics, type Wall, type WallPick, type WallStatistics } from "./eval/wall.js";
export { PERSONAS, PERSONA_NAMES, type Persona, type PersonaName } from "./eval/personas.js";
export { PopularityReranker } from "./model/popularity-rerank.js";
export { encodeModelFile, decodeModelFile, ModelFileError, type ModelFileContents } from "./model/model-file.js";
export { resolveMfConfig, ConfigError, LOSSES, OPTIMIZERS, NORMALIZE_MODES, LOSS_DEFAULTS, type MfConfig, type NormalizeMode, type LossName, type OptimizerName } from "./train/config.js";
export { DivergenceError } from "./train/training-context.js";
export { SpectralPenalty } from "./train/resn.js";
export { clippedInversePropensities } from "./train/ips.js";
export { POPULAR_DIRECTION_SOURCES, type PopularDirectionSource } from "./train/config.js";
export { SizeLimitError } from "./engine/memory-limits.js";
export { GradientAccumulator, type PopularDirections } from "./train/gradient-accumulator.js";
export { searchPopularityAlphas, PAPER_ALPHA_GRID, type AlphaGridOptions, type AlphaGridResult, type AlphaGridPoint } from "./train/alpha-grid.js";
export { projectPopularity, headRows, headMeanDirections } from "./model/popularity-projection.js";
export { TrainingAbortedError, type FitOptions, type FitReport, type TrainingProgress, type EpochSummary, type TrainingWarning, type TrainingWarningKind } from "./train/fit.js";
export { evaluateRanking, EvaluationError, type EvaluateOptions, type EvaluationResult } from "./eval/evaluate.js";
export { DEFAULT_EXPOSURE_THRESHOLD } from "./eval/evaluate.js";
export { DEFAULT_HEAD_RULE, DEFAULT_HEAD_SHARE, type HeadRule, type HeadTailBoundary } from "./eval/head-tail.js";
export type { PopularityGroup } from "./eval/popularity-groups.js";
export type { UserBlockScorer } from "./eval/scorer.js";
export { evaluateServedLists, FULL_RANKING_METRICS, type ServedLists } from "./eval/evaluate.js";
export { forEachRankedBlock, rankTopLists, type RankedBlock } from "./eval/ranked-blocks.js";
export { itemTopUsers, type ItemTopUsers, type ItemTopUsersOptions } from "./invr/item-top-users.js";
export { checkEmbeddings, type ServingEmbeddings, type OwnedServingEmbeddings } from "./invr/embeddings.js";
export { mfServingEmbeddings } from "./invr/mf-embeddings.js";
export { twoTowerServingEmbeddings } from "./invr/two-tower-embeddings.js";
export { selectItems, type ItemSelection } from "./invr/item-selection.js";
export { userCandidates, type UserCandidates } from "./invr/user-candidates.js";
export { assembleSlates, checkSlots, SLATE_ORDERINGS, type SlateOrdering, type SlateOptions, type Slates } from "./invr/slates.js";
export { evaluateInverseRetrieval, DEFAULT_TOP_N, DEFAULT_SLOTS, type InverseRetrievalOptions, type InverseRetrievalRun, type OrderingResult } from "./invr/invr-evaluation.js";
export { InverseRetrievalError } from "./invr/errors.js";
export { generateSyntheticWorld, type SyntheticWorld, type SyntheticWorldOptions } from "./synthetic/world.js";
export { worldToInteractions } from "./synthetic/to-interactions.js";
export { trulyRelevantItems } from "./synthetic/relevant-items.js";
export { measureTrueRelevance, type TrueRelevance, type TrueRelevancePart, type TrueRelevanceOptions } from "./synthetic/true-relevance.js";
export { ChoiceModel, DEFAULT_CHOICE_MODEL, type ChoiceModelOptions, type ResolvedChoiceModelOptions } from "./simulation/choice-model.js";
export { simulateFeedbackLoops, type SimulationOptions, type SimulationResult, type SimulationRound, type SimulatedConfiguration } from "./simulation/feedback-loop.js";
export { trainScorer, type TrainedScorer } from "./experiments/trained-scorer.js";
export type { ExperimentSpec } from "./experiments/experiment.js";

/**
 * Kernels from a compiled kernel module: the seam every runtime goes through (Workers import the
 * .wasm as a module, browsers and Deno compile it streaming, Node reads it from disk).
 */
export async function createKernels(module: WebAssembly.Module, variant: KernelVariant = preferredVariant()): Promise<Kernels> {
  return new Kernels(await WasmEngine.fromModule(module, variant));
}

export { compileKernelModule, KernelLoader, assertVariantRunnable, type WasmSource, type WasmSourceOption, type LoadKernelsOptions, type UrlReader } from "./engine/kernel-source.js";
export { RecommenderService, type RecommenderApi, type DatasetHandle, type ModelHandle, type ReadDataOptions, type ReadDataResult, type TrainOptions, type RecommendOptions, type EvaluateEngineOptions } from "./worker/recommender-service.js";
export type { HistoryRecommendOptions, ItemPopularity } from "./worker/recommender-service.js";
export { InThreadEngine, type RecommenderEngine, type EngineThread } from "./worker/engine.js";
export { createTopKProvider, AUTO_WEBGPU_MIN_ITEMS, type TopKProviderOptions, type BackendSelection, type SelectedTopK } from "./gpu/backend.js";
export { BACKEND_CHOICES, type BackendChoice, type TopKBackend, type ServingTables, type TopKLists, type UserBlockTopK, type ProviderMemory } from "./gpu/top-k-provider.js";
export { WasmTopK, type WasmTopKOptions } from "./gpu/wasm-top-k.js";
export { WebGpuTopK, type WebGpuTopKOptions } from "./gpu/webgpu-top-k.js";
export { GpuUnavailableError } from "./gpu/errors.js";
export { describeAdapter, describeAdapterInfo, type AdapterDescription } from "./gpu/adapter.js";
export { planCatalog, type CatalogLayout } from "./gpu/catalog-layout.js";
export { recommendAllUsers, type RecommendAllOptions, type AllRecommendations } from "./gpu/recommend-all.js";
export { mfServingTables, recommendForAllUsers, type ModelRecommendations } from "./gpu/mf-serving.js";

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

export { MatrixFactorization, UnknownIdError, type Recommendation } from "./model/matrix-factorization.js";
export { MostPopular } from "./model/most-popular.js";
export { PopularityReranker } from "./model/popularity-rerank.js";
export { encodeModelFile, decodeModelFile, ModelFileError, type ModelFileContents } from "./model/model-file.js";
export { resolveMfConfig, ConfigError, LOSSES, OPTIMIZERS, NORMALIZE_MODES, LOSS_DEFAULTS, type MfConfig, type NormalizeMode, type LossName, type OptimizerName } from "./train/config.js";
export { DivergenceError } from "./train/training-context.js";
export { SpectralPenalty } from "./train/resn.js";
export { clippedInversePropensities } from "./train/ips.js";
export { POPULAR_DIRECTION_SOURCES, type PopularDirectionSource } from "./train/config.js";
export { GradientAccumulator, type PopularDirections } from "./train/gradient-accumulator.js";
export { searchPopularityAlphas, PAPER_ALPHA_GRID, type AlphaGridOptions, type AlphaGridResult, type AlphaGridPoint } from "./train/alpha-grid.js";
export { projectPopularity, headRows, headMeanDirections } from "./model/popularity-projection.js";
export { TrainingAbortedError, type FitOptions, type FitReport, type TrainingProgress, type EpochSummary } from "./train/fit.js";
export { evaluateRanking, EvaluationError, type EvaluateOptions, type EvaluationResult } from "./eval/evaluate.js";
export { DEFAULT_EXPOSURE_THRESHOLD } from "./eval/evaluate.js";
export { DEFAULT_HEAD_RULE, DEFAULT_HEAD_SHARE, type HeadRule, type HeadTailBoundary } from "./eval/head-tail.js";
export type { PopularityGroup } from "./eval/popularity-groups.js";
export type { UserBlockScorer } from "./eval/scorer.js";
export { generateSyntheticWorld, type SyntheticWorld, type SyntheticWorldOptions } from "./synthetic/world.js";
export { worldToInteractions } from "./synthetic/to-interactions.js";

/**
 * Kernels from a compiled kernel module: the seam every runtime goes through (Workers import the
 * .wasm as a module, browsers and Deno compile it streaming, Node reads it from disk).
 */
export async function createKernels(module: WebAssembly.Module, variant: KernelVariant = preferredVariant()): Promise<Kernels> {
  return new Kernels(await WasmEngine.fromModule(module, variant));
}

export { createTopKProvider, AUTO_WEBGPU_MIN_ITEMS, type TopKProviderOptions, type BackendSelection, type SelectedTopK } from "./gpu/backend.js";
export { BACKEND_CHOICES, type BackendChoice, type TopKBackend, type ServingTables, type TopKLists, type UserBlockTopK, type ProviderMemory } from "./gpu/top-k-provider.js";
export { WasmTopK, type WasmTopKOptions } from "./gpu/wasm-top-k.js";
export { WebGpuTopK, type WebGpuTopKOptions } from "./gpu/webgpu-top-k.js";
export { GpuUnavailableError } from "./gpu/errors.js";
export { describeAdapter, describeAdapterInfo, type AdapterDescription } from "./gpu/adapter.js";
export { planCatalog, type CatalogLayout } from "./gpu/catalog-layout.js";
export { recommendAllUsers, type RecommendAllOptions, type AllRecommendations } from "./gpu/recommend-all.js";
export { mfServingTables, recommendForAllUsers, type ModelRecommendations } from "./gpu/mf-serving.js";

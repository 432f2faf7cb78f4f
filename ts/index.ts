/**
 * longtail's front door, runtime-neutral: what the quick start and the common jobs need. It never
 * touches a file system or a network: the per-runtime entries (ts/node.ts, ...) add how their
 * runtime loads the kernels. Everything else is under a subpath (ts/api/: longtail/kernels,
 * /metrics, /splits, /debias, /models, /synthetic, /simulation, /inverse-retrieval, /serving,
 * /report, /titles).
 */

// Data: read it, or make it; split it with a seed.
export { Interactions } from "./data/interactions.js";
export { IdMap } from "./data/id-map.js";
export { readInteractions, type InteractionsFormat, type ReadInteractionsOptions } from "./data/read.js";
export { randomHoldout } from "./data/splits.js";
export { syntheticInteractions } from "./synthetic/to-interactions.js";

// Models: fit, recommend, recommendForHistory, similarItems, evaluate, dispose.
export { MatrixFactorization } from "./mf/matrix-factorization.js";
export { UnknownIdError, type Recommendation } from "./model/recommendation.js";
export { TwoTower, type TwoTowerFitOptions } from "./two-tower/two-tower.js";
export { MostPopular } from "./model/most-popular.js";
export { PopularityReranker } from "./model/popularity-rerank.js";
export type { MfConfig, LossName } from "./mf/config.js";
export type { TwoTowerConfig } from "./two-tower/config.js";
export type { FitOptions, FitReport, TrainingProgress } from "./train/fit-report.js";
export { evaluateRanking, type EvaluateOptions, type EvaluationResult } from "./eval/evaluate.js";

// Saving and loading models.
export { saveModel, loadModel } from "./model/model-bytes.js";
export { encodeModelFile, decodeModelFile } from "./model/model-file.js";

// Errors a user can meet, each with a message that says what to do.
export { DataError } from "./data/errors.js";
export { ConfigError } from "./train/config-checks.js";
export { ModelFileError } from "./model/model-file.js";
export { EvaluationError } from "./eval/evaluation-error.js";
export { SizeLimitError } from "./kernels/memory-limits.js";
export { DivergenceError } from "./train/divergence.js";
export { TrainingAbortedError } from "./train/fit-report.js";
export { KernelUnavailableError, detectCapabilities, type Capabilities } from "./kernels/capabilities.js";

// The engine API (the same calls in a worker or in this thread).
export type { RecommenderEngine } from "./worker/engine.js";
export type { ModelHandle } from "./worker/recommender-service.js";

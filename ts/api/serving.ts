/** longtail/serving: top-K for every user on wasm or WebGPU, and the engine API a worker serves. */
export { createTopKProvider, AUTO_WEBGPU_MIN_ITEMS, type TopKProviderOptions, type BackendSelection, type SelectedTopK } from "../gpu/backend.js";
export { BACKEND_CHOICES, type BackendChoice, type TopKBackend, type ServingTables, type TopKLists, type UserBlockTopK, type ProviderMemory } from "../gpu/top-k-provider.js";
export { WasmTopK, type WasmTopKOptions } from "../gpu/wasm-top-k.js";
export { WebGpuTopK, type WebGpuTopKOptions } from "../gpu/webgpu-top-k.js";
export { GpuUnavailableError } from "../gpu/errors.js";
export { describeAdapter, describeAdapterInfo, type AdapterDescription } from "../gpu/adapter.js";
export type { WebGpuEntry, WebGpuAdapter, WebGpuDevice, WebGpuAdapterOptions } from "../gpu/webgpu-handles.js";
export { planCatalog, type CatalogLayout } from "../gpu/catalog-layout.js";
export { recommendAllUsers, type RecommendAllOptions, type AllRecommendations } from "../gpu/recommend-all.js";
export { mfServingTables, recommendForAllUsers, type ModelRecommendations } from "../gpu/mf-serving.js";
export { RecommenderService, type RecommenderApi, type DatasetHandle, type ReadDataOptions, type ReadDataResult, type TrainOptions, type RecommendOptions, type EvaluateEngineOptions } from "../worker/recommender-service.js";
export type { HistoryRecommendOptions, ItemPopularity } from "../worker/recommender-service.js";
export { InThreadEngine, type EngineThread } from "../worker/engine.js";

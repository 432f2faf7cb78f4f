/** longtail/serving: top-K for every user on wasm or WebGPU, and the engine API a worker serves. */
export { createTopKProvider, AUTO_WEBGPU_MIN_ITEMS, type TopKProviderOptions, type BackendSelection, type SelectedTopK } from "../serving/backend.js";
export {
  BACKEND_CHOICES,
  type BackendChoice,
  type TopKBackend,
  type ServingTables,
  type TopKLists,
  type UserBlockTopK,
  type ProviderMemory,
} from "../serving/top-k-provider.js";
export { WasmTopK, type WasmTopKOptions } from "../serving/wasm-top-k.js";
export { QuantizedTopK, type QuantizedServingOptions } from "../serving/quantized-top-k.js";
export {
  QuantizedItemTable,
  QUANTIZED_CODE_LIMIT,
  DEFAULT_REFINE_FACTOR,
  type QuantizedCodes,
  type ExactRows,
  type QuantizeOptions,
  type QuantizedTopKOptions,
  type QuantizedTableMemory,
} from "../kernels/quantized-items.js";
export { WebGpuTopK, type WebGpuTopKOptions } from "../serving/webgpu-top-k.js";
export { GpuUnavailableError } from "../serving/errors.js";
export { describeAdapter, describeAdapterInfo, type AdapterDescription } from "../serving/adapter.js";
export type { WebGpuEntry, WebGpuAdapter, WebGpuDevice, WebGpuAdapterOptions } from "../serving/webgpu-handles.js";
export { planCatalog, type CatalogLayout } from "../serving/catalog-layout.js";
export { recommendAllUsers, type RecommendAllOptions, type AllRecommendations } from "../serving/recommend-all.js";
export { mfServingTables, recommendForAllUsers, type ModelRecommendations } from "../serving/mf-serving.js";
export {
  RecommenderService,
  type RecommenderApi,
  type DatasetHandle,
  type ReadDataOptions,
  type ReadDataResult,
  type TrainOptions,
  type RecommendOptions,
  type EvaluateEngineOptions,
} from "../worker/recommender-service.js";
export type { HistoryRecommendOptions, ItemPopularity } from "../worker/recommender-service.js";
export { InThreadEngine, type EngineThread } from "../worker/engine.js";

import * as Comlink from "comlink";
import type { KernelVariant } from "../kernels/capabilities.js";
import type { Kernels } from "../kernels/kernels.js";
import type { LoadKernelsOptions } from "../kernels/kernel-source.js";
import type { WasmThreads } from "../kernels/wasm-instance.js";
import type { Recommendation } from "../model/recommendation.js";
import {
  RecommenderService,
  type DatasetHandle,
  type EvaluateEngineOptions,
  type ModelHandle,
  type HistoryRecommendOptions,
  type ReadDataOptions,
  type RecommendOptions,
  type TrainOptions,
} from "./recommender-service.js";
import { transferableBuffers } from "./transfer.js";
import type { MfConfig } from "../mf/config.js";
import type { TrainingProgress } from "../train/fit-report.js";

/** A kernel module as a message carries it: compiled (posted, not recompiled), its bytes, or its URL. */
export type WorkerWasm = WebAssembly.Module | Uint8Array | string;

/** What the main thread sends to start a worker engine: the build, the kernel module or where to find it, and the threads. */
export interface WorkerInit {
  readonly variant?: KernelVariant;
  /** The plain build; absent: the worker's own default. */
  readonly wasm?: WorkerWasm;
  /** The shared-memory (.threads) build, for a thread pool; absent: `wasm`, or the worker's own default. */
  readonly wasmThreads?: WorkerWasm;
  readonly threads?: number;
}

/** What a started worker engine reports back. */
export interface WorkerStarted {
  readonly variant: KernelVariant;
  readonly threads: WasmThreads;
}

function recommendationTransfer(r: Recommendation): Recommendation {
  return Comlink.transfer(r, transferableBuffers([r.indices, r.scores]));
}

/**
 * The object a worker exposes over comlink: `init` loads the kernels, then every
 * {@link RecommenderService} method runs in the worker. Typed arrays in answers (recommendations,
 * saved models) are transferred to the caller, not copied.
 */
export class WorkerHost {
  private service: RecommenderService | null = null;

  constructor(private readonly loadKernels: (options: LoadKernelsOptions) => Promise<Kernels>) {}

  async init(init: WorkerInit = {}): Promise<WorkerStarted> {
    if (this.service) throw new Error("this worker engine is already started");
    const { wasm, wasmThreads } = init;
    const given = wasm !== undefined || wasmThreads !== undefined;
    const kernels = await this.loadKernels({
      ...(init.variant && { variant: init.variant }),
      ...(init.threads !== undefined && { threads: init.threads }),
      ...(given && { wasm: (_variant, build) => (build.threads ? (wasmThreads ?? wasm) : (wasm ?? wasmThreads))! }),
    });
    this.service = new RecommenderService(kernels);
    return { variant: kernels.wasm.variant, threads: kernels.threads };
  }

  readInteractions(data: Uint8Array | string, options?: ReadDataOptions) {
    return this.started().readInteractions(data, options);
  }
  /**
   * `onProgress` is its own argument: comlink proxies a function only at the top level of a call.
   * Its calls travel on the proxy's own channel, which keeps no order with this call's answer, so
   * training resolves only after every report has reached the caller, and then releases the proxy.
   */
  async train(train: DatasetHandle, config?: Partial<MfConfig>, options: Omit<TrainOptions, "onProgress"> = {}, onProgress?: TrainOptions["onProgress"]) {
    const deliveries = new Set<Promise<unknown>>();
    const report =
      onProgress &&
      ((p: TrainingProgress) => {
        const delivery = Promise.resolve(onProgress(p)).catch(() => undefined);
        deliveries.add(delivery);
        void delivery.then(() => deliveries.delete(delivery));
      });
    try {
      return await this.started().train(train, config, { ...options, ...(report && { onProgress: report }) });
    } finally {
      await Promise.all(deliveries);
      (onProgress as Partial<Comlink.Remote<unknown>> | undefined)?.[Comlink.releaseProxy]?.();
    }
  }
  loadModel(bytes: Uint8Array, fileName?: string) {
    return this.started().loadModel(bytes, fileName);
  }
  async saveModel(model: ModelHandle, metadata?: Record<string, unknown>): Promise<Uint8Array> {
    const bytes = await this.started().saveModel(model, metadata);
    return Comlink.transfer(bytes, transferableBuffers([bytes]));
  }
  async recommend(model: ModelHandle, user: string | number, k?: number, options?: RecommendOptions): Promise<Recommendation> {
    return recommendationTransfer(await this.started().recommend(model, user, k, options));
  }
  async recommendMany(model: ModelHandle, users: readonly (string | number)[], k?: number, options?: RecommendOptions): Promise<Recommendation[]> {
    const all = await this.started().recommendMany(model, users, k, options);
    return Comlink.transfer(all, transferableBuffers(all.flatMap((r) => [r.indices, r.scores])));
  }
  evaluate(model: ModelHandle, train: DatasetHandle, test: DatasetHandle, options?: EvaluateEngineOptions) {
    return this.started().evaluate(model, train, test, options);
  }
  async recommendForHistory(model: ModelHandle, history: readonly string[], k?: number, options?: HistoryRecommendOptions): Promise<Recommendation> {
    return recommendationTransfer(await this.started().recommendForHistory(model, history, k, options));
  }
  async similarItems(model: ModelHandle, item: string | number, k?: number): Promise<Recommendation> {
    return recommendationTransfer(await this.started().similarItems(model, item, k));
  }
  async itemPopularity(model: ModelHandle) {
    const popularity = await this.started().itemPopularity(model);
    return Comlink.transfer(popularity, transferableBuffers([popularity.counts]));
  }
  release(handle: DatasetHandle | ModelHandle) {
    return this.started().release(handle);
  }
  dispose(): void {
    this.service?.dispose();
    this.service?.kernels.dispose();
    this.service = null;
  }

  private started(): RecommenderService {
    if (!this.service) throw new Error("the worker engine was not started: call init() first (createEngine does)");
    return this.service;
  }
}

/** Expose a {@link WorkerHost} on the worker's endpoint (`self` in a Web/Deno worker, the parent port adapter in Node). */
export function exposeWorkerHost(loadKernels: (options: LoadKernelsOptions) => Promise<Kernels>, endpoint?: Comlink.Endpoint): void {
  Comlink.expose(new WorkerHost(loadKernels), endpoint);
}

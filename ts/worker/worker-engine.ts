import * as Comlink from "comlink";
import { preferredVariant, type KernelVariant } from "../kernels/capabilities.js";
import type { LoadKernelsOptions, WasmSource } from "../kernels/kernel-source.js";
import type { EvaluationResult } from "../eval/evaluate.js";
import type { Recommendation } from "../model/recommendation.js";
import type { MfConfig } from "../mf/config.js";
import type { TrainingProgress } from "../train/fit-report.js";
import type { RecommenderEngine } from "./engine.js";
import type {
  DatasetHandle,
  EvaluateEngineOptions,
  HistoryRecommendOptions,
  ItemPopularity,
  ModelHandle,
  ReadDataOptions,
  ReadDataResult,
  RecommendOptions,
  TrainOptions,
} from "./recommender-service.js";
import { transferableBuffers } from "./transfer.js";
import type { WorkerHost, WorkerInit, WorkerWasm } from "./worker-host.js";
import type { WasmThreads } from "../kernels/wasm-instance.js";

/** How an entry hands its worker to {@link WorkerEngine.start}. */
export interface WorkerConnection {
  readonly endpoint: Comlink.Endpoint;
  /** Ends the worker. */
  terminate(): unknown;
  /** Calls `listener` when the worker fails outside a call (its script did not load, it crashed). */
  onError(listener: (error: Error) => void): void;
}

/** Bytes given to the worker: moved when the caller's view covers its buffer, else copied by the message. */
function sendBytes<T extends Uint8Array | string>(data: T): T {
  return typeof data === "string" ? data : Comlink.transfer(data, transferableBuffers([data as Uint8Array]));
}

/** The kernel source of one build as something a message can carry: a module stays a module, a URL its address, a Response its bytes. */
async function workerWasm(options: LoadKernelsOptions, variant: KernelVariant, threads: boolean): Promise<WorkerWasm | undefined> {
  if (options.wasm === undefined) return undefined;
  if (typeof options.wasm !== "function" && threads) return undefined;
  const source: WasmSource = typeof options.wasm === "function" ? await options.wasm(variant, { threads }) : options.wasm;
  if (source instanceof WebAssembly.Module) return source;
  if (typeof source === "string") return source;
  if (source instanceof URL) return source.href;
  if (source instanceof ArrayBuffer) return new Uint8Array(source.slice(0));
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer.slice(source.byteOffset, source.byteOffset + source.byteLength) as ArrayBuffer);
  return new Uint8Array(await source.arrayBuffer());
}

/**
 * The engine in a worker, driven over comlink: the same API as the in-thread engine. Inputs the
 * caller gives as bytes are transferred to the worker, answers holding typed arrays are
 * transferred back, and progress callbacks are comlink proxies the worker calls at most every
 * `progressIntervalMs` (default 200 ms) during an epoch.
 */
export class WorkerEngine implements RecommenderEngine {
  readonly mode = "worker" as const;

  private constructor(
    private readonly remote: Comlink.Remote<WorkerHost>,
    private readonly connection: WorkerConnection,
    readonly variant: KernelVariant,
    readonly threads: WasmThreads,
    readonly reason: string,
  ) {}

  /** Start the engine in a created worker; rejects (and ends the worker) when the worker fails to start. */
  static async start(connection: WorkerConnection, options: LoadKernelsOptions, reason: string): Promise<WorkerEngine> {
    const remote = Comlink.wrap<WorkerHost>(connection.endpoint);
    const variant = options.variant ?? preferredVariant();
    try {
      const failed = new Promise<never>((_, reject) => connection.onError((e) => reject(new Error(`the longtail worker failed to start: ${e.message}`))));
      // Only the start-up race reads it: a worker ending later (close() included) must not be an unhandled rejection.
      failed.catch(() => undefined);
      const wasm = await workerWasm(options, variant, false);
      const wasmThreads = options.threads === 1 ? undefined : await workerWasm(options, variant, true);
      const init: WorkerInit = {
        variant,
        ...(wasm !== undefined && { wasm }),
        ...(wasmThreads !== undefined && { wasmThreads }),
        ...(options.threads !== undefined && { threads: options.threads }),
      };
      const started = await Promise.race([remote.init(init), failed]);
      return new WorkerEngine(remote, connection, started.variant, started.threads, reason);
    } catch (e) {
      remote[Comlink.releaseProxy]();
      await connection.terminate();
      throw e;
    }
  }

  readInteractions(data: Uint8Array | string, options?: ReadDataOptions): Promise<ReadDataResult> {
    return this.remote.readInteractions(sendBytes(data), options);
  }

  train(train: DatasetHandle, config?: Partial<MfConfig>, options: TrainOptions = {}): Promise<ModelHandle> {
    const { onProgress, ...rest } = options;
    // The worker waits for each report's answer before training resolves: answer at once, whatever the callback returns.
    return this.remote.train(train, config, rest, onProgress && Comlink.proxy((p: TrainingProgress) => void onProgress(p)));
  }

  loadModel(bytes: Uint8Array, fileName?: string): Promise<ModelHandle> {
    return this.remote.loadModel(sendBytes(bytes), fileName);
  }

  saveModel(model: ModelHandle, metadata?: Record<string, unknown>): Promise<Uint8Array> {
    return this.remote.saveModel(model, metadata);
  }

  recommend(model: ModelHandle, user: string | number, k?: number, options?: RecommendOptions): Promise<Recommendation> {
    return this.remote.recommend(model, user, k, options);
  }

  recommendMany(model: ModelHandle, users: readonly (string | number)[], k?: number, options?: RecommendOptions): Promise<Recommendation[]> {
    return this.remote.recommendMany(model, users, k, options);
  }

  evaluate(model: ModelHandle, train: DatasetHandle, test: DatasetHandle, options?: EvaluateEngineOptions): Promise<EvaluationResult> {
    return this.remote.evaluate(model, train, test, options);
  }

  recommendForHistory(model: ModelHandle, history: readonly string[], k?: number, options?: HistoryRecommendOptions): Promise<Recommendation> {
    return this.remote.recommendForHistory(model, history, k, options);
  }

  similarItems(model: ModelHandle, item: string | number, k?: number): Promise<Recommendation> {
    return this.remote.similarItems(model, item, k);
  }

  itemPopularity(model: ModelHandle): Promise<ItemPopularity> {
    return this.remote.itemPopularity(model);
  }

  release(handle: DatasetHandle | ModelHandle): Promise<void> {
    return this.remote.release(handle);
  }

  async close(): Promise<void> {
    try {
      await this.remote.dispose();
    } finally {
      this.remote[Comlink.releaseProxy]();
      await this.connection.terminate();
    }
  }
}

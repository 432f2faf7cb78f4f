import type { Interactions } from "../data/interactions.js";
import { readInteractions, type ReadInteractionsOptions } from "../data/read.js";
import { randomHoldout } from "../data/splits.js";
import type { KernelVariant } from "../kernels/capabilities.js";
import type { Kernels } from "../kernels/kernels.js";
import type { EvaluationResult } from "../eval/evaluate.js";
import { MatrixFactorization } from "../mf/matrix-factorization.js";
import { modelFromContents, type LoadedModel } from "../model/load-history-recommender.js";
import { evaluateModel } from "../model/evaluate-model.js";
import type { Recommendation } from "../model/recommendation.js";
import { decodeModelFile, encodeModelFile } from "../model/model-file.js";
import type { MfConfig } from "../mf/config.js";
import type { FitReport, TrainingProgress } from "../train/fit-report.js";
import { DEFAULT_SEED, Rng } from "../util/rng.js";
import { quoteFound } from "../data/errors.js";

/** A data set held by an engine (in its thread or its worker); pass it back to train and evaluate. */
export interface DatasetHandle {
  readonly kind: "dataset";
  readonly id: number;
  readonly name: string;
  readonly nUsers: number;
  readonly nItems: number;
  readonly nnz: number;
}

/** A model held by an engine; pass it back to recommend, evaluate, save and release. */
export interface ModelHandle {
  readonly kind: "model";
  readonly id: number;
  readonly nUsers: number;
  readonly nItems: number;
  readonly dim: number;
  readonly loss: string;
  /** The training report, for a model trained by this engine. */
  readonly report?: FitReport;
}

export interface ReadDataOptions extends ReadInteractionsOptions {
  /** Hold out this share of each user's interactions as a test part (seeded: `seed`, default 42). */
  readonly testFraction?: number;
  readonly seed?: number;
}

export interface ReadDataResult {
  readonly train: DatasetHandle;
  /** Present when `testFraction` was given. */
  readonly test?: DatasetHandle;
}

export interface TrainOptions {
  /** Called with batch and epoch progress, at most every `progressIntervalMs` for batches. */
  readonly onProgress?: (progress: TrainingProgress) => void;
  /** Milliseconds between batch progress reports (default 200: a report costs a message across threads). */
  readonly progressIntervalMs?: number;
  /** Held-out part for early stopping on Recall@K (see FitOptions). */
  readonly validation?: DatasetHandle;
}

export interface RecommendOptions {
  readonly excludeSeen?: boolean;
  readonly popularityPenalty?: number;
}

export interface HistoryRecommendOptions {
  readonly popularityPenalty?: number;
  /** Fold-in λ (default DEFAULT_FOLD_IN_REGULARIZATION). */
  readonly regularization?: number;
}

/** A model's catalog: item ids by index and their training interactions (popularity). */
export interface ItemPopularity {
  readonly items: string[];
  readonly counts: Int32Array;
}

export interface EvaluateEngineOptions {
  readonly k?: number;
  readonly popularityPenalty?: number;
}

/**
 * What every engine answers, in this thread or in a worker: read data, train, load and save
 * models, recommend and evaluate. Data sets and models stay where they were made and are named
 * by handles, so nothing large crosses a thread boundary more than once.
 */
export interface RecommenderApi {
  readInteractions(data: Uint8Array | string, options?: ReadDataOptions): Promise<ReadDataResult>;
  train(train: DatasetHandle, config?: Partial<MfConfig>, options?: TrainOptions): Promise<ModelHandle>;
  loadModel(bytes: Uint8Array, fileName?: string): Promise<ModelHandle>;
  saveModel(model: ModelHandle, metadata?: Record<string, unknown>): Promise<Uint8Array>;
  recommend(model: ModelHandle, user: string | number, k?: number, options?: RecommendOptions): Promise<Recommendation>;
  recommendMany(model: ModelHandle, users: readonly (string | number)[], k?: number, options?: RecommendOptions): Promise<Recommendation[]>;
  evaluate(model: ModelHandle, train: DatasetHandle, test: DatasetHandle, options?: EvaluateEngineOptions): Promise<EvaluationResult>;
  /** Top-k for a watch history the model never saw (item ids), by fold-in; the history's items never appear. */
  recommendForHistory(model: ModelHandle, history: readonly string[], k?: number, options?: HistoryRecommendOptions): Promise<Recommendation>;
  /** The k items most cosine-similar to an item (external id or index) by the model's item factors, the item itself left out (k is capped at nItems − 1). */
  similarItems(model: ModelHandle, item: string | number, k?: number): Promise<Recommendation>;
  /** The model's item ids and training counts, to label and describe recommendations. */
  itemPopularity(model: ModelHandle): Promise<ItemPopularity>;
  /** Free a data set or model (its wasm memory). */
  release(handle: DatasetHandle | ModelHandle): Promise<void>;
}

/** Bytes as the one-chunk byte source the readers take. */
async function* oneChunk(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/**
 * The engine's work, done in whatever thread it runs in: the in-thread engine calls it directly,
 * the worker engine calls it through comlink from inside the worker.
 */
export class RecommenderService implements RecommenderApi {
  private nextId = 1;
  private readonly datasets = new Map<number, Interactions>();
  private readonly models = new Map<number, LoadedModel>();

  constructor(readonly kernels: Kernels) {}

  get variant(): KernelVariant {
    return this.kernels.wasm.variant;
  }

  async readInteractions(data: Uint8Array | string, options: ReadDataOptions = {}): Promise<ReadDataResult> {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    const all = await readInteractions(oneChunk(bytes), options);
    if (options.testFraction === undefined) return { train: this.addDataset(all) };
    const { train, test } = randomHoldout(all, { testFraction: options.testFraction, rng: new Rng(options.seed ?? DEFAULT_SEED) });
    return { train: this.addDataset(train), test: this.addDataset(test) };
  }

  async train(train: DatasetHandle, config: Partial<MfConfig> = {}, options: TrainOptions = {}): Promise<ModelHandle> {
    const data = this.dataset(train);
    const model = new MatrixFactorization(this.kernels, config);
    const onProgress = options.onProgress;
    try {
      const report = await model.fit(data, {
        progressIntervalMs: options.progressIntervalMs ?? 200,
        ...(options.validation && { validation: this.dataset(options.validation) }),
        // A callback in another thread answers with a promise; no training step waits for it (the
        // worker host collects the answers before train resolves), and a caller that went away must
        // not fail the training.
        ...(onProgress && { onProgress: (p: TrainingProgress) => void Promise.resolve(onProgress(p)).catch(() => undefined) }),
      });
      return this.addModel(model, report);
    } catch (e) {
      model.dispose();
      throw e;
    }
  }

  async loadModel(bytes: Uint8Array, fileName = "model"): Promise<ModelHandle> {
    // Any kind this version reads: matrix factorisation or the two-tower model.
    return this.addModel(modelFromContents(this.kernels, decodeModelFile(bytes, fileName), fileName));
  }

  async saveModel(model: ModelHandle, metadata: Record<string, unknown> = {}): Promise<Uint8Array> {
    return encodeModelFile(this.model(model).toModelFile(metadata));
  }

  async recommend(model: ModelHandle, user: string | number, k = 10, options: RecommendOptions = {}): Promise<Recommendation> {
    return this.model(model).recommend(user, k, options);
  }

  async recommendMany(model: ModelHandle, users: readonly (string | number)[], k = 10, options: RecommendOptions = {}): Promise<Recommendation[]> {
    const mf = this.model(model);
    return users.map((user) => mf.recommend(user, k, options));
  }

  async evaluate(model: ModelHandle, train: DatasetHandle, test: DatasetHandle, options: EvaluateEngineOptions = {}): Promise<EvaluationResult> {
    return evaluateModel(this.model(model), this.dataset(train), this.dataset(test), options);
  }

  async recommendForHistory(model: ModelHandle, history: readonly string[], k = 10, options: HistoryRecommendOptions = {}): Promise<Recommendation> {
    const mf = this.model(model);
    const unknown = history.filter((id) => !mf.items.has(String(id)));
    if (unknown.length > 0)
      throw new RangeError(
        `history items not in the model: ${unknown
          .slice(0, 5)
          .map((id) => quoteFound(id))
          .join(", ")}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ""}`,
      );
    return mf.recommendForHistory(
      Int32Array.from(history, (id) => mf.items.index(String(id))!),
      k,
      options,
    );
  }

  async similarItems(model: ModelHandle, item: string | number, k = 10): Promise<Recommendation> {
    return this.model(model).similarItems(item, k);
  }

  async itemPopularity(model: ModelHandle): Promise<ItemPopularity> {
    const mf = this.model(model);
    return { items: [...mf.items.ids()], counts: mf.itemCounts.slice() };
  }

  async release(handle: DatasetHandle | ModelHandle): Promise<void> {
    if (handle.kind === "model") {
      this.models.get(handle.id)?.dispose();
      this.models.delete(handle.id);
    } else {
      this.datasets.delete(handle.id);
    }
  }

  /** Free every model and data set. */
  dispose(): void {
    for (const model of this.models.values()) model.dispose();
    this.models.clear();
    this.datasets.clear();
  }

  private addDataset(data: Interactions): DatasetHandle {
    const id = this.nextId++;
    this.datasets.set(id, data);
    return { kind: "dataset", id, name: data.name, nUsers: data.nUsers, nItems: data.nItems, nnz: data.nnz };
  }

  private addModel(model: LoadedModel, report?: FitReport): ModelHandle {
    const id = this.nextId++;
    this.models.set(id, model);
    return { kind: "model", id, nUsers: model.nUsers, nItems: model.nItems, dim: model.dim, loss: model.config.loss, ...(report && { report }) };
  }

  private dataset(handle: DatasetHandle): Interactions {
    const data = handle?.kind === "dataset" ? this.datasets.get(handle.id) : undefined;
    if (!data) throw new RangeError(`no data set ${describe(handle)} in this engine: it was released, or it belongs to another engine`);
    return data;
  }

  private model(handle: ModelHandle): LoadedModel {
    const model = handle?.kind === "model" ? this.models.get(handle.id) : undefined;
    if (!model) throw new RangeError(`no model ${describe(handle)} in this engine: it was released, or it belongs to another engine`);
    return model;
  }
}

function describe(handle: { kind?: string; id?: number } | undefined): string {
  return handle && typeof handle === "object" ? `${handle.kind ?? "?"} #${handle.id ?? "?"}` : String(handle);
}

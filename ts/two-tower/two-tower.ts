/**
 * The two-tower model with a history tower. A user is whatever they watched: the user tower
 * pools the input embeddings of a time-ordered history (its last maxHistory items, uniform or
 * recency-weighted mean) and projects the result (u = p·W + b); the item tower is an output id
 * embedding plus, optionally, the mean of the item's genre embeddings. Score = u·v. Trained on
 * every prefix → next item of the training users' rows (full or sampled softmax, with logit
 * adjustment), it recommends for any history, one it never saw included (a watchlist).
 *
 * "User u" (scoreUsers, recommend) is training user u's whole training row as the history, so
 * evaluateRanking and inverse retrieval work on the model unchanged. The tables live in wasm
 * memory owned by this object; dispose() frees them.
 */
import { DEFAULT_K } from "../eval/default-k.js";
import type { Csr } from "../data/csr.js";
import { IdMap } from "../data/id-map.js";
import { TrainableModel } from "../model/trainable-model.js";
import type { Interactions } from "../data/interactions.js";
import type { Kernels } from "../kernels/kernels.js";
import { freeAll, type WasmF32Array, type WasmI32Array } from "../kernels/wasm-instance.js";
import type { UserBlockScorer } from "../eval/scorer.js";
import type { FitOptions, FitReport } from "../train/fit-report.js";
import { logitAdjustmentBias } from "../train/logit-adjustment.js";
import { resolveTwoTowerConfig, type TwoTowerConfig } from "./config.js";
import { fitTwoTowerLoop } from "./fit.js";
import { TwoTowerSampledSoftmaxStep } from "./sampled-softmax-step.js";
import { TwoTowerSoftmaxStep, type TwoTowerStep } from "./softmax-step.js";
import { Rng } from "../util/rng.js";
import { ContextBatch } from "../model/context-batch.js";
import { HistoryScorer, type ContextScorer } from "../model/history-scorer.js";
import { itemGenresFromMovies, type ItemGenres } from "./item-genres.js";
import { UnknownIdError, type Recommendation } from "../model/recommendation.js";
import {
  checkCountsTable,
  fromFileConfig,
  ModelFileError,
  requireCsrTables,
  requireTable,
  type ModelFileContents,
  type ModelTable,
} from "../model/model-file.js";
import { PopularityReranker } from "../model/popularity-rerank.js";
import { checkTwoTowerTraining } from "./memory-plan.js";
import { freeTowerTables, historyTower, itemTowerAll, towerArrays, type TowerTables } from "./towers.js";
import type { HistoryRecommender } from "../model/history-recommender.js";
import { quoteFound } from "../data/errors.js";
import { UnitItemTable } from "../model/similar-items.js";

export interface TwoTowerFitOptions extends FitOptions {
  /** Item genres for the item tower: external item id → its genres (what readMovieLensMovies returns). */
  genres?: ReadonlyMap<string, { readonly genres: readonly string[] }>;
  /**
   * Early stopping (FitOptions.validation): the validation part holds held-out users' rows, read
   * with this training part's item ids; after each epoch the sequential Recall@K of their contexts
   * is measured and the best epoch's parameters are kept.
   */
  validation?: Interactions;
}

/** Contexts scored per block when embedding many histories. */
const EMBED_BLOCK = 256;

export class TwoTower extends TrainableModel<TwoTowerConfig> implements UserBlockScorer, ContextScorer, HistoryRecommender {
  private tables: TowerTables | null = null;
  private genres: ItemGenres | null = null;
  private packed: WasmF32Array | null = null;
  /** The item tower's outputs at unit norm, for similarItems (built on first use, dropped with `packed`). */
  private unitItems: UnitItemTable | null = null;
  private seenCsr: Csr | null = null;
  private counts: Int32Array | null = null;
  private trainingUsers: HistoryScorer | null = null;

  /** `new TwoTower({...})` loads the runtime's kernels on the first fit(); `new TwoTower(kernels, {...})` uses the given ones. */
  constructor(config?: Partial<TwoTowerConfig>);
  constructor(kernels: Kernels, config?: Partial<TwoTowerConfig>);
  constructor(kernelsOrConfig: Kernels | Partial<TwoTowerConfig> = {}, config: Partial<TwoTowerConfig> = {}) {
    super(kernelsOrConfig, config, resolveTwoTowerConfig);
  }

  get dim(): number {
    return this.config.dim;
  }
  get isFitted(): boolean {
    return this.tables !== null;
  }
  /** Training interactions per item (popularity). */
  get itemCounts(): Int32Array {
    this.requireTables();
    return this.counts!;
  }
  /** Each user's training items (CSR over users): their history, and what serving leaves out. */
  get trainingItems(): Csr {
    this.requireTables();
    return this.seenCsr!;
  }
  /** The genre vocabulary of the item tower (empty without genres). */
  get genreNames(): readonly string[] {
    return this.genres?.names ?? [];
  }
  /** Each item's genre indices (into genreNames), or null when the model has no genres. */
  get itemGenres(): Csr | null {
    return this.genres?.byItem ?? null;
  }

  /** Train on the time-ordered rows of `train` (re-initialising any previous fit). */
  async fit(train: Interactions, options: TwoTowerFitOptions = {}): Promise<FitReport> {
    if (train.nUsers === 0 || train.nItems === 0 || train.nnz === 0) {
      throw new RangeError(`cannot fit on ${train.name}: it has ${train.nUsers} users, ${train.nItems} items and ${train.nnz} interactions`);
    }
    if (options.validation && options.validation.nItems !== train.nItems) {
      throw new RangeError(
        `the validation part has ${options.validation.nItems} items but the training part ${train.nItems}: read it with the training part's item ids`,
      );
    }
    await this.loadKernels();
    const config = this.config;
    const genres = options.genres ? itemGenresFromMovies(train.items, options.genres) : null;
    // Sizes that cannot fit are refused before anything is allocated (or the previous fit released).
    checkTwoTowerTraining(
      config,
      {
        users: train.nUsers,
        items: train.nItems,
        interactions: train.nnz,
        genres: genres?.names.length ?? 0,
        maxGenres: genres ? maxRowLength(genres.byItem.indptr) : 0,
      },
      { threads: this.kernels.threads.count, ...(options.validation && { validationK: options.validationK ?? DEFAULT_K }) },
    );
    this.release();
    this.userMap = train.users;
    this.itemMap = train.items;
    this.seenCsr = train.byUser;
    this.counts = train.itemCounts();
    this.genres = genres;
    const rng = new Rng(config.seed);
    this.tables = this.initialTables(train.nItems, rng);
    const bias = logitAdjustmentBias(config, train);
    const wasmBias = bias && config.loss === "softmax" ? this.kernels.wasm.f32From(bias) : null;
    const step: TwoTowerStep =
      config.loss === "softmax"
        ? new TwoTowerSoftmaxStep(this.kernels, this.tables, config, train.nItems, wasmBias)
        : new TwoTowerSampledSoftmaxStep(this.kernels, this.tables, config, train.nItems, train, this.genres?.byItem ?? null, bias, rng);
    try {
      return await fitTwoTowerLoop({ model: this, config, tables: towerArrays(this.tables), step }, train, rng, options);
    } finally {
      step.dispose();
      wasmBias?.free();
      this.invalidateItems();
    }
  }

  /** A batch in this model's context layout (maxHistory, weighting); the caller disposes it. */
  contextBatch(capacity: number): ContextBatch {
    return new ContextBatch(this.kernels.wasm, capacity, this.config.maxHistory, this.config.historyWeighting, this.config.halfLife);
  }

  scoreContexts(batch: ContextBatch, out: WasmF32Array): void {
    const users = this.embedBatch(batch);
    try {
      this.kernels.scorePacked(users, batch.rows, this.dim, this.packedItems(), this.nItems, out, this.nItems);
    } finally {
      users.free();
    }
  }

  /** Score training users (index u = the user's whole training row as the history). */
  scoreUsers(users: WasmI32Array, n: number, out: WasmF32Array): void {
    this.requireTables();
    this.trainingUsers ??= new HistoryScorer(this, this.seenCsr!);
    this.trainingUsers.scoreUsers(users, n, out);
  }

  /** The user-tower embedding (n×d, row-major) of each history (item indices, oldest first). */
  userEmbeddings(histories: readonly Int32Array[]): Float32Array {
    this.requireTables();
    histories.forEach((h, r) => this.checkHistory(h, `history ${r}`));
    const out = new Float32Array(histories.length * this.dim);
    this.embedHistories(
      histories.length,
      (batch, r) => batch.add(histories[r], 0, histories[r].length),
      (rows, at) => out.set(rows, at),
    );
    return out;
  }

  /**
   * The user tower over every training user's training row (the "user u" of scoreUsers), as an
   * nUsers×d table in wasm memory the caller frees: userTable[u]·itemTable[i] is scoreUsers' score.
   */
  trainingUserTable(): WasmF32Array {
    this.requireTables();
    const { indptr, indices } = this.seenCsr!;
    const table = this.kernels.wasm.f32(Math.max(1, this.nUsers * this.dim));
    try {
      this.embedHistories(
        this.nUsers,
        (batch, u) => batch.add(indices, indptr[u], indptr[u + 1]),
        (rows, at) => table.view.set(rows, at),
      );
    } catch (err) {
      table.free();
      throw err;
    }
    return table;
  }

  /** Embed histories 0..n−1 in blocks: `add` puts history r into the batch, `write` takes each block's rows and their offset (floats). */
  private embedHistories(n: number, add: (batch: ContextBatch, r: number) => void, write: (rows: Float32Array, at: number) => void): void {
    const d = this.dim;
    const batch = this.contextBatch(Math.min(EMBED_BLOCK, Math.max(1, n)));
    try {
      for (let start = 0; start < n; start += EMBED_BLOCK) {
        batch.reset();
        const end = Math.min(n, start + EMBED_BLOCK);
        for (let r = start; r < end; r++) add(batch, r);
        const users = this.embedBatch(batch);
        try {
          write(users.view.subarray(0, (end - start) * d), start * d);
        } finally {
          users.free();
        }
      }
    } finally {
      batch.dispose();
    }
  }

  /** The item tower's output for every item (nItems×d, the vectors scoring uses), in wasm memory the caller frees. */
  itemTable(): WasmF32Array {
    const t = this.requireTables();
    const table = this.kernels.wasm.f32(this.nItems * this.dim);
    itemTowerAll(this.kernels, t, this.nItems, this.dim, table);
    return table;
  }

  /**
   * Top-k for a time-ordered history of item indices (oldest first; the tower reads its last
   * maxHistory items); the history's items never appear in the answer. popularityPenalty β > 0
   * re-ranks on score − β·log(1 + count) (PopularityReranker).
   */
  recommendForHistory(history: Int32Array, k: number, options: { popularityPenalty?: number } = {}): Recommendation {
    this.requireTables();
    this.checkHistory(history, "the history");
    return this.topK({ indptr: Int32Array.of(0, history.length), indices: history }, k, history, options.popularityPenalty);
  }

  /** Top-k for a training user (external id or index): their training row is the history and, unless excludeSeen is false, is left out. */
  recommend(user: string | number, k = 10, options: { excludeSeen?: boolean; popularityPenalty?: number } = {}): Recommendation {
    this.requireTables();
    const u = this.userIndex(user);
    const { indptr, indices } = this.seenCsr!;
    const row = indices.subarray(indptr[u], indptr[u + 1]);
    if (row.length === 0)
      throw new UnknownIdError(
        `user ${quoteFound(this.userMap.id(u))} has no training interactions, so the history tower has nothing to read; use recommendForHistory with a watchlist`,
      );
    return this.topK({ indptr: Int32Array.of(0, row.length), indices: row }, k, options.excludeSeen === false ? null : row, options.popularityPenalty);
  }

  /**
   * The k items most similar to an item (external id or index), best first: cosine similarity of
   * the item tower's outputs (itemTable(): the output id embedding plus the genre mean, the vectors
   * scoring uses), not of the history tower's input embeddings. The item itself never appears, so k
   * is capped at nItems − 1; an all-zero item vector has cosine 0 with every item.
   */
  similarItems(item: string | number, k = 10): Recommendation {
    this.requireTables();
    if (!Number.isInteger(k) || k <= 0) throw new RangeError(`k must be a positive integer, got ${k}`);
    const i = this.itemIndex(item);
    if (!this.unitItems) {
      const table = this.itemTable();
      try {
        this.unitItems = new UnitItemTable(this.kernels, table, this.nItems, this.dim);
      } catch (err) {
        table.free();
        throw err;
      }
    }
    return this.unitItems.similarTo(i, k, this.itemMap);
  }

  itemIndex(item: string | number): number {
    if (typeof item === "number") {
      if (!Number.isInteger(item) || item < 0 || item >= this.nItems) throw new UnknownIdError(`item index ${item} is outside [0, ${this.nItems})`);
      return item;
    }
    const i = this.itemMap.index(item);
    if (i === undefined)
      throw new UnknownIdError(
        `item ${quoteFound(String(item))} is not in the model (it knows ${this.nItems} items, e.g. ${this.itemMap
          .ids()
          .slice(0, 3)
          .map((id) => quoteFound(id, 20))
          .join(", ")})`,
      );
    return i;
  }

  userIndex(user: string | number): number {
    if (typeof user === "number") {
      if (!Number.isInteger(user) || user < 0 || user >= this.nUsers) throw new UnknownIdError(`user index ${user} is outside [0, ${this.nUsers})`);
      return user;
    }
    const u = this.userMap.index(user);
    if (u === undefined)
      throw new UnknownIdError(
        `user ${quoteFound(String(user))} is not in the model (it knows ${this.nUsers} users, e.g. ${this.userMap
          .ids()
          .slice(0, 3)
          .map((id) => quoteFound(id, 20))
          .join(", ")})`,
      );
    return u;
  }

  /** The portable model file's contents (kind "two-tower"; docs/model-format.md). */
  toModelFile(metadata: Record<string, unknown> = {}): ModelFileContents {
    const t = this.requireTables();
    const d = this.dim,
      m = this.nItems;
    const seen = this.seenCsr!;
    const row = (data: Float32Array | Int32Array): ModelTable => ({ rows: 1, cols: data.length, data });
    const g = this.genres;
    return {
      kind: "two-tower",
      config: { ...this.config, ...(g && { genreNames: [...g.names] }) },
      shapes: { nUsers: this.nUsers, nItems: m, dim: d },
      userIds: [...this.userMap.ids()],
      itemIds: [...this.itemMap.ids()],
      tables: {
        itemInput: { rows: m, cols: d, data: t.itemIn.view.slice() },
        itemOutput: { rows: m, cols: d, data: t.itemOut.view.slice() },
        projection: { rows: d, cols: d, data: t.projection.view.slice() },
        projectionBias: row(t.projectionBias.view.slice()),
        ...(g &&
          t.genres && {
            genreEmbeddings: { rows: g.names.length, cols: d, data: t.genres.table.view.slice() },
            itemGenreIndptr: row(g.byItem.indptr.slice()),
            itemGenreIndices: row(g.byItem.indices.slice()),
          }),
        itemCounts: row(this.counts!.slice()),
        seenIndptr: row(seen.indptr.slice()),
        seenIndices: row(seen.indices.slice()),
      },
      metadata,
    };
  }

  static fromModelFile(kernels: Kernels, contents: ModelFileContents, fileName = "model"): TwoTower {
    if (contents.kind !== "two-tower") {
      throw new ModelFileError(fileName, "shape-mismatch", `expected a two-tower model (kind "two-tower"), got kind "${contents.kind}"`);
    }
    const { nUsers, nItems, dim } = contents.shapes;
    const { genreNames, ...config } = contents.config as Partial<TwoTowerConfig> & { genreNames?: string[] };
    const model = fromFileConfig(fileName, () => new TwoTower(kernels, config));
    const bad = (message: string): never => {
      throw new ModelFileError(fileName, "shape-mismatch", message);
    };
    if (dim !== model.dim) bad(`shapes say dim ${dim} but the config says ${model.dim}`);
    const table = (name: string, rows: number, cols: number, dtype: "f32" | "i32") => requireTable(contents, name, { rows, cols, dtype }, fileName).data;
    // Embeddings are finite and bounded (decodeModelFile); counts and sparse rows are checked here.
    const csr = (indptrName: string, indicesName: string, rows: number, limit: number, what: string): Csr =>
      requireCsrTables(contents, indptrName, indicesName, rows, limit, what, fileName);
    const e = kernels.wasm;
    const itemIn = table("itemInput", nItems, dim, "f32"),
      itemOut = table("itemOutput", nItems, dim, "f32");
    const projection = table("projection", dim, dim, "f32"),
      projectionBias = table("projectionBias", 1, dim, "f32");
    const counts = table("itemCounts", 1, nItems, "i32") as Int32Array;
    checkCountsTable(contents.tables.itemCounts, "itemCounts", fileName);
    const seen = csr("seenIndptr", "seenIndices", nUsers, nItems, "items");
    let genres: ItemGenres | null = null;
    let genreTable: Float32Array | Int32Array | null = null;
    if (genreNames !== undefined) {
      if (!Array.isArray(genreNames) || genreNames.some((g) => typeof g !== "string")) bad(`config.genreNames must be a list of genre names`);
      genres = { names: genreNames, byItem: csr("itemGenreIndptr", "itemGenreIndices", nItems, genreNames.length, "genres") };
      genreTable = table("genreEmbeddings", genreNames.length, dim, "f32");
    }
    model.userMap = IdMap.from(contents.userIds);
    model.itemMap = IdMap.from(contents.itemIds);
    model.counts = counts;
    model.seenCsr = seen;
    model.genres = genres;
    model.tables = {
      itemIn: e.f32From(itemIn),
      itemOut: e.f32From(itemOut),
      projection: e.f32From(projection),
      projectionBias: e.f32From(projectionBias),
      genres: genres && genreTable ? wasmGenres(kernels, genres, genreTable) : null,
    };
    return model;
  }

  /** Call after the item tables change (training): the packed item vectors are rebuilt on next use. */
  invalidateItems(): void {
    this.packed?.free();
    this.packed = null;
    this.unitItems?.free();
    this.unitItems = null;
  }

  dispose(): void {
    this.release();
  }

  private initialTables(m: number, rng: Rng): TowerTables {
    const e = this.kernels.wasm,
      d = this.dim,
      std = this.config.initStd;
    const normal = (n: number) => {
      const a = e.f32(n);
      const v = a.view;
      for (let i = 0; i < n; i++) v[i] = rng.normal() * std;
      return a;
    };
    const itemIn = normal(m * d),
      itemOut = normal(m * d);
    // W starts as the identity: the first steps see the plain pooled history.
    const projection = e.f32From(Float32Array.from({ length: d * d }, (_, i) => (i % (d + 1) === 0 ? 1 : 0)));
    const projectionBias = e.f32From(new Float32Array(d));
    const genres = this.genres ? wasmGenres(this.kernels, this.genres, null, normal(this.genres.names.length * d)) : null;
    return { itemIn, itemOut, projection, projectionBias, genres };
  }

  private embedBatch(batch: ContextBatch): WasmF32Array {
    const t = this.requireTables();
    const e = this.kernels.wasm,
      n = batch.rows,
      d = this.dim;
    const pooled = e.f32(Math.max(1, n * d));
    const users = e.f32(Math.max(1, n * d));
    try {
      historyTower(this.kernels, t, d, batch, pooled, users);
    } catch (err) {
      users.free();
      throw err;
    } finally {
      pooled.free();
    }
    return users;
  }

  private packedItems(): WasmF32Array {
    if (!this.packed) {
      const k = this.kernels,
        m = this.nItems,
        d = this.dim;
      const items = this.itemTable();
      try {
        this.packed = k.wasm.f32(k.packedItemsLength(m, d));
        k.packItems(items, m, d, this.packed);
      } finally {
        items.free();
      }
    }
    return this.packed;
  }

  private topK(histories: Csr, k: number, exclude: Int32Array | null, popularityPenalty: number | undefined): Recommendation {
    if (!Number.isInteger(k) || k <= 0) throw new RangeError(`k must be a positive integer, got ${k}`);
    const e = this.kernels.wasm,
      m = this.nItems,
      kk = Math.min(k, m);
    const scorer = new HistoryScorer(this, histories);
    const reranker = popularityPenalty !== undefined ? new PopularityReranker(scorer, this.itemCounts, popularityPenalty) : null;
    const row = e.i32From([0]);
    const scores = e.f32(m);
    const topIdx = e.i32(kk);
    const topScore = e.f32(kk);
    const exclOffsets = exclude ? e.i32From([0, exclude.length]) : null;
    const exclIndices = exclude ? e.i32From(exclude.length > 0 ? exclude : [0]) : null;
    try {
      (reranker ?? scorer).scoreUsers(row, 1, scores);
      this.kernels.topkRows(scores, 1, m, m, kk, exclOffsets && exclIndices ? { offsets: exclOffsets, indices: exclIndices } : null, topIdx, topScore);
      const idx = topIdx.view.slice(),
        sc = topScore.view.slice();
      let n = idx.indexOf(-1);
      if (n < 0) n = idx.length;
      return { indices: idx.subarray(0, n), scores: sc.subarray(0, n), items: Array.from(idx.subarray(0, n), (i) => this.itemMap.id(i)) };
    } finally {
      freeAll(row, scores, topIdx, topScore, exclOffsets, exclIndices);
      reranker?.dispose();
      scorer.dispose();
    }
  }

  /** A history must be a non-empty list of known item indices that leaves something to recommend. */
  private checkHistory(history: Int32Array, what: string): void {
    const m = this.nItems;
    if (!(history instanceof Int32Array)) throw new TypeError(`${what} must be an Int32Array of item indices (map external ids with model.items.index(id))`);
    if (history.length === 0) throw new RangeError(`${what} is empty: give at least one item the user watched`);
    if (history.length > m) throw new RangeError(`${what} has ${history.length} items, more than the catalog's ${m}`);
    const distinct = new Set<number>();
    history.forEach((i, p) => {
      if (!(i >= 0 && i < m)) throw new UnknownIdError(`${what}: item index ${i} at position ${p} is not in the model (it knows items 0..${m - 1})`);
      distinct.add(i);
    });
    if (distinct.size >= m) throw new RangeError(`${what} holds every item of the catalog (${m}): nothing is left to recommend`);
  }

  private requireTables(): TowerTables {
    if (!this.tables) throw new Error("the model is not trained yet: call fit() or load a model file first");
    return this.tables;
  }

  private release(): void {
    this.invalidateItems();
    this.trainingUsers?.dispose();
    this.trainingUsers = null;
    if (this.tables) freeTowerTables(this.tables);
    this.tables = null;
  }
}

/** The genre tables in wasm: embeddings (given, or copied from `values`) and each item's genre CSR. */
function wasmGenres(kernels: Kernels, genres: ItemGenres, values: Float32Array | Int32Array | null, table?: WasmF32Array): NonNullable<TowerTables["genres"]> {
  const e = kernels.wasm;
  return {
    table: table ?? e.f32From(values!),
    offsets: e.i32From(genres.byItem.indptr),
    indices: e.i32From(genres.byItem.indices.length > 0 ? genres.byItem.indices : [0]),
    count: genres.names.length,
  };
}

/** The longest row of a CSR's offsets. */
function maxRowLength(indptr: Int32Array): number {
  let most = 0;
  for (let r = 0; r + 1 < indptr.length; r++) most = Math.max(most, indptr[r + 1] - indptr[r]);
  return most;
}

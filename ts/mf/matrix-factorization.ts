import { UnknownIdError, type Recommendation } from "../model/recommendation.js";
import { DEFAULT_K } from "../eval/default-k.js";
import type { Csr } from "../data/csr.js";
import { IdMap } from "../data/id-map.js";
import { TrainableModel } from "../model/trainable-model.js";
import type { Interactions } from "../data/interactions.js";
import type { Kernels } from "../kernels/kernels.js";
import { freeAll, type WasmF32Array, type WasmI32Array } from "../kernels/wasm-instance.js";
import type { EvaluationResult } from "../eval/evaluate.js";
import type { UserBlockScorer } from "../eval/scorer.js";
import { resolveMfConfig, type MfConfig } from "./config.js";
import { resolveMfServing, projectsNothing, servingChanges, splitServing, type MfServing, type PopularDirectionSource } from "./serving.js";
import type { PopularDirections } from "./gradient-accumulator.js";
import { headMeanDirections, projectPopularity } from "./popularity-projection.js";
import { fitMatrixFactorization, type FitOptions, type FitReport } from "./fit.js";
import { TrainingAbortedError } from "../train/fit-report.js";
import { checkCountsTable, fromFileConfig, ModelFileError, requireCsrTables, requireTable, type ModelFileContents } from "../model/model-file.js";
import { PopularityReranker } from "../model/popularity-rerank.js";
import { evaluateModel } from "../model/evaluate-model.js";
import { DEFAULT_FOLD_IN_REGULARIZATION, foldInUser } from "./fold-in.js";
import type { HistoryRecommender } from "../model/history-recommender.js";
import { Rng } from "../util/rng.js";
import { longestRowsOf } from "../train/memory-plan.js";
import { checkMfTraining } from "./memory-plan.js";
import { distillGraphFilter } from "./graph-filter-distillation.js";
import { quoteFound } from "../data/errors.js";
import { UnitItemTable } from "../model/similar-items.js";
import { QuantizedItemTable } from "../kernels/quantized-items.js";

/**
 * A stored configuration read as it was trained. A full-softmax file written before a count of
 * negatives was refused for it may hold one it never used; a sampled-softmax file written before
 * its adamUpdates and learningRateSchedule fields existed was trained with lazy Adam at a constant
 * rate, not with today's defaults for that loss.
 */
function olderDefaults(stored: Record<string, unknown>): Record<string, unknown> {
  if (stored.loss === "softmax" && stored.negatives !== undefined) return { ...stored, negatives: 0 };
  if (stored.loss === "sampled-softmax") return { adamUpdates: "lazy", learningRateSchedule: "constant", ...stored };
  return stored;
}

/**
 * Matrix factorisation: score(u, i) = P_u · Q_i. The tables live in wasm memory owned by this
 * object; dispose() frees them. Serving excludes the items the user interacted with in training
 * (kept with the model as a CSR, so a saved model recommends like the trained one).
 */
export class MatrixFactorization extends TrainableModel<MfConfig> implements UserBlockScorer, HistoryRecommender {
  private tables: { users: WasmF32Array; items: WasmF32Array } | null = null;
  private packed: WasmF32Array | null = null;
  /** The served item vectors at unit norm, for similarItems (built on first use, dropped with `packed`). */
  private unitItems: UnitItemTable | null = null;
  /** The served item vectors as int8 codes, for recommend({ quantized }) (built on first use, dropped with `packed`). */
  private quantizedItems: QuantizedItemTable | null = null;
  private seenCsr: Csr | null = null;
  private counts: Int32Array | null = null;
  /** Algorithm 1's popular directions, recorded by a gradientAdjustment fit (or loaded). */
  private gradientDirections: PopularDirections | null = null;
  private headDirections: PopularDirections | null = null;
  /** How the model serves (the gradient-perspective adjustment's α1/α2); set by setPopularityAdjustment, saved with the model. */
  private servingSettings: MfServing = resolveMfServing();

  /**
   * `new MatrixFactorization({ loss: "softmax" })` loads the runtime's kernels on the first fit();
   * `new MatrixFactorization(kernels, {...})` uses the given ones (a chosen build or thread count).
   */
  constructor(config?: Partial<MfConfig>);
  constructor(kernels: Kernels, config?: Partial<MfConfig>);
  constructor(kernelsOrConfig: Kernels | Partial<MfConfig> = {}, config: Partial<MfConfig> = {}) {
    super(kernelsOrConfig, config, resolveMfConfig);
  }

  get dim(): number {
    return this.config.dim;
  }
  get isFitted(): boolean {
    return this.tables !== null;
  }
  /** How the model serves: α1/α2 of the gradient-perspective adjustment and their popular directions (all 0: the raw tables). */
  get serving(): Readonly<MfServing> {
    return { ...this.servingSettings };
  }
  /** Training interactions per item (the popularity the model was trained on). */
  get itemCounts(): Int32Array {
    return this.requireFitted().counts!;
  }
  get userFactors(): WasmF32Array {
    return this.requireTables().users;
  }
  get itemFactors(): WasmF32Array {
    return this.requireTables().items;
  }
  /** Each user's training items (CSR over users): what serving leaves out. */
  get trainingItems(): Csr {
    return this.requireFitted().seenCsr!;
  }

  /** Train on `train` (re-initialising any previous fit). */
  async fit(train: Interactions, options: FitOptions = {}): Promise<FitReport> {
    if (train.nUsers === 0 || train.nItems === 0 || train.nnz === 0) {
      throw new RangeError(`cannot fit on ${train.name ?? "the data"}: it has ${train.nUsers} users, ${train.nItems} items and ${train.nnz} interactions`);
    }
    await this.loadKernels();
    // Sizes that cannot fit are refused before anything is allocated (or the previous fit released);
    // distillation may add up to distillPositives items to each user's row.
    const added = Math.min(this.config.distillPositives, train.nItems);
    const rowLengths = Int32Array.from(train.userCounts(), (c) => (c > 0 ? c + added : 0));
    checkMfTraining(
      this.config,
      { users: train.nUsers, items: train.nItems, interactions: rowLengths.reduce((a, b) => a + b, 0), longestRows: longestRowsOf(rowLengths) },
      {
        threads: this.kernels.threads.count,
        ...(options.validation && { validationK: options.validationK ?? DEFAULT_K }),
      },
    );
    const started = performance.now();
    const distilled =
      this.config.distillPositives > 0
        ? distillGraphFilter(this.kernels, train, { positives: this.config.distillPositives, rank: this.config.distillRank }, (done, total) => {
            // Cancelling while the teacher ranks leaves the model as it was (nothing is released yet).
            if (options.signal?.aborted) throw new TrainingAbortedError(1);
            options.onProgress?.({ phase: "distill", epoch: 0, epochs: this.config.epochs, done, total, loss: 0, examplesPerSecond: 0 });
          })
        : null;
    this.release();
    const e = this.kernels.wasm;
    const d = this.config.dim;
    this.userMap = train.users;
    this.itemMap = train.items;
    this.seenCsr = train.byUser;
    this.counts = train.itemCounts();
    const users = e.f32(train.nUsers * d);
    const items = e.f32(train.nItems * d);
    this.tables = { users, items };
    const rng = new Rng(this.config.seed);
    fillNormal(users.view, rng, this.config.initStd);
    fillNormal(items.view, rng, this.config.initStd);
    if (this.config.normalize !== "none") this.kernels.l2NormalizeRows(users, train.nUsers, d);
    if (this.config.normalize === "both") this.kernels.l2NormalizeRows(items, train.nItems, d);
    const report = await fitMatrixFactorization(this, distilled?.train ?? train, rng, options, train);
    this.invalidatePacked();
    if (!distilled) return report;
    return { ...report, seconds: (performance.now() - started) / 1000, distillation: distilled.summary };
  }

  /** Called by fit when it recorded Algorithm 1's accumulated gradients; serving uses them from then on. */
  setGradientDirections(directions: PopularDirections): void {
    const d = this.config.dim;
    if (directions.users.length !== d || directions.items.length !== d) throw new RangeError(`popular directions must have ${d} values each`);
    this.gradientDirections = { users: directions.users.slice(), items: directions.items.slice() };
    this.invalidatePacked();
  }

  /**
   * The popular directions P̄ and Q̄ of the gradient-perspective adjustment, from the given source
   * (default: the configured one): "gradients" needs a gradientAdjustment fit (null otherwise);
   * "head-mean" is computed from the tables and the training counts (any fitted model).
   */
  popularDirections(source: PopularDirectionSource = this.servingSettings.popularDirection): PopularDirections | null {
    if (source === "gradients") return this.gradientDirections;
    if (!this.headDirections) {
      const { users, items } = this.requireTables();
      const indptr = this.seenCsr!.indptr;
      const activity = Int32Array.from({ length: this.nUsers }, (_, u) => indptr[u + 1] - indptr[u]);
      this.headDirections = headMeanDirections(users.view, items.view, this.dim, activity, this.counts!, this.servingSettings.popularHeadShare);
    }
    return this.headDirections;
  }

  /**
   * Serve with Eq. 15-16: items lose α1 (alphaItems) and users α2 (alphaUsers) times their
   * component along the popular directions of `source` (default: the current one). α = 0 on
   * both serves the raw tables. The choice is the model's `serving`, saved with it; training is
   * not repeated. `headShare` sets the head of "head-mean" directions (default 0.8).
   */
  setPopularityAdjustment(adjustment: { alphaItems: number; alphaUsers: number; source?: PopularDirectionSource; headShare?: number }): void {
    const checked = resolveMfServing({
      ...this.servingSettings,
      alphaItems: adjustment.alphaItems,
      alphaUsers: adjustment.alphaUsers,
      popularDirection: adjustment.source ?? this.servingSettings.popularDirection,
      popularHeadShare: adjustment.headShare ?? this.servingSettings.popularHeadShare,
    });
    const previous = this.servingSettings;
    this.servingSettings = checked;
    // Head-mean directions depend on the head share: recomputed from the tables when it changes.
    if (checked.popularHeadShare !== previous.popularHeadShare) this.headDirections = null;
    if (!projectsNothing(checked) && !this.popularDirections(checked.popularDirection)) {
      this.servingSettings = previous;
      throw new Error(
        `popular directions from "${checked.popularDirection}" are not available: they are recorded by training with gradientAdjustment (--gradient-adjust); use source "head-mean" for this model`,
      );
    }
    this.invalidatePacked();
  }

  /**
   * TTEN (test-time embedding normalisation, arXiv 2308.11288): with `true`, serving ranks on
   * unit-norm item vectors (after any popularity projection), score(u, i) = P_u·Q_i/‖Q_i‖; no
   * retraining. Saved with the model like the other serving settings.
   */
  setItemNormalization(enabled: boolean): void {
    this.servingSettings = resolveMfServing({ ...this.servingSettings, normalizeItems: enabled });
    this.invalidatePacked();
  }

  scoreUsers(users: WasmI32Array, n: number, out: WasmF32Array): void {
    const { users: P } = this.requireTables();
    const d = this.config.dim;
    const block = this.kernels.wasm.f32(n * d);
    try {
      this.kernels.gatherRows(P, d, users, n, block);
      this.scoreUserVectors(block, n, out);
    } finally {
      block.free();
    }
  }

  rankUsers(
    users: WasmI32Array,
    n: number,
    k: number,
    excl: { offsets: WasmI32Array; indices: WasmI32Array },
    outIndices: WasmI32Array,
    outScores: WasmF32Array,
    colBias: { values: WasmF32Array; scale: number } | null = null,
  ): void {
    const { users: P } = this.requireTables();
    const d = this.config.dim;
    const block = this.kernels.wasm.f32(n * d);
    try {
      this.kernels.gatherRows(P, d, users, n, block);
      const directions = this.servingDirections();
      if (directions) projectPopularity(this.kernels, block, n, d, directions.users, this.servingSettings.alphaUsers);
      this.kernels.scoreTopK(block, n, d, this.packedItems(), this.nItems, colBias?.values ?? null, k, excl, outIndices, outScores, colBias?.scale ?? 1);
    } finally {
      block.free();
    }
  }

  /**
   * Copies of the user and item tables as serving uses them (after the gradient-perspective
   * projection when α1, α2 ≠ 0), in wasm memory the caller frees: users[u]·items[i] is the score
   * scoreUsers gives. Inverse retrieval and the WebGPU path read these.
   */
  servedTables(): { users: WasmF32Array; items: WasmF32Array } {
    const { users, items } = this.requireTables();
    const e = this.kernels.wasm,
      d = this.dim;
    const servedUsers = e.f32Copy(users);
    let servedItems: WasmF32Array | null = null;
    try {
      servedItems = this.servedItemCopy() ?? e.f32Copy(items);
      const directions = this.servingDirections();
      if (directions) projectPopularity(this.kernels, servedUsers, this.nUsers, d, directions.users, this.servingSettings.alphaUsers);
      return { users: servedUsers, items: servedItems };
    } catch (err) {
      freeAll(servedUsers, servedItems);
      throw err;
    }
  }

  /** Scores of n user vectors (rows of `block`, projected in place like any user's) against the serving item table (fold-in's vectors too). */
  scoreUserVectors(block: WasmF32Array, n: number, out: WasmF32Array): void {
    const d = this.config.dim;
    const directions = this.servingDirections();
    if (directions) projectPopularity(this.kernels, block, n, d, directions.users, this.servingSettings.alphaUsers);
    this.kernels.scorePacked(block, n, d, this.packedItems(), this.nItems, out, this.nItems);
  }

  /**
   * Top-k items for a user (external id or index), excluding the user's training items unless told
   * otherwise; popularityPenalty β > 0 re-ranks on score − β·log(1 + count) (see PopularityReranker).
   * `quantized` ranks through int8 codes of the items (kept after the first such call): the
   * refineFactor·k best by the codes (default 4k) are re-scored exactly and the exact top-k of
   * those returned, with exact scores (docs/scale.md, "Large catalogs: int8 items").
   */
  recommend(
    user: string | number,
    k = 10,
    options: { excludeSeen?: boolean; popularityPenalty?: number; quantized?: boolean | { refineFactor?: number } } = {},
  ): Recommendation {
    if (!Number.isInteger(k) || k <= 0) throw new RangeError(`k must be a positive integer, got ${k}`);
    const u = this.userIndex(user);
    const seen = options.excludeSeen === false ? null : this.seenCsr;
    const excluded = seen ? seen.indices.subarray(seen.indptr[u], seen.indptr[u + 1]) : null;
    if (options.quantized)
      return this.quantizedTopK(u, k, excluded, options.popularityPenalty, options.quantized === true ? undefined : options.quantized.refineFactor);
    return this.topKForRow(this, u, k, excluded, options.popularityPenalty);
  }

  /** recommend() through the int8 item codes: the user's row (projected like any served user's) against the codes, then the exact pass. */
  private quantizedTopK(
    u: number,
    k: number,
    excluded: Int32Array | null,
    popularityPenalty: number | undefined,
    refineFactor: number | undefined,
  ): Recommendation {
    const beta = popularityPenalty ?? 0;
    if (!(Number.isFinite(beta) && beta >= 0))
      throw new RangeError(`the popularity penalty β must be a non-negative number (e.g. 0.05), got ${popularityPenalty}`);
    const { users: P, items } = this.requireTables();
    if (!this.quantizedItems) {
      const served = this.servedItemCopy();
      try {
        this.quantizedItems = QuantizedItemTable.fromItems(this.kernels, served ?? items, this.nItems, this.dim, { exactRows: served ? "copy" : "shared" });
      } finally {
        served?.free();
      }
    }
    const e = this.kernels.wasm,
      d = this.dim,
      kk = Math.min(k, this.nItems);
    const owned: Array<WasmF32Array | WasmI32Array> = [];
    const own = <T extends WasmF32Array | WasmI32Array>(a: T): T => (owned.push(a), a);
    try {
      const block = own(e.f32(d));
      const excl = excluded ? { offsets: own(e.i32From([0, excluded.length])), indices: own(e.i32From(excluded.length > 0 ? excluded : [0])) } : null;
      const logCounts = beta > 0 ? own(e.f32From(Array.from(this.counts!, (c) => Math.log1p(c)))) : null;
      const topIdx = own(e.i32(kk)),
        topScore = own(e.f32(kk));
      block.view.set(P.view.subarray(u * d, u * d + d));
      const directions = this.servingDirections();
      if (directions) projectPopularity(this.kernels, block, 1, d, directions.users, this.servingSettings.alphaUsers);
      this.quantizedItems.topK(block, 1, kk, excl, topIdx, topScore, { refineFactor, colBias: logCounts && { values: logCounts, scale: -beta } });
      const idx = topIdx.view.slice(),
        sc = topScore.view.slice();
      const n = idx.indexOf(-1) < 0 ? idx.length : idx.indexOf(-1);
      return { indices: idx.subarray(0, n), scores: sc.subarray(0, n), items: Array.from(idx.subarray(0, n), (i) => this.itemMap.id(i)) };
    } finally {
      freeAll(...owned);
    }
  }

  /**
   * The k items most similar to an item (external id or index), best first: cosine similarity of
   * the item factor table's rows as serving uses them (after the popularity projection when the
   * model serves with α1 ≠ 0; the raw factors otherwise). The item itself never appears, so k is
   * capped at nItems − 1; an all-zero item vector has cosine 0 with every item.
   */
  similarItems(item: string | number, k = 10): Recommendation {
    if (!Number.isInteger(k) || k <= 0) throw new RangeError(`k must be a positive integer, got ${k}`);
    const i = this.itemIndex(item);
    if (!this.unitItems) {
      const { items } = this.requireTables();
      const table = this.kernels.wasm.f32Copy(items);
      try {
        const directions = this.servingDirections();
        if (directions && this.servingSettings.alphaItems !== 0)
          projectPopularity(this.kernels, table, this.nItems, this.dim, directions.items, this.servingSettings.alphaItems);
        this.unitItems = new UnitItemTable(this.kernels, table, this.nItems, this.dim);
      } catch (err) {
        table.free();
        throw err;
      }
    }
    return this.unitItems.similarTo(i, k, this.itemMap);
  }

  /**
   * Top-k for a watch history the model never saw (item indices, e.g. a watchlist), by fold-in: the
   * user vector is the regularised least-squares fit of target 1 on the history's items
   * (see fold-in.ts; λ = `regularization`, default DEFAULT_FOLD_IN_REGULARIZATION), served like a
   * trained user's (any popularity projection included). The history's items never appear;
   * popularityPenalty β re-ranks as in recommend().
   */
  recommendForHistory(history: Int32Array, k: number, options: { popularityPenalty?: number; regularization?: number } = {}): Recommendation {
    if (!Number.isInteger(k) || k <= 0) throw new RangeError(`k must be a positive integer, got ${k}`);
    const distinct = this.historyItems(history);
    const { items } = this.requireTables();
    const folded = Float32Array.from(foldInUser(items.view, this.dim, distinct, options.regularization ?? DEFAULT_FOLD_IN_REGULARIZATION));
    const scorer: UserBlockScorer = {
      kernels: this.kernels,
      nUsers: 1,
      nItems: this.nItems,
      scoreUsers: (_users, n, out) => {
        const block = this.kernels.wasm.f32From(folded);
        try {
          this.scoreUserVectors(block, n, out);
        } finally {
          block.free();
        }
      },
    };
    return this.topKForRow(scorer, 0, k, distinct, options.popularityPenalty);
  }

  /** The distinct item indices of a history, sorted; every index must be an item of the model. */
  private historyItems(history: Int32Array): Int32Array {
    if (history.length === 0) throw new RangeError("the history is empty: give at least one item");
    for (const i of history) {
      if (!(Number.isInteger(i) && i >= 0 && i < this.nItems)) throw new UnknownIdError(`item index ${i} of the history is outside [0, ${this.nItems})`);
    }
    return Int32Array.from(new Set(history)).sort();
  }

  /** Top-k of one row of `scorer` (row `u`), leaving out `excluded` items, optionally re-ranked by popularity. */
  private topKForRow(scorer: UserBlockScorer, u: number, k: number, excluded: Int32Array | null, popularityPenalty: number | undefined): Recommendation {
    const e = this.kernels.wasm;
    const m = this.nItems;
    const kk = Math.min(k, m);
    const users = e.i32From([u]);
    const scores = e.f32(m);
    const topIdx = e.i32(kk);
    const topScore = e.f32(kk);
    let exclOffsets: WasmI32Array | null = null;
    let exclIndices: WasmI32Array | null = null;
    const reranker = popularityPenalty !== undefined ? new PopularityReranker(scorer, this.itemCounts, popularityPenalty) : null;
    try {
      (reranker ?? scorer).scoreUsers(users, 1, scores);
      if (excluded) {
        exclOffsets = e.i32From([0, excluded.length]);
        exclIndices = e.i32From(excluded.length > 0 ? excluded : [0]);
      }
      this.kernels.topkRows(scores, 1, m, m, kk, exclOffsets && exclIndices ? { offsets: exclOffsets, indices: exclIndices } : null, topIdx, topScore);
      const idx = topIdx.view.slice();
      const sc = topScore.view.slice();
      let n = idx.indexOf(-1);
      if (n < 0) n = idx.length;
      return {
        indices: idx.subarray(0, n),
        scores: sc.subarray(0, n),
        items: Array.from(idx.subarray(0, n), (i) => this.itemMap.id(i)),
      };
    } finally {
      freeAll(users, scores, topIdx, topScore, exclOffsets, exclIndices);
      reranker?.dispose();
    }
  }

  /** Full-ranking accuracy on held-out interactions (read with this model's id maps), optionally re-ranked by popularity. */
  evaluate(train: Interactions, test: Interactions, options: { k?: number; popularityPenalty?: number } = {}): EvaluationResult {
    this.requireFitted();
    return evaluateModel(this, train, test, options);
  }

  userIndex(user: string | number): number {
    if (typeof user === "number") {
      if (!Number.isInteger(user) || user < 0 || user >= this.nUsers) throw new UnknownIdError(`user index ${user} is outside [0, ${this.nUsers})`);
      return user;
    }
    const u = this.userMap.index(user);
    if (u === undefined) {
      const examples = this.userMap.ids().slice(0, 3).join(", ");
      throw new UnknownIdError(`user ${quoteFound(String(user))} is not in the model (it knows ${this.nUsers} users, e.g. ${examples})`);
    }
    return u;
  }

  itemIndex(item: string | number): number {
    if (typeof item === "number") {
      if (!Number.isInteger(item) || item < 0 || item >= this.nItems) throw new UnknownIdError(`item index ${item} is outside [0, ${this.nItems})`);
      return item;
    }
    const i = this.itemMap.index(item);
    if (i === undefined) {
      const examples = this.itemMap
        .ids()
        .slice(0, 3)
        .map((id) => quoteFound(id, 20))
        .join(", ");
      throw new UnknownIdError(`item ${quoteFound(String(item))} is not in the model (it knows ${this.nItems} items, e.g. ${examples})`);
    }
    return i;
  }

  /** The portable model file's contents (see docs/model-format.md). */
  toModelFile(metadata: Record<string, unknown> = {}): ModelFileContents {
    const { users, items } = this.requireTables();
    const d = this.config.dim;
    const seen = this.seenCsr!;
    const serving = servingChanges(this.servingSettings);
    return {
      kind: "mf",
      config: { ...this.config },
      // A plain model's file has no serving section (and stays readable by format-1 readers).
      ...(Object.keys(serving).length > 0 && { serving }),
      shapes: { nUsers: this.nUsers, nItems: this.nItems, dim: d },
      userIds: [...this.userMap.ids()],
      itemIds: [...this.itemMap.ids()],
      tables: {
        userFactors: { rows: this.nUsers, cols: d, data: users.view.slice() },
        itemFactors: { rows: this.nItems, cols: d, data: items.view.slice() },
        itemCounts: { rows: 1, cols: this.nItems, data: this.counts!.slice() },
        seenIndptr: { rows: 1, cols: seen.indptr.length, data: seen.indptr.slice() },
        seenIndices: { rows: 1, cols: seen.indices.length, data: seen.indices.slice() },
        ...(this.gradientDirections && {
          popularUserDirection: { rows: 1, cols: d, data: this.gradientDirections.users.slice() },
          popularItemDirection: { rows: 1, cols: d, data: this.gradientDirections.items.slice() },
        }),
      },
      metadata,
    };
  }

  static fromModelFile(kernels: Kernels, contents: ModelFileContents, fileName = "model"): MatrixFactorization {
    if (contents.kind !== "mf") {
      throw new ModelFileError(fileName, "shape-mismatch", `expected a matrix factorisation model (kind "mf"), got kind "${contents.kind}"`);
    }
    const { nUsers, nItems, dim } = contents.shapes;
    // Files written before the "serving" section kept the serving settings in the config.
    const { config: stored, serving: legacyServing } = splitServing(contents.config);
    const config = olderDefaults(stored);
    const model = fromFileConfig(fileName, () => new MatrixFactorization(kernels, config as Partial<MfConfig>));
    model.servingSettings = fromFileConfig(fileName, () => resolveMfServing({ ...legacyServing, ...(contents.serving as Partial<MfServing> | undefined) }));
    if (dim !== model.config.dim) throw new ModelFileError(fileName, "shape-mismatch", `shapes say dim ${dim} but the config says ${model.config.dim}`);
    const table = (name: string, rows: number, cols: number, dtype: "f32" | "i32") => requireTable(contents, name, { rows, cols, dtype }, fileName).data;
    const userFactors = table("userFactors", nUsers, dim, "f32");
    const itemFactors = table("itemFactors", nItems, dim, "f32");
    const counts = table("itemCounts", 1, nItems, "i32") as Int32Array;
    // Factors are finite and bounded (decodeModelFile); counts and the seen rows are checked here.
    checkCountsTable(contents.tables.itemCounts, "itemCounts", fileName);
    const { indptr, indices } = requireCsrTables(contents, "seenIndptr", "seenIndices", nUsers, nItems, "items", fileName);
    // Optional since the gradient-perspective adjustment: older files have neither table.
    if (contents.tables.popularUserDirection || contents.tables.popularItemDirection) {
      model.gradientDirections = {
        users: table("popularUserDirection", 1, dim, "f32") as Float32Array,
        items: table("popularItemDirection", 1, dim, "f32") as Float32Array,
      };
    }
    const { alphaItems, alphaUsers, popularDirection } = model.servingSettings;
    if ((alphaItems !== 0 || alphaUsers !== 0) && popularDirection === "gradients" && !model.gradientDirections) {
      throw new ModelFileError(
        fileName,
        "shape-mismatch",
        `the serving section serves with popular directions from "gradients" (alphaItems ${alphaItems}, alphaUsers ${alphaUsers}) but the tables "popularUserDirection"/"popularItemDirection" are missing; re-export the model`,
      );
    }
    model.userMap = IdMap.from(contents.userIds);
    model.itemMap = IdMap.from(contents.itemIds);
    const e = kernels.wasm;
    model.tables = { users: e.f32From(userFactors), items: e.f32From(itemFactors) };
    model.counts = counts;
    model.seenCsr = { indptr, indices };
    return model;
  }

  /** Free the wasm memory this model owns. */
  dispose(): void {
    this.release();
  }

  private packedItems(): WasmF32Array {
    if (!this.packed) {
      const { items } = this.requireTables();
      const k = this.kernels;
      const served = this.servedItemCopy();
      try {
        this.packed = k.wasm.f32(k.packedItemsLength(this.nItems, this.config.dim));
        k.packItems(served ?? items, this.nItems, this.config.dim, this.packed);
      } finally {
        served?.free();
      }
    }
    return this.packed;
  }

  /** The item table as serving ranks on it (projected along Q̄ when α1 ≠ 0, unit rows with TTEN), or null when that is the raw table. */
  private servedItemCopy(): WasmF32Array | null {
    const directions = this.servingDirections();
    const projects = directions !== null && this.servingSettings.alphaItems !== 0;
    if (!projects && !this.servingSettings.normalizeItems) return null;
    const k = this.kernels;
    const table = k.wasm.f32Copy(this.requireTables().items);
    try {
      if (projects) projectPopularity(k, table, this.nItems, this.dim, directions!.items, this.servingSettings.alphaItems);
      if (this.servingSettings.normalizeItems) k.l2NormalizeRows(table, this.nItems, this.dim);
      return table;
    } catch (err) {
      table.free();
      throw err;
    }
  }

  /** The directions serving projects on, or null when it serves the raw tables (α1 = α2 = 0 or none recorded yet). */
  private servingDirections(): PopularDirections | null {
    if (projectsNothing(this.servingSettings)) return null;
    return this.popularDirections();
  }

  /** Call after changing the item table in place (training, post-hoc adjustments). */
  invalidatePacked(): void {
    this.packed?.free();
    this.packed = null;
    this.unitItems?.free();
    this.unitItems = null;
    this.quantizedItems?.free();
    this.quantizedItems = null;
    this.headDirections = null;
  }

  private release(): void {
    this.invalidatePacked();
    this.gradientDirections = null;
    if (this.tables) freeAll(this.tables.users, this.tables.items);
    this.tables = null;
  }

  private requireTables(): { users: WasmF32Array; items: WasmF32Array } {
    if (!this.tables) throw new Error("the model is not trained yet: call fit() or load a model file first");
    return this.tables;
  }

  private requireFitted(): this {
    this.requireTables();
    return this;
  }
}

function fillNormal(a: Float32Array, rng: Rng, std: number): void {
  for (let i = 0; i < a.length; i++) a[i] = rng.normal() * std;
}

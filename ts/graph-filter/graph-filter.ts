import type { Interactions } from "../data/interactions.js";
import type { UserBlockScorer } from "../eval/scorer.js";
import type { Kernels } from "../kernels/kernels.js";
import { SizeLimitError, formatBytes, memoryLimits } from "../kernels/memory-limits.js";
import type { WasmF32Array, WasmI32Array } from "../kernels/wasm-instance.js";
import { Rng } from "../util/rng.js";
import { ItemGraph } from "./item-graph.js";
import { OVERSAMPLING, topEigenvectors } from "./top-eigenvectors.js";
import { definedOnly } from "../util/defined-only.js";

export interface GraphFilterOptions {
  /** Leading eigenvectors of the item graph the ideal low-pass filter keeps (default 448; capped at the data's size). */
  readonly rank?: number;
  /** α: the weight of the ideal low-pass filter beside the linear one (default 0.3). */
  readonly lowPassWeight?: number;
  /** β of the sharpening step s ← s − β·s·P̃ (default 0.6; 0 is GF-CF as published). */
  readonly sharpening?: number;
  /** Subspace iterations for the eigenvectors (default 4). */
  readonly iterations?: number;
  /** Seed of the subspace iteration's random start (default 1). */
  readonly seed?: number;
}

export const GRAPH_FILTER_DEFAULTS = { rank: 448, lowPassWeight: 0.3, sharpening: 0.6, iterations: 4, seed: 1 } as const;

/** Every setting of a built filter, the rank as capped by the data. */
export type ResolvedGraphFilter = Required<GraphFilterOptions>;

/** Users scored per pass when a caller hands a larger block. */
const MAX_BLOCK_USERS = 256;
/** Bytes of one item-major (or user-major) work buffer at most: large catalogs score fewer users per pass. */
const BLOCK_BUFFER_BYTES = 64 * 2 ** 20;

/** Users per scoring pass for a part of this shape: up to 256, fewer where a buffer would pass 64 MiB. */
function blockUsers(nUsers: number, nItems: number): number {
  return Math.max(1, Math.min(MAX_BLOCK_USERS, Math.floor(BLOCK_BUFFER_BYTES / (4 * Math.max(nUsers, nItems, 1)))));
}

/**
 * A closed-form recommender: graph filtering of each user's interactions over the normalised item
 * graph P̃ = R̃ᵀR̃ (R̃ = D_U^{-1/2} R D_I^{-1/2}), as in GF-CF (Shen et al., CIKM 2021), followed by
 * one sharpening step as in BSPM (Choi et al., SIGIR 2023):
 *
 *   s = r·P̃ + α·r·D_I^{-1/2}·V̄V̄ᵀ·D_I^{1/2},   then   s ← s − β·s·P̃
 *
 * where r is the user's 0/1 row of R and V̄ the `rank` leading eigenvectors of P̃. Nothing is
 * trained: {@link fit} normalises the data and computes V̄; every score is a few sparse and dense
 * passes in the wasm kernels. Scores need the user's training row, so only users of the training
 * part are scored.
 */
export class GraphFilter implements UserBlockScorer {
  readonly nUsers: number;
  readonly nItems: number;
  /** Every setting it was built with, the rank as capped by the data. */
  readonly settings: ResolvedGraphFilter;
  private readonly history: { readonly indptr: Int32Array; readonly indices: Int32Array };
  private block: {
    users: number;
    xUsers: WasmF32Array;
    scores: WasmF32Array;
    low: WasmF32Array;
    offsets: WasmI32Array;
    items: WasmI32Array;
    weights: WasmF32Array;
  } | null = null;
  private disposed = false;

  private constructor(
    readonly kernels: Kernels,
    private readonly graph: ItemGraph,
    /** D_I^{1/2}·V̄, nItems × rank: the low-pass filter's item side. */
    private readonly itemBasis: WasmF32Array,
    train: Interactions,
    settings: ResolvedGraphFilter,
  ) {
    this.nUsers = train.nUsers;
    this.nItems = train.nItems;
    this.settings = settings;
    this.history = train.byUser;
  }

  get rank(): number {
    return this.settings.rank;
  }

  /** Each item's training count: the popularity its scores are measured against. */
  get itemCounts(): Int32Array {
    return this.graph.itemDegrees;
  }

  /** Builds the filter for a training part: the normalised graph and its leading eigenvectors. */
  static fit(kernels: Kernels, train: Interactions, options: GraphFilterOptions = {}): GraphFilter {
    const o = { ...GRAPH_FILTER_DEFAULTS, ...definedOnly(options) };
    checkOptions(o);
    const rank = Math.min(o.rank, train.nItems, train.nUsers);
    checkGraphFilterSize({ users: train.nUsers, items: train.nItems, interactions: train.nnz }, rank);
    const graph = new ItemGraph(kernels, train);
    let basis: WasmF32Array | null = null;
    try {
      basis = rank > 0 ? topEigenvectors(graph, rank, o.iterations, new Rng(o.seed)) : kernels.wasm.f32(0);
      // D_I^{1/2}·V̄: the user side then weighs each history item by 1/d_i (D_I^{-1/2}·V̄ = D_I^{-1}·(D_I^{1/2}·V̄)).
      const view = basis.view;
      for (let i = 0; i < train.nItems; i++) {
        const s = Math.sqrt(graph.itemDegrees[i]!);
        for (let j = 0; j < rank; j++) view[i * rank + j]! *= s;
      }
      return new GraphFilter(kernels, graph, basis, train, { ...o, rank });
    } catch (error) {
      basis?.free();
      graph.dispose();
      throw error;
    }
  }

  /** out[r·nItems + i] = the filtered score of item i for users[r] (training items included; rankers exclude them). */
  scoreUsers(users: WasmI32Array, n: number, out: WasmF32Array): void {
    if (this.disposed) throw new Error("this GraphFilter was disposed");
    if (!Number.isInteger(n) || n < 0 || n > users.length) throw new RangeError(`scoreUsers: n = ${n} for ${users.length} users`);
    if (out.length < n * this.nItems) throw new RangeError(`scoreUsers: out holds ${out.length} floats, ${n} users need ${n * this.nItems}`);
    // A copy: the kernels below may grow the memory, which replaces every view taken before.
    const ids = users.view.slice(0, n);
    const step = blockUsers(this.nUsers, this.nItems);
    for (let start = 0; start < n; start += step) this.scoreBlock(ids.subarray(start, start + step), out, start * this.nItems);
  }

  /** Scores `users` into out from float `at` on (user-major). */
  private scoreBlock(users: Int32Array, out: WasmF32Array, at: number): void {
    const n = users.length;
    const { nItems, rank, graph, kernels } = this;
    const b = this.blockBuffers(n, users);
    // The linear filter r·P̃ = (R̃ᵀ(R̃ rᵀ))ᵀ, item-major (nItems × n) so each sparse pass reads whole rows.
    // R̃·rᵀ only touches the users who share an item with r: summed from the item → user lists.
    const xu = b.xUsers.view.subarray(0, this.nUsers * n);
    xu.fill(0);
    const byItem = graph.itemUsers();
    for (let c = 0; c < n; c++) {
      const u = users[c]!;
      for (let k = this.history.indptr[u]!; k < this.history.indptr[u + 1]!; k++) {
        const i = this.history.indices[k]!;
        for (let e = byItem.indptr[i]!; e < byItem.indptr[i + 1]!; e++) xu[byItem.indices[e]! * n + c]! += byItem.values[e]!;
      }
    }
    graph.items(b.xUsers, n, b.scores);
    if (rank > 0 && this.settings.lowPassWeight !== 0) {
      // α·r·D^{-1/2}V̄ (n × rank) from the history lists, then + (D^{1/2}V̄)·that ᵀ into the scores.
      kernels.sumRows(this.itemBasis, rank, b.offsets, b.items, b.weights, n, b.low);
      kernels.gemmNT(this.itemBasis, b.low, b.scores, nItems, n, rank, true);
    }
    if (this.settings.sharpening !== 0) {
      graph.users(b.scores, n, b.xUsers);
      graph.items(b.xUsers, n, b.scores, { scale: -this.settings.sharpening, accumulate: true });
    }
    // Back to user-major.
    kernels.transpose(b.scores, nItems, n, out, at);
  }

  /** The item-major work buffers for n users (grown when a larger block comes) and the block's history lists. */
  private blockBuffers(n: number, users: Int32Array) {
    const e = this.kernels.wasm;
    if (!this.block || this.block.users < n) {
      this.freeBlock();
      const owned: Array<{ free(): void }> = [];
      try {
        const f = (len: number) => {
          const a = e.f32(len);
          owned.push(a);
          return a;
        };
        const i = (len: number) => {
          const a = e.i32(len);
          owned.push(a);
          return a;
        };
        this.block = {
          users: n,
          xUsers: f(this.nUsers * n),
          scores: f(this.nItems * n),
          low: f(n * this.rank),
          offsets: i(n + 1),
          items: i(1),
          weights: f(1),
        };
      } catch (error) {
        for (const a of owned) a.free();
        throw error;
      }
    }
    const b = this.block!;
    const { indptr, indices } = this.history;
    let total = 0;
    for (const u of users) {
      if (!(u >= 0 && u < this.nUsers)) throw new RangeError(`scoreUsers: user ${u} is outside [0, ${this.nUsers})`);
      total += indptr[u + 1]! - indptr[u]!;
    }
    if (b.items.length < total) {
      b.items.free();
      b.weights.free();
      b.items = e.i32(total);
      b.weights = e.f32(total);
    }
    const offsets = b.offsets.view;
    const items = b.items.view;
    const weights = b.weights.view;
    const alpha = this.settings.lowPassWeight;
    let k = 0;
    offsets[0] = 0;
    users.forEach((u, c) => {
      for (let p = indptr[u]!; p < indptr[u + 1]!; p++) {
        const i = indices[p]!;
        items[k] = i;
        weights[k++] = alpha / this.graph.itemDegrees[i]!;
      }
      offsets[c + 1] = k;
    });
    return b;
  }

  private freeBlock(): void {
    if (!this.block) return;
    for (const a of [this.block.xUsers, this.block.scores, this.block.low, this.block.offsets, this.block.items, this.block.weights]) a.free();
    this.block = null;
  }

  /** Frees the graph, the eigenvectors and the work buffers. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.freeBlock();
    this.itemBasis.free();
    this.graph.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

function checkOptions(o: Required<GraphFilterOptions>): void {
  const rule = (ok: boolean, name: string, what: string, value: number) => {
    if (!ok) throw new RangeError(`GraphFilter: ${name} must be ${what}, got ${value}`);
  };
  rule(Number.isInteger(o.rank) && o.rank >= 0, "rank", "a non-negative integer", o.rank);
  rule(Number.isFinite(o.lowPassWeight), "lowPassWeight", "a finite number", o.lowPassWeight);
  rule(Number.isFinite(o.sharpening), "sharpening", "a finite number", o.sharpening);
  rule(Number.isInteger(o.iterations) && o.iterations >= 0 && o.iterations <= 100, "iterations", "an integer in 0..100", o.iterations);
  rule(Number.isInteger(o.seed), "seed", "an integer", o.seed);
}

/**
 * Refuses, before anything is allocated, a rank whose blocks cannot fit the kernels' memory
 * (the rank capped at the data, as fit() caps it). `setting` names the knob in the error: "rank",
 * or the option of a caller that builds a filter (distillation's teacher rank).
 */
export function checkGraphFilterSize(
  shape: { readonly users: number; readonly items: number; readonly interactions: number },
  requestedRank: number,
  setting = "rank",
  remedy = "lower the rank",
): void {
  const rank = Math.min(requestedRank, shape.items, shape.users);
  const width = Math.min(rank + OVERSAMPLING, shape.items, Math.max(shape.users, 1));
  const limits = memoryLimits();
  const block = blockUsers(shape.users, shape.items);
  const largest = Math.max(shape.items * width, shape.users * width, shape.users * block, shape.items * block) * 4;
  const graphBytes = ItemGraph.wasmBytes(shape.users, shape.items, shape.interactions);
  const fitBytes = graphBytes + 4 * (3 * shape.items * width + shape.users * width + shape.items * rank);
  const serveBytes = graphBytes + 4 * (shape.items * rank + (shape.users + shape.items) * block);
  const needed = Math.max(fitBytes, serveBytes);
  if (largest > limits.wasmBufferBytes || needed > limits.wasmBytes) {
    throw new SizeLimitError(
      `GraphFilter: rank ${rank} over ${shape.items} items and ${shape.users} users needs ${formatBytes(needed)} of wasm memory ` +
        `(largest block ${formatBytes(largest)}), more than the kernels can hold (${formatBytes(limits.wasmBytes)}, blocks up to ${formatBytes(limits.wasmBufferBytes)}): ${remedy}`,
      setting,
      needed,
      limits.wasmBytes,
    );
  }
}

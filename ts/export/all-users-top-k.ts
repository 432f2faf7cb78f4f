/**
 * Every user's top K, training items left out, block by block through the engine's block ranking:
 * matrix factorisation ranks a block of users in one fused scoring-and-top-k call (no score
 * matrix), two-tower scores a block against the catalog and takes each row's top K; both split
 * the block's rows across the kernels' threads. Popularity-penalty re-ranking rides along as the
 * re-ranker's column bias. Blocks are handed out as they are ranked, so every user of a large
 * model can be written out in bounded memory.
 */
import type { Csr } from "../data/csr.js";
import { loadCsrBlock } from "../eval/exclusions.js";
import type { UserBlockScorer } from "../eval/scorer.js";
import { freeAll, type WasmF32Array } from "../kernels/wasm-instance.js";
import { PopularityReranker } from "../model/popularity-rerank.js";
import type { ExportableModel } from "./served-vectors.js";

export interface TopKBlock {
  /** Index of the block's first user (users first .. first + users − 1, in the model's order). */
  readonly first: number;
  readonly users: number;
  /** Length of each list: min(k, nItems). */
  readonly k: number;
  /** users × k item indices, best first; -1 pads a list with fewer candidates. */
  readonly indices: Int32Array;
  /** The scores of `indices` (re-ranked scores with a popularity penalty); -Infinity where padded. */
  readonly scores: Float32Array;
}

export interface AllUsersTopKOptions {
  /** Re-rank on score − β·log(1 + count) (PopularityReranker). */
  popularityPenalty?: number;
  /** Leave each user's training items out (default true). */
  excludeSeen?: boolean;
  /** Users per block (default 4,096 for matrix factorisation; for two-tower, as many as about 32 MB of scores hold). */
  blockUsers?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface AllUsersTopK {
  readonly k: number;
  /** nUsers × k item indices, best first, -1 where padded. */
  readonly indices: Int32Array;
  readonly scores: Float32Array;
}

/** Users per fused call: only their lists and exclusions are held. */
const FUSED_BLOCK_USERS = 4096;

/** Every user's top k as blocks, in user order; the wasm memory is freed when the iteration ends (or is stopped). */
export function* topKBlocks(model: ExportableModel, k: number, options: AllUsersTopKOptions = {}): Generator<TopKBlock> {
  if (!Number.isInteger(k) || k <= 0) throw new RangeError(`k must be a positive integer, got ${k}`);
  const kernels = model.kernels,
    engine = kernels.wasm;
  const nUsers = model.nUsers,
    m = model.nItems;
  const kk = Math.min(k, m);
  const seen: Csr = options.excludeSeen === false ? { indptr: new Int32Array(nUsers + 1), indices: new Int32Array(0) } : model.trainingItems;
  const reranker = options.popularityPenalty !== undefined ? new PopularityReranker(model, model.itemCounts, options.popularityPenalty) : null;
  const scorer: UserBlockScorer = reranker ?? model;
  const fused = scorer.rankUsers !== undefined;
  const block = Math.max(1, Math.min(options.blockUsers ?? (fused ? FUSED_BLOCK_USERS : scoreBlock(m)), nUsers || 1));
  let scores: WasmF32Array | null = null;
  const blockUsers = engine.i32(block);
  const exclOffsets = engine.i32(block + 1);
  const exclIndices = engine.i32(Math.max(1, mostPerBlock(seen, nUsers, block)));
  const topIdx = engine.i32(block * kk);
  const topScore = engine.f32(block * kk);
  try {
    if (!fused) scores = engine.f32(block * m);
    for (let first = 0; first < nUsers; first += block) {
      const n = Math.min(block, nUsers - first);
      loadCsrBlock(seen, nUsers, rangeRows(first, n), 0, n, blockUsers, exclOffsets, exclIndices);
      const excl = { offsets: exclOffsets, indices: exclIndices };
      if (fused) scorer.rankUsers!(blockUsers, n, kk, excl, topIdx, topScore);
      else {
        scorer.scoreUsers(blockUsers, n, scores!);
        kernels.topkRows(scores!, n, m, m, kk, excl, topIdx, topScore);
      }
      yield { first, users: n, k: kk, indices: topIdx.view.slice(0, n * kk), scores: topScore.view.slice(0, n * kk) };
      options.onProgress?.(first + n, nUsers);
    }
  } finally {
    freeAll(scores, blockUsers, exclOffsets, exclIndices, topIdx, topScore);
    reranker?.dispose();
  }
}

/** Every user's top k in one pair of arrays (for a model whose lists fit in memory; stream topKBlocks otherwise). */
export function rankAllUsers(model: ExportableModel, k: number, options: AllUsersTopKOptions = {}): AllUsersTopK {
  const kk = Math.min(k, model.nItems);
  const indices = new Int32Array(model.nUsers * kk);
  const scores = new Float32Array(model.nUsers * kk);
  for (const b of topKBlocks(model, k, options)) {
    indices.set(b.indices, b.first * kk);
    scores.set(b.scores, b.first * kk);
  }
  return { k: kk, indices, scores };
}

function rangeRows(first: number, n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, r) => first + r);
}

/** The most exclusion entries one block of consecutive users needs. */
function mostPerBlock(seen: Csr, nUsers: number, block: number): number {
  let most = 0;
  for (let first = 0; first < nUsers; first += block) most = Math.max(most, seen.indptr[Math.min(nUsers, first + block)]! - seen.indptr[first]!);
  return most;
}

/** About 32 MB of scores per block, between 16 and 512 users (as evaluation's blocks). */
function scoreBlock(m: number): number {
  return Math.max(16, Math.min(512, Math.floor((8 << 20) / Math.max(1, m))));
}

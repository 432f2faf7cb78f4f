import type { Interactions } from "../data/interactions.js";
import { freeAll, type WasmF32Array, type WasmI32Array } from "../kernels/wasm-instance.js";
import { loadUserBlock, maxRowLength } from "./exclusions.js";
import type { UserBlockScorer } from "./scorer.js";

/** One block of ranked users as a visitor sees it; the arrays are reused by the next block. */
export interface RankedBlock {
  /** Position of the block's first user in the users list. */
  start: number;
  /** Users in the block. */
  n: number;
  /** Length of each top list: min(k, catalog size). */
  kk: number;
  /** topIndices[r*kk .. r*kk+kk): user start + r's best items, best first, -1 where fewer remain. */
  topIndices: WasmI32Array;
  /** The block's scores (n rows of the catalog size), training items set to -Infinity. */
  scores: WasmF32Array;
}

/**
 * Full ranking in blocks: each block of users is scored against the whole catalog with the blocked
 * kernels, the users' training items are excluded, and the top-k lists are handed to `visit`
 * together with the score rows still in wasm memory (full ranks can be counted on them). The
 * "rank the lists" half of evaluation; what is measured on the lists is the visitor's.
 */
export function forEachRankedBlock(
  scorer: UserBlockScorer,
  train: Interactions,
  users: Int32Array,
  k: number,
  options: { blockUsers?: number; onProgress?: (done: number, total: number) => void },
  visit: (block: RankedBlock) => void,
): void {
  const kernels = scorer.kernels;
  const m = scorer.nItems;
  const block = Math.max(1, Math.min(options.blockUsers ?? defaultBlock(m), users.length || 1));
  const kk = Math.min(k, Math.max(1, m));
  const scores = kernels.wasm.f32(block * m);
  const topIdx = kernels.wasm.i32(block * kk);
  const topScore = kernels.wasm.f32(block * kk);
  try {
    forEachUserBlock(scorer, train, users, block, block * maxRowLength(train), options.onProgress, (start, n, blockUsers, excl) => {
      scorer.scoreUsers(blockUsers, n, scores);
      kernels.topkRows(scores, n, m, m, kk, excl, topIdx, topScore);
      visit({ start, n, kk, topIndices: topIdx, scores });
    });
  } finally {
    freeAll(scores, topIdx, topScore);
  }
}

/**
 * Blocks of `block` users in order: each block's user indices and their training items as the
 * CSR exclusion the ranking kernels take (`exclusions`: entries it may need at most), then
 * `body`, then progress. The arrays are reused by the next block and freed at the end.
 */
function forEachUserBlock(
  scorer: UserBlockScorer,
  train: Interactions,
  users: Int32Array,
  block: number,
  exclusions: number,
  onProgress: ((done: number, total: number) => void) | undefined,
  body: (start: number, n: number, blockUsers: WasmI32Array, excl: { offsets: WasmI32Array; indices: WasmI32Array }) => void,
): void {
  const engine = scorer.kernels.wasm;
  const total = users.length;
  const blockUsers = engine.i32(block);
  const exclOffsets = engine.i32(block + 1);
  const exclIndices = engine.i32(Math.max(1, exclusions));
  try {
    for (let start = 0; start < total; start += block) {
      const n = Math.min(block, total - start);
      loadUserBlock(train, users, start, n, blockUsers, exclOffsets, exclIndices);
      body(start, n, blockUsers, { offsets: exclOffsets, indices: exclIndices });
      onProgress?.(start + n, total);
    }
  } finally {
    freeAll(blockUsers, exclOffsets, exclIndices);
  }
}

/**
 * The top-k lists of `users` (training items excluded), k per user, -1 where fewer than k items
 * remain: the main ranking that re-ranking and slate assembly start from.
 */
export function rankTopLists(
  scorer: UserBlockScorer,
  train: Interactions,
  users: Int32Array,
  k: number,
  options: { blockUsers?: number; onProgress?: (done: number, total: number) => void } = {},
): Int32Array {
  if (!Number.isInteger(k) || k <= 0) throw new RangeError(`k must be a positive integer, got ${k}`);
  const lists = new Int32Array(users.length * k).fill(-1);
  if (scorer.rankUsers) {
    rankFused(scorer, train, users, k, options, lists);
    return lists;
  }
  forEachRankedBlock(scorer, train, users, k, options, ({ start, n, kk, topIndices }) => {
    const top = topIndices.view;
    for (let r = 0; r < n; r++) lists.set(top.subarray(r * kk, r * kk + kk), (start + r) * k);
  });
  return lists;
}

/** Users per call of a fused ranking: only their lists and exclusions are held, never their score rows. */
const FUSED_BLOCK_USERS = 4096;

/** rankTopLists through the scorer's fused scoring-and-top-k (the same lists, no score matrix). */
function rankFused(
  scorer: UserBlockScorer,
  train: Interactions,
  users: Int32Array,
  k: number,
  options: { blockUsers?: number; onProgress?: (done: number, total: number) => void },
  lists: Int32Array,
): void {
  const engine = scorer.kernels.wasm;
  const block = Math.max(1, Math.min(options.blockUsers ?? FUSED_BLOCK_USERS, users.length || 1));
  const kk = Math.min(k, Math.max(1, scorer.nItems));
  const topIdx = engine.i32(block * kk);
  const topScore = engine.f32(block * kk);
  try {
    forEachUserBlock(scorer, train, users, block, exclusionsOf(train, users, block), options.onProgress, (start, n, blockUsers, excl) => {
      scorer.rankUsers!(blockUsers, n, kk, excl, topIdx, topScore);
      const top = topIdx.view;
      for (let r = 0; r < n; r++) lists.set(top.subarray(r * kk, r * kk + kk), (start + r) * k);
    });
  } finally {
    freeAll(topIdx, topScore);
  }
}

/** The most training items any `block` consecutive users of the list hold together (the exclusion buffer's size). */
function exclusionsOf(train: Interactions, users: Int32Array, block: number): number {
  const p = train.byUser.indptr;
  const count = (u: number) => (u < train.nUsers ? p[u + 1] - p[u] : 0);
  let window = 0,
    most = 0;
  for (let i = 0; i < users.length; i++) {
    window += count(users[i]);
    if (i >= block) window -= count(users[i - block]);
    most = Math.max(most, window);
  }
  return most;
}

function defaultBlock(m: number): number {
  // ~32 MB of scores per block, between 16 and 512 users.
  return Math.max(16, Math.min(512, Math.floor((8 << 20) / Math.max(1, m))));
}

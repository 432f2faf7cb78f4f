import type { Interactions } from "../data/interactions.js";
import { freeAll } from "../engine/wasm-engine.js";
import { AccuracyAccumulator } from "./ranking-metrics.js";
import { loadUserBlock, maxRowLength } from "./exclusions.js";
import type { UserBlockScorer } from "./scorer.js";

export interface EvaluateOptions {
  /** Cut-off K of the top-K lists (default 20). */
  k?: number;
  /** Users scored per block (memory: block × catalog floats). */
  blockUsers?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface EvaluationResult {
  k: number;
  /** Test users evaluated (users with at least one held-out item). */
  users: number;
  /** Held-out interactions over those users. */
  testInteractions: number;
  metrics: Record<string, number>;
}

export class EvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EvaluationError";
  }
}

/**
 * Full-ranking evaluation: every test user is scored against the whole catalog with the blocked
 * kernels, the user's training items are excluded, and the metrics are averaged over every user
 * with at least one test item. No sampled negatives: sampled metrics do not preserve the order
 * of models (Krichene & Rendle, KDD 2020).
 */
export function evaluateRanking(scorer: UserBlockScorer, train: Interactions, test: Interactions, options: EvaluateOptions = {}): EvaluationResult {
  const k = options.k ?? 20;
  if (!Number.isInteger(k) || k <= 0) throw new EvaluationError(`k must be a positive integer, got ${k}`);
  const m = scorer.nItems;
  if (train.nItems !== m || test.nItems !== m) {
    throw new EvaluationError(`the model scores ${m} items but the data has ${train.nItems} (train) and ${test.nItems} (test): read the data with the model's item ids`);
  }
  if (test.nUsers > scorer.nUsers || train.nUsers > scorer.nUsers) {
    throw new EvaluationError(`the data has users the model does not know (model: ${scorer.nUsers}, data: ${Math.max(train.nUsers, test.nUsers)})`);
  }
  const kernels = scorer.kernels;
  const engine = kernels.engine;
  const testUsers = test.usersWithInteractions();
  const total = testUsers.length;
  const block = Math.max(1, Math.min(options.blockUsers ?? defaultBlock(m), total || 1));
  const kk = Math.min(k, Math.max(1, m));

  const users = engine.i32(block);
  const scores = engine.f32(block * m);
  const exclOffsets = engine.i32(block + 1);
  const maxTrainRow = maxRowLength(train);
  const exclIndices = engine.i32(Math.max(1, block * maxTrainRow));
  const topIdx = engine.i32(block * kk);
  const topScore = engine.f32(block * kk);
  const accuracy = new AccuracyAccumulator(k);
  const relevant = new Uint8Array(m);
  const topRow = new Int32Array(k).fill(-1);
  try {
    const testP = test.byUser.indptr, testI = test.byUser.indices;
    for (let start = 0; start < total; start += block) {
      const n = Math.min(block, total - start);
      loadUserBlock(train, testUsers, start, n, users, exclOffsets, exclIndices);
      scorer.scoreUsers(users, n, scores);
      kernels.topkRows(scores, n, m, m, kk, { offsets: exclOffsets, indices: exclIndices }, topIdx, topScore);
      const s = scores.view;
      const ti = topIdx.view;
      for (let r = 0; r < n; r++) {
        const user = testUsers[start + r];
        const a = testP[user], b = testP[user + 1];
        for (let t = a; t < b; t++) relevant[testI[t]] = 1;
        topRow.set(ti.subarray(r * kk, r * kk + kk));
        const rank = firstRelevantRank(topRow, kk, relevant, s, r * m, m, testI.subarray(a, b));
        accuracy.add(topRow, (item) => relevant[item] === 1, b - a, rank);
        for (let t = a; t < b; t++) relevant[testI[t]] = 0;
      }
      options.onProgress?.(start + n, total);
    }
  } finally {
    freeAll(users, scores, exclOffsets, exclIndices, topIdx, topScore);
  }
  return { k, users: accuracy.count, testInteractions: countTest(test, testUsers), metrics: accuracy.result() };
}

/**
 * 1-based rank of the user's best-ranked test item among the non-excluded items (excluded ones
 * were set to -Infinity by the top-k kernel). Read from the top-K list when it is there; otherwise
 * counted over the row (ties count in the item's favour).
 */
function firstRelevantRank(
  top: Int32Array, k: number, relevant: Uint8Array, scores: Float32Array, rowStart: number, m: number, testItems: Int32Array,
): number {
  for (let r = 0; r < k; r++) if (top[r] >= 0 && relevant[top[r]] === 1) return r + 1;
  let best = -Infinity;
  for (let t = 0; t < testItems.length; t++) {
    const v = scores[rowStart + testItems[t]];
    if (v > best) best = v;
  }
  if (best === -Infinity || Number.isNaN(best)) return Infinity;
  let above = 0;
  for (let i = rowStart, end = rowStart + m; i < end; i++) if (scores[i] > best) above++;
  return above + 1;
}

function defaultBlock(m: number): number {
  // ~32 MB of scores per block, between 16 and 512 users.
  return Math.max(16, Math.min(512, Math.floor((8 << 20) / Math.max(1, m))));
}

function countTest(test: Interactions, users: Int32Array): number {
  const p = test.byUser.indptr;
  let n = 0;
  for (const u of users) n += p[u + 1] - p[u];
  return n;
}

import type { Interactions } from "../data/interactions.js";
import { freeAll } from "../engine/wasm-engine.js";
import { EvaluationError } from "./evaluation-error.js";
import { InteractionRankAccumulator } from "./interaction-ranks.js";
import { DEFAULT_HEAD_RULE, headTailBoundary, type HeadRule, type HeadTailBoundary } from "./head-tail.js";
import { groupMetrics, PopularityGroupAccumulator, type PopularityGroup } from "./popularity-groups.js";
import { PopularityRanking } from "./popularity-ranking.js";
import { AccuracyAccumulator } from "./ranking-metrics.js";
import { loadUserBlock, maxRowLength } from "./exclusions.js";
import type { UserBlockScorer } from "./scorer.js";
import { servedPopularityMetrics } from "./served-popularity.js";

export { EvaluationError } from "./evaluation-error.js";

/** E of PSEI when none is given: a handful of impressions, reachable on small data sets, yet more than one stray appearance. */
export const DEFAULT_EXPOSURE_THRESHOLD = 5;

export interface EvaluateOptions {
  /** Cut-off K of the top-K lists (default 20). */
  k?: number;
  /** Users scored per block (memory: block × catalog floats). */
  blockUsers?: number;
  onProgress?: (done: number, total: number) => void;
  /** Popularity of each item: its training interaction count (default: counted from `train`; pass the model's own counts). */
  itemPopularity?: Int32Array;
  /** Where the head ends (default: the most popular items holding 80% of the training interactions). */
  head?: HeadRule;
  /** E of PSEI@K: the share of the catalog shown at least E times (default {@link DEFAULT_EXPOSURE_THRESHOLD}). */
  exposureThreshold?: number;
}

export interface EvaluationResult {
  k: number;
  /** Test users evaluated (users with at least one held-out item). */
  users: number;
  /** Held-out interactions over those users. */
  testInteractions: number;
  /**
   * Accuracy (`recall@K` ...), the same split over head and tail test items (`recall@K.head`,
   * `mrr.tail` ...), the popularity of what was served (`coverage@K`, `gini@K` ...) and the five
   * groups flat (`slotShare@K.group1`, `recall@K.group1` ...).
   */
  metrics: Record<string, number>;
  /** The head/tail boundary used, with the users that had head and tail test items. */
  headTail: HeadTailBoundary & { headUsers: number; tailUsers: number };
  /** E of `psei@K`. */
  exposureThreshold: number;
  /** The five popularity groups of Ren et al., most popular first. */
  groups: PopularityGroup[];
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
  const exposureThreshold = options.exposureThreshold ?? DEFAULT_EXPOSURE_THRESHOLD;
  if (!Number.isSafeInteger(exposureThreshold) || exposureThreshold <= 0) {
    throw new EvaluationError(`the exposure threshold E of PSEI must be a positive integer, got ${exposureThreshold}`);
  }
  const popularity = options.itemPopularity ?? train.itemCounts();
  if (popularity.length !== m) throw new EvaluationError(`itemPopularity has ${popularity.length} counts but the model scores ${m} items`);
  const ranking = new PopularityRanking(popularity);
  const { boundary, isHead } = headTailBoundary(ranking, options.head ?? DEFAULT_HEAD_RULE);

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
  const headAccuracy = new AccuracyAccumulator(k);
  const tailAccuracy = new AccuracyAccumulator(k);
  const groups = new PopularityGroupAccumulator(ranking, k);
  const interactionRanks = new InteractionRankAccumulator();
  const exposure = new Int32Array(m);
  // The user's test items: HEAD_TEST or TAIL_TEST, 0 elsewhere (reset after each user).
  const relevant = new Uint8Array(m);
  // Per relevance kind (index HEAD_TEST, TAIL_TEST): hits, DCG and first rank of one user's list.
  const hits = new Int32Array(3);
  const dcg = new Float64Array(3);
  const ranks = new Float64Array(3);
  const topRow = new Int32Array(k).fill(-1);
  try {
    const testP = test.byUser.indptr, testI = test.byUser.indices;
    for (let start = 0; start < total; start += block) {
      const n = Math.min(block, total - start);
      loadUserBlock(train, testUsers, start, n, users, exclOffsets, exclIndices);
      scorer.scoreUsers(users, n, scores);
      kernels.topkRows(scores, n, m, m, kk, { offsets: exclOffsets, indices: exclIndices }, topIdx, topScore);
      const ti = topIdx.view;
      for (let r = 0; r < n; r++) {
        const user = testUsers[start + r];
        const a = testP[user], b = testP[user + 1];
        let nHead = 0;
        for (let t = a; t < b; t++) {
          const item = testI[t];
          relevant[item] = isHead[item] === 1 ? HEAD_TEST : TAIL_TEST;
          nHead += isHead[item];
        }
        const nTail = b - a - nHead;
        topRow.set(ti.subarray(r * kk, r * kk + kk));
        readTopList(topRow, kk, relevant, accuracy.discount, exposure, hits, dcg, ranks);
        const testItems = testI.subarray(a, b);
        // Every test item's full-ranking rank, counted once: it gives the per-interaction MRR and lowers
        // ranks[HEAD_TEST] / ranks[TAIL_TEST] to the best item's rank where the top-K list held none.
        interactionRanks.addUser(kernels, topRow, kk, testItems, isHead, scores, r * m, m, ranks);
        accuracy.add(hits[HEAD_TEST] + hits[TAIL_TEST], dcg[HEAD_TEST] + dcg[TAIL_TEST], b - a, Math.min(ranks[HEAD_TEST], ranks[TAIL_TEST]));
        if (nHead > 0) headAccuracy.add(hits[HEAD_TEST], dcg[HEAD_TEST], nHead, ranks[HEAD_TEST]);
        if (nTail > 0) tailAccuracy.add(hits[TAIL_TEST], dcg[TAIL_TEST], nTail, ranks[TAIL_TEST]);
        groups.addUser(topRow, relevant, testItems);
        for (let t = a; t < b; t++) relevant[testI[t]] = 0;
      }
      options.onProgress?.(start + n, total);
    }
  } finally {
    freeAll(users, scores, exclOffsets, exclIndices, topIdx, topScore);
  }
  const groupResults = groups.result(exposure);
  return {
    k,
    users: accuracy.count,
    testInteractions: countTest(test, testUsers),
    metrics: {
      ...accuracy.result(),
      ...headAccuracy.result(".head"),
      ...tailAccuracy.result(".tail"),
      ...interactionRanks.result(),
      ...servedPopularityMetrics(exposure, ranking, { k, isHead, exposureThreshold }),
      ...groupMetrics(groupResults, k),
    },
    headTail: { ...boundary, headUsers: headAccuracy.count, tailUsers: tailAccuracy.count },
    exposureThreshold,
    groups: groupResults,
  };
}

const HEAD_TEST = 1;
const TAIL_TEST = 2;

/**
 * One pass over a user's top-K list: counts each served item's exposure, and per kind of test item
 * (HEAD_TEST, TAIL_TEST) the hits, their DCG and the 1-based rank of the first (Infinity if none).
 */
function readTopList(
  top: Int32Array, k: number, relevant: Uint8Array, discount: Float64Array, exposure: Int32Array,
  hits: Int32Array, dcg: Float64Array, ranks: Float64Array,
): void {
  hits.fill(0);
  dcg.fill(0);
  ranks.fill(Infinity);
  for (let r = 0; r < k; r++) {
    const item = top[r];
    if (item < 0) continue;
    exposure[item]++;
    const kind = relevant[item];
    if (kind === 0) continue;
    hits[kind]++;
    dcg[kind] += discount[r];
    if (ranks[kind] === Infinity) ranks[kind] = r + 1;
  }
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

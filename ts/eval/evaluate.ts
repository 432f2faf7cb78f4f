import { DEFAULT_K } from "./default-k.js";
import type { Interactions } from "../data/interactions.js";
import { EvaluationError } from "./evaluation-error.js";
import { InteractionRankAccumulator } from "./interaction-ranks.js";
import { DEFAULT_HEAD_RULE, headTailBoundary, type HeadRule, type HeadTailBoundary } from "./head-tail.js";
import { ListMetricsAccumulator } from "./list-metrics.js";
import type { PopularityGroup } from "./popularity-groups.js";
import { PopularityRanking } from "./popularity-ranking.js";
import { forEachRankedBlock } from "./ranked-blocks.js";
import type { UserBlockScorer } from "./scorer.js";
import { freeAll, type WasmI32Array } from "../kernels/wasm-instance.js";

export { EvaluationError } from "./evaluation-error.js";

/** E of PSEI when none is given: a handful of impressions, reachable on small data sets, yet more than one stray appearance. */
export const DEFAULT_EXPOSURE_THRESHOLD = 5;

export interface EvaluateOptions {
  /** Cut-off K of the top-K lists (default 20); a K above the catalog size ranks the whole catalog. */
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
  /**
   * Test users without a single training interaction have untrained (random) embeddings in a
   * trained model: by default they are left out and counted in `coldStartUsers`; `true` ranks them
   * like everyone else (right for a scorer that needs no history, such as the Most Popular shelf).
   */
  includeColdStart?: boolean;
}

export interface EvaluationResult {
  k: number;
  /** Test users evaluated (users with at least one held-out item, and a training interaction unless includeColdStart). */
  users: number;
  /** Test users left out because they have no training interaction (0 with includeColdStart). */
  coldStartUsers: number;
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
  const k = options.k ?? DEFAULT_K;
  if (!Number.isInteger(k) || k <= 0) throw new EvaluationError(`k must be a positive integer, got ${k}`);
  const m = scorer.nItems;
  if (train.nItems !== m || test.nItems !== m) {
    throw new EvaluationError(
      `the model scores ${m} items but the data has ${train.nItems} (train) and ${test.nItems} (test): read the data with the model's item ids`,
    );
  }
  if (test.nUsers > scorer.nUsers || train.nUsers > scorer.nUsers) {
    throw new EvaluationError(`the data has users the model does not know (model: ${scorer.nUsers}, data: ${Math.max(train.nUsers, test.nUsers)})`);
  }
  const { exposureThreshold, ranking, boundary, isHead } = popularitySetup(train, m, options);
  const kernels = scorer.kernels;
  const allTestUsers = test.usersWithInteractions();
  const { testUsers, coldStartUsers } = evaluatedUsers(allTestUsers, train, options);
  if (allTestUsers.length === 0) {
    throw new EvaluationError(
      `the test part${test.name ? ` (${test.name})` : ""} holds no interactions${test.unknownDropped.interactions > 0 ? ` (${test.unknownDropped.interactions} were dropped for ids not in the training data)` : ""}: there is nothing to evaluate, and every metric would read 0`,
    );
  }
  if (testUsers.length === 0) {
    throw new EvaluationError(
      `none of the ${allTestUsers.length} test users of ${test.name ?? "the test part"} has a training interaction: a trained model has nothing to rank for them (pass includeColdStart to rank them anyway, e.g. for the Most Popular shelf)`,
    );
  }
  // A ranked list holds at most the catalog: a K far above it costs no memory (its metrics are named
  // and Precision@K divides by the K asked for).
  const lists = new ListMetricsAccumulator(test, ranking, isHead, k, Math.min(k, Math.max(1, m)));
  const interactionRanks = new InteractionRankAccumulator();
  const testP = test.byUser.indptr,
    testI = test.byUser.indices;
  // Every test item's full-ranking rank, counted for a whole block in one (threaded) kernel call:
  // it gives the per-interaction MRR and lowers ranks[HEAD_TEST] / ranks[TAIL_TEST] to the best
  // item's rank where the top-K list held none.
  const e = kernels.wasm;
  let testOffsets: WasmI32Array | null = null,
    testItems: WasmI32Array | null = null,
    above: WasmI32Array | null = null;
  try {
    forEachRankedBlock(scorer, train, testUsers, k, options, ({ start, n, kk, topIndices, scores }) => {
      let entries = 0;
      for (let r = 0; r < n; r++) entries += testP[testUsers[start + r] + 1] - testP[testUsers[start + r]];
      if (!testOffsets || testOffsets.length < n + 1) {
        testOffsets?.free();
        testOffsets = e.i32(n + 1);
      }
      if (!testItems || testItems.length < entries) {
        testItems?.free();
        above?.free();
        testItems = e.i32(Math.max(1, entries));
        above = e.i32(Math.max(1, entries));
      }
      const off = testOffsets.view,
        items = testItems.view;
      off[0] = 0;
      for (let r = 0; r < n; r++) {
        const u = testUsers[start + r];
        items.set(testI.subarray(testP[u], testP[u + 1]), off[r]);
        off[r + 1] = off[r] + testP[u + 1] - testP[u];
      }
      kernels.countAboveItems(scores, n, m, m, testOffsets, testItems, above!);
      const ti = topIndices.view,
        counts = above!.view;
      for (let r = 0; r < n; r++) {
        const from = off[r],
          to = off[r + 1];
        lists.addUser(testUsers[start + r], ti.subarray(r * kk, r * kk + kk), kk, (top, userTestItems, ranks) =>
          interactionRanks.addUser(top, kk, userTestItems, isHead, counts.subarray(from, to), ranks),
        );
      }
    });
  } finally {
    freeAll(testOffsets, testItems, above);
  }
  const { metrics, groups } = lists.result(exposureThreshold, interactionRanks.result());
  return {
    k,
    users: lists.accuracy.count,
    coldStartUsers,
    testInteractions: countTest(test, testUsers),
    metrics,
    headTail: lists.headTail(boundary),
    exposureThreshold,
    groups,
  };
}

/** Top-K lists to measure with {@link evaluateServedLists}: one list of K items per user. */
export interface ServedLists {
  /** The users the lists belong to (user indices, each at most once). */
  users: Int32Array;
  /** K: every list's length. */
  k: number;
  /** items[r*k .. r*k+k) = users[r]'s list, best first; -1 marks an empty slot. */
  items: Int32Array;
}

/** The metrics {@link evaluateServedLists} leaves out: they need a full ranking, not a list. */
export const FULL_RANKING_METRICS = ["mrr", "mrr.head", "mrr.tail"] as const;

/**
 * The metrics of GIVEN top-K lists (a re-ranked or assembled slate, another system's output) on
 * held-out interactions: the same definitions and keys as {@link evaluateRanking}, over the users
 * with at least one test item (each must have a list; lists of other users are not counted), less
 * the MRRs ({@link FULL_RANKING_METRICS}, `itemMrr*`), which need the rank of items outside the list.
 * Given a model's own top-K lists it reproduces evaluateRanking's values exactly.
 */
export function evaluateServedLists(
  lists: ServedLists,
  train: Interactions,
  test: Interactions,
  options: Omit<EvaluateOptions, "k" | "blockUsers" | "onProgress"> = {},
): EvaluationResult {
  const k = lists.k;
  if (!Number.isInteger(k) || k <= 0) throw new EvaluationError(`k must be a positive integer, got ${k}`);
  const m = test.nItems;
  if (train.nItems !== m) throw new EvaluationError(`train has ${train.nItems} items but test has ${m}: read both parts with the same item ids`);
  if (lists.items.length !== lists.users.length * k) {
    throw new EvaluationError(`${lists.users.length} lists of K = ${k} need ${lists.users.length * k} items, got ${lists.items.length}`);
  }
  const rowOf = new Int32Array(Math.max(test.nUsers, 0)).fill(-1);
  lists.users.forEach((user, r) => {
    if (!(user >= 0 && Number.isInteger(user))) throw new EvaluationError(`list ${r} belongs to user index ${user}, not a valid user index`);
    if (user < rowOf.length) {
      if (rowOf[user] >= 0) throw new EvaluationError(`user index ${user} has two lists (${rowOf[user]} and ${r})`);
      rowOf[user] = r;
    }
  });
  for (let p = 0; p < lists.items.length; p++) {
    const item = lists.items[p];
    if (!(item >= -1 && item < m))
      throw new EvaluationError(`list ${Math.floor(p / k)}, slot ${(p % k) + 1}: item index ${item} is outside [0, ${m}) (and not -1, an empty slot)`);
  }
  const { exposureThreshold, ranking, boundary, isHead } = popularitySetup(train, m, options);
  const { testUsers, coldStartUsers } = evaluatedUsers(test.usersWithInteractions(), train, options);
  const accumulator = new ListMetricsAccumulator(test, ranking, isHead, k);
  for (const user of testUsers) {
    const r = rowOf[user];
    if (r < 0) throw new EvaluationError(`test user "${test.users.id(user)}" (index ${user}) has held-out items but no list: give a list for every test user`);
    accumulator.addUser(user, lists.items.subarray(r * k, r * k + k), k);
  }
  const { metrics, groups } = accumulator.result(exposureThreshold);
  for (const name of FULL_RANKING_METRICS) delete metrics[name];
  return {
    k,
    users: accumulator.accuracy.count,
    coldStartUsers,
    testInteractions: countTest(test, testUsers),
    metrics,
    headTail: accumulator.headTail(boundary),
    exposureThreshold,
    groups,
  };
}

/** The test users evaluated: without includeColdStart, those with a training interaction; and how many were left out. */
function evaluatedUsers(all: Int32Array, train: Interactions, options: Pick<EvaluateOptions, "includeColdStart">) {
  if (options.includeColdStart) return { testUsers: all, coldStartUsers: 0 };
  const testUsers = all.filter((u) => hasTrainingInteraction(train, u));
  return { testUsers, coldStartUsers: all.length - testUsers.length };
}

/** Whether user index `u` has at least one interaction in `train` (a cold-start user has none). */
export function hasTrainingInteraction(train: Interactions, u: number): boolean {
  const trainP = train.byUser.indptr;
  return u < train.nUsers && trainP[u + 1] > trainP[u];
}

/** E of PSEI, the popularity order and the head/tail boundary, checked. */
function popularitySetup(train: Interactions, m: number, options: Pick<EvaluateOptions, "exposureThreshold" | "itemPopularity" | "head">) {
  const exposureThreshold = options.exposureThreshold ?? DEFAULT_EXPOSURE_THRESHOLD;
  if (!Number.isSafeInteger(exposureThreshold) || exposureThreshold <= 0) {
    throw new EvaluationError(`the exposure threshold E of PSEI must be a positive integer, got ${exposureThreshold}`);
  }
  const popularity = options.itemPopularity ?? train.itemCounts();
  if (popularity.length !== m) throw new EvaluationError(`itemPopularity has ${popularity.length} counts but the model scores ${m} items`);
  const ranking = new PopularityRanking(popularity);
  const { boundary, isHead } = headTailBoundary(ranking, options.head ?? DEFAULT_HEAD_RULE);
  return { exposureThreshold, ranking, boundary, isHead };
}

function countTest(test: Interactions, users: Int32Array): number {
  const p = test.byUser.indptr;
  let n = 0;
  for (const u of users) n += p[u + 1] - p[u];
  return n;
}

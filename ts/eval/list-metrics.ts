import type { Interactions } from "../data/interactions.js";
import type { HeadTailBoundary } from "./head-tail.js";
import { groupMetrics, PopularityGroupAccumulator, type PopularityGroup } from "./popularity-groups.js";
import type { PopularityRanking } from "./popularity-ranking.js";
import { AccuracyAccumulator } from "./ranking-metrics.js";
import { servedPopularityMetrics } from "./served-popularity.js";

/** Relevance kinds of a user's test items (index into the per-kind hits, DCG and ranks). */
const HEAD_TEST = 1;
const TAIL_TEST = 2;

/**
 * Lowers ranks[HEAD_TEST] / ranks[TAIL_TEST] (1-based; the first head / tail hit in the list, Infinity
 * if none) to full-ranking ranks, for a caller that still has the user's score row.
 */
export type RankRefiner = (top: Int32Array, testItems: Int32Array, ranks: Float64Array) => void;

/**
 * The "metrics of the lists" half of evaluation: user by user, one top-K list against the user's
 * held-out items: accuracy over all, head and tail test items, the exposure every item gets, and
 * the five popularity groups. Without a {@link RankRefiner} the MRR it accumulates only sees the
 * list itself (evaluateServedLists drops it).
 */
export class ListMetricsAccumulator {
  readonly accuracy: AccuracyAccumulator;
  readonly headAccuracy: AccuracyAccumulator;
  readonly tailAccuracy: AccuracyAccumulator;
  readonly groups: PopularityGroupAccumulator;
  /** Slots holding each item, over every list added. */
  readonly exposure: Int32Array;
  // The user's test items: HEAD_TEST or TAIL_TEST, 0 elsewhere (reset after each user).
  private readonly relevant: Uint8Array;
  // Per relevance kind (index HEAD_TEST, TAIL_TEST): hits, DCG and first rank of one user's list.
  private readonly hits = new Int32Array(3);
  private readonly dcg = new Float64Array(3);
  private readonly ranks = new Float64Array(3);
  private readonly topRow: Int32Array;

  /**
   * @param k the K of the metrics (their names, Precision@K's denominator)
   * @param slots the list places read per user (≤ k): a ranked list over m items holds at most m,
   *   so K far above the catalog costs no memory
   */
  constructor(
    private readonly test: Interactions,
    private readonly ranking: PopularityRanking,
    private readonly isHead: Uint8Array,
    readonly k: number,
    readonly slots = k,
  ) {
    const m = ranking.nItems;
    this.accuracy = new AccuracyAccumulator(k, slots);
    this.headAccuracy = new AccuracyAccumulator(k, slots);
    this.tailAccuracy = new AccuracyAccumulator(k, slots);
    this.groups = new PopularityGroupAccumulator(ranking, slots);
    this.exposure = new Int32Array(m);
    this.relevant = new Uint8Array(m);
    this.topRow = new Int32Array(slots).fill(-1);
  }

  /**
   * One user with at least one test item: `list[0 .. length)` is the user's list, best first (-1 =
   * empty slot; length ≤ slots, the rest of the row counts as empty).
   */
  addUser(user: number, list: Int32Array, length: number, refineRanks?: RankRefiner): void {
    const { relevant, isHead, hits, dcg, ranks, topRow } = this;
    const testP = this.test.byUser.indptr,
      testI = this.test.byUser.indices;
    const a = testP[user],
      b = testP[user + 1];
    let nHead = 0;
    for (let t = a; t < b; t++) {
      const item = testI[t];
      relevant[item] = isHead[item] === 1 ? HEAD_TEST : TAIL_TEST;
      nHead += isHead[item];
    }
    const nTail = b - a - nHead;
    topRow.set(list.subarray(0, length));
    readTopList(topRow, length, relevant, this.accuracy.discount, this.exposure, hits, dcg, ranks);
    const testItems = testI.subarray(a, b);
    refineRanks?.(topRow, testItems, ranks);
    this.accuracy.add(hits[HEAD_TEST] + hits[TAIL_TEST], dcg[HEAD_TEST] + dcg[TAIL_TEST], b - a, Math.min(ranks[HEAD_TEST], ranks[TAIL_TEST]));
    if (nHead > 0) this.headAccuracy.add(hits[HEAD_TEST], dcg[HEAD_TEST], nHead, ranks[HEAD_TEST]);
    if (nTail > 0) this.tailAccuracy.add(hits[TAIL_TEST], dcg[TAIL_TEST], nTail, ranks[TAIL_TEST]);
    this.groups.addUser(topRow, relevant, testItems);
    for (let t = a; t < b; t++) relevant[testI[t]] = 0;
  }

  /**
   * The metrics, keyed as the CLI's JSON reports them: accuracy (all, head, tail), then `beforePopularity`
   * (e.g. the per-interaction MRR of a full ranking), the popularity of what was served, the five groups.
   */
  result(exposureThreshold: number, beforePopularity: Record<string, number> = {}): { metrics: Record<string, number>; groups: PopularityGroup[] } {
    const groups = this.groups.result(this.exposure);
    const k = this.k;
    return {
      metrics: {
        ...this.accuracy.result(),
        ...this.headAccuracy.result(".head"),
        ...this.tailAccuracy.result(".tail"),
        ...beforePopularity,
        ...servedPopularityMetrics(this.exposure, this.ranking, { k, isHead: this.isHead, exposureThreshold }),
        ...groupMetrics(groups, k),
      },
      groups,
    };
  }

  /** The boundary with the users that had head and tail test items. */
  headTail(boundary: HeadTailBoundary): HeadTailBoundary & { headUsers: number; tailUsers: number } {
    return { ...boundary, headUsers: this.headAccuracy.count, tailUsers: this.tailAccuracy.count };
  }
}

/**
 * One pass over a user's top-K list: counts each served item's exposure, and per kind of test item
 * (HEAD_TEST, TAIL_TEST) the hits, their DCG and the 1-based rank of the first (Infinity if none).
 */
function readTopList(
  top: Int32Array,
  k: number,
  relevant: Uint8Array,
  discount: Float64Array,
  exposure: Int32Array,
  hits: Int32Array,
  dcg: Float64Array,
  ranks: Float64Array,
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

import type { Csr } from "../data/csr.js";
import type { Interactions } from "../data/interactions.js";
import { evaluateRanking, type EvaluationResult } from "../eval/evaluate.js";
import { rankTopLists } from "../eval/ranked-blocks.js";
import type { UserBlockScorer } from "../eval/scorer.js";
import { measureTrueRelevance } from "../synthetic/true-relevance.js";
import { type DemoHooks, startTask } from "./demo-hooks.js";

/** One served model: its held-out evaluation, every user's top-K list, and the ground truth of those lists. */
export interface ServedModel {
  label: string;
  evaluation: EvaluationResult;
  /** Every user's top-K list (K slots per user, −1 where the catalog ran out), training items excluded. */
  lists: Int32Array;
  /** Held-out metrics plus, in the synthetic world, truePrecision@K (.head, .tail). */
  metrics: Record<string, number>;
  /** Share of the filled slots that hold tail items. */
  tailSlotShare: number;
}

/** What every served model is measured against. */
export interface ServingContext {
  train: Interactions;
  test: Interactions;
  k: number;
  /** The head/tail boundary of the training counts. */
  isHead: Uint8Array;
  /** The synthetic world's truly relevant items per user (CSR); null on real data. */
  relevant: Csr | null;
  hooks: DemoHooks;
}

/** Evaluate `scorer` on the held-out part, then rank every user's top-K list and measure its truth. */
export function serveModel(context: ServingContext, label: string, scorer: UserBlockScorer): ServedModel {
  const { train, test, k, isHead, relevant } = context;
  const allUsers = Int32Array.from({ length: train.nUsers }, (_, u) => u);
  // One task over both passes: the held-out evaluation of the test users, then every user's list.
  const testUsers = test.usersWithInteractions().length;
  const task = startTask(context.hooks, `${label}: evaluating`, testUsers + allUsers.length, "users");
  const evaluation = evaluateRanking(scorer, train, test, { k, onProgress: (done) => task.update(done) });
  const lists = rankTopLists(scorer, train, allUsers, k, { onProgress: (done) => task.update(testUsers + done) });
  task.finish();
  const metrics = { ...evaluation.metrics };
  let tailSlots = 0,
    slots = 0;
  for (const i of lists)
    if (i >= 0) {
      slots++;
      if (!isHead[i]) tailSlots++;
    }
  if (relevant) {
    const truth = measureTrueRelevance({ users: allUsers, k, items: lists }, relevant, { isHead, exclude: train.byUser });
    Object.assign(metrics, {
      [`truePrecision@${k}`]: truth.precision,
      [`truePrecision@${k}.head`]: truth.head.precision,
      [`truePrecision@${k}.tail`]: truth.tail.precision,
    });
  }
  return { label, evaluation, lists, metrics, tailSlotShare: slots > 0 ? tailSlots / slots : 0 };
}

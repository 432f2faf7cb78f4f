import { DEFAULT_K } from "../eval/default-k.js";
import type { Interactions } from "../data/interactions.js";
import { evaluateServedLists, type EvaluateOptions, type EvaluationResult, type ServedLists } from "../eval/evaluate.js";
import { rankTopLists } from "../eval/ranked-blocks.js";
import type { UserBlockScorer } from "../eval/scorer.js";
import { DEFAULT_SEED, Rng } from "../util/rng.js";
import type { ServingEmbeddings } from "./embeddings.js";
import { InverseRetrievalError } from "./errors.js";
import { itemTopUsers, type ItemTopUsers } from "./item-top-users.js";
import { assembleSlates, checkSlots, SLATE_ORDERINGS, type SlateOrdering, type Slates } from "./slates.js";
import { userCandidates } from "./user-candidates.js";

export interface InverseRetrievalOptions extends Pick<EvaluateOptions, "head" | "exposureThreshold" | "itemPopularity"> {
  /** K of the main lists and the slates (default 20). */
  k?: number;
  /** N: users retrieved per item (default {@link DEFAULT_TOP_N}). */
  topN?: number;
  /** 1-based slate positions of the InvR items (default [3, 8]). */
  slots?: readonly number[];
  /** The orderings to assemble and measure (default: all three). */
  orderings?: readonly SlateOrdering[];
  /** The items that get users (item indices; default: the whole catalog). */
  items?: Int32Array;
  /** Seed of the random ordering's generator (default 42). */
  seed?: number;
  onProgress?: (stage: "item-users" | "main-ranking", done: number, total: number) => void;
}

export const DEFAULT_TOP_N = 100;
export const DEFAULT_SLOTS: readonly number[] = [3, 8];

/** One ordering's slates and what they measure. */
export interface OrderingResult {
  ordering: SlateOrdering;
  slates: Slates;
  /** Distinct items placed by InvR over all slates. */
  distinctInvrItems: number;
  evaluation: EvaluationResult;
  seconds: number;
}

export interface InverseRetrievalRun {
  k: number;
  topN: number;
  slots: number[];
  /** The item → top-N users pass (items asked for, their users) and its wall time. */
  itemUsers: ItemTopUsers;
  itemUsersSeconds: number;
  /** The test users' main top-K lists and their metrics (the "before" of every ordering). */
  mainLists: ServedLists;
  main: EvaluationResult;
  mainSeconds: number;
  orderings: OrderingResult[];
}

const now = (): number => (typeof performance !== "undefined" ? performance.now() : Date.now());

/**
 * Offline InvR: every selected item's top-N users (exact, wasm), the test users' main top-K lists
 * from `scorer`, slates assembled for each ordering, and the metrics of the served slates against
 * the main lists alone (evaluateServedLists on both, so the two sides are measured identically).
 * `embeddings` must score like `scorer` (the same model's serving tables) for the comparison to mean
 * "the same model, with InvR slots".
 */
export function evaluateInverseRetrieval(
  scorer: UserBlockScorer,
  embeddings: ServingEmbeddings,
  train: Interactions,
  test: Interactions,
  options: InverseRetrievalOptions = {},
): InverseRetrievalRun {
  const k = options.k ?? DEFAULT_K;
  if (!(Number.isInteger(k) && k > 0)) throw new InverseRetrievalError(`K must be a positive integer, got ${k}`);
  const topN = options.topN ?? DEFAULT_TOP_N;
  const slots = checkSlots(options.slots ?? DEFAULT_SLOTS, k);
  const orderings = options.orderings ?? SLATE_ORDERINGS;
  for (const o of orderings) {
    if (!(SLATE_ORDERINGS as readonly string[]).includes(o))
      throw new InverseRetrievalError(`unknown ordering "${o}": choose one of ${SLATE_ORDERINGS.join(", ")}`);
  }
  if (embeddings.items.size !== train.nItems || embeddings.users.size < train.nUsers) {
    throw new InverseRetrievalError(
      `the embeddings have ${embeddings.users.size} users × ${embeddings.items.size} items but the data ${train.nUsers} × ${train.nItems}: read the data with the model's ids`,
    );
  }
  const evaluate = { head: options.head, exposureThreshold: options.exposureThreshold, itemPopularity: options.itemPopularity };

  let t0 = now();
  const itemUsers = itemTopUsers(embeddings, {
    topN,
    items: options.items,
    exclude: train.byItem(),
    onProgress: (done, total) => options.onProgress?.("item-users", done, total),
  });
  const itemUsersSeconds = (now() - t0) / 1000;
  const candidates = userCandidates(itemUsers, embeddings.users.size);

  t0 = now();
  const users = test.usersWithInteractions();
  const mainLists: ServedLists = {
    users,
    k,
    items: rankTopLists(scorer, train, users, k, { onProgress: (done, total) => options.onProgress?.("main-ranking", done, total) }),
  };
  const main = evaluateServedLists(mainLists, train, test, evaluate);
  const mainSeconds = (now() - t0) / 1000;

  const results = orderings.map((ordering): OrderingResult => {
    const started = now();
    const slates = assembleSlates(mainLists, candidates, { slots, ordering, rng: new Rng(options.seed ?? DEFAULT_SEED), exclude: train.byUser });
    const evaluation = evaluateServedLists(slates, train, test, evaluate);
    return { ordering, slates, distinctInvrItems: countDistinctInvr(slates), evaluation, seconds: (now() - started) / 1000 };
  });
  return { k, topN, slots, itemUsers, itemUsersSeconds, mainLists, main, mainSeconds, orderings: results };
}

function countDistinctInvr(slates: Slates): number {
  const seen = new Set<number>();
  for (let p = 0; p < slates.items.length; p++) if (slates.fromInvr[p] === 1) seen.add(slates.items[p]);
  return seen.size;
}

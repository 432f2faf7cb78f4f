import type { Csr } from "../data/csr.js";
import type { ServedLists } from "../eval/evaluate.js";
import type { Rng } from "../util/rng.js";
import { InverseRetrievalError } from "./errors.js";
import type { UserCandidates } from "./user-candidates.js";

/**
 * How a user's InvR candidates compete for the slots: `random` (seeded), `score` (the user's score
 * for the item, highest first) or `user-rank` (the user's rank among the item's top-N users, best
 * first, ties by score: the paper's best variant, which ignores how high an item's scores run).
 */
export const SLATE_ORDERINGS = ["random", "score", "user-rank"] as const;
export type SlateOrdering = (typeof SLATE_ORDERINGS)[number];

export interface SlateOptions {
  /** 1-based slate positions InvR items take (each in 1..K, distinct; any order). */
  slots: readonly number[];
  ordering: SlateOrdering;
  /** The generator the `random` ordering draws from (required for it; consumed user by user, in list order). */
  rng?: Rng;
  /** User → items never to serve: the training interactions (Interactions.byUser). */
  exclude?: Csr;
}

/** The assembled slates: the main lists' users, K long each, with where InvR items went. */
export interface Slates extends ServedLists {
  /** 1 at the positions of `items` that hold an InvR item. */
  fromInvr: Uint8Array;
  /** Slots filled with InvR items over all slates. */
  invrItems: number;
  /** Slates holding at least one InvR item. */
  usersWithInvr: number;
}

/**
 * A user's slate: the main top-K list with InvR items inserted after the ranking at the given slots.
 * The candidates are the user's InvR items minus the user's training items and the items the main
 * list keeps in the slate (its first K − |slots|), taken in the ordering's order. With c candidates
 * taken, the first c slots hold them and every main item after an inserted one moves one place
 * down; the slate is cut at K, so the main list loses its last c items (a main item equal to an
 * inserted one is skipped). A slot left without a candidate keeps the next main item, so the slate
 * stays K long whenever the main list is.
 */
export function assembleSlates(main: ServedLists, candidates: UserCandidates, options: SlateOptions): Slates {
  const k = main.k;
  const slots = checkSlots(options.slots, k);
  const ordering = options.ordering;
  if (!(SLATE_ORDERINGS as readonly string[]).includes(ordering)) {
    throw new InverseRetrievalError(`unknown ordering "${ordering}": choose one of ${SLATE_ORDERINGS.join(", ")}`);
  }
  if (ordering === "random" && !options.rng) throw new InverseRetrievalError(`the random ordering needs a seeded Rng (options.rng)`);
  if (main.items.length !== main.users.length * k)
    throw new InverseRetrievalError(`${main.users.length} main lists of K = ${k} need ${main.users.length * k} items, got ${main.items.length}`);
  const nUsers = main.users.length;
  const items = new Int32Array(nUsers * k).fill(-1);
  const fromInvr = new Uint8Array(nUsers * k);
  const keptMain = k - slots.length;
  // Items seen for the current user: marked with the user's stamp, so nothing is cleared between users.
  let maxItem = 0;
  for (const i of main.items) maxItem = Math.max(maxItem, i);
  for (const i of candidates.items) maxItem = Math.max(maxItem, i);
  const blocked = new Int32Array(maxItem + 1);
  const chosenMark = new Int32Array(maxItem + 1);
  const chosen = new Int32Array(slots.length);
  const order = new Int32Array(maxCandidates(candidates));
  let invrItems = 0,
    usersWithInvr = 0;
  for (let r = 0; r < nUsers; r++) {
    const user = main.users[r];
    const stamp = r + 1;
    const list = main.items.subarray(r * k, r * k + k);
    for (let p = 0; p < keptMain; p++) if (list[p] >= 0) blocked[list[p]] = stamp;
    if (options.exclude && user < options.exclude.indptr.length - 1) {
      const ex = options.exclude;
      for (let j = ex.indptr[user]; j < ex.indptr[user + 1]; j++) if (ex.indices[j] <= maxItem) blocked[ex.indices[j]] = stamp;
    }
    const taken = user < candidates.nUsers ? pickCandidates(candidates, user, ordering, options.rng, blocked, stamp, order, chosen) : 0;
    for (let c = 0; c < taken; c++) chosenMark[chosen[c]] = stamp;
    const out = items.subarray(r * k, r * k + k);
    let nextMain = 0,
      nextSlot = 0;
    for (let p = 0; p < k; p++) {
      if (nextSlot < taken && p + 1 === slots[nextSlot]) {
        out[p] = chosen[nextSlot++];
        fromInvr[r * k + p] = 1;
        continue;
      }
      while (nextMain < k && list[nextMain] >= 0 && chosenMark[list[nextMain]] === stamp) nextMain++;
      out[p] = nextMain < k ? list[nextMain++] : -1;
    }
    invrItems += taken;
    if (taken > 0) usersWithInvr++;
  }
  return { users: main.users.slice(), k, items, fromInvr, invrItems, usersWithInvr };
}

/** Slots sorted ascending, checked to be distinct integers in 1..K. */
export function checkSlots(slots: readonly number[], k: number): number[] {
  if (slots.length === 0) throw new InverseRetrievalError(`give at least one slot for InvR items (positions 1..${k} of the slate)`);
  if (slots.length > k) throw new InverseRetrievalError(`${slots.length} slots do not fit a slate of K = ${k}`);
  const sorted = [...slots].sort((a, b) => a - b);
  sorted.forEach((s, j) => {
    if (!(Number.isInteger(s) && s >= 1 && s <= k))
      throw new InverseRetrievalError(`slot ${s} is outside 1..${k}: slots are 1-based positions of a slate of K = ${k}`);
    if (j > 0 && sorted[j - 1] === s) throw new InverseRetrievalError(`slot ${s} is given twice`);
  });
  return sorted;
}

/**
 * The user's first `chosen.length` candidates in the ordering that are not blocked (marked with
 * `stamp`); returns how many were found. Sorted orderings sort the user's candidate positions;
 * `random` draws a partial Fisher-Yates shuffle, so it costs one draw per candidate looked at.
 */
function pickCandidates(
  c: UserCandidates,
  user: number,
  ordering: SlateOrdering,
  rng: Rng | undefined,
  blocked: Int32Array,
  stamp: number,
  order: Int32Array,
  chosen: Int32Array,
): number {
  const from = c.indptr[user],
    n = c.indptr[user + 1] - from;
  const positions = order.subarray(0, n);
  for (let j = 0; j < n; j++) positions[j] = from + j;
  if (ordering === "score") positions.sort((a, b) => c.scores[b] - c.scores[a] || c.items[a] - c.items[b]);
  else if (ordering === "user-rank") positions.sort((a, b) => c.ranks[a] - c.ranks[b] || c.scores[b] - c.scores[a] || c.items[a] - c.items[b]);
  let taken = 0;
  for (let j = 0; j < n && taken < chosen.length; j++) {
    if (ordering === "random") {
      const pick = j + rng!.int(n - j);
      const t = positions[j];
      positions[j] = positions[pick];
      positions[pick] = t;
    }
    const item = c.items[positions[j]];
    if (blocked[item] === stamp) continue;
    blocked[item] = stamp;
    chosen[taken++] = item;
  }
  return taken;
}

function maxCandidates(c: UserCandidates): number {
  let max = 0;
  for (let u = 0; u < c.nUsers; u++) max = Math.max(max, c.indptr[u + 1] - c.indptr[u]);
  return max;
}

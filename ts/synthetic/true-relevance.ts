import type { Csr } from "../data/csr.js";
import type { ServedLists } from "../eval/evaluate.js";

/** True precision and recall of one part of the catalog (all items, head items or tail items). */
export interface TrueRelevancePart {
  /** Filled slots holding an item of this part. */
  slots: number;
  /** Of those, the slots whose item the user truly likes. */
  relevantSlots: number;
  /** relevantSlots / slots (0 without slots): how much of what was served from this part truly fits. */
  precision: number;
  /**
   * Mean over the users with at least one servable relevant item of this part of: the user's
   * relevant items of this part in the list / the user's servable relevant items of this part
   * (servable = not excluded). At most K / (relevant items) for a user: small when users like many items.
   */
  recall: number;
  /** Users counted in `recall`. */
  recallUsers: number;
}

/**
 * The ground-truth quality of served top-K lists, which a real log never reveals: `precision` is
 * the share of all filled slots the user truly likes; `head`/`tail` split it by the item's side
 * of the head/tail boundary (do surfaced tail items really fit?).
 */
export interface TrueRelevance extends TrueRelevancePart {
  /** Lists measured. */
  users: number;
  head: TrueRelevancePart;
  tail: TrueRelevancePart;
  /** Share of all filled slots holding a tail item the user truly likes. */
  relevantTailShare: number;
}

export interface TrueRelevanceOptions {
  /** isHead[i] = 1 for head items, 0 for tail items; its length is the catalog size. */
  isHead: Uint8Array;
  /** Items each user cannot be served (the user's training items): left out of the relevant sets recall counts against. */
  exclude?: Csr;
}

const HEAD = 0,
  TAIL = 1,
  PARTS = 2;

/**
 * True precision and recall of served lists against the users' truly relevant items
 * (`relevant`, user → items, e.g. {@link trulyRelevantItems} of a synthetic world), overall and
 * over head and tail items. Empty slots (-1) are not counted; an item may appear once per list.
 */
export function measureTrueRelevance(lists: ServedLists, relevant: Csr, options: TrueRelevanceOptions): TrueRelevance {
  const { users, k, items } = lists;
  const { isHead, exclude } = options;
  const m = isHead.length;
  const nUsers = relevant.indptr.length - 1;
  if (!Number.isInteger(k) || k <= 0) throw new RangeError(`measureTrueRelevance: k must be a positive integer, got ${k}`);
  if (items.length !== users.length * k) {
    throw new RangeError(`measureTrueRelevance: ${users.length} lists of K = ${k} need ${users.length * k} items, got ${items.length}`);
  }
  if (exclude && exclude.indptr.length - 1 !== nUsers) {
    throw new RangeError(`measureTrueRelevance: the exclusions have ${exclude.indptr.length - 1} users but the relevant items ${nUsers}`);
  }
  // mark[i] = 1 + r while item i is relevant to the list r being measured (no clearing pass per list).
  const mark = new Int32Array(m);
  const excluded = new Int32Array(m);
  const served = new Int32Array(m);
  const slots = [0, 0],
    relevantSlots = [0, 0],
    recallSum = [0, 0],
    recallUsers = [0, 0];
  let allRecallSum = 0,
    allRecallUsers = 0;
  for (let r = 0; r < users.length; r++) {
    const u = users[r];
    if (!(Number.isInteger(u) && u >= 0 && u < nUsers))
      throw new RangeError(`measureTrueRelevance: list ${r} belongs to user index ${u}, outside [0, ${nUsers})`);
    const stamp = r + 1;
    if (exclude) for (let p = exclude.indptr[u]; p < exclude.indptr[u + 1]; p++) excluded[exclude.indices[p]] = stamp;
    const servable = [0, 0];
    for (let p = relevant.indptr[u]; p < relevant.indptr[u + 1]; p++) {
      const i = relevant.indices[p];
      if (!(i >= 0 && i < m)) throw new RangeError(`measureTrueRelevance: user ${u}'s relevant item ${i} is outside the catalog [0, ${m})`);
      mark[i] = stamp;
      if (excluded[i] !== stamp) servable[isHead[i] ? HEAD : TAIL]++;
    }
    const hits = [0, 0];
    for (let s = r * k; s < r * k + k; s++) {
      const i = items[s];
      if (i === -1) continue;
      if (!(Number.isInteger(i) && i >= 0 && i < m))
        throw new RangeError(`measureTrueRelevance: list ${r}, slot ${s - r * k + 1}: item index ${i} is outside [0, ${m}) (and not -1, an empty slot)`);
      if (served[i] === stamp) throw new RangeError(`measureTrueRelevance: list ${r} holds item index ${i} twice`);
      served[i] = stamp;
      const part = isHead[i] ? HEAD : TAIL;
      slots[part]++;
      if (mark[i] === stamp) {
        relevantSlots[part]++;
        hits[part]++;
      }
    }
    for (let part = 0; part < PARTS; part++) {
      if (servable[part] === 0) continue;
      recallSum[part] += hits[part] / servable[part];
      recallUsers[part]++;
    }
    if (servable[HEAD] + servable[TAIL] > 0) {
      allRecallSum += (hits[HEAD] + hits[TAIL]) / (servable[HEAD] + servable[TAIL]);
      allRecallUsers++;
    }
  }
  const share = (part: number, whole: number) => (whole > 0 ? part / whole : 0);
  const part = (p: number): TrueRelevancePart => ({
    slots: slots[p],
    relevantSlots: relevantSlots[p],
    precision: share(relevantSlots[p], slots[p]),
    recall: share(recallSum[p], recallUsers[p]),
    recallUsers: recallUsers[p],
  });
  const allSlots = slots[HEAD] + slots[TAIL];
  return {
    users: users.length,
    slots: allSlots,
    relevantSlots: relevantSlots[HEAD] + relevantSlots[TAIL],
    precision: share(relevantSlots[HEAD] + relevantSlots[TAIL], allSlots),
    recall: share(allRecallSum, allRecallUsers),
    recallUsers: allRecallUsers,
    head: part(HEAD),
    tail: part(TAIL),
    relevantTailShare: share(relevantSlots[TAIL], allSlots),
  };
}

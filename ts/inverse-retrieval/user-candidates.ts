import type { ItemTopUsers } from "./item-top-users.js";

/**
 * Inverse retrieval turned around for serving: user u's candidates are the items whose top-N users
 * include u, each with u's score for it and u's rank among that item's users (0 = the item's best
 * user). Row u = positions indptr[u] .. indptr[u+1), in the order the items were retrieved.
 */
export interface UserCandidates {
  readonly nUsers: number;
  readonly indptr: Int32Array;
  readonly items: Int32Array;
  readonly scores: Float32Array;
  readonly ranks: Int32Array;
}

export function userCandidates(top: ItemTopUsers, nUsers: number): UserCandidates {
  const nnz = top.users.length;
  const indptr = new Int32Array(nUsers + 1);
  for (let j = 0; j < nnz; j++) {
    const u = top.users[j];
    if (!(u >= 0 && u < nUsers)) throw new RangeError(`retrieved user index ${u} is outside [0, ${nUsers})`);
    indptr[u + 1]++;
  }
  for (let u = 0; u < nUsers; u++) indptr[u + 1] += indptr[u];
  const next = indptr.slice(0, nUsers);
  const items = new Int32Array(nnz),
    scores = new Float32Array(nnz),
    ranks = new Int32Array(nnz);
  for (let r = 0; r < top.items.length; r++) {
    for (let j = top.indptr[r]; j < top.indptr[r + 1]; j++) {
      const p = next[top.users[j]]++;
      items[p] = top.items[r];
      scores[p] = top.scores[j];
      ranks[p] = j - top.indptr[r];
    }
  }
  return { nUsers, indptr, items, scores, ranks };
}

/**
 * Ranking distillation from the graph filter (Tang & Wang, KDD 2018: a teacher's top-ranked items
 * become extra positives of the student). The teacher is the closed-form GraphFilter, fitted on the
 * same training part in seconds; each user's N best unseen items by its scores join the user's
 * row, and matrix factorisation trains on the augmented part. What the model keeps as the user's
 * training items (what serving leaves out) and as popularity stays the real part.
 */
import { csrFromPairs } from "../data/csr.js";
import { Interactions } from "../data/interactions.js";
import { forEachRankedBlock } from "../eval/ranked-blocks.js";
import { GraphFilter } from "../graph-filter/graph-filter.js";
import type { Kernels } from "../kernels/kernels.js";

export interface DistillationSettings {
  /** Teacher items added per user (the top N of its ranking, training items excluded). */
  readonly positives: number;
  /** The teacher's rank (GraphFilter's `rank`: leading eigenvectors of its low-pass filter). */
  readonly rank: number;
}

/** What distillation added to the training part. */
export interface DistillationSummary {
  /** Teacher positives added in all. */
  readonly added: number;
  /** Users who received at least one. */
  readonly users: number;
}

/**
 * The training part with each user's top `positives` items of the graph filter appended to the
 * user's row (after the user's own items, in the teacher's order). An item joins only where the
 * teacher scores it above 0: a user without training interactions, or with nothing the graph
 * reaches, gets none.
 */
export function distillGraphFilter(
  kernels: Kernels,
  train: Interactions,
  settings: DistillationSettings,
  onProgress?: (done: number, total: number) => void,
): { train: Interactions; summary: DistillationSummary } {
  const users = train.usersWithInteractions();
  const n = settings.positives;
  // The augmented part's (user, item) pairs: the training entries, then the teacher's, so that
  // csrFromPairs (which keeps input order within a row) puts each user's own items first.
  const own = train.nnz;
  const rows = new Int32Array(own + users.length * n);
  const cols = new Int32Array(rows.length);
  rows.set(train.entryUsers());
  cols.set(train.byUser.indices);
  let added = own;
  let receivers = 0;
  const teacher = GraphFilter.fit(kernels, train, { rank: settings.rank });
  try {
    const m = train.nItems;
    forEachRankedBlock(teacher, train, users, n, { ...(onProgress && { onProgress }) }, ({ start, n: count, kk, topIndices, scores }) => {
      const top = topIndices.view;
      const s = scores.view;
      for (let r = 0; r < count; r++) {
        const before = added;
        for (let j = 0; j < kk; j++) {
          const item = top[r * kk + j]!;
          // Best first: once one is missing or has no support, so have the rest.
          if (item < 0 || !(s[r * m + item]! > 0)) break;
          rows[added] = users[start + r]!;
          cols[added++] = item;
        }
        if (added > before) receivers++;
      }
    });
  } finally {
    teacher.dispose();
  }
  const augmented = new Interactions({
    users: train.users,
    items: train.items,
    byUser: csrFromPairs(rows.subarray(0, added), cols.subarray(0, added), train.nUsers),
    name: `${train.name} with the graph filter's top ${n} per user`,
  });
  return { train: augmented, summary: { added: added - own, users: receivers } };
}

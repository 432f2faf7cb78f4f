/**
 * Ranking distillation from the graph filter (Tang & Wang, KDD 2018: a teacher's top-ranked items
 * become extra positives of the student). The teacher is the closed-form GraphFilter, fitted on the
 * same training part in seconds; each user's N best unseen items by its scores join the user's
 * row, and matrix factorisation trains on the augmented part. What the model keeps as the user's
 * training items (what serving leaves out) and as popularity stays the real part.
 */
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
  const extra = new Int32Array(users.length * n).fill(-1);
  const teacher = GraphFilter.fit(kernels, train, { rank: settings.rank });
  try {
    const m = train.nItems;
    forEachRankedBlock(teacher, train, users, n, { ...(onProgress && { onProgress }) }, ({ start, n: rows, kk, topIndices, scores }) => {
      const top = topIndices.view;
      const s = scores.view;
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < kk; j++) {
          const item = top[r * kk + j]!;
          // Best first: once one is missing or has no support, so have the rest.
          if (item < 0 || !(s[r * m + item]! > 0)) break;
          extra[(start + r) * n + j] = item;
        }
      }
    });
  } finally {
    teacher.dispose();
  }
  return withExtraItems(train, users, extra, n);
}

/** `train` with the items of extra[r·n .. r·n + n) (−1: none) appended to the row of users[r]. */
function withExtraItems(train: Interactions, users: Int32Array, extra: Int32Array, n: number): { train: Interactions; summary: DistillationSummary } {
  const { indptr, indices } = train.byUser;
  const addedTo = new Int32Array(train.nUsers);
  users.forEach((u, r) => {
    let c = 0;
    while (c < n && extra[r * n + c]! >= 0) c++;
    addedTo[u] = c;
  });
  const rowOf = new Int32Array(train.nUsers).fill(-1);
  users.forEach((u, r) => (rowOf[u] = r));
  const outIndptr = new Int32Array(train.nUsers + 1);
  for (let u = 0; u < train.nUsers; u++) outIndptr[u + 1] = outIndptr[u]! + (indptr[u + 1]! - indptr[u]!) + addedTo[u]!;
  const outIndices = new Int32Array(outIndptr[train.nUsers]!);
  let added = 0;
  let receivers = 0;
  for (let u = 0; u < train.nUsers; u++) {
    let at = outIndptr[u]!;
    outIndices.set(indices.subarray(indptr[u]!, indptr[u + 1]!), at);
    at += indptr[u + 1]! - indptr[u]!;
    const r = rowOf[u]!;
    for (let c = 0; c < addedTo[u]!; c++) outIndices[at++] = extra[r * n + c]!;
    added += addedTo[u]!;
    if (addedTo[u]! > 0) receivers++;
  }
  const augmented = new Interactions({
    users: train.users,
    items: train.items,
    byUser: { indptr: outIndptr, indices: outIndices },
    name: `${train.name} with the graph filter's top ${n} per user`,
  });
  return { train: augmented, summary: { added, users: receivers } };
}

/**
 * Sequential evaluation (the logit-adjustment blog's protocol): for held-out users, every prefix
 * of their time-ordered history is a context and the next item is its target. Each context is
 * ranked against the whole catalog with the items of its prefix masked, and every metric of
 * evaluateRanking is computed over the contexts (a context plays the part of a "user"; Recall@K
 * of one target is its hit rate). Popularity (head/tail, groups, served popularity) is the
 * model's training counts. Built on evaluateRanking unchanged: the "train" part holds each
 * context's prefix (masked), the "test" part its target, the scorer reads the prefix's last
 * maxHistory items.
 */
import { IdMap } from "../data/id-map.js";
import { Interactions } from "../data/interactions.js";
import { HistoryScorer, type ContextScorer } from "../model/history-scorer.js";
import { evaluateRanking, type EvaluateOptions, type EvaluationResult } from "./evaluate.js";
import { EvaluationError } from "./evaluation-error.js";
import type { UserBlockScorer } from "./scorer.js";

export interface SequentialEvaluationResult extends EvaluationResult {
  protocol: "sequential";
  /** Contexts evaluated (prefix → next item), the "users" of the metrics. */
  contexts: number;
  /** Held-out users with at least two interactions (the others give no context). */
  heldOutUsers: number;
}

/** Every prefix → next item of each row of `sequences`: prefixes as the "train" part (masked), targets as "test". */
export function sequentialContexts(sequences: Interactions): { prefixes: Interactions; targets: Interactions; heldOutUsers: number } {
  const { indptr, indices } = sequences.byUser;
  let contexts = 0,
    entries = 0,
    heldOutUsers = 0;
  for (let u = 0; u < sequences.nUsers; u++) {
    const n = indptr[u + 1] - indptr[u];
    if (n < 2) continue;
    heldOutUsers++;
    contexts += n - 1;
    entries += (n * (n - 1)) / 2;
  }
  const ids: string[] = [];
  const prefixIndptr = new Int32Array(contexts + 1);
  const prefixIndices = new Int32Array(entries);
  const targetIndptr = new Int32Array(contexts + 1);
  const targetIndices = new Int32Array(contexts);
  let c = 0,
    w = 0;
  for (let u = 0; u < sequences.nUsers; u++) {
    const a = indptr[u],
      b = indptr[u + 1];
    for (let p = a + 1; p < b; p++) {
      ids.push(`${sequences.users.id(u)}#${p - a}`);
      prefixIndices.set(indices.subarray(a, p), w);
      w += p - a;
      prefixIndptr[c + 1] = w;
      targetIndices[c] = indices[p];
      targetIndptr[c + 1] = ++c;
    }
  }
  const users = IdMap.from(ids);
  const name = `${sequences.name} (sequential contexts)`;
  return {
    prefixes: new Interactions({ users, items: sequences.items, byUser: { indptr: prefixIndptr, indices: prefixIndices }, name }),
    targets: new Interactions({ users, items: sequences.items, byUser: { indptr: targetIndptr, indices: targetIndices }, name }),
    heldOutUsers,
  };
}

/**
 * Evaluate `model` on the held-out users' sequences (read with the model's item ids). `scorer`
 * replaces the contexts' scorer by one built on it (a PopularityReranker when serving re-ranks,
 * a MostPopular shelf of as many "users" as contexts); it is disposed afterwards if it can be.
 */
export function evaluateSequential(
  model: ContextScorer & { readonly itemCounts: Int32Array },
  sequences: Interactions,
  options: EvaluateOptions & { scorer?: (contexts: UserBlockScorer) => UserBlockScorer & { dispose?(): void } } = {},
): SequentialEvaluationResult {
  if (sequences.nItems !== model.nItems) {
    throw new EvaluationError(
      `the model scores ${model.nItems} items but the held-out sequences have ${sequences.nItems}: read them with the model's item ids`,
    );
  }
  const { prefixes, targets, heldOutUsers } = sequentialContexts(sequences);
  if (targets.nnz === 0) {
    throw new EvaluationError(`${sequences.name} holds no user with two or more interactions, so there is no context (prefix → next item) to evaluate`);
  }
  const scorer = new HistoryScorer(model, prefixes.byUser);
  const ranked = options.scorer ? options.scorer(scorer) : scorer;
  try {
    const result = evaluateRanking(ranked, prefixes, targets, { ...options, itemPopularity: options.itemPopularity ?? model.itemCounts });
    return { protocol: "sequential", contexts: targets.nnz, heldOutUsers, ...result };
  } finally {
    if (ranked !== scorer) (ranked as { dispose?(): void }).dispose?.();
    scorer.dispose();
  }
}

/**
 * The two-tower model's training examples: every prefix of a user's time-ordered row predicts
 * the next item. Example e's target is byUser.indices[targets[e]] and its context the items
 * before it in the same row (the batch keeps the last maxHistory of them). A row of n items
 * gives n − 1 examples: the first item has no context to predict it from.
 */
import type { Interactions } from "../data/interactions.js";
import type { ContextBatch } from "../model/context-batch.js";

export class SequentialExamples {
  /** Position (in byUser.indices) of each example's target. */
  readonly targets: Int32Array;
  /** Position where the target's row starts. */
  readonly rowStarts: Int32Array;

  constructor(readonly data: Interactions) {
    const { indptr } = data.byUser;
    let count = 0;
    for (let u = 0; u < data.nUsers; u++) count += Math.max(0, indptr[u + 1] - indptr[u] - 1);
    this.targets = new Int32Array(count);
    this.rowStarts = new Int32Array(count);
    let e = 0;
    for (let u = 0; u < data.nUsers; u++) {
      for (let p = indptr[u] + 1; p < indptr[u + 1]; p++) {
        this.targets[e] = p;
        this.rowStarts[e++] = indptr[u];
      }
    }
  }

  get count(): number {
    return this.targets.length;
  }

  /** Fill `batch` with the contexts of examples order[start..end) and `targetItems` with their targets. */
  fill(batch: ContextBatch, targetItems: Int32Array, order: Int32Array, start: number, end: number): void {
    const indices = this.data.byUser.indices;
    batch.reset();
    for (let r = 0; r < end - start; r++) {
      const e = order[start + r];
      const p = this.targets[e];
      batch.add(indices, this.rowStarts[e], p);
      targetItems[r] = indices[p];
    }
  }
}

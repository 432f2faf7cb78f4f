/**
 * Scores time-ordered histories (a CSR, one history per row) against the whole catalog through a
 * history model, as a UserBlockScorer: "user" r is history r, read as its last maxHistory items.
 * It is how evaluateRanking, re-ranking and serving reach a two-tower model: the training users'
 * rows (scoreUsers), the contexts of sequential evaluation, one watchlist.
 */
import type { Csr } from "../data/csr.js";
import type { Kernels } from "../kernels/kernels.js";
import type { WasmF32Array, WasmI32Array } from "../kernels/wasm-instance.js";
import type { UserBlockScorer } from "../eval/scorer.js";
import type { ContextBatch } from "./context-batch.js";

/** A model that scores a block of contexts against every item. */
export interface ContextScorer {
  readonly kernels: Kernels;
  readonly nItems: number;
  /** A batch of the model's context layout (its maxHistory and weighting) for up to `capacity` contexts; the caller disposes it. */
  contextBatch(capacity: number): ContextBatch;
  /** out[r*nItems + i] = score of item i for context r of the batch. */
  scoreContexts(batch: ContextBatch, out: WasmF32Array): void;
}

export class HistoryScorer implements UserBlockScorer {
  readonly kernels: Kernels;
  private batch: ContextBatch | null = null;

  constructor(
    private readonly model: ContextScorer,
    private readonly histories: Csr,
  ) {
    this.kernels = model.kernels;
  }

  get nUsers(): number {
    return this.histories.indptr.length - 1;
  }
  get nItems(): number {
    return this.model.nItems;
  }

  scoreUsers(users: WasmI32Array, n: number, out: WasmF32Array): void {
    if (!this.batch || this.batch.capacity < n) {
      this.batch?.dispose();
      this.batch = this.model.contextBatch(n);
    }
    const { indptr, indices } = this.histories;
    const rows = users.view;
    this.batch.reset();
    for (let r = 0; r < n; r++) this.batch.add(indices, indptr[rows[r]], indptr[rows[r] + 1]);
    this.model.scoreContexts(this.batch, out);
  }

  dispose(): void {
    this.batch?.dispose();
    this.batch = null;
  }
}

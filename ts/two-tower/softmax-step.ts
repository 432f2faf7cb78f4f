/**
 * A two-tower training step with the full softmax over the whole catalog: every context's
 * logits s/T + α·log(1 + c) against all m items, cross-entropy to its next item.
 *   V = itemTowerAll, S = U·Vᵀ (blocked scoring), G = ∂L/∂S (softmaxXent, in place),
 *   ∂U = G·V (gemmNN), ∂V = Gᵀ·U (gemmTN) → ∂itemOut = ∂V, ∂genres = poolRowsBackward(∂V).
 */
import type { Kernels } from "../kernels/kernels.js";
import { freeAll, type WasmF32Array, type WasmI32Array } from "../kernels/wasm-instance.js";
import { itemTowerAll, type TowerTables } from "./towers.js";
import type { TwoTowerConfig } from "./config.js";
import { HistoryTowerGradients } from "./history-tower-gradients.js";
import { ItemTowerOptimizers } from "./item-tower-optimizers.js";
import type { SequentialExamples } from "./sequential-examples.js";

/** One loss's step over a block of examples: the loss and every table's gradient, then the optimizer steps. */
export interface TwoTowerStep {
  readonly history: HistoryTowerGradients;
  /** Summed loss of examples order[start..end); leaves every gradient in place for apply(). */
  lossAndGradients(examples: SequentialExamples, order: Int32Array, start: number, end: number): number;
  apply(): void;
  setLearningRate(rate: number): void;
  /** Dense gradients of the item tower's tables (gradient checks). */
  itemGradients(): { itemOut: Float32Array; genres: Float32Array | null };
  dispose(): void;
}

export class TwoTowerSoftmaxStep implements TwoTowerStep {
  readonly history: HistoryTowerGradients;
  private readonly items: WasmF32Array;
  private readonly packed: WasmF32Array;
  private readonly scores: WasmF32Array;
  private readonly gradItems: WasmF32Array;
  private readonly gradGenres: WasmF32Array | null;
  private readonly targetOffsets: WasmI32Array;
  private readonly targetItems: WasmI32Array;
  private readonly itemOptimizers: ItemTowerOptimizers;

  constructor(
    private readonly k: Kernels,
    private readonly tables: TowerTables,
    private readonly config: TwoTowerConfig,
    private readonly m: number,
    private readonly logitBias: WasmF32Array | null,
  ) {
    const e = k.wasm,
      d = config.dim,
      B = config.batchSize;
    this.history = new HistoryTowerGradients(k, tables, config, m);
    this.items = e.f32(m * d);
    this.packed = e.f32(k.packedItemsLength(m, d));
    this.scores = e.f32(B * m);
    this.gradItems = e.f32(m * d);
    this.gradGenres = tables.genres ? e.f32(tables.genres.count * d) : null;
    this.targetOffsets = e.i32From(Int32Array.from({ length: B + 1 }, (_, r) => r));
    this.targetItems = e.i32(B);
    this.itemOptimizers = new ItemTowerOptimizers(k, tables, config);
  }

  lossAndGradients(examples: SequentialExamples, order: Int32Array, start: number, end: number): number {
    const { k, m, tables } = this;
    const d = this.config.dim,
      n = end - start,
      h = this.history;
    examples.fill(h.batch, this.targetItems.view, order, start, end);
    h.forward();
    itemTowerAll(k, tables, m, d, this.items);
    k.packItems(this.items, m, d, this.packed);
    k.scorePacked(h.users, n, d, this.packed, m, this.scores, m);
    const loss = k.softmaxXent(this.scores, n, m, m, 1 / this.config.temperature, this.logitBias, this.targetOffsets, this.targetItems, null, true);
    k.gemmNN(this.scores, this.items, h.gradUsers, n, d, m);
    k.gemmTN(this.scores, h.users, this.gradItems, m, d, n);
    h.backward();
    if (this.gradGenres && tables.genres) {
      this.gradGenres.view.fill(0);
      k.poolRowsBackward(this.gradGenres, d, tables.genres.offsets, tables.genres.indices, null, m, this.gradItems);
    }
    return loss;
  }

  apply(): void {
    this.history.apply();
    this.itemOptimizers.apply(null, this.m, this.gradItems, this.gradGenres);
  }

  setLearningRate(rate: number): void {
    this.history.setLearningRate(rate);
    this.itemOptimizers.setLearningRate(rate);
  }

  itemGradients(): { itemOut: Float32Array; genres: Float32Array | null } {
    return { itemOut: this.gradItems.view.slice(), genres: this.gradGenres?.view.slice() ?? null };
  }

  dispose(): void {
    this.history.dispose();
    freeAll(this.items, this.packed, this.scores, this.gradItems, this.gradGenres, this.targetOffsets, this.targetItems);
    this.itemOptimizers.dispose();
  }
}

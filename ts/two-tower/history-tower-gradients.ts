/**
 * The history tower's share of a two-tower training step: the forward pass over a batch of
 * contexts (keeping the pooled inputs), the backward pass from ∂L/∂u, and the optimizer steps of
 * its tables. With u = p·W + b and p = pool_w(itemIn):
 *   ∂W = pᵀ·∂U (gemmTN),  ∂b = ∂Uᵀ·1 (matvecT),  ∂P = ∂U·Wᵀ (gemmNT),
 *   ∂itemIn[context item] += (w_e / Σw)·∂p (poolRowsBackward, into one compact row per distinct item).
 */
import type { Kernels } from "../kernels/kernels.js";
import { freeAll, type WasmF32Array, type WasmI32Array } from "../kernels/wasm-instance.js";
import { ContextBatch } from "../model/context-batch.js";
import { historyTower, type TowerTables } from "./towers.js";
import type { TwoTowerConfig } from "./config.js";
import { TableOptimizer } from "../train/optimizer.js";
import { SlotMap } from "../train/slot-map.js";

export class HistoryTowerGradients {
  readonly batch: ContextBatch;
  readonly pooled: WasmF32Array;
  readonly users: WasmF32Array;
  /** ∂L/∂u of the step (the loss fills it). */
  readonly gradUsers: WasmF32Array;
  private readonly gradPooled: WasmF32Array;
  private readonly ones: WasmF32Array;
  /** The context items' compact rows: slots[e] = the row of entry e's item in gradItemIn. */
  private readonly slotMap: SlotMap;
  private readonly slots: WasmI32Array;
  readonly slotRows: WasmI32Array;
  readonly gradItemIn: WasmF32Array;
  readonly gradProjection: WasmF32Array;
  readonly gradBias: WasmF32Array;
  private readonly optimizers: TableOptimizer[];

  constructor(
    private readonly k: Kernels,
    private readonly tables: TowerTables,
    private readonly config: TwoTowerConfig,
    nItems: number,
  ) {
    const e = k.wasm;
    const B = config.batchSize,
      d = config.dim,
      L = config.maxHistory;
    this.batch = new ContextBatch(e, B, L, config.historyWeighting, config.halfLife);
    this.pooled = e.f32(B * d);
    this.users = e.f32(B * d);
    this.gradUsers = e.f32(B * d);
    this.gradPooled = e.f32(B * d);
    this.ones = e.f32From(new Float32Array(B).fill(1));
    this.slotMap = new SlotMap(nItems, B * L);
    this.slots = e.i32(B * L);
    this.slotRows = e.i32(B * L);
    this.gradItemIn = e.f32(B * L * d);
    this.gradProjection = e.f32(d * d);
    this.gradBias = e.f32(d);
    const opt = (table: WasmF32Array) => new TableOptimizer(k, config.optimizer, table, d, config.learningRate, config.l2, false);
    this.optimizers = [opt(tables.itemIn), opt(tables.projection), opt(tables.projectionBias)];
  }

  /** Distinct context items of the batch (rows of gradItemIn). */
  get distinctItems(): number {
    return this.slotMap.size;
  }

  /** u for every context of the (filled) batch, and the slot of every context entry. */
  forward(): void {
    const batch = this.batch;
    historyTower(this.k, this.tables, this.config.dim, batch, this.pooled, this.users);
    this.slotMap.reset();
    const items = batch.items.view,
      slots = this.slots.view;
    for (let e = 0; e < batch.entries; e++) slots[e] = this.slotMap.slot(items[e]);
    this.slotRows.view.set(this.slotMap.rows.subarray(0, this.slotMap.size));
  }

  /** From gradUsers: the gradients of W, b and the context items' input embeddings. */
  backward(): void {
    const k = this.k,
      d = this.config.dim,
      n = this.batch.rows,
      batch = this.batch;
    k.gemmTN(this.pooled, this.gradUsers, this.gradProjection, d, d, n);
    k.matvecT(this.gradUsers, n, d, this.ones, this.gradBias);
    k.gemmNT(this.gradUsers, this.tables.projection, this.gradPooled, n, d, d);
    this.gradItemIn.view.fill(0, 0, this.slotMap.size * d);
    k.poolRowsBackward(this.gradItemIn, d, batch.offsets, this.slots, batch.weights, n, this.gradPooled);
  }

  apply(): void {
    const [itemIn, projection, bias] = this.optimizers;
    itemIn.apply(this.slotRows, this.slotMap.size, this.gradItemIn);
    projection.apply(null, this.config.dim, this.gradProjection);
    bias.apply(null, 1, this.gradBias);
  }

  setLearningRate(rate: number): void {
    for (const o of this.optimizers) o.setLearningRate(rate);
  }

  /** The itemIn gradient as a dense m×d table (for gradient checks). */
  denseItemInGradient(m: number): Float32Array {
    return denseFromSlots(this.slotMap, this.gradItemIn.view, m, this.config.dim);
  }

  dispose(): void {
    this.batch.dispose();
    freeAll(
      this.pooled,
      this.users,
      this.gradUsers,
      this.gradPooled,
      this.ones,
      this.slots,
      this.slotRows,
      this.gradItemIn,
      this.gradProjection,
      this.gradBias,
    );
    for (const o of this.optimizers) o.dispose();
  }
}

/** Compact per-slot gradient rows as a dense table of m rows (rows no slot touched are 0). */
export function denseFromSlots(slotMap: SlotMap, grad: Float32Array, m: number, d: number): Float32Array {
  const out = new Float32Array(m * d);
  for (let s = 0; s < slotMap.size; s++) out.set(grad.subarray(s * d, (s + 1) * d), slotMap.rows[s] * d);
  return out;
}

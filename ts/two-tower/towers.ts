/**
 * The two towers' parameters and forward passes, shared by serving and training.
 *   user tower: u = pool_w(itemIn over the context) · W + b   (pool_w: weighted mean)
 *   item tower: v_i = itemOut_i + mean(genre embeddings of item i)   (the genre term when genres are given)
 * Score = u·v (training divides by the temperature T).
 */
import type { Kernels } from "../kernels/kernels.js";
import { freeAll, type WasmF32Array, type WasmI32Array } from "../kernels/wasm-instance.js";
import type { ContextBatch } from "../model/context-batch.js";

export interface TowerTables {
  readonly itemIn: WasmF32Array;
  readonly itemOut: WasmF32Array;
  /** W, d×d row-major. */
  readonly projection: WasmF32Array;
  readonly projectionBias: WasmF32Array;
  /** Genre embeddings (genres × d), with each item's genre CSR in wasm; null without genres. */
  readonly genres: { readonly table: WasmF32Array; readonly offsets: WasmI32Array; readonly indices: WasmI32Array; readonly count: number } | null;
}

export function freeTowerTables(t: TowerTables): void {
  freeAll(t.itemIn, t.itemOut, t.projection, t.projectionBias, t.genres?.table, t.genres?.offsets, t.genres?.indices);
}

/** The trainable tables in a fixed order (what the fit loop snapshots and restores: early stopping, divergence). */
export function towerArrays(t: TowerTables): WasmF32Array[] {
  return [t.itemIn, t.itemOut, t.projection, t.projectionBias, ...(t.genres ? [t.genres.table] : [])];
}

/** pooled = pool_w(itemIn over the batch's contexts); users = pooled·W + b (n = batch.rows). */
export function historyTower(k: Kernels, t: TowerTables, d: number, batch: ContextBatch, pooled: WasmF32Array, users: WasmF32Array): void {
  const n = batch.rows;
  k.poolRows(t.itemIn, d, batch.offsets, batch.items, batch.weights, n, pooled);
  k.gemmNN(pooled, t.projection, users, n, d, d);
  k.addToRows(users, n, d, d, 1, t.projectionBias);
}

/** Every item's vector v_i (m×d) into out. */
export function itemTowerAll(k: Kernels, t: TowerTables, m: number, d: number, out: WasmF32Array): void {
  out.view.set(t.itemOut.view.subarray(0, m * d));
  if (t.genres) k.poolRows(t.genres.table, d, t.genres.offsets, t.genres.indices, null, m, out, true);
}

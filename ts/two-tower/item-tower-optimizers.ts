import type { Kernels } from "../kernels/kernels.js";
import type { WasmF32Array, WasmI32Array } from "../kernels/wasm-instance.js";
import type { TowerTables } from "./towers.js";
import type { TwoTowerConfig } from "./config.js";
import { TableOptimizer } from "../train/optimizer.js";

/** The optimizer state of the item tower's tables: the id embeddings (rows a step touched, or all) and the genre embeddings (all). */
export class ItemTowerOptimizers {
  private readonly items: TableOptimizer;
  private readonly genres: TableOptimizer | null;

  constructor(
    k: Kernels,
    private readonly tables: TowerTables,
    config: TwoTowerConfig,
  ) {
    const opt = (table: WasmF32Array) => new TableOptimizer(k, config.optimizer, table, config.dim, config.learningRate, config.l2, false);
    this.items = opt(tables.itemOut);
    this.genres = tables.genres ? opt(tables.genres.table) : null;
  }

  /** Step itemOut's rows (null: the first nRows) by gradItemOut and every genre row by gradGenres. */
  apply(rows: WasmI32Array | null, nRows: number, gradItemOut: WasmF32Array, gradGenres: WasmF32Array | null): void {
    this.items.apply(rows, nRows, gradItemOut);
    if (this.genres && gradGenres) this.genres.apply(null, this.tables.genres!.count, gradGenres);
  }

  setLearningRate(rate: number): void {
    this.items.setLearningRate(rate);
    this.genres?.setLearningRate(rate);
  }

  dispose(): void {
    this.items.dispose();
    this.genres?.dispose();
  }
}

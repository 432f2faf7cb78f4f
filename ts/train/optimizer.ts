import type { Kernels } from "../kernels/kernels.js";
import type { WasmF32Array, WasmI32Array } from "../kernels/wasm-instance.js";

export type OptimizerName = "adam" | "adagrad" | "sgd";
export const OPTIMIZERS: readonly OptimizerName[] = ["adam", "adagrad", "sgd"];

export const BETA1 = 0.9;
export const BETA2 = 0.999;
export const ADAM_EPS = 1e-8;
export const ADAGRAD_EPS = 1e-8;

/**
 * Optimizer state for one embedding table. Steps touch only the rows given (sparse rows),
 * or the whole table when rows is null; the state arrays are owned here and freed by dispose().
 */
export class TableOptimizer {
  /** Adagrad's accumulator or Adam's first moment (null for SGD), and Adam's second moment. */
  readonly first: WasmF32Array | null;
  readonly second: WasmF32Array | null;
  /** Adam's global step: steps taken so far (a training kernel that steps in wasm advances it). */
  step = 0;

  constructor(
    private readonly kernels: Kernels,
    readonly kind: OptimizerName,
    private readonly table: WasmF32Array,
    private readonly dim: number,
    private rate: number,
    readonly l2: number,
    /** Keep updated rows on the unit sphere (scores become cosines). */
    readonly unitNorm: boolean,
  ) {
    const engine = kernels.wasm;
    this.first = kind === "sgd" ? null : zeroed(engine.f32(table.length));
    this.second = kind === "adam" ? zeroed(engine.f32(table.length)) : null;
  }

  /** The step size from now on (a learning-rate schedule sets it between epochs). */
  setLearningRate(learningRate: number): void {
    this.rate = learningRate;
  }

  get learningRate(): number {
    return this.rate;
  }

  /** Apply grads (compact, nRows×d) to `rows` of the table (null: the first nRows rows). */
  apply(rows: WasmI32Array | null, nRows: number, grads: WasmF32Array): void {
    if (nRows === 0) return;
    const k = this.kernels;
    switch (this.kind) {
      case "sgd":
        k.sgdRows(this.table, this.dim, rows, nRows, grads, this.rate, this.l2);
        break;
      case "adagrad":
        k.adagradRows(this.table, this.first!, this.dim, rows, nRows, grads, this.rate, ADAGRAD_EPS, this.l2);
        break;
      case "adam":
        this.step++;
        k.adamRows(this.table, this.first!, this.second!, this.dim, rows, nRows, grads, this.rate, BETA1, BETA2, ADAM_EPS, this.step, this.l2);
        break;
    }
    // Projected gradient descent on the sphere: the step leaves it, the projection returns.
    if (this.unitNorm) k.l2NormalizeRowsAt(this.table, this.dim, rows, nRows);
  }

  dispose(): void {
    this.first?.free();
    this.second?.free();
  }
}

function zeroed(a: WasmF32Array): WasmF32Array {
  a.view.fill(0);
  return a;
}

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
    /**
     * Adam only: rows a step does not touch still move on their momentum, as every row does in
     * dense Adam; the skipped steps are applied in closed form when a row is next stepped and at
     * finishEpoch. false: lazy Adam, where only the touched rows move.
     */
    readonly denseAdam = false,
  ) {
    const engine = kernels.wasm;
    this.first = kind === "sgd" ? null : zeroed(engine.f32(table.length));
    this.second = kind === "adam" ? zeroed(engine.f32(table.length)) : null;
    const dense = kind === "adam" && denseAdam;
    this.stamps = dense ? zeroedI32(engine.i32(Math.max(1, table.length / dim))) : null;
    this.horizon = dense ? engine.f32From(adamHorizon(BETA1, BETA2)) : null;
  }

  /** Dense Adam: the closed form's table of future step sizes (see adamHorizon). */
  readonly horizon: WasmF32Array | null;

  /** Dense Adam: per row, the step through which its skipped steps are applied (kernels that step rows themselves share it). */
  readonly stamps: WasmI32Array | null;

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
        if (this.stamps) this.catchUp(rows, nRows, this.step + 1);
        this.step++;
        k.adamRows(this.table, this.first!, this.second!, this.dim, rows, nRows, grads, this.rate, BETA1, BETA2, ADAM_EPS, this.step, this.l2);
        break;
    }
    // Projected gradient descent on the sphere: the step leaves it, the projection returns.
    if (this.unitNorm) k.l2NormalizeRowsAt(this.table, this.dim, rows, nRows);
  }

  /**
   * Dense Adam: applies the skipped steps of the given distinct rows now, so that a step reads them
   * where dense Adam has them (a runner calls it before it gathers the rows it will step). A no-op
   * for lazy Adam and the other optimizers.
   */
  bringUpToDate(rows: WasmI32Array, nRows: number): void {
    if (this.stamps && nRows > 0) this.catchUp(rows, nRows, this.step);
  }

  /**
   * The end of an epoch: with denseAdam, every row's skipped steps are applied now (the table is
   * then what dense Adam would hold), and unit rows are projected back. Otherwise nothing.
   */
  finishEpoch(): void {
    if (!this.stamps) return;
    const rows = this.table.length / this.dim;
    this.catchUp(null, rows, this.step);
    if (this.unitNorm) this.kernels.l2NormalizeRows(this.table, rows, this.dim);
  }

  /** The given rows' skipped steps through the last step taken; their stamps become `after`. */
  private catchUp(rows: WasmI32Array | null, nRows: number, after: number): void {
    this.kernels.adamCatchUpRows(
      this.table,
      this.first!,
      this.second!,
      this.dim,
      rows,
      nRows,
      this.stamps!,
      this.step,
      after,
      this.rate,
      BETA1,
      BETA2,
      this.horizon!,
    );
  }

  dispose(): void {
    this.first?.free();
    this.second?.free();
    this.stamps?.free();
    this.horizon?.free();
  }
}

/**
 * E(s) = Σ_{k≥1} r^k·c(s + k) for s = 0, 1, ..., r = β1/√β2 and c(s) = √(1 − β2^s)/(1 − β1^s)
 * (Adam's bias corrections at step s): how far dense Adam moves a row on its momentum m after
 * step s, in units of lr·m/√v, if no gradient reaches it again. The table runs until c is 1 to
 * f32 precision; beyond it E = r/(1 − r). Built by E(s) = r·(c(s + 1) + E(s + 1)), backwards.
 */
export function adamHorizon(beta1: number, beta2: number): Float64Array {
  const key = `${beta1} ${beta2}`;
  let table = HORIZONS.get(key);
  if (!table) HORIZONS.set(key, (table = buildHorizon(beta1, beta2)));
  return table;
}

/** adamHorizon's tables, built once per (β1, β2): every dense-Adam table and memory plan reads the same one. */
const HORIZONS = new Map<string, Float64Array>();

function buildHorizon(beta1: number, beta2: number): Float64Array {
  const r = beta1 / Math.sqrt(beta2);
  const c = (s: number) => Math.sqrt(1 - Math.pow(beta2, s)) / (1 - Math.pow(beta1, s));
  let length = 1;
  while (Math.abs(c(length) - 1) > 1e-9) length++;
  const table = new Float64Array(length);
  let next = r / (1 - r);
  for (let s = length - 1; s >= 0; s--) table[s] = next = r * (c(s + 1) + next);
  return table;
}

function zeroed(a: WasmF32Array): WasmF32Array {
  a.view.fill(0);
  return a;
}

function zeroedI32(a: WasmI32Array): WasmI32Array {
  a.view.fill(0);
  return a;
}

/**
 * ReSN (Lin et al., WSDM 2025, "How do recommendation models amplify popularity bias? An analysis
 * from the spectral perspective"): the top singular vector of the score matrix memorises item
 * popularity, so the penalty λ·σ_max(Ŷ)² on Ŷ = U·Vᵀ (the step's users U, the whole catalog V)
 * curbs the popularity direction. It is reached through the factors in O((n+m)·d), never forming Ŷ:
 *   r = Ŷᵀ1 = V(Uᵀ1),  q = r/‖r‖ (the popularity direction; held constant in the gradient),
 *   b = Vᵀq,  h = U·b = Ŷq,  σ² ≈ ‖h‖²,
 *   ∂σ²/∂U = 2·h·bᵀ,  ∂σ²/∂V = 2·q·(Uᵀh)ᵀ.
 * Every product is a wasm kernel call (matvec, matvecT, addOuter); the vectors are owned here.
 */
import type { Kernels } from "../kernels/kernels.js";
import { freeAll, type WasmF32Array, type WasmI32Array } from "../kernels/wasm-instance.js";
import type { TrainingContext } from "./training-context.js";

export class SpectralPenalty {
  private readonly ones: WasmF32Array;
  private readonly userSum: WasmF32Array;
  private readonly itemScores: WasmF32Array;
  private readonly direction: WasmF32Array;
  private readonly userScores: WasmF32Array;
  private readonly userPull: WasmF32Array;

  constructor(
    private readonly kernels: Kernels,
    private readonly dim: number,
    private readonly maxUsers: number,
    private readonly nItems: number,
    /** λ. */
    readonly weight: number,
  ) {
    const e = kernels.wasm;
    this.ones = e.f32(Math.max(1, maxUsers));
    this.ones.view.fill(1);
    this.userSum = e.f32(Math.max(1, dim));
    this.itemScores = e.f32(Math.max(1, nItems));
    this.direction = e.f32(Math.max(1, dim));
    this.userScores = e.f32(Math.max(1, maxUsers));
    this.userPull = e.f32(Math.max(1, dim));
  }

  /**
   * Adds λ·∂σ²/∂U to gradUsers (n compact rows, row r for users row r) and λ·∂σ²/∂V to gradItems
   * (all m item rows) and returns λ·σ², for the n user rows in `users` and the item table `items`.
   */
  addGradients(users: WasmF32Array, n: number, items: WasmF32Array, gradUsers: WasmF32Array, gradItems: WasmF32Array): number {
    if (n > this.maxUsers) throw new RangeError(`SpectralPenalty: ${n} users exceed the capacity of ${this.maxUsers}`);
    if (n === 0 || this.weight === 0) return 0;
    const k = this.kernels,
      d = this.dim,
      m = this.nItems;
    k.matvecT(users, n, d, this.ones, this.userSum); // Uᵀ1
    k.matvec(items, m, d, this.userSum, this.itemScores); // r = V(Uᵀ1)
    const rr = k.dot(this.itemScores, this.itemScores, m);
    if (!(rr > 0 && Number.isFinite(rr))) return 0;
    // With r unnormalised, b = Vᵀr and h = U·b carry a factor ‖r‖ each; 1/‖r‖² = 1/rr folds both back.
    k.matvecT(items, m, d, this.itemScores, this.direction); // ‖r‖·b
    k.matvec(users, n, d, this.direction, this.userScores); // ‖r‖·h
    const sigma2 = k.dot(this.userScores, this.userScores, n) / rr;
    k.matvecT(users, n, d, this.userScores, this.userPull); // ‖r‖·Uᵀh
    const scale = (2 * this.weight) / rr;
    k.addOuter(gradUsers, n, d, scale, this.userScores, this.direction);
    k.addOuter(gradItems, m, d, scale, this.itemScores, this.userPull);
    return this.weight * sigma2;
  }

  dispose(): void {
    freeAll(this.ones, this.userSum, this.itemScores, this.direction, this.userScores, this.userPull);
  }
}

/**
 * The update of a step whose gradients are compact rows (pairwise losses, sampled softmax). With
 * ReSN the item gradient is dense (the penalty reaches every item), so the compact item rows are
 * scattered into a whole-table gradient and the optimizer steps all items; without it, this is
 * the plain sparse update.
 */
export class RowGradientStep {
  private readonly penalty: SpectralPenalty | null;
  private readonly userBlock: WasmF32Array | null;
  private readonly denseItems: WasmF32Array | null;

  constructor(
    private readonly ctx: TrainingContext,
    maxUsers: number,
  ) {
    const { config, train, kernels } = ctx;
    const lambda = config.spectralPenalty;
    this.penalty = lambda > 0 ? new SpectralPenalty(kernels, config.dim, maxUsers, train.nItems, lambda) : null;
    this.userBlock = this.penalty ? kernels.wasm.f32(maxUsers * config.dim) : null;
    this.denseItems = this.penalty ? kernels.wasm.f32(train.nItems * config.dim) : null;
  }

  /** Steps the optimizers; returns the penalty λ·σ² of the step (0 without ReSN). */
  apply(userRows: WasmI32Array, nu: number, gradU: WasmF32Array, itemRows: WasmI32Array, ni: number, gradI: WasmF32Array): number {
    const { kernels, config, train, userFactors, itemFactors, userOptimizer, itemOptimizer } = this.ctx;
    if (!this.penalty) {
      userOptimizer.apply(userRows, nu, gradU);
      itemOptimizer.apply(itemRows, ni, gradI);
      return 0;
    }
    const d = config.dim,
      m = train.nItems;
    const dense = this.denseItems!;
    dense.view.fill(0);
    kernels.scatterAddRows(dense, d, itemRows, ni, gradI);
    kernels.gatherRows(userFactors, d, userRows, nu, this.userBlock!);
    const penalty = this.penalty.addGradients(this.userBlock!, nu, itemFactors, gradU, dense);
    userOptimizer.apply(userRows, nu, gradU);
    itemOptimizer.apply(null, m, dense);
    return penalty;
  }

  dispose(): void {
    this.penalty?.dispose();
    freeAll(this.userBlock, this.denseItems);
  }
}

import type { Kernels } from "../kernels/kernels.js";
import type { WasmF32Array } from "../kernels/wasm-instance.js";
import { freeAll } from "../kernels/wasm-instance.js";

/** The popular directions of Ren et al.: P̄ over users and Q̄ over items (d floats each). */
export interface PopularDirections {
  users: Float32Array;
  items: Float32Array;
}

/**
 * Algorithm 1 of Ren et al. ("Mitigating Popularity Bias in Recommendation with Unbalanced
 * Interactions: A Gradient Perspective"): per user and per item, the sum of the gradient updates
 * received during training, P̄_u −= lr·(Q_i − Q_j) and Q̄_i −= lr·P_u for every (u, i, j) a BPR
 * step (or the pointwise split of a BCE step) visits, read at the parameters the step started
 * from. The running sums live in wasm tables as large as the embeddings; the BPR/BCE training
 * kernel (assembly/pairwise.ts) adds to them as it visits each example, before any update of the
 * step; {@link directions} gives their means P̄ and Q̄.
 */
export class GradientAccumulator {
  readonly userSums: WasmF32Array;
  readonly itemSums: WasmF32Array;

  constructor(
    kernels: Kernels,
    readonly nUsers: number,
    readonly nItems: number,
    readonly dim: number,
    /** The optimizer's learning rate: every update is scaled by −lr, as in Algorithm 1. */
    private readonly learningRate: number,
  ) {
    const e = kernels.wasm;
    this.userSums = e.f32(nUsers * dim);
    this.itemSums = e.f32(nItems * dim);
    this.userSums.view.fill(0);
    this.itemSums.view.fill(0);
  }

  /** The factor of every recorded update: −lr, as in Algorithm 1 (the training kernel applies it). */
  get scale(): number {
    return -this.learningRate;
  }

  /** Lines 20-21: P̄ = mean over users of P̄_u, Q̄ = mean over items of Q̄_i (summed in f64). */
  directions(): PopularDirections {
    return { users: meanRow(this.userSums.view, this.nUsers, this.dim), items: meanRow(this.itemSums.view, this.nItems, this.dim) };
  }

  dispose(): void {
    freeAll(this.userSums, this.itemSums);
  }
}

/** Mean of the n rows of d in `table`, or of the rows listed in `rows` when given. */
export function meanRow(table: Float32Array, n: number, d: number, rows?: ArrayLike<number>): Float32Array {
  const sum = new Float64Array(d);
  const count = rows ? rows.length : n;
  for (let r = 0; r < count; r++) {
    const at = (rows ? rows[r] : r) * d;
    for (let c = 0; c < d; c++) sum[c] += table[at + c];
  }
  return Float32Array.from(sum, (x) => (count > 0 ? x / count : 0));
}

/**
 * Inverse propensity scoring (IPS), the baseline debiasing methods are compared with: a positive
 * (u, i) observed under popularity-biased exposure stands in for 1/p_i positives, with the
 * propensity p_i = c_i / max_j c_j (training counts). Propensities are clipped from below at
 * ipsMinPropensity, which bounds the variance the rarest items would otherwise bring, and the
 * weights are normalised to mean 1 over the training interactions, so the loss keeps its scale
 * and the learning rates their meaning.
 */
import type { Interactions } from "../data/interactions.js";
import type { WasmInstance, WasmF32Array } from "../kernels/wasm-instance.js";

/** The IPS weight of every item's positives, or null when IPS is off. */
export function ipsItemWeights(config: { readonly ips: boolean; readonly ipsMinPropensity: number }, train: Interactions): Float32Array | null {
  if (!config.ips) return null;
  return clippedInversePropensities(train.itemCounts(), config.ipsMinPropensity);
}

/** 1/max(c_i/c_max, minPropensity), scaled so that Σ_i c_i·w_i = Σ_i c_i (mean 1 per interaction). */
export function clippedInversePropensities(counts: Int32Array, minPropensity: number): Float32Array {
  let maxCount = 0;
  for (const c of counts) maxCount = Math.max(maxCount, c);
  const raw = new Float64Array(counts.length);
  let weighted = 0,
    total = 0;
  for (let i = 0; i < counts.length; i++) {
    raw[i] = 1 / Math.max(maxCount > 0 ? counts[i] / maxCount : 1, minPropensity);
    weighted += counts[i] * raw[i];
    total += counts[i];
  }
  const scale = weighted > 0 ? total / weighted : 1;
  return Float32Array.from(raw, (w) => w * scale);
}

/**
 * Per-positive weights for the full softmax, whose kernel weights whole rows (a row = one user
 * with all the user's positives). Row r gets the kernel weight Ω_r/n_r (Ω_r = Σ_t ω_t over its
 * n_r targets); the difference to the per-target weights is linear in the target logits, so it
 * is settled exactly on the targets alone: O(targets) per step, not O(rows × catalog).
 */
export class SoftmaxTargetWeights {
  readonly rowWeights: WasmF32Array;
  private readonly shift: Float64Array;

  constructor(
    engine: WasmInstance,
    maxRows: number,
    maxTargets: number,
    private readonly itemWeights: Float32Array,
  ) {
    this.rowWeights = engine.f32(Math.max(1, maxRows));
    this.shift = new Float64Array(Math.max(1, maxTargets));
  }

  /**
   * Before the kernel (scores still hold raw scores): sets the row weights and returns the loss
   * correction Σ_t (Ω_r/n_r − ω_t)·z_t, with z_t = score·invTemp + colBias[target].
   */
  prepare(
    scores: Float32Array,
    stride: number,
    nRows: number,
    offsets: Int32Array,
    targets: Int32Array,
    invTemp: number,
    colBias: Float32Array | null,
  ): number {
    const w = this.rowWeights.view;
    let correction = 0;
    for (let r = 0; r < nRows; r++) {
      const a = offsets[r],
        b = offsets[r + 1];
      let total = 0;
      for (let t = a; t < b; t++) total += this.itemWeights[targets[t]];
      const rowWeight = b > a ? total / (b - a) : 0;
      w[r] = rowWeight;
      for (let t = a; t < b; t++) {
        const col = targets[t];
        this.shift[t] = rowWeight - this.itemWeights[col];
        correction += this.shift[t] * (scores[r * stride + col] * invTemp + (colBias ? colBias[col] : 0));
      }
    }
    return correction;
  }

  /** After the kernel wrote ∂loss/∂scores: moves each target's weight from Ω_r/n_r to ω_t. */
  correctGradient(grad: Float32Array, stride: number, nRows: number, offsets: Int32Array, targets: Int32Array, invTemp: number): void {
    for (let r = 0; r < nRows; r++) {
      for (let t = offsets[r]; t < offsets[r + 1]; t++) grad[r * stride + targets[t]] += invTemp * this.shift[t];
    }
  }

  dispose(): void {
    this.rowWeights.free();
  }
}

/**
 * Fold-in: the user vector a trained MF model would give a history it never saw, without
 * retraining (what the `implicit` library's recalculate_user does for ALS). With implicit-feedback
 * target 1 on every history item, the regularised least-squares user is
 *
 *   p = (Q_hᵀQ_h + λI)⁻¹ Q_hᵀ·1,   Q_h = the history's rows of the item table.
 *
 * Unlike ALS's full recalculation this looks at the history's items only (no confidence-weighted
 * zeros over the rest of the catalog), so it is O(|h|·d² + d³) per history: d ≤ a few hundred, one
 * f64 Cholesky solve in plain TS is microseconds to milliseconds.
 */
import { solveSymmetricPositiveDefinite } from "../util/cholesky.js";

/**
 * λ when the caller gives none. Measured on ml-latest-small (docs/watchlists-and-walls.md, "Watchlists and persona
 * walls"): Recall@20 of training users' held-out items, fold-in on their own training items,
 * rose with λ from 0.01 to 10 and was flat from 10 to 1000 (full softmax, unit-norm items; BPR
 * likewise up to 100). A large λ pulls p towards the (scaled) sum of the history's item vectors,
 * which ranks as well as the trained user vectors; a small λ over-fits a short history.
 */
export const DEFAULT_FOLD_IN_REGULARIZATION = 10;

/** The folded-in user vector for `history` (distinct item indices) over the m×d row-major `items`. */
export function foldInUser(items: Float32Array, d: number, history: ArrayLike<number>, regularization = DEFAULT_FOLD_IN_REGULARIZATION): Float64Array {
  if (!(Number.isFinite(regularization) && regularization > 0)) {
    throw new RangeError(`the fold-in regularisation λ must be a positive number (e.g. ${DEFAULT_FOLD_IN_REGULARIZATION}), got ${regularization}`);
  }
  const gram = new Float64Array(d * d);
  const rhs = new Float64Array(d);
  for (let h = 0; h < history.length; h++) {
    const row = history[h] * d;
    for (let a = 0; a < d; a++) {
      const qa = items[row + a];
      rhs[a] += qa;
      // Upper triangle only; mirrored below.
      for (let b = a; b < d; b++) gram[a * d + b] += qa * items[row + b];
    }
  }
  for (let a = 0; a < d; a++) {
    gram[a * d + a] += regularization;
    for (let b = 0; b < a; b++) gram[a * d + b] = gram[b * d + a];
  }
  return solveSymmetricPositiveDefinite(gram, rhs, d);
}

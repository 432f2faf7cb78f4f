// The user tower of SimpleX (Mao et al. 2021, "behaviour aggregation") as two row kernels. A
// user's training vector blends the user's id embedding with a projection of the mean of the
// user's items, and is scored by its cosine: the blend is put back on the unit sphere, and the
// backward pass carries the gradient through that normalisation.

import { addScaledRow, dotProduct, scaleRow } from "./rows";

/**
 * rows[r] ← h / ‖h‖ with h = keep·rows[r] + weight·mixed[r], for n rows of d; norms[r] ← ‖h‖.
 * A zero (or non-finite) h is left as it is, with norm 0, so its gradient is zero.
 */
export function blend_unit_rows(rows: usize, mixed: usize, n: i32, d: i32, keep: f32, weight: f32, norms: usize): void {
  const rowBytes = <usize>d << 2;
  for (let r = 0; r < n; r++) {
    const row = rows + <usize>r * rowBytes;
    scaleRow(row, keep, d);
    addScaledRow(row, weight, mixed + <usize>r * rowBytes, d);
    // In f64: a blend of unit rows can cancel to a norm whose square underflows f32.
    let squared: f64 = 0;
    for (let c = 0; c < d; c++) {
      const v = <f64>load<f32>(row + (<usize>c << 2));
      squared += v * v;
    }
    const norm = Math.sqrt(squared);
    const usable = norm > 0 && isFinite(norm);
    if (usable) {
      const inv = 1.0 / norm;
      for (let c = 0; c < d; c++) {
        const at = row + (<usize>c << 2);
        store<f32>(at, <f32>(<f64>load<f32>(at) * inv));
      }
    }
    store<f32>(norms + (<usize>r << 2), usable ? <f32>norm : 0);
  }
}

/**
 * The gradient of blend_unit_rows. `unit` holds its output rows ĥ and `grad` holds ∂L/∂ĥ on entry.
 * With g = (∂L/∂ĥ − ĥ·(ĥ·∂L/∂ĥ)) / ‖h‖ (the gradient through the normalisation), grad[r] ← keep·g
 * (the id row's gradient) and gradMixed[r] ← weight·g. A row of norm 0 gets zero gradients.
 */
export function blend_unit_rows_backward(
  unit: usize, grad: usize, gradMixed: usize, norms: usize, n: i32, d: i32, keep: f32, weight: f32,
): void {
  const rowBytes = <usize>d << 2;
  for (let r = 0; r < n; r++) {
    const offset = <usize>r * rowBytes;
    const u = unit + offset,
      g = grad + offset,
      gm = gradMixed + offset;
    const norm = load<f32>(norms + (<usize>r << 2));
    if (!(norm > 0)) {
      memory.fill(g, 0, rowBytes);
      memory.fill(gm, 0, rowBytes);
      continue;
    }
    addScaledRow(g, -dotProduct(u, g, d), u, d);
    scaleRow(g, <f32>(1.0 / <f64>norm), d);
    memory.copy(gm, g, rowBytes);
    scaleRow(gm, weight, d);
    scaleRow(g, keep, d);
  }
}

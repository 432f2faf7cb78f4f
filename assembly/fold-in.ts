// Fold-in for a batch of histories (ts/model/fold-in.ts says what and why): per row, the ridge
// least-squares user p = (Q_hᵀQ_h + λI)⁻¹ Q_hᵀ·1 over the row's items, in f64 with the same
// operations in the same order as the TypeScript foldInUser (so the two agree exactly), solved by
// Cholesky. Rows are independent: a batch splits across threads.

/** Bytes of scratch fold_in_rows needs for d: the Gram matrix, its Cholesky factor and the right-hand side, in f64. */
export function fold_in_scratch_bytes(d: i32): i32 {
  return (2 * d * d + d) << 3;
}

/**
 * For r < nRows: out[r] (d floats) = the fold-in of items indices[offsets[r] .. offsets[r+1])
 * (distinct item rows of the m×d table `items`); a row without items gets zeros. Returns 0, or
 * r + 1 for the first row whose system was not positive definite (NaN or infinite inputs), whose
 * output is then NaN.
 */
export function fold_in_rows(items: usize, d: i32, offsets: usize, indices: usize, nRows: i32, lambda: f64, out: usize, scratch: usize): i32 {
  const dd = <usize>d;
  const gram = scratch, factor = scratch + ((dd * dd) << 3), x = factor + ((dd * dd) << 3);
  const rowBytes = dd << 2;
  let failed = 0;
  for (let r = 0; r < nRows; r++) {
    const begin = load<i32>(offsets + (<usize>r << 2)), end = load<i32>(offsets + (<usize>r << 2), 4);
    const target = out + <usize>r * rowBytes;
    if (end <= begin) {
      memory.fill(target, 0, rowBytes);
      continue;
    }
    memory.fill(gram, 0, (dd * dd) << 3);
    memory.fill(x, 0, dd << 3);
    for (let h = begin; h < end; h++) {
      const row = items + <usize>load<i32>(indices + (<usize>h << 2)) * rowBytes;
      for (let a: usize = 0; a < dd; a++) {
        const qa = <f64>load<f32>(row + (a << 2));
        store<f64>(x + (a << 3), load<f64>(x + (a << 3)) + qa);
        // Upper triangle only; mirrored below.
        const g = gram + ((a * dd) << 3);
        for (let b = a; b < dd; b++) store<f64>(g + (b << 3), load<f64>(g + (b << 3)) + qa * <f64>load<f32>(row + (b << 2)));
      }
    }
    for (let a: usize = 0; a < dd; a++) {
      const diagonal = gram + ((a * dd + a) << 3);
      store<f64>(diagonal, load<f64>(diagonal) + lambda);
      for (let b: usize = 0; b < a; b++) store<f64>(gram + ((a * dd + b) << 3), load<f64>(gram + ((b * dd + a) << 3)));
    }
    if (!solve(gram, factor, x, dd)) {
      if (failed == 0) failed = r + 1;
      for (let c: usize = 0; c < dd; c++) store<f32>(target + (c << 2), NaN);
      continue;
    }
    for (let c: usize = 0; c < dd; c++) store<f32>(target + (c << 2), <f32>load<f64>(x + (c << 3)));
  }
  return failed;
}

/** Solves A·x = b in place in x (A d×d symmetric positive definite; `l` receives its Cholesky factor); false when A is not. */
function solve(a: usize, l: usize, x: usize, d: usize): bool {
  for (let j: usize = 0; j < d; j++) {
    let diagonal = load<f64>(a + ((j * d + j) << 3));
    for (let k: usize = 0; k < j; k++) {
      const ljk = load<f64>(l + ((j * d + k) << 3));
      diagonal -= ljk * ljk;
    }
    if (!(diagonal > 0)) return false;
    const root = Math.sqrt(diagonal);
    store<f64>(l + ((j * d + j) << 3), root);
    for (let i = j + 1; i < d; i++) {
      let s = load<f64>(a + ((i * d + j) << 3));
      for (let k: usize = 0; k < j; k++) s -= load<f64>(l + ((i * d + k) << 3)) * load<f64>(l + ((j * d + k) << 3));
      store<f64>(l + ((i * d + j) << 3), s / root);
    }
  }
  // L·y = b, then Lᵀ·x = y.
  for (let i: usize = 0; i < d; i++) {
    let s = load<f64>(x + (i << 3));
    for (let k: usize = 0; k < i; k++) s -= load<f64>(l + ((i * d + k) << 3)) * load<f64>(x + (k << 3));
    store<f64>(x + (i << 3), s / load<f64>(l + ((i * d + i) << 3)));
  }
  for (let i = <isize>d - 1; i >= 0; i--) {
    let s = load<f64>(x + (<usize>i << 3));
    for (let k = <usize>i + 1; k < d; k++) s -= load<f64>(l + ((k * d + <usize>i) << 3)) * load<f64>(x + (k << 3));
    store<f64>(x + (<usize>i << 3), s / load<f64>(l + ((<usize>i * d + <usize>i) << 3)));
  }
  return true;
}

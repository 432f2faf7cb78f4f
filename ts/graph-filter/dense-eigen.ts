/**
 * Small dense linear algebra in f64 for the graph filter's subspace iteration: the l × l Gram and
 * Rayleigh-Ritz matrices (l a few hundred) are solved here, while every product with the catalog
 * runs in the wasm kernels.
 */

/**
 * The inverse of the upper Cholesky factor of a symmetric positive semi-definite n × n matrix g
 * (row-major), as a row-major n × n matrix rInv with g = Rᵀ R and Q·rInv orthonormal when g = QᵀQ.
 * A column whose remaining diagonal falls below `relativeTolerance` × its own diagonal (dependent
 * on the earlier ones, or zero) gets a zero column in rInv: Q·rInv then holds a zero column there.
 */
export function choleskyInverseUpper(g: Float64Array, n: number, relativeTolerance = 1e-9): Float64Array {
  const r = new Float64Array(n * n);
  const kept = new Uint8Array(n);
  for (let j = 0; j < n; j++) {
    let diag = g[j * n + j]!;
    for (let k = 0; k < j; k++) diag -= r[k * n + j]! * r[k * n + j]!;
    if (!(diag > relativeTolerance * g[j * n + j]!) || !(diag > 0)) continue;
    kept[j] = 1;
    const rjj = Math.sqrt(diag);
    r[j * n + j] = rjj;
    for (let c = j + 1; c < n; c++) {
      let s = g[j * n + c]!;
      for (let k = 0; k < j; k++) s -= r[k * n + j]! * r[k * n + c]!;
      r[j * n + c] = s / rjj;
    }
  }
  // Back substitution column by column: rInv is upper triangular; dropped columns stay zero.
  const inv = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    if (!kept[c]) continue;
    inv[c * n + c] = 1 / r[c * n + c]!;
    for (let i = c - 1; i >= 0; i--) {
      if (!kept[i]) continue;
      let s = 0;
      for (let k = i + 1; k <= c; k++) s += r[i * n + k]! * inv[k * n + c]!;
      inv[i * n + c] = -s / r[i * n + i]!;
    }
  }
  return inv;
}

/**
 * Eigenvalues and eigenvectors of a symmetric n × n matrix (row-major), sorted by decreasing
 * eigenvalue: vectors[i * n + j] is component i of the j-th eigenvector. Householder reduction to
 * tridiagonal form, then the implicit QL iteration (tred2 and tql2 of EISPACK, as JAMA has them):
 * O(n³) once, where cyclic Jacobi rotations cost that per sweep.
 */
export function symmetricEigen(matrix: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  // V as rows of arrays for clarity; d the diagonal, e the off-diagonal.
  const V: Float64Array[] = Array.from({ length: n }, (_, i) => matrix.slice(i * n, (i + 1) * n));
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n > 0) {
    tridiagonalize(V, d, e, n);
    diagonalize(V, d, e, n);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => d[y]! - d[x]! || x - y);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((from, to) => {
    values[to] = d[from]!;
    for (let i = 0; i < n; i++) vectors[i * n + to] = V[i]![from]!;
  });
  return { values, vectors };
}

/** Householder reduction of the symmetric V to tridiagonal form (EISPACK tred2): V becomes the accumulated transform. */
function tridiagonalize(V: Float64Array[], d: Float64Array, e: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) d[j] = V[n - 1]![j]!;
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = V[i - 1]![j]!;
        V[i]![j] = 0;
        V[j]![i] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k]! /= scale;
        h += d[k]! * d[k]!;
      }
      let f = d[i - 1]!;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        V[j]![i] = f;
        g = e[j]! + V[j]![j]! * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += V[k]![j]! * d[k]!;
          e[k]! += V[k]![j]! * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j]! /= h;
        f += e[j]! * d[j]!;
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j]! -= hh * d[j]!;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        g = e[j]!;
        for (let k = j; k <= i - 1; k++) V[k]![j]! -= f * e[k]! + g * d[k]!;
        d[j] = V[i - 1]![j]!;
        V[i]![j] = 0;
      }
    }
    d[i] = h;
  }
  for (let i = 0; i < n - 1; i++) {
    V[n - 1]![i] = V[i]![i]!;
    V[i]![i] = 1;
    const h = d[i + 1]!;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = V[k]![i + 1]! / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += V[k]![i + 1]! * V[k]![j]!;
        for (let k = 0; k <= i; k++) V[k]![j]! -= g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) V[k]![i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = V[n - 1]![j]!;
    V[n - 1]![j] = 0;
  }
  V[n - 1]![n - 1] = 1;
  e[0] = 0;
}

/** The implicit QL iteration on the tridiagonal (d, e) (EISPACK tql2), rotating V's columns along. */
function diagonalize(V: Float64Array[], d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]!) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      for (let iter = 0; iter < 60; iter++) {
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i]! -= h;
        f += h;
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          for (let k = 0; k < n; k++) {
            const row = V[k]!;
            h = row[i + 1]!;
            row[i + 1] = s * row[i]! + c * h;
            row[i] = c * row[i]! - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
        if (Math.abs(e[l]!) <= eps * tst1) break;
      }
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
}

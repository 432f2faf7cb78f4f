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
 * Eigenvalues and eigenvectors of a symmetric n × n matrix (row-major) by cyclic Jacobi rotations,
 * sorted by decreasing eigenvalue: vectors[i * n + j] is component i of the j-th eigenvector.
 */
export function symmetricEigen(matrix: Float64Array, n: number, maxSweeps = 50): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale += a[i]! * a[i]!;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q]! * a[p * n + q]!;
    if (!(off > 1e-30 * scale)) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (apq === 0) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y * n + y]! - a[x * n + x]! || x - y);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((from, to) => {
    values[to] = a[from * n + from]!;
    for (let i = 0; i < n; i++) vectors[i * n + to] = v[i * n + from]!;
  });
  return { values, vectors };
}

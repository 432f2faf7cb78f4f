/**
 * Plain TypeScript versions of the scoring and GEMM kernels (assembly/scoring.ts, assembly/gemm.ts).
 *
 * Two kinds live here. The `reference*` functions compute in f64 and are the definitions the
 * kernel tests compare against, written for clarity. The `plain*` functions are what a careful
 * JavaScript author would write without wasm (Float32Array storage, a blocked loop where it
 * helps); the benchmark reports them as the "plain TS" baseline.
 */

/** out[u*m + i] = users[u]·items[i] (users nUsers×d, items m×d, row-major), in f64. */
export function referenceScores(users: ArrayLike<number>, nUsers: number, d: number, items: ArrayLike<number>, m: number): Float64Array {
  const out = new Float64Array(nUsers * m);
  for (let u = 0; u < nUsers; u++) {
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += users[u * d + k] * items[i * d + k];
      out[u * m + i] = s;
    }
  }
  return out;
}

/** Σ_k |users[u,k]·items[i,k]| for every pair: the scale an f32 dot product's rounding error grows with. */
export function referenceScoreMagnitudes(users: ArrayLike<number>, nUsers: number, d: number, items: ArrayLike<number>, m: number): Float64Array {
  const out = new Float64Array(nUsers * m);
  for (let u = 0; u < nUsers; u++) {
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += Math.abs(users[u * d + k] * items[i * d + k]);
      out[u * m + i] = s;
    }
  }
  return out;
}

/**
 * The packed item layout of pack_items with panels of `width` items: panel p holds, for each
 * k < d, the k-th component of items p*width .. p*width+width-1 side by side, 0 past item m−1.
 */
export function referencePackItems(q: ArrayLike<number>, m: number, d: number, width: number): Float32Array {
  const panels = Math.ceil(m / width);
  const out = new Float32Array(panels * width * d);
  for (let i = 0; i < m; i++) {
    const p = Math.floor(i / width);
    const j = i % width;
    for (let k = 0; k < d; k++) out[p * width * d + k * width + j] = q[i * d + k];
  }
  return out;
}

/** C (+)= A·B with A M×K, B K×N (row-major), in f64; `c0` is C before the call (used when accumulating). */
export function referenceGemmNN(a: ArrayLike<number>, b: ArrayLike<number>, M: number, N: number, K: number, c0: ArrayLike<number> | null): Float64Array {
  return referenceGemm(a, K, 1, b, M, N, K, c0);
}

/** C (+)= Aᵀ·B with A K×M, B K×N (row-major), in f64; `c0` is C before the call (used when accumulating). */
export function referenceGemmTN(a: ArrayLike<number>, b: ArrayLike<number>, M: number, N: number, K: number, c0: ArrayLike<number> | null): Float64Array {
  return referenceGemm(a, 1, M, b, M, N, K, c0);
}

/** C (+)= op(A)·B where op(A)[i][k] = a[i·rowStride + k·colStride]. */
function referenceGemm(
  a: ArrayLike<number>,
  rowStride: number,
  colStride: number,
  b: ArrayLike<number>,
  M: number,
  N: number,
  K: number,
  c0: ArrayLike<number> | null,
): Float64Array {
  const c = c0 ? Float64Array.from(c0) : new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a[i * rowStride + k * colStride] * b[k * N + j];
      c[i * N + j] += s;
    }
  }
  return c;
}

/** Σ a[i]·b[i] over n elements: the plain loop one query's scoring runs per item. */
export function plainDot(a: Float32Array, b: Float32Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

/**
 * out[u*outStride + i] = users[u]·items[i], blocked the way plain JavaScript allows: each item row
 * is read once per group of 4 users, with the 4 running sums in locals.
 */
export function plainScoreBlocked(users: Float32Array, nUsers: number, d: number, items: Float32Array, m: number, out: Float32Array, outStride = m): void {
  let u = 0;
  for (; u + 4 <= nUsers; u += 4) {
    const r0 = u * d,
      r1 = r0 + d,
      r2 = r1 + d,
      r3 = r2 + d;
    for (let i = 0; i < m; i++) {
      const q = i * d;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let k = 0; k < d; k++) {
        const x = items[q + k];
        s0 += users[r0 + k] * x;
        s1 += users[r1 + k] * x;
        s2 += users[r2 + k] * x;
        s3 += users[r3 + k] * x;
      }
      out[u * outStride + i] = s0;
      out[(u + 1) * outStride + i] = s1;
      out[(u + 2) * outStride + i] = s2;
      out[(u + 3) * outStride + i] = s3;
    }
  }
  for (; u < nUsers; u++) {
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += users[u * d + k] * items[i * d + k];
      out[u * outStride + i] = s;
    }
  }
}

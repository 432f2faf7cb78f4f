/**
 * Plain reference for the int8 item table (assembly/quantized.ts). Quantization and candidate
 * scores are reproduced bit for bit: the codes are defined by f32 arithmetic (Math.fround) and
 * round-half-to-even, and a candidate score is f32(exact integer dot) · f32(s_i · s_u), so the
 * kernels must return exactly these values in every build. Exact scores are f64.
 */

const LEVELS = 63;

/** Round half to even (wasm's f32.nearest). */
function nearestEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** max_k |row_k| / 63 in f32, and the row's codes; a zero or non-finite scale gives codes 0. */
export function referenceQuantizeRow(row: ArrayLike<number>): { scale: number; codes: Int8Array } {
  let max = 0;
  for (let k = 0; k < row.length; k++) max = Math.max(max, Math.abs(row[k]));
  const scale = Math.fround(max / LEVELS);
  const codes = new Int8Array(row.length);
  if (scale > 0 && scale < Infinity) {
    for (let k = 0; k < row.length; k++) codes[k] = Math.min(LEVELS, Math.max(-LEVELS, nearestEven(Math.fround(row[k] / scale))));
  }
  return { scale, codes };
}

/** Per-item quantization of n rows of d: codes (row-major) and scales. */
export function referenceQuantizeRows(rows: ArrayLike<number>, n: number, d: number): { codes: Int8Array; scales: Float32Array } {
  const codes = new Int8Array(n * d);
  const scales = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    const q = referenceQuantizeRow(Array.prototype.slice.call(rows, r * d, r * d + d) as number[]);
    codes.set(q.codes, r * d);
    scales[r] = q.scale;
  }
  return { codes, scales };
}

/** Candidate scores out[u·m + i] = f32(q_u·q_i)·f32(s_i·s_u), exactly as the kernels compute them. */
export function referenceCandidateScores(
  users: ArrayLike<number>,
  nUsers: number,
  d: number,
  codes: ArrayLike<number>,
  scales: ArrayLike<number>,
  m: number,
): Float32Array {
  const out = new Float32Array(nUsers * m);
  for (let u = 0; u < nUsers; u++) {
    const { scale: su, codes: qu } = referenceQuantizeRow(Array.prototype.slice.call(users, u * d, u * d + d) as number[]);
    for (let i = 0; i < m; i++) {
      let raw = 0;
      for (let k = 0; k < d; k++) raw += qu[k] * codes[i * d + k];
      out[u * m + i] = Math.fround(raw * Math.fround(scales[i] * su));
    }
  }
  return out;
}

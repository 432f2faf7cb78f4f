import { F32_EPS, f32At, filledF32, release, within } from "./support/kernel-spec-data";
import { gemm_nn, gemm_nt, gemm_tn, gemm_scratch_bytes } from "../gemm";
import { alloc, free } from "../memory";

/** Runs one GEMM (transposed A when `tn`, transposed B when `nt`) and checks C against an f64 reference, with or without accumulation. */
function check(tn: bool, M: i32, N: i32, K: i32, accumulate: bool, seed: i32, nt: bool = false): void {
  const a = filledF32(M * K, seed);
  const b = filledF32(K * N, seed + 1);
  const c = filledF32(M * N, seed + 2);
  const c0 = filledF32(M * N, seed + 2);
  const scratch = alloc(gemm_scratch_bytes(N, K));
  if (tn) gemm_tn(a, M, b, c, M, N, K, accumulate ? 1 : 0, scratch);
  else if (nt) gemm_nt(a, b, c, M, N, K, accumulate ? 1 : 0, scratch);
  else gemm_nn(a, K, b, c, M, N, K, accumulate ? 1 : 0, scratch);
  free(scratch);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s: f64 = accumulate ? <f64>f32At(c0, i * N + j) : 0;
      let mag: f64 = Math.abs(s);
      for (let k = 0; k < K; k++) {
        const aik = tn ? f32At(a, k * M + i) : f32At(a, i * K + k);
        const bkj = nt ? f32At(b, j * K + k) : f32At(b, k * N + j);
        const t = <f64>aik * <f64>bkj;
        s += t;
        mag += Math.abs(t);
      }
      const got = <f64>f32At(c, i * N + j);
      const tol = 4 * F32_EPS * Math.sqrt(<f64>K + 1) * mag + 1e-30;
      expect<bool>(within(got, s, tol)).toBe(true, "C within f32 tolerance of the f64 reference");
    }
  }
  release(a); release(b); release(c); release(c0);
}

function sweep(tn: bool, accumulate: bool, nt: bool = false): void {
  // M, N, K triples: N = 1 and N not a multiple of 4/8, M remainders, K across the 256 block, empties.
  const shapes: i32[] = [0, 3, 4, 3, 0, 4, 3, 5, 0, 1, 1, 1, 5, 1, 7, 7, 3, 5, 4, 8, 8, 6, 9, 2, 2, 17, 33, 9, 13, 300, 3, 5, 513];
  for (let s = 0; s < shapes.length; s += 3) check(tn, shapes[s], shapes[s + 1], shapes[s + 2], accumulate, 100 + s, nt);
}

describe("gemm_nn", () => {
  it("overwrites C with A·B", () => { sweep(false, false); });
  it("adds A·B to C", () => { sweep(false, true); });
});

describe("gemm_tn", () => {
  it("overwrites C with Aᵀ·B", () => { sweep(true, false); });
  it("adds Aᵀ·B to C", () => { sweep(true, true); });
});

describe("gemm_nt", () => {
  it("overwrites C with A·Bᵀ", () => { sweep(false, false, true); });
  it("adds A·Bᵀ to C", () => { sweep(false, true, true); });
});

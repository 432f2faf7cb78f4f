// Dense products for full-softmax training: dP = G·Q (gemm_nn) and dQ = Gᵀ·P (gemm_tn). Both run
// the same packed, register-blocked tiles as score_packed (microkernel.ts); they differ only in
// how the left operand is read while packing.

import { PANEL, packPanels, packRows, tile, groupRows } from "./microkernel";

// k values per cache block: a block of B (256 × N = 64) packs to 64 KiB and stays in L2 while
// every row group sweeps it; one packed row group (4 × 256 = 4 KiB) stays in L1 across the panels.
const K_BLOCK: i32 = 256;
// Rows of A packed per block: 256 × 256 values = 256 KiB, read back from L2.
const M_BLOCK: i32 = 256;

/** C[M×N] (+)= A[M×K]·B[K×N], row-major; accumulate = 0 overwrites C, 1 adds to it. */
export function gemm_nn(a: usize, b: usize, c: usize, M: i32, N: i32, K: i32, accumulate: i32): void {
  // Value (row i, k) of A is at a + i*K*4 + k*4.
  gemm(a, <usize>K << 2, 4, b, c, M, N, K, accumulate != 0);
}

/** C[M×N] (+)= Aᵀ·B with A[K×M] and B[K×N], row-major; accumulate = 0 overwrites C, 1 adds. */
export function gemm_tn(a: usize, b: usize, c: usize, M: i32, N: i32, K: i32, accumulate: i32): void {
  // Value (row i of Aᵀ, k) is A[k, i], at a + k*M*4 + i*4.
  gemm(a, 4, <usize>M << 2, b, c, M, N, K, accumulate != 0);
}

function gemm(a: usize, aRowStride: usize, aKStride: usize, b: usize, c: usize, M: i32, N: i32, K: i32, accumulate: bool): void {
  if (M <= 0 || N <= 0) return;
  const cPitch = <usize>N << 2;
  if (K <= 0) {
    if (!accumulate) memory.fill(c, 0, <usize>M * cPitch);
    return;
  }
  const panels = (N + PANEL - 1) / PANEL;
  const kBlock = min<i32>(K, K_BLOCK);
  const mBlock = min<i32>(M, M_BLOCK);
  const packedB = heap.alloc(<usize>(panels * PANEL * kBlock) << 2);
  const packedA = heap.alloc(<usize>(mBlock * kBlock) << 2);
  for (let k0 = 0; k0 < K; k0 += K_BLOCK) {
    const kc = min<i32>(K_BLOCK, K - k0);
    // After the first k block the partial sums are in C, so later blocks always add.
    const add = accumulate || k0 > 0;
    packPanels(b + (<usize>k0 * cPitch), 4, cPitch, N, kc, packedB);
    const panelBytes = <usize>(kc * PANEL) << 2;
    for (let i0 = 0; i0 < M; i0 += M_BLOCK) {
      const mc = min<i32>(M_BLOCK, M - i0);
      packRows(a + <usize>i0 * aRowStride + <usize>k0 * aKStride, aRowStride, aKStride, mc, kc, packedA);
      let pa = packedA;
      let r = 0;
      while (r < mc) {
        const g = groupRows(mc, r);
        const rowC = c + <usize>(i0 + r) * cPitch;
        for (let p = 0; p < panels; p++) {
          const cols = min<i32>(PANEL, N - p * PANEL);
          tile(g, pa, packedB + <usize>p * panelBytes, kc, rowC + (<usize>(p * PANEL) << 2), cPitch, cols, add);
        }
        pa += <usize>(g * kc) << 2;
        r += g;
      }
    }
  }
  heap.free(packedA);
  heap.free(packedB);
}

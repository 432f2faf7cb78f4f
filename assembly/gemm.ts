// Dense products for full-softmax training: dP = G·Q (gemm_nn) and dQ = Gᵀ·P (gemm_tn). Both run
// the register-blocked 4×8 tiles of microkernel.ts over a packed right operand, like
// score_packed. In SIMD builds the tile reads the left operand in place, one broadcast load per
// value, wherever four rows are left; only the last 1-3 rows (and the scalar build) pack it.
//
// Why in place: packing pre-broadcast (packRows) was a fifth of a full-softmax step (node
// --cpu-prof), and on this AMD EPYC (Zen 5) the in-place tile is also the faster tile: at a
// full-softmax step's shapes on Gowalla (128 users × 40,981 items, d = 64, one thread, the builds
// before and after side by side with bench/score-builds.ts --kernel) gemm_nn ran 1.23× and gemm_tn
// 1.53× faster (docs/benchmarks.md). Loading gemm_tn's four adjacent values as one vector and
// broadcasting its lanes with shuffles gained only 1.21×: the shuffles compete with the FMAs.

import { EDGE_SCRATCH_BYTES, PANEL, groupRows, packPanels, packRows, packedRowsBytes, inPlaceTile4x8, tile, useEdgeScratch } from "./microkernel";

// k values per cache block: a block of B (256 × N = 64) packs to 64 KiB and stays in L2 while
// every row group sweeps it; a row group's 4 × 256 values of A are read by each of the N/8 panels,
// from L1 after the first.
const K_BLOCK: i32 = 256;

/**
 * C[M×N] (+)= A·B with A's rows lda ≥ K floats apart (its first K columns are used) and B[K×N],
 * row-major; accumulate = 0 overwrites C, 1 adds to it. lda > K reads A as columns of a wider
 * matrix (the sampled softmax's negative logits, beside each row's positive).
 */
export function gemm_nn(a: usize, lda: i32, b: usize, c: usize, M: i32, N: i32, K: i32, accumulate: i32, scratch: usize): void {
  // Row i of A, step k: a + i*lda*4 + k*4.
  gemm(a, <usize>lda << 2, 4, b, 4, <usize>N << 2, c, M, N, K, accumulate != 0, scratch);
}

/** C[M×N] (+)= A·Bᵀ with A[M×K] and B[N×K], row-major (the two-tower projection's input gradient dP = dU·Wᵀ). */
export function gemm_nt(a: usize, b: usize, c: usize, M: i32, N: i32, K: i32, accumulate: i32, scratch: usize): void {
  // Column j of Bᵀ, step k, is B[j, k]: b + j*K*4 + k*4.
  gemm(a, <usize>K << 2, 4, b, <usize>K << 2, 4, c, M, N, K, accumulate != 0, scratch);
}

/**
 * C[M×N] (+)= Aᵀ·B with A[K×lda] (its first M columns) and B[K×N], row-major; accumulate = 0
 * overwrites C, 1 adds. lda ≥ M lets a thread compute a slice of C's rows from columns of a wider A.
 */
export function gemm_tn(a: usize, lda: i32, b: usize, c: usize, M: i32, N: i32, K: i32, accumulate: i32, scratch: usize): void {
  // Row i of Aᵀ, step k, is A[k, i]: a + k*lda*4 + i*4.
  gemm(a, 4, <usize>lda << 2, b, 4, <usize>N << 2, c, M, N, K, accumulate != 0, scratch);
}

/**
 * Bytes of scratch a GEMM with N output columns over K needs: the edge staging, one packed
 * k block of the right operand and one packed row group. The kernels allocate nothing (threads
 * sharing one memory each pass their own scratch, 16-byte aligned).
 */
export function gemm_scratch_bytes(N: i32, K: i32): i32 {
  const kBlock = min<i32>(max<i32>(K, 0), K_BLOCK);
  const panels = (max<i32>(N, 0) + PANEL - 1) / PANEL;
  return <i32>(EDGE_SCRATCH_BYTES + packedBBytes(panels, kBlock) + packedRowsBytes(4, kBlock));
}

// @ts-ignore: decorator
@inline function packedBBytes(panels: i32, kBlock: i32): usize {
  // Rounded up to 16 bytes so that the row group after it stays aligned.
  return ((<usize>(panels * PANEL * kBlock) << 2) + 15) & ~<usize>15;
}

function gemm(a: usize, aRowStride: usize, aKStride: usize, b: usize, bColStride: usize, bKStride: usize, c: usize, M: i32, N: i32, K: i32, accumulate: bool, scratch: usize): void {
  if (M <= 0 || N <= 0) return;
  const cPitch = <usize>N << 2;
  if (K <= 0) {
    if (!accumulate) memory.fill(c, 0, <usize>M * cPitch);
    return;
  }
  const panels = (N + PANEL - 1) / PANEL;
  const kBlock = min<i32>(K, K_BLOCK);
  const packedB = useEdgeScratch(scratch);
  const packedGroup = packedB + packedBBytes(panels, kBlock);
  for (let k0 = 0; k0 < K; k0 += K_BLOCK) {
    const kc = min<i32>(K_BLOCK, K - k0);
    // From the second k block on, C holds partial sums, so every later block adds.
    const add = accumulate || k0 > 0;
    packPanels(b + <usize>k0 * bKStride, bColStride, bKStride, N, kc, packedB);
    const panelBytes = <usize>(kc * PANEL) << 2;
    const aBlock = a + <usize>k0 * aKStride;
    let r = 0;
    if (ASC_FEATURE_SIMD) {
      while (M - r >= 4) {
        const rowC = c + <usize>r * cPitch;
        const aGroup = aBlock + <usize>r * aRowStride;
        for (let p = 0; p < panels; p++) {
          const cols = min<i32>(PANEL, N - p * PANEL);
          inPlaceTile4x8(aGroup, aRowStride, aKStride, packedB + <usize>p * panelBytes, kc, rowC + (<usize>(p * PANEL) << 2), cPitch, cols, add);
        }
        r += 4;
      }
    }
    while (r < M) {
      const g = groupRows(M, r);
      packRows(aBlock + <usize>r * aRowStride, aRowStride, aKStride, g, kc, packedGroup);
      const rowC = c + <usize>r * cPitch;
      for (let p = 0; p < panels; p++) {
        const cols = min<i32>(PANEL, N - p * PANEL);
        tile(g, packedGroup, packedB + <usize>p * panelBytes, kc, rowC + (<usize>(p * PANEL) << 2), cPitch, cols, add);
      }
      r += g;
    }
  }
}

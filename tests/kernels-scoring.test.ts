import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../ts/util/rng.js";
import type { Kernels } from "../ts/kernels/kernels.js";
import { referenceGemmNN, referenceGemmTN, referencePackItems, referenceScoreMagnitudes, referenceScores } from "./reference/scoring.js";
import { F32_EPS, VARIANTS, type WasmScope, assertClose, randomF32, withKernels } from "./support/kernel-harness.js";

// Written into output buffers before a kernel runs: any element still equal to it afterwards was
// not written, any guard element that differs from it was written when it must not be.
const SENTINEL = -12345.5;

/** f32 error bound of a dot product whose terms have absolute sum `magnitude` (as in kernels-rows). */
function dotTolerance(magnitude: number, n: number): number {
  return 4 * F32_EPS * Math.sqrt(n + 1) * magnitude + 1e-30;
}

function filled(mem: WasmScope, n: number, value = SENTINEL) {
  const a = mem.f32(n);
  a.view.fill(value);
  return a;
}

/** Pack `items` through the kernel and return the packed owner. */
function packed(k: Kernels, mem: WasmScope, items: Float32Array, m: number, d: number) {
  const out = filled(mem, k.packedItemsLength(m, d), 7);
  k.packItems(mem.f32From(items), m, d, out);
  return out;
}

/** Column-major magnitudes of Aᵀ-style products: Σ_k |A(i,k)·B(k,j)| for the GEMM tolerances. */
function gemmMagnitudes(aAt: (i: number, k: number) => number, b: Float32Array, M: number, N: number, K: number): Float64Array {
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += Math.abs(aAt(i, k) * b[k * N + j]);
      out[i * N + j] = s;
    }
  }
  return out;
}

// Shapes around every block edge of the kernels: register groups of 4 users (3 in the relaxed
// build's wide tile) with every remainder, panels of 8 (12) items with m not a multiple of either,
// user blocks (at most 480 users, split evenly: 481 users are blocks of 243/244 and the rest), the
// 64-panel block (512 or 768 items), d = 1, d not a multiple of the wide tile's 4 k steps per
// trip, and empty inputs.
const SCORE_SHAPES: ReadonlyArray<readonly [nUsers: number, m: number, d: number]> = [
  [0, 5, 3],
  [3, 0, 4],
  [2, 3, 0],
  [1, 1, 1],
  [1, 9, 1],
  [5, 7, 1],
  [2, 8, 2],
  [3, 17, 3],
  [4, 16, 4],
  [6, 33, 5],
  [7, 63, 16],
  [9, 65, 17],
  [13, 100, 64],
  [4, 513, 7],
  [260, 21, 6],
  [11, 530, 65],
  [3, 12, 4],
  [3, 24, 8],
  [8, 11, 2],
  [10, 25, 6],
  [241, 13, 3],
  [242, 36, 9],
  [5, 769, 10],
  [12, 780, 64],
  [481, 14, 3],
  [970, 13, 2],
];

// GEMM shapes: N = 1 and N not a multiple of 4 or 8, M remainders, K across the 256 block.
const GEMM_SHAPES: ReadonlyArray<readonly [M: number, N: number, K: number]> = [
  [0, 3, 4],
  [3, 0, 4],
  [1, 1, 1],
  [5, 1, 7],
  [7, 3, 5],
  [4, 8, 8],
  [6, 9, 2],
  [2, 17, 33],
  [9, 13, 300],
  [13, 64, 70],
  [3, 5, 513],
];

for (const variant of VARIANTS) {
  describe(`scoring and GEMM kernels (${variant})`, () => {
    it("exposes its panel width (12 with relaxed SIMD's wide tile, else 8) and a packed length of whole zero-padded panels", () =>
      withKernels(variant, (k) => {
        const width = variant === "relaxed" ? 12 : 8;
        assert.equal(k.x.packed_panel_width(), width);
        for (const [m, d, panels] of [
          [0, 4, 0],
          [1, 1, 1],
          [width, 3, 1],
          [width + 1, 3, 2],
          [17, 64, Math.ceil(17 / width)],
        ]) {
          assert.equal(k.packedItemsLength(m, d), panels * width * d, `packedItemsLength(${m}, ${d})`);
        }
      }));

    it("madd_ceiling (the benchmarks' yardstick) runs and reports its FLOPs per round", () =>
      withKernels(variant, (k) => {
        assert.equal(k.x.madd_ceiling(0), variant === "scalar" ? 20 : 80);
        assert.equal(k.x.madd_ceiling(1000), variant === "scalar" ? 20 : 80);
      }));

    it("packItems writes exactly the reference panel layout, zero padding included", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(21);
        const width = k.x.packed_panel_width();
        for (const [m, d] of [
          [0, 4],
          [1, 1],
          [7, 3],
          [8, 5],
          [9, 1],
          [17, 16],
          [33, 64],
        ]) {
          const q = randomF32(rng, m * d);
          const out = packed(k, mem, q, m, d);
          assert.deepEqual(Array.from(out.view), Array.from(referencePackItems(q, m, d, width)), `packItems m=${m} d=${d}`);
        }
      }));

    it("scorePacked matches the f64 reference on shapes around every block edge", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(22);
        const shapes = [...SCORE_SHAPES];
        for (let t = 0; t < 12; t++) shapes.push([1 + rng.int(20), 1 + rng.int(90), 1 + rng.int(70)]);
        for (const [nUsers, m, d] of shapes) {
          const users = randomF32(rng, nUsers * d);
          const items = randomF32(rng, m * d);
          const out = filled(mem, nUsers * m);
          k.scorePacked(mem.f32From(users), nUsers, d, packed(k, mem, items, m, d), m, out);
          const magnitude = referenceScoreMagnitudes(users, nUsers, d, items, m);
          assertClose(out.view, referenceScores(users, nUsers, d, items, m), (i) => dotTolerance(magnitude[i], d), `scorePacked ${nUsers}×${m}×${d}`);
        }
      }));

    it("scorePacked with outStride > m writes rows at the stride and never the guard columns", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(23);
        for (const [nUsers, m, d, extra] of [
          [5, 13, 3, 3],
          [9, 8, 1, 1],
          [4, 70, 9, 8],
        ]) {
          const stride = m + extra;
          const users = randomF32(rng, nUsers * d);
          const items = randomF32(rng, m * d);
          // Users from row 1 of a larger table, results from element `stride` on: the rows and
          // columns around the written block must all keep the sentinel.
          const table = new Float32Array((nUsers + 1) * d);
          table.set(users, d);
          const out = filled(mem, (nUsers + 2) * stride);
          k.scorePacked(mem.f32From(table), nUsers, d, packed(k, mem, items, m, d), m, out, stride, 1, stride);
          const expected = referenceScores(users, nUsers, d, items, m);
          const magnitude = referenceScoreMagnitudes(users, nUsers, d, items, m);
          const view = out.view;
          for (let r = 0; r < nUsers + 2; r++) {
            for (let c = 0; c < stride; c++) {
              const got = view[r * stride + c];
              const inside = r >= 1 && r <= nUsers && c < m;
              if (!inside) {
                assert.equal(got, SENTINEL, `guard element row ${r} column ${c} was written (m=${m}, stride=${stride})`);
                continue;
              }
              const e = expected[(r - 1) * m + c];
              const tol = dotTolerance(magnitude[(r - 1) * m + c], d);
              assert.ok(Math.abs(got - e) <= tol, `row ${r - 1} column ${c}: got ${got}, expected ${e}`);
            }
          }
        }
      }));

    it("scoring a catalog tile by tile from panel offsets equals scoring it whole", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(24);
        const width = k.x.packed_panel_width();
        const [nUsers, m, d] = [7, 203, 11];
        const users = randomF32(rng, nUsers * d);
        const items = randomF32(rng, m * d);
        const wUsers = mem.f32From(users);
        const wPacked = packed(k, mem, items, m, d);
        const expected = referenceScores(users, nUsers, d, items, m);
        const magnitude = referenceScoreMagnitudes(users, nUsers, d, items, m);
        for (const tileItems of [width, 2 * width, 5 * width]) {
          const out = filled(mem, nUsers * m);
          // Last tile first: a tile that wrote past its own columns would clobber finished ones.
          const starts: number[] = [];
          for (let s = 0; s < m; s += tileItems) starts.push(s);
          for (const start of starts.reverse()) {
            const size = Math.min(tileItems, m - start);
            k.x.score_packed(
              wUsers.ptr,
              nUsers,
              d,
              wPacked.ptr + start * d * 4,
              size,
              out.ptr + start * 4,
              m,
              k.wasm.scratchFor(0, k.x.score_packed_scratch_bytes(nUsers, d)),
            );
          }
          assertClose(out.view, expected, (i) => dotTolerance(magnitude[i], d), `tiles of ${tileItems}`);
        }
      }));

    it("scoreRowsDot (the naive baseline) matches the reference and respects outStride", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(25);
        for (const [nUsers, m, d] of [
          [0, 3, 2],
          [2, 0, 2],
          [1, 1, 1],
          [3, 5, 3],
          [5, 9, 7],
          [6, 31, 64],
          [2, 4, 65],
        ]) {
          const users = randomF32(rng, nUsers * d);
          const items = randomF32(rng, m * d);
          const stride = m + 2;
          const out = filled(mem, nUsers * stride);
          k.scoreRowsDot(mem.f32From(users), nUsers, d, mem.f32From(items), m, out, stride);
          const expected = referenceScores(users, nUsers, d, items, m);
          const magnitude = referenceScoreMagnitudes(users, nUsers, d, items, m);
          const view = out.view;
          for (let u = 0; u < nUsers; u++) {
            for (let c = 0; c < stride; c++) {
              const got = view[u * stride + c];
              if (c >= m) {
                assert.equal(got, SENTINEL, `scoreRowsDot wrote guard column ${c}`);
                continue;
              }
              const e = expected[u * m + c];
              assert.ok(Math.abs(got - e) <= dotTolerance(magnitude[u * m + c], d), `scoreRowsDot ${nUsers}×${m}×${d} [${u},${c}]: got ${got}, expected ${e}`);
            }
          }
        }
      }));

    for (const accumulate of [false, true]) {
      it(`gemmNN matches C ${accumulate ? "+" : ""}= A·B on awkward shapes`, () =>
        withKernels(variant, (k, mem) => {
          const rng = new Rng(accumulate ? 27 : 26);
          for (const [M, N, K] of GEMM_SHAPES) {
            const a = randomF32(rng, M * K);
            const b = randomF32(rng, K * N);
            const c0 = randomF32(rng, M * N);
            const c = mem.f32From(c0);
            k.gemmNN(mem.f32From(a), mem.f32From(b), c, M, N, K, accumulate);
            const expected = referenceGemmNN(a, b, M, N, K, accumulate ? c0 : null);
            const magnitude = gemmMagnitudes((i, kk) => a[i * K + kk], b, M, N, K);
            assertClose(c.view, expected, (i) => dotTolerance(magnitude[i] + (accumulate ? Math.abs(c0[i]) : 0), K), `gemmNN ${M}×${N}×${K}`);
          }
        }));

      it(`gemmTN matches C ${accumulate ? "+" : ""}= Aᵀ·B on awkward shapes`, () =>
        withKernels(variant, (k, mem) => {
          const rng = new Rng(accumulate ? 29 : 28);
          for (const [M, N, K] of GEMM_SHAPES) {
            const a = randomF32(rng, K * M);
            const b = randomF32(rng, K * N);
            const c0 = randomF32(rng, M * N);
            const c = mem.f32From(c0);
            k.gemmTN(mem.f32From(a), mem.f32From(b), c, M, N, K, accumulate);
            const expected = referenceGemmTN(a, b, M, N, K, accumulate ? c0 : null);
            const magnitude = gemmMagnitudes((i, kk) => a[kk * M + i], b, M, N, K);
            assertClose(c.view, expected, (i) => dotTolerance(magnitude[i] + (accumulate ? Math.abs(c0[i]) : 0), K), `gemmTN ${M}×${N}×${K}`);
          }
        }));
    }

    it("gemmNN and gemmTN read A as columns of a wider matrix (offset, stride) exactly as the same A packed contiguously", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(33);
        for (const [M, N, K] of GEMM_SHAPES) {
          for (const [nn, rows, cols] of [
            [true, M, K],
            [false, K, M],
          ] as const) {
            const offset = 3,
              stride = cols + 5;
            const wide = randomF32(rng, offset + Math.max(0, rows - 1) * stride + cols + 2);
            const a = new Float32Array(rows * cols);
            for (let r = 0; r < rows; r++) a.set(wide.subarray(offset + r * stride, offset + r * stride + cols), r * cols);
            const b = mem.f32From(randomF32(rng, K * N));
            const plain = mem.f32(M * N),
              strided = mem.f32(M * N);
            if (nn) {
              k.gemmNN(mem.f32From(a), b, plain, M, N, K);
              k.gemmNN({ array: mem.f32From(wide), offset, stride }, b, strided, M, N, K);
            } else {
              k.gemmTN(mem.f32From(a), b, plain, M, N, K);
              k.gemmTN({ array: mem.f32From(wide), offset, stride }, b, strided, M, N, K);
            }
            assert.deepEqual(strided.view, plain.view, `${nn ? "gemmNN" : "gemmTN"} ${M}×${N}×${K}`);
          }
        }
        assert.throws(
          () => k.gemmNN({ array: mem.f32(10), offset: 0, stride: 2 }, mem.f32(9), mem.f32(3), 1, 3, 3),
          /row stride 2 is below the 3 columns used/,
        );
      }));

    it("K = 0 overwrites C with zeros, or leaves it as it was when accumulating", () =>
      withKernels(variant, (k, mem) => {
        const empty = mem.f32(0);
        for (const gemm of ["gemmNN", "gemmTN"] as const) {
          const c = filled(mem, 3 * 5);
          k[gemm](empty, empty, c, 3, 5, 0, true);
          assert.ok(
            c.view.every((v) => v === SENTINEL),
            `${gemm} K=0 accumulate changed C`,
          );
          k[gemm](empty, empty, c, 3, 5, 0, false);
          assert.ok(
            c.view.every((v) => v === 0),
            `${gemm} K=0 did not zero C`,
          );
        }
      }));

    it("frees its internal scratch: repeated calls do not grow wasm memory", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(30);
        const [nUsers, m, d] = [24, 600, 64];
        const users = mem.f32From(randomF32(rng, nUsers * d));
        const items = packed(k, mem, randomF32(rng, m * d), m, d);
        const scores = mem.f32(nUsers * m);
        const b = mem.f32From(randomF32(rng, m * d));
        const grad = mem.f32(nUsers * d);
        const gradItems = mem.f32(m * d);
        const run = () => {
          k.scorePacked(users, nUsers, d, items, m, scores);
          k.gemmNN(scores, b, grad, nUsers, d, m);
          k.gemmTN(scores, users, gradItems, m, d, nUsers);
        };
        run();
        const pages = k.wasm.memory.buffer.byteLength;
        // Every kernel call allocates ≥ 6 KiB of scratch (two GEMMs over K = 600, 24 users of 64):
        // 100 leaked rounds would need well over a megabyte of new pages.
        for (let i = 0; i < 100; i++) run();
        assert.equal(k.wasm.memory.buffer.byteLength, pages);
      }));
  });
}

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../ts/util/rng.js";
import type { Kernels } from "../ts/kernels/kernels.js";
import { referenceTopkRows } from "./reference/topk.js";
import { VARIANTS, type WasmScope, randomF32, withKernels } from "./support/kernel-harness.js";

interface Exclusion {
  offsets: Int32Array;
  indices: Int32Array;
}

/** Up to maxPerRow random excluded columns per row (repeats possible), offsets absolute. */
function randomExclusion(rng: Rng, nRows: number, nCols: number, maxPerRow: number): Exclusion {
  const offsets = [0];
  const indices: number[] = [];
  for (let r = 0; r < nRows; r++) {
    const n = nCols === 0 ? 0 : rng.int(maxPerRow + 1);
    for (let e = 0; e < n; e++) indices.push(rng.int(nCols));
    offsets.push(indices.length);
  }
  return { offsets: Int32Array.from(offsets), indices: Int32Array.from(indices) };
}

/**
 * Runs the kernel and checks indices, scores and the -Infinity written into excluded entries
 * exactly: selection does no arithmetic, so the kernel must return the very values of the input.
 */
function checkAgainstReference(
  k: Kernels,
  mem: WasmScope,
  scores: Float32Array,
  nRows: number,
  nCols: number,
  stride: number,
  topK: number,
  excl: Exclusion | null,
  what: string,
): void {
  const wasmScores = mem.f32From(scores);
  const outIndices = mem.i32(nRows * topK);
  const outScores = mem.f32(nRows * topK);
  k.topkRows(wasmScores, nRows, nCols, stride, topK, excl && { offsets: mem.i32From(excl.offsets), indices: mem.i32From(excl.indices) }, outIndices, outScores);
  const expected = referenceTopkRows(scores, nRows, nCols, stride, topK, excl);
  assert.deepEqual(Array.from(outIndices.view), Array.from(expected.indices), `indices ${what}`);
  assert.deepEqual(Array.from(outScores.view), Array.from(expected.scores), `scores ${what}`);
  assert.deepEqual(Array.from(wasmScores.view), Array.from(expected.maskedScores), `excluded entries set to -Infinity ${what}`);
}

function scoresFor(rng: Rng, nRows: number, nCols: number, stride: number, kind: "normal" | "ties"): Float32Array {
  const n = nRows === 0 ? 0 : (nRows - 1) * stride + nCols;
  if (kind === "normal") return randomF32(rng, n);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.int(5); // five distinct values: ties everywhere
  return out;
}

const SHAPES: Array<[nRows: number, nCols: number, stride: number]> = [
  [0, 10, 10],
  [3, 0, 2],
  [1, 1, 1],
  [4, 3, 3],
  [5, 7, 9],
  [3, 17, 17],
  [6, 64, 64],
  [4, 100, 103],
  [2, 1001, 1001],
];

for (const variant of VARIANTS) {
  describe(`top-k kernel (${variant})`, () => {
    it("matches a full sort on random shapes, for k below, at and above nCols, with and without exclusions", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(31);
        for (const [nRows, nCols, stride] of SHAPES) {
          for (const topK of [1, 2, 5, 10, nCols, nCols + 3]) {
            if (topK < 1) continue;
            for (const kind of ["normal", "ties"] as const) {
              const scores = scoresFor(rng, nRows, nCols, stride, kind);
              const what = `rows ${nRows} cols ${nCols} stride ${stride} k ${topK} ${kind}`;
              checkAgainstReference(k, mem, scores, nRows, nCols, stride, topK, null, what);
              const excl = randomExclusion(rng, nRows, nCols, Math.min(nCols, 6));
              checkAgainstReference(k, mem, scores, nRows, nCols, stride, topK, excl, `${what} with exclusions`);
            }
          }
        }
      }));

    it("breaks ties towards the lower column index", () =>
      withKernels(variant, (k, mem) => {
        const scores = mem.f32From([3, 5, 5, 1, 5, 3, 5, 0, 3]);
        const outIndices = mem.i32(5);
        const outScores = mem.f32(5);
        k.topkRows(scores, 1, 9, 9, 5, null, outIndices, outScores);
        assert.deepEqual(Array.from(outIndices.view), [1, 2, 4, 6, 0]);
        assert.deepEqual(Array.from(outScores.view), [5, 5, 5, 5, 3]);
      }));

    it("never returns NaN, -Infinity or excluded columns, and pads with -1 / -Infinity", () =>
      withKernels(variant, (k, mem) => {
        const scores = mem.f32From([NaN, -Infinity, 2, NaN, Infinity, -1, NaN, 7]);
        const excl = { offsets: mem.i32From([0, 1]), indices: mem.i32From([7]) };
        const outIndices = mem.i32(6);
        const outScores = mem.f32(6);
        k.topkRows(scores, 1, 8, 8, 6, excl, outIndices, outScores);
        assert.deepEqual(Array.from(outIndices.view), [4, 2, 5, -1, -1, -1]);
        assert.deepEqual(Array.from(outScores.view), [Infinity, 2, -1, -Infinity, -Infinity, -Infinity]);
      }));

    it("reads exclusion offsets from a later row of the CSR (excl.row)", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(32);
        const nRows = 3;
        const nCols = 12;
        const full = randomExclusion(rng, nRows + 4, nCols, 5);
        const scores = randomF32(rng, nRows * nCols);
        const outIndices = mem.i32(nRows * 4);
        const outScores = mem.f32(nRows * 4);
        k.topkRows(
          mem.f32From(scores),
          nRows,
          nCols,
          nCols,
          4,
          { offsets: mem.i32From(full.offsets), indices: mem.i32From(full.indices), row: 4 },
          outIndices,
          outScores,
        );
        // The same rows with the exclusion re-based to start at row 4.
        const offsets = Int32Array.from(full.offsets.subarray(4, 4 + nRows + 1));
        const expected = referenceTopkRows(scores, nRows, nCols, nCols, 4, { offsets, indices: full.indices });
        assert.deepEqual(Array.from(outIndices.view), Array.from(expected.indices));
      }));

    it("handles sorted inputs (every column enters the heap) and long rows with small k", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(33);
        const n = 5003;
        const ascending = Float32Array.from({ length: n }, (_, i) => i);
        const descending = Float32Array.from({ length: n }, (_, i) => n - i);
        for (const scores of [ascending, descending, randomF32(rng, n)]) {
          for (const topK of [1, 10, 100]) checkAgainstReference(k, mem, scores, 1, n, n, topK, null, `n ${n} k ${topK}`);
        }
      }));

    it("an exclusion index outside [0, nCols) is an error in the typed layer and writes nothing outside its row in the kernel", () =>
      withKernels(variant, (k, mem) => {
        const scores = mem.f32From([1, 2, 3, 4, 5, 6, 7, 8]);
        const excl = { offsets: mem.i32From([0, 2, 2]), indices: mem.i32From([4, -1]) };
        const outIndices = mem.i32(4);
        const outScores = mem.f32(4);
        assert.throws(() => k.topkRows(scores, 2, 4, 4, 2, excl, outIndices, outScores), /excluded column 4 at position 0 is outside \[0, 4\)/);
        k.x.topk_rows(scores.ptr, 2, 4, 4, 2, excl.offsets.ptr, excl.indices.ptr, outIndices.ptr, outScores.ptr);
        assert.deepEqual(Array.from(scores.view), [1, 2, 3, 4, 5, 6, 7, 8]);
        assert.deepEqual(Array.from(outIndices.view), [3, 2, 3, 2]);
      }));

    it("rejects k < 1 and short output buffers before calling the kernel", () =>
      withKernels(variant, (k, mem) => {
        const scores = mem.f32(8);
        assert.throws(() => k.topkRows(scores, 2, 4, 4, 0, null, mem.i32(2), mem.f32(2)), /k must be a positive integer/);
        assert.throws(() => k.topkRows(scores, 2, 4, 4, 2, null, mem.i32(3), mem.f32(4)), /topkRows outIndices: needs 4/);
      }));
  });
}

describe("kernels: scoring fused with top-k (scoreTopK) against scorePacked + topkRows", () => {
  for (const variant of VARIANTS) {
    it(`${variant}: the same lists and scores, with exclusions, a column bias, ties and awkward sizes`, () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(41);
        for (const [nUsers, m, d, topK] of [
          [0, 5, 3, 2],
          [1, 1, 1, 1],
          [5, 13, 3, 4],
          [14, 100, 8, 10],
          [37, 1000, 17, 20],
          [3, 7, 4, 10],
          [25, 2000, 64, 5],
        ]) {
          const users = randomF32(rng, nUsers * d),
            items = randomF32(rng, m * d);
          if (m > 4) items.set(items.subarray(0, d), 2 * d); // items 0 and 2 tie for every user
          const packed = mem.f32(k.packedItemsLength(m, d));
          k.packItems(mem.f32From(items), m, d, packed);
          const excl = randomExclusion(rng, nUsers, m, 3);
          const exclusion = { offsets: mem.i32From(excl.offsets), indices: mem.i32From(excl.indices.length ? excl.indices : [0]) };
          for (const bias of [null, randomF32(rng, m)]) {
            const scale = -0.3;
            const wUsers = mem.f32From(users);
            const kk = Math.min(topK, m);
            const fusedIdx = mem.i32(Math.max(1, nUsers * kk)),
              fusedScore = mem.f32(Math.max(1, nUsers * kk));
            k.scoreTopK(wUsers, nUsers, d, packed, m, bias && mem.f32From(bias), kk, exclusion, fusedIdx, fusedScore, scale);
            const scores = mem.f32(Math.max(1, nUsers * m));
            k.scorePacked(wUsers, nUsers, d, packed, m, scores, m);
            if (bias) k.addToRows(scores, nUsers, m, m, scale, mem.f32From(bias));
            const idx = mem.i32(Math.max(1, nUsers * kk)),
              score = mem.f32(Math.max(1, nUsers * kk));
            if (nUsers > 0) k.topkRows(scores, nUsers, m, m, kk, exclusion, idx, score);
            const what = `${nUsers}×${m}, d=${d}, k=${kk}${bias ? ", bias" : ""}`;
            assert.deepEqual(fusedIdx.view.subarray(0, nUsers * kk), idx.view.subarray(0, nUsers * kk), `${what}: indices`);
            assert.deepEqual(fusedScore.view.subarray(0, nUsers * kk), score.view.subarray(0, nUsers * kk), `${what}: scores`);
          }
        }
      }));
  }
});

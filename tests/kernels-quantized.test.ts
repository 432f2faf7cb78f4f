import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../ts/util/rng.js";
import type { Kernels } from "../ts/kernels/kernels.js";
import { QuantizedItemTable } from "../ts/kernels/quantized-items.js";
import { loadKernels } from "../ts/node.js";
import { referenceCandidateScores, referenceQuantizeRows } from "./reference/quantized.js";
import { referenceScores } from "./reference/scoring.js";
import { referenceTopkRows } from "./reference/topk.js";
import { VARIANTS, type WasmScope, randomF32, withKernels } from "./support/kernel-harness.js";

/** Items (m), dimensions (d) and users around every edge: empty, d = 1, not multiples of 4, 8 or 16, several chunks of 512. */
const SHAPES: Array<[m: number, d: number, nUsers: number]> = [
  [0, 4, 3],
  [5, 3, 0],
  [1, 1, 1],
  [7, 1, 4],
  [9, 5, 5],
  [17, 8, 7],
  [33, 9, 13],
  [100, 17, 3],
  [513, 64, 14],
  [1030, 65, 2],
  [1100, 16, 25],
];

function exclusion(rng: Rng, nUsers: number, m: number, perUser: number) {
  const offsets = [0];
  const indices: number[] = [];
  for (let u = 0; u < nUsers; u++) {
    const n = m === 0 ? 0 : rng.int(perUser + 1);
    for (let e = 0; e < n; e++) indices.push(rng.int(m));
    offsets.push(indices.length);
  }
  return { offsets: Int32Array.from(offsets), indices: Int32Array.from(indices) };
}

function wasmExclusion(mem: WasmScope, ex: { offsets: Int32Array; indices: Int32Array }) {
  return { offsets: mem.i32From(ex.offsets), indices: mem.i32From(ex.indices.length > 0 ? ex.indices : [0]) };
}

/** A table over `items` with chunks of 512 items, so catalogs above 512 span several chunks. */
function tableOf(k: Kernels, items: Float32Array, m: number, d: number, exactRows: "copy" | "none" = "copy") {
  return QuantizedItemTable.fromItems(k, items, m, d, { exactRows, chunkItems: 512 });
}

for (const variant of VARIANTS) {
  describe(`int8 item table (${variant})`, () => {
    it("quantizes per item (codes within ±63, scale max|x|/63) and gives the codes back row-major", () =>
      withKernels(variant, (k) => {
        const rng = new Rng(3);
        for (const [m, d] of SHAPES) {
          const items = randomF32(rng, m * d);
          if (m > 2) items.fill(0, d, 2 * d); // an all-zero item: scale 0, codes 0
          const table = tableOf(k, items, m, d);
          try {
            const got = table.toCodes();
            const want = referenceQuantizeRows(items, m, d);
            assert.deepEqual(Array.from(got.codes), Array.from(want.codes), `codes m ${m} d ${d}`);
            assert.deepEqual(Array.from(got.scales), Array.from(want.scales), `scales m ${m} d ${d}`);
            assert.ok(got.codes.every((c) => c >= -63 && c <= 63));
          } finally {
            table.free();
          }
        }
      }));

    it("scores exactly f32(q_u·q_i)·(s_i·s_u), within the quantization error of the true scores", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(5);
        for (const [m, d, nUsers] of SHAPES) {
          const items = randomF32(rng, m * d);
          const users = randomF32(rng, nUsers * d);
          const table = tableOf(k, items, m, d, "none");
          try {
            const out = mem.f32(nUsers * m + 1);
            table.score(mem.f32From(users), nUsers, out);
            const { codes, scales } = referenceQuantizeRows(items, m, d);
            const want = referenceCandidateScores(users, nUsers, d, codes, scales, m);
            assert.deepEqual(Array.from(out.view.subarray(0, nUsers * m)), Array.from(want), `m ${m} d ${d} users ${nUsers}`);
            // |u·x − ũ·x̃| ≤ Σ_k (s_u/2)|x_k| + (s_i/2)|u_k| + s_u·s_i/4 per pair.
            const exact = referenceScores(users, nUsers, d, items, m);
            for (let u = 0; u < nUsers; u++) {
              const uRow = users.subarray(u * d, u * d + d);
              const su = Math.max(...Array.from(uRow, Math.abs)) / 63;
              for (let i = 0; i < m; i++) {
                let bound = 1e-6;
                for (let t = 0; t < d; t++) bound += (su / 2) * Math.abs(items[i * d + t]) + (scales[i] / 2) * Math.abs(uRow[t]) + (su * scales[i]) / 4;
                const err = Math.abs(out.view[u * m + i] - exact[u * m + i]);
                assert.ok(err <= bound, `m ${m} d ${d}: user ${u} item ${i} candidate score off by ${err} > ${bound}`);
              }
            }
          } finally {
            table.free();
          }
        }
      }));

    it("keeps each user's R best candidates as topk_rows orders them, exclusions and a column bias included", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(7);
        for (const [m, d, nUsers] of SHAPES) {
          for (const R of [1, 3, 20]) {
            const items = randomF32(rng, m * d);
            const users = randomF32(rng, nUsers * d);
            // Dyadic bias·scale: the product is exact, so fused and unfused adds round alike.
            const bias = Float32Array.from({ length: m }, () => rng.int(9) - 4);
            const ex = exclusion(rng, nUsers, m, 6);
            const table = tableOf(k, items, m, d, "none");
            try {
              const outIdx = mem.i32(nUsers * R);
              const outScore = mem.f32(nUsers * R);
              table.topK(mem.f32From(users), nUsers, R, wasmExclusion(mem, ex), outIdx, outScore, { colBias: { values: mem.f32From(bias), scale: -0.25 } });
              const { codes, scales } = referenceQuantizeRows(items, m, d);
              const cand = referenceCandidateScores(users, nUsers, d, codes, scales, m).map((s, j) => Math.fround(s + Math.fround(-0.25 * bias[j % m])));
              const want = referenceTopkRows(cand, nUsers, m, m, R, ex);
              const what = `m ${m} d ${d} users ${nUsers} R ${R}`;
              assert.deepEqual(Array.from(outIdx.view), Array.from(want.indices), `indices ${what}`);
              assert.deepEqual(Array.from(outScore.view), Array.from(want.scores), `scores ${what}`);
            } finally {
              table.free();
            }
          }
        }
      }));

    it("re-scores the candidates exactly: the top-k equals the exact top-k as sets where the data has a clear margin", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(11);
        for (const [m, d, nUsers] of SHAPES) {
          const topK = 5;
          if (m < 2 * topK * nUsers || nUsers === 0) continue;
          const items = randomF32(rng, m * d, 0.3);
          const users = randomF32(rng, nUsers * d);
          // Plant each user's 5 best items (distinct across users) along its own vector, 6-10 standard
          // deviations of a random item's score out: the exact top 5 is far ahead of the rest.
          const used = new Set<number>();
          for (let u = 0; u < nUsers; u++) {
            const uRow = users.subarray(u * d, u * d + d);
            const norm = Math.hypot(...uRow) || 1;
            for (let r = 0; r < topK; r++) {
              let i = rng.int(m);
              while (used.has(i)) i = rng.int(m);
              used.add(i);
              for (let t = 0; t < d; t++) items[i * d + t] = (uRow[t] / norm) * (6 + r) * 0.3;
            }
          }
          const ex = exclusion(rng, nUsers, m, 3);
          // Excluded planted items drop out of the exact list too.
          const table = tableOf(k, items, m, d);
          try {
            const outIdx = mem.i32(nUsers * topK);
            const outScore = mem.f32(nUsers * topK);
            table.topK(mem.f32From(users), nUsers, topK, wasmExclusion(mem, ex), outIdx, outScore, { refineFactor: 4 });
            const exact = referenceScores(users, nUsers, d, items, m);
            const want = referenceTopkRows(exact, nUsers, m, m, topK, ex);
            for (let u = 0; u < nUsers; u++) {
              const got = Array.from(outIdx.view.subarray(u * topK, (u + 1) * topK));
              const expected = Array.from(want.indices.subarray(u * topK, (u + 1) * topK));
              assert.deepEqual(new Set(got), new Set(expected), `m ${m} d ${d} user ${u}`);
              for (let r = 0; r < topK; r++) {
                const i = got[r];
                if (i < 0) continue;
                const s = outScore.view[u * topK + r];
                assert.ok(Math.abs(s - exact[u * m + i]) <= 1e-4 * (1 + Math.abs(exact[u * m + i])), `exact score of item ${i}: ${s} vs ${exact[u * m + i]}`);
                if (r > 0) assert.ok(outScore.view[u * topK + r - 1] >= s, "best first");
              }
            }
          } finally {
            table.free();
          }
        }
      }));

    it("fills rows with -1 / -Infinity past the candidates, and a user with NaN gets an empty list", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(13);
        const m = 6,
          d = 5,
          topK = 4;
        const items = randomF32(rng, m * d);
        const users = randomF32(rng, 2 * d);
        users[d + 2] = Number.NaN;
        const table = tableOf(k, items, m, d);
        try {
          const outIdx = mem.i32(2 * topK);
          const outScore = mem.f32(2 * topK);
          // User 0 excludes 4 of the 6 items: only 2 remain.
          const ex = { offsets: Int32Array.from([0, 4, 4]), indices: Int32Array.from([0, 2, 3, 5]) };
          table.topK(mem.f32From(users), 2, topK, wasmExclusion(mem, ex), outIdx, outScore);
          assert.deepEqual(new Set(Array.from(outIdx.view.subarray(0, 2))), new Set([1, 4]));
          assert.deepEqual(Array.from(outIdx.view.subarray(2)), [-1, -1, -1, -1, -1, -1]);
          assert.deepEqual(Array.from(outScore.view.subarray(2)), [-Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity]);
        } finally {
          table.free();
        }
      }));

    it("rebuilds from stored codes (same scores), and refuses bad codes, scales and items with the item named", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(17);
        const m = 530,
          d = 12,
          nUsers = 4;
        const items = randomF32(rng, m * d);
        const users = mem.f32From(randomF32(rng, nUsers * d));
        const table = tableOf(k, items, m, d);
        const stored = table.toCodes();
        const again = QuantizedItemTable.fromCodes(k, stored, { rows: items, chunkItems: 1024 });
        try {
          const a = mem.f32(nUsers * m),
            b = mem.f32(nUsers * m);
          table.score(users, nUsers, a);
          again.score(users, nUsers, b);
          assert.deepEqual(Array.from(a.view), Array.from(b.view));
          const ia = mem.i32(nUsers * 10),
            sa = mem.f32(nUsers * 10),
            ib = mem.i32(nUsers * 10),
            sb = mem.f32(nUsers * 10);
          table.topK(users, nUsers, 10, null, ia, sa);
          again.topK(users, nUsers, 10, null, ib, sb);
          assert.deepEqual(Array.from(ia.view), Array.from(ib.view));
          assert.deepEqual(Array.from(sa.view), Array.from(sb.view));
          assert.deepEqual(again.memory().rowBytes, m * d * 4);
        } finally {
          table.free();
          again.free();
        }
        const badCodes = stored.codes.slice();
        badCodes[300 * d + 7] = 64;
        assert.throws(
          () => QuantizedItemTable.fromCodes(k, { ...stored, codes: badCodes }),
          /item 300 has code 64 at dimension 7; codes must lie in \[-63, 63\]/,
        );
        const badScales = stored.scales.slice();
        badScales[9] = -1;
        assert.throws(() => QuantizedItemTable.fromCodes(k, { ...stored, scales: badScales }, { what: "m.ltm" }), /^RangeError: m\.ltm: item 9 has scale -1/);
        const badItems = items.slice();
        badItems[41 * d + 3] = Number.POSITIVE_INFINITY;
        assert.throws(() => tableOf(k, badItems, m, d), /item 41 has Infinity at dimension 3/);
        assert.throws(() => QuantizedItemTable.fromItems(k, items, m, d, { chunkItems: 100 }), /chunkItems must be a positive multiple of 512/);
        assert.throws(() => QuantizedItemTable.fromItems(k, items, m, d, { exactRows: "shared" }), /needs the items in wasm memory/);
      }));

    it("fills an empty table range by range (any order, across chunks) to the same table as fromCodes", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(29);
        const m = 1300,
          d = 7,
          nUsers = 5;
        const items = randomF32(rng, m * d);
        const stored = referenceQuantizeRows(items, m, d);
        const whole = QuantizedItemTable.fromCodes(k, { nItems: m, dim: d, ...stored }, { rows: items, chunkItems: 512 });
        const pieces = QuantizedItemTable.create(k, m, d, { exactRows: true, chunkItems: 512 });
        try {
          for (const [first, n] of [
            [1200, 100],
            [0, 504],
            [504, 696],
          ]) {
            pieces.setCodes(first, {
              codes: stored.codes.subarray(first * d, (first + n) * d),
              scales: stored.scales.subarray(first, first + n),
              rows: items.subarray(first * d, (first + n) * d),
            });
          }
          const users = mem.f32From(randomF32(rng, nUsers * d));
          const a = [mem.i32(nUsers * 9), mem.f32(nUsers * 9)] as const,
            b = [mem.i32(nUsers * 9), mem.f32(nUsers * 9)] as const;
          whole.topK(users, nUsers, 9, null, a[0], a[1]);
          pieces.topK(users, nUsers, 9, null, b[0], b[1]);
          assert.deepEqual(Array.from(b[0].view), Array.from(a[0].view));
          assert.deepEqual(Array.from(b[1].view), Array.from(a[1].view));
          assert.deepEqual(Array.from(pieces.toCodes().codes), Array.from(stored.codes));
          assert.throws(
            () => pieces.setCodes(4, { codes: stored.codes.subarray(0, 8 * d), scales: stored.scales.subarray(0, 8), rows: items.subarray(0, 8 * d) }),
            /starts at a multiple of 8/,
          );
          assert.throws(() => pieces.setCodes(0, { codes: stored.codes.subarray(0, 8 * d), scales: stored.scales.subarray(0, 8) }), /give rows with the codes/);
          assert.throws(
            () => pieces.setCodes(1296, { codes: stored.codes.subarray(0, 8 * d), scales: stored.scales.subarray(0, 8), rows: items.subarray(0, 8 * d) }),
            /outside the table's 1300 items/,
          );
        } finally {
          whole.free();
          pieces.free();
        }
      }));

    it("shares the caller's float rows without copying them, and frees everything it allocated", () =>
      withKernels(variant, (k, mem) => {
        const rng = new Rng(19);
        const m = 700,
          d = 10;
        const items = mem.f32From(randomF32(rng, m * d));
        const before = k.wasm.allocatedBytes;
        const shared = QuantizedItemTable.fromItems(k, items, m, d, { exactRows: "shared" });
        const copied = QuantizedItemTable.fromItems(k, items, m, d);
        try {
          assert.equal(shared.memory().rowBytes, 0);
          assert.equal(copied.memory().rowBytes, m * d * 4);
          const users = mem.f32From(randomF32(rng, 3 * d));
          const a = [mem.i32(30), mem.f32(30)] as const,
            b = [mem.i32(30), mem.f32(30)] as const;
          shared.topK(users, 3, 10, null, a[0], a[1]);
          copied.topK(users, 3, 10, null, b[0], b[1]);
          assert.deepEqual(Array.from(a[0].view), Array.from(b[0].view));
          assert.deepEqual(Array.from(a[1].view), Array.from(b[1].view));
        } finally {
          shared.free();
          copied[Symbol.dispose]();
        }
        assert.equal(k.wasm.allocatedBytes - before, (3 * d + 4 * 30) * 4, "only the test's own arrays remain");
        assert.throws(() => shared.score(items, 0, items), /freed/);
      }));
  });
}

describe("int8 item table on threads", () => {
  it("gives identical candidate and exact lists on 1 and 2 threads", async () => {
    const one = await loadKernels({ threads: 1 });
    const two = await loadKernels({ threads: 2 });
    try {
      assert.equal(two.threads.count, 2);
      const rng = new Rng(23);
      const m = 3000,
        d = 32,
        nUsers = 60,
        topK = 10;
      const items = randomF32(rng, m * d);
      const users = randomF32(rng, nUsers * d);
      const ex = exclusion(rng, nUsers, m, 20);
      const run = (k: Kernels) => {
        const e = k.wasm;
        const table = QuantizedItemTable.fromItems(k, items, m, d);
        const u = e.f32From(users),
          offsets = e.i32From(ex.offsets),
          indices = e.i32From(ex.indices),
          idx = e.i32(nUsers * topK),
          sc = e.f32(nUsers * topK),
          all = e.f32(nUsers * m);
        try {
          table.topK(u, nUsers, topK, { offsets, indices }, idx, sc);
          table.score(u, nUsers, all);
          return { idx: idx.view.slice(), sc: sc.view.slice(), all: all.view.slice() };
        } finally {
          for (const a of [u, offsets, indices, idx, sc, all]) a.free();
          table.free();
        }
      };
      const a = run(one),
        b = run(two);
      assert.deepEqual(Array.from(b.idx), Array.from(a.idx));
      assert.deepEqual(Array.from(b.sc), Array.from(a.sc));
      assert.deepEqual(Array.from(b.all), Array.from(a.all));
    } finally {
      one.dispose();
      two.dispose();
    }
  });
});

/**
 * Inverse retrieval's item → top-N users pass against a brute-force f64 reference, on every kernel
 * build: random shapes with sizes that are not multiples of 4, d = 1, blocks that split the item
 * list unevenly, N above the number of users, an empty item set, an item every user interacted
 * with, and the training-interaction exclusion. The MF adapter serves the projected tables.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Csr } from "../ts/data/csr.js";
import { IdMap } from "../ts/data/id-map.js";
import { Interactions } from "../ts/data/interactions.js";
import type { Kernels } from "../ts/kernels/kernels.js";
import { itemTopUsers } from "../ts/inverse-retrieval/item-top-users.js";
import { mfServingEmbeddings } from "../ts/inverse-retrieval/mf-embeddings.js";
import { InverseRetrievalError } from "../ts/inverse-retrieval/errors.js";
import { selectItems } from "../ts/inverse-retrieval/item-selection.js";
import type { ServingEmbeddings } from "../ts/inverse-retrieval/embeddings.js";
import { MatrixFactorization } from "../ts/mf/matrix-factorization.js";
import { loadKernels } from "../ts/node.js";
import { Rng } from "../ts/util/rng.js";
import { randomF32, VARIANTS, withKernels, type WasmScope } from "./support/kernel-harness.js";

const ids = (prefix: string, n: number) => IdMap.from(Array.from({ length: n }, (_, i) => `${prefix}${i}`));

function embeddingsOf(
  kernels: Kernels,
  mem: WasmScope,
  users: Float32Array,
  items: Float32Array,
  nUsers: number,
  nItems: number,
  d: number,
): ServingEmbeddings {
  return { kernels, dim: d, users: ids("u", nUsers), items: ids("i", nItems), userTable: mem.f32From(users), itemTable: mem.f32From(items) };
}

/** Random item → users exclusion lists (users ascending), `everyone` marks items every user has. */
function randomExclusion(rng: Rng, nUsers: number, nItems: number, density: number, everyone: Set<number>): Csr {
  const indptr = new Int32Array(nItems + 1);
  const indices: number[] = [];
  for (let i = 0; i < nItems; i++) {
    for (let u = 0; u < nUsers; u++) if (everyone.has(i) || rng.next() < density) indices.push(u);
    indptr[i + 1] = indices.length;
  }
  return { indptr, indices: Int32Array.from(indices) };
}

/** Brute force in f64: every non-excluded user's score, best first (ties: lower user first). */
function reference(users: Float32Array, items: Float32Array, d: number, nUsers: number, item: number, exclude: Csr): { user: number; score: number }[] {
  const excluded = new Set(exclude.indices.subarray(exclude.indptr[item], exclude.indptr[item + 1]));
  const all: { user: number; score: number }[] = [];
  for (let u = 0; u < nUsers; u++) {
    if (excluded.has(u)) continue;
    let s = 0;
    for (let c = 0; c < d; c++) s += users[u * d + c] * items[item * d + c];
    all.push({ user: u, score: s });
  }
  return all.sort((a, b) => b.score - a.score || a.user - b.user);
}

const SHAPES: ReadonlyArray<{ nUsers: number; nItems: number; d: number; topN: number; block: number }> = [
  { nUsers: 37, nItems: 23, d: 5, topN: 7, block: 4 },
  { nUsers: 50, nItems: 17, d: 1, topN: 3, block: 5 },
  { nUsers: 13, nItems: 9, d: 3, topN: 100, block: 2 },
  { nUsers: 65, nItems: 31, d: 64, topN: 1, block: 8 },
  { nUsers: 1, nItems: 6, d: 2, topN: 4, block: 16 },
];

describe("item → top-N users (inverse retrieval)", () => {
  for (const variant of VARIANTS) {
    it(`equals the f64 brute force as sets and scores, training users excluded (${variant})`, async () => {
      await withKernels(variant, (kernels, mem) => {
        const rng = new Rng(7);
        for (const { nUsers, nItems, d, topN, block } of SHAPES) {
          const users = randomF32(rng, nUsers * d),
            items = randomF32(rng, nItems * d);
          const everyone = new Set([nItems - 1]);
          const exclude = randomExclusion(rng, nUsers, nItems, 0.2, everyone);
          const e = embeddingsOf(kernels, mem, users, items, nUsers, nItems, d);
          // Every item, in a shuffled order, so row r must follow the order asked for.
          const asked = rng.shuffle(Int32Array.from({ length: nItems }, (_, i) => i));
          const got = itemTopUsers(e, { topN, items: asked, exclude, blockItems: block });
          assert.deepEqual(Array.from(got.items), Array.from(asked));
          const shape = `${nUsers} users × ${nItems} items, d = ${d}, N = ${topN}`;
          let checkedSets = 0;
          asked.forEach((item, r) => {
            const ref = reference(users, items, d, nUsers, item, exclude);
            const row = Array.from(got.users.subarray(got.indptr[r], got.indptr[r + 1]));
            const scores = got.scores.subarray(got.indptr[r], got.indptr[r + 1]);
            const want = Math.min(topN, ref.length);
            assert.equal(row.length, want, `${shape}: item ${item} has ${row.length} users, expected ${want}`);
            const excluded = new Set(exclude.indices.subarray(exclude.indptr[item], exclude.indptr[item + 1]));
            assert.equal(new Set(row).size, row.length, `${shape}: item ${item} lists a user twice`);
            row.forEach((u, j) => {
              assert.ok(!excluded.has(u), `${shape}: item ${item} returned user ${u}, who interacted with it in training`);
              const exact = ref.find((x) => x.user === u)!.score;
              const tol = 1e-5 * (1 + Math.abs(exact)) * Math.sqrt(d);
              assert.ok(Math.abs(scores[j] - exact) <= tol, `${shape}: score of user ${u} for item ${item}: ${scores[j]} vs ${exact}`);
              assert.ok(Math.abs(scores[j] - ref[j].score) <= tol, `${shape}: item ${item}, place ${j}: score ${scores[j]}, the reference's ${ref[j].score}`);
            });
            // As sets wherever the cut-off is not a near-tie.
            if (want < ref.length && ref[want - 1].score - ref[want].score < 1e-4) return;
            assert.deepEqual(
              [...row].sort((a, b) => a - b),
              ref
                .slice(0, want)
                .map((x) => x.user)
                .sort((a, b) => a - b),
              `${shape}: item ${item}`,
            );
            checkedSets++;
          });
          assert.ok(checkedSets >= nItems - 2, `${shape}: only ${checkedSets} of ${nItems} items compared as sets`);
          // The item every user interacted with has no user left.
          const r = asked.indexOf(nItems - 1);
          assert.equal(got.indptr[r + 1] - got.indptr[r], 0);
        }
      });
    });
  }

  it("answers an empty item set, N above the number of users, and no exclusion", async () => {
    await withKernels("simd", (kernels, mem) => {
      const rng = new Rng(3);
      const e = embeddingsOf(kernels, mem, randomF32(rng, 5 * 3), randomF32(rng, 4 * 3), 5, 4, 3);
      const empty = itemTopUsers(e, { topN: 3, items: new Int32Array(0) });
      assert.equal(empty.items.length, 0);
      assert.deepEqual(Array.from(empty.indptr), [0]);
      assert.equal(empty.users.length, 0);
      const all = itemTopUsers(e, { topN: 50 });
      assert.deepEqual(Array.from(all.items), [0, 1, 2, 3]);
      assert.deepEqual(Array.from(all.indptr), [0, 5, 10, 15, 20]);
      for (let r = 0; r < 4; r++) {
        const s = all.scores.subarray(all.indptr[r], all.indptr[r + 1]);
        for (let j = 1; j < s.length; j++) assert.ok(s[j - 1] >= s[j], "best first");
      }
    });
  });

  it("rejects N <= 0, items outside the catalog and exclusion lists of another catalog, with messages", async () => {
    await withKernels("simd", (kernels, mem) => {
      const rng = new Rng(4);
      const e = embeddingsOf(kernels, mem, randomF32(rng, 6), randomF32(rng, 4), 3, 2, 2);
      assert.throws(
        () => itemTopUsers(e, { topN: 0 }),
        (err: Error) => err instanceof InverseRetrievalError && /N \(users per item\) must be a positive integer, got 0/.test(err.message),
      );
      assert.throws(() => itemTopUsers(e, { topN: 2.5 }), /got 2.5/);
      assert.throws(() => itemTopUsers(e, { topN: 1, items: Int32Array.from([0, 2]) }), /item 1 of the selection is index 2, outside \[0, 2\)/);
      assert.throws(
        () => itemTopUsers(e, { topN: 1, exclude: { indptr: new Int32Array(4), indices: new Int32Array(0) } }),
        /3 item rows but the model has 2 items/,
      );
      const bad = { ...e, userTable: mem.f32(5) };
      assert.throws(() => itemTopUsers(bad, { topN: 1 }), /user table holds 5 floats, but 3 users × d = 2 need 6/);
    });
  });

  it("serves an MF model's projected tables: userTable·itemTable equals the model's own scores", async () => {
    const kernels = await loadKernels();
    const start = kernels.wasm.allocatedBytes;
    const triples: [string, string][] = [];
    const rng = new Rng(11);
    for (let u = 0; u < 30; u++) for (let i = 0; i < 25; i++) if (rng.next() < 0.3 - i / 100) triples.push([`u${u}`, `i${i}`]);
    const train = Interactions.fromTriples(triples);
    const model = new MatrixFactorization(kernels, { loss: "bpr", epochs: 2, dim: 6, seed: 5 });
    await model.fit(train);
    // Serve with the head-mean projection (Eq. 15-16) so that the raw tables would score differently.
    model.setPopularityAdjustment({ alphaItems: 1, alphaUsers: 0.5, source: "head-mean" });
    const e = mfServingEmbeddings(model);
    const users = e.userTable.view.slice(),
      items = e.itemTable.view.slice();
    const raw = model.userFactors.view;
    assert.ok(
      users.some((x, j) => x !== raw[j]),
      "the user table is projected",
    );
    const ids = kernels.wasm.i32From(Array.from({ length: model.nUsers }, (_, u) => u));
    const scores = kernels.wasm.f32(model.nUsers * model.nItems);
    model.scoreUsers(ids, model.nUsers, scores);
    const s = scores.view;
    for (let u = 0; u < model.nUsers; u++) {
      for (let i = 0; i < model.nItems; i++) {
        let dot = 0;
        for (let c = 0; c < 6; c++) dot += users[u * 6 + c] * items[i * 6 + c];
        assert.ok(Math.abs(dot - s[u * model.nItems + i]) < 1e-5, `score(${u}, ${i}): tables ${dot}, model ${s[u * model.nItems + i]}`);
      }
    }
    const top = itemTopUsers(e, { topN: 4, exclude: train.byItem() });
    for (let r = 0; r < top.items.length; r++) {
      for (let j = top.indptr[r]; j < top.indptr[r + 1]; j++) {
        assert.ok(Math.abs(top.scores[j] - s[top.users[j] * model.nItems + top.items[r]]) < 1e-5);
      }
    }
    ids.free();
    scores.free();
    e.dispose();
    model.dispose();
    assert.equal(kernels.wasm.allocatedBytes, start, "every table freed");
  });
});

describe("item selection", () => {
  const items = IdMap.from(["a", "b", "c", "d", "e"]);
  const counts = Int32Array.from([50, 3, 30, 0, 17]);
  it("all items, the tail by the head/tail boundary, or named items in the order given", () => {
    assert.deepEqual(Array.from(selectItems("all", items, counts, { share: 0.8 })), [0, 1, 2, 3, 4]);
    // Head by share 0.8 of 100 interactions: a (50) + c (30) reach 80.
    assert.deepEqual(Array.from(selectItems("tail", items, counts, { share: 0.8 })), [1, 3, 4]);
    assert.deepEqual(Array.from(selectItems("tail", items, counts, { minCount: 17 })), [1, 3]);
    assert.deepEqual(Array.from(selectItems(["e", "a"], items, counts, { share: 0.8 })), [4, 0]);
  });
  it("names the unknown items and refuses an item listed twice", () => {
    assert.throws(
      () => selectItems(["a", "zz", "yy"], items, counts, { share: 0.8 }),
      (e: Error) => e instanceof InverseRetrievalError && /2 items "zz", "yy" are not in the model \(it knows 5 items, e\.g\. "a", "b", "c"\)/.test(e.message),
    );
    assert.throws(() => selectItems(["b", "b"], items, counts, { share: 0.8 }), /item "b" is listed twice/);
  });
});

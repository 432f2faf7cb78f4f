/**
 * Inverse retrieval on a two-tower model: the adapter's tables must score exactly like the model
 * serves training users (scoreUsers: the user tower over each user's training row, the item tower),
 * and the item → top-N users pass over them must equal a brute force over scoreUsers' scores.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { Interactions } from "../ts/data/interactions.js";
import { Kernels } from "../ts/kernels/kernels.js";
import { checkEmbeddings } from "../ts/inverse-retrieval/embeddings.js";
import { evaluateInverseRetrieval } from "../ts/inverse-retrieval/invr-evaluation.js";
import { itemTopUsers } from "../ts/inverse-retrieval/item-top-users.js";
import { twoTowerServingEmbeddings } from "../ts/inverse-retrieval/two-tower-embeddings.js";
import { TwoTower } from "../ts/two-tower/two-tower.js";
import { loadWasmInstance } from "../ts/node.js";
import { chainWorld, type ChainWorld } from "./support/chain-world.js";

let kernels: Kernels;
let world: ChainWorld;
let model: TwoTower;
/** scoreUsers' scores of every training user (row) against every item: the brute-force reference. */
let served: Float32Array;

before(async () => {
  kernels = new Kernels(await loadWasmInstance());
  // 23 items and d = 5: sizes that are not multiples of 4; genres make the item tower more than an id table.
  world = chainWorld({ nItems: 23, trainUsers: 41, heldOutUsers: 5, length: 5, seed: 11 });
  model = new TwoTower(kernels, { dim: 5, epochs: 3, batchSize: 32, learningRate: 0.01, temperature: 0.5, historyWeighting: "recency", halfLife: 2 });
  await model.fit(world.train, { genres: world.genres });
  const e = kernels.wasm,
    n = model.nUsers,
    m = model.nItems;
  const users = e.i32From(Int32Array.from({ length: n }, (_, u) => u));
  const out = e.f32(n * m);
  model.scoreUsers(users, n, out);
  served = out.view.slice();
  users.free();
  out.free();
});

describe("InvR on a two-tower model", () => {
  it("the adapter's user and item rows score like the model serves its training users", () => {
    const emb = twoTowerServingEmbeddings(model);
    try {
      checkEmbeddings(emb);
      assert.equal(emb.users, model.users);
      assert.equal(emb.items, model.items);
      const d = emb.dim,
        m = model.nItems,
        U = emb.userTable.view,
        V = emb.itemTable.view;
      for (let u = 0; u < model.nUsers; u++) {
        for (let i = 0; i < m; i++) {
          let s = 0;
          for (let c = 0; c < d; c++) s += U[u * d + c] * V[i * d + c];
          assert.ok(Math.abs(s - served[u * m + i]) <= 1e-4 * (1 + Math.abs(s)), `user ${u}, item ${i}: tables give ${s}, scoreUsers ${served[u * m + i]}`);
        }
      }
    } finally {
      emb.dispose();
    }
  });

  it("each item's top-N users equal the brute force over scoreUsers, training users left out", () => {
    const emb = twoTowerServingEmbeddings(model);
    const exclude = world.train.byItem();
    const m = model.nItems,
      n = model.nUsers,
      topN = 6;
    try {
      const got = itemTopUsers(emb, { topN, exclude, blockItems: 4 });
      let comparedAsSets = 0;
      for (let item = 0; item < m; item++) {
        const excluded = new Set(exclude.indices.subarray(exclude.indptr[item], exclude.indptr[item + 1]));
        const ref = Array.from({ length: n }, (_, u) => ({ user: u, score: served[u * m + item] }))
          .filter((x) => !excluded.has(x.user))
          .sort((a, b) => b.score - a.score || a.user - b.user);
        const row = Array.from(got.users.subarray(got.indptr[item], got.indptr[item + 1]));
        const scores = got.scores.subarray(got.indptr[item], got.indptr[item + 1]);
        const want = Math.min(topN, ref.length);
        assert.equal(row.length, want, `item ${item}: ${row.length} users, expected ${want}`);
        row.forEach((u, j) => {
          assert.ok(!excluded.has(u), `item ${item}: user ${u} had it in training`);
          assert.ok(
            Math.abs(scores[j] - ref[j].score) <= 1e-4 * (1 + Math.abs(ref[j].score)),
            `item ${item}, place ${j}: ${scores[j]} vs the reference's ${ref[j].score}`,
          );
        });
        // Users with the same chain share a history, hence exact score ties: sets only where the cut is clear.
        if (want < ref.length && ref[want - 1].score - ref[want].score < 1e-4) continue;
        assert.deepEqual(
          [...row].sort((a, b) => a - b),
          ref
            .slice(0, want)
            .map((x) => x.user)
            .sort((a, b) => a - b),
          `item ${item}`,
        );
        comparedAsSets++;
      }
      assert.ok(comparedAsSets >= m / 2, `only ${comparedAsSets} of ${m} items compared as sets`);
    } finally {
      emb.dispose();
    }
  });

  it("evaluateInverseRetrieval takes the model as its scorer and fills the slots", () => {
    const emb = twoTowerServingEmbeddings(model);
    try {
      // Test part: each training user's next chain item (newest + 1), read with the model's ids.
      const { indptr, indices } = world.train.byUser;
      const next = Array.from(
        { length: model.nUsers },
        (_, u) => [model.users.id(u), model.items.id((indices[indptr[u + 1] - 1] + 1) % model.nItems)] as const,
      );
      const test = Interactions.fromTriples(next, { users: model.users, items: model.items, name: "next items" });
      const run = evaluateInverseRetrieval(model, emb, world.train, test, { k: 5, topN: 10, slots: [2, 4], orderings: ["score", "user-rank"] });
      assert.equal(run.main.users, model.nUsers);
      for (const o of run.orderings) {
        assert.ok(o.slates.invrItems > 0, `${o.ordering}: no InvR slot filled`);
        assert.ok(o.evaluation.metrics["coverage@5"] >= run.main.metrics["coverage@5"], `${o.ordering}: InvR slots lowered coverage`);
      }
    } finally {
      emb.dispose();
    }
  });
});

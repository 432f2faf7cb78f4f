import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { Kernels } from "../ts/kernels/kernels.js";
import { evaluateRanking } from "../ts/eval/evaluate.js";
import { evaluateSequential, sequentialContexts } from "../ts/eval/sequential.js";
import { MostPopular } from "../ts/model/most-popular.js";
import { decodeModelFile, encodeModelFile } from "../ts/model/model-file.js";
import { TwoTower } from "../ts/two-tower/two-tower.js";
import { loadWasmInstance } from "../ts/node.js";
import { ConfigError } from "../ts/mf/config.js";
import { DivergenceError } from "../ts/mf/training-context.js";
import { chainWorld, type ChainWorld } from "./support/chain-world.js";

let kernels: Kernels;
let world: ChainWorld;
let model: TwoTower;

const FAST = { dim: 16, epochs: 12, batchSize: 64, learningRate: 0.01, temperature: 0.5 } as const;

before(async () => {
  kernels = new Kernels(await loadWasmInstance());
  world = chainWorld();
  model = new TwoTower(kernels, { ...FAST, historyWeighting: "recency", halfLife: 1 });
  await model.fit(world.train, { genres: world.genres });
});

describe("two-tower model on the chain world (next item = newest + 1)", () => {
  it("beats Most Popular clearly on held-out users' sequences", () => {
    const ours = evaluateSequential(model, world.heldOut, { k: 5 });
    const { prefixes, targets } = sequentialContexts(world.heldOut);
    const popular = evaluateRanking(new MostPopular(kernels, prefixes.nUsers, model.itemCounts), prefixes, targets, { k: 5, itemPopularity: model.itemCounts });
    assert.equal(ours.protocol, "sequential");
    assert.equal(ours.contexts, 60 * 5);
    assert.equal(ours.heldOutUsers, 60);
    assert.ok(ours.metrics["recall@5"] > 0.8, `two-tower recall@5 ${ours.metrics["recall@5"]}`);
    assert.ok(
      ours.metrics["recall@5"] > 2 * popular.metrics["recall@5"],
      `two-tower ${ours.metrics["recall@5"]} vs most popular ${popular.metrics["recall@5"]}`,
    );
    for (const key of ["ndcg@5", "mrr", "mrr.head", "mrr.tail", "coverage@5", "gini@5", "medianPopularity@5", "longTailShare@5", "recall@5.group1"]) {
      assert.ok(Number.isFinite(ours.metrics[key]), `${key} is reported`);
    }
  });

  it("recommends the next item of an unseen history first, and never an item of the history", () => {
    let firstRight = 0;
    for (let s = 0; s < 30; s++) {
      const history = Int32Array.from([s, s + 1, s + 2]);
      const rec = model.recommendForHistory(history, 10);
      assert.equal(rec.items.length, 10);
      for (const i of history) assert.ok(!rec.indices.includes(i), `history item ${i} recommended`);
      if (rec.indices[0] === s + 3) firstRight++;
    }
    assert.ok(firstRight >= 24, `next item ranked first for ${firstRight} of 30 histories`);
  });

  it("scoreUsers reads a training user's whole row; recommend(user) leaves the row out", () => {
    const u = 3;
    const { indptr, indices } = world.train.byUser;
    const row = indices.slice(indptr[u], indptr[u + 1]);
    assert.deepEqual(Array.from(model.recommend(`u${u}`, 5).indices), Array.from(model.recommendForHistory(row, 5).indices));
    const all = model.recommend(u, 5, { excludeSeen: false });
    assert.equal(all.items.length, 5);
    const held = evaluateRanking(model, world.train, world.train, { k: 5 });
    assert.ok(held.users > 0);
  });

  it("userEmbeddings equals the projected weighted mean of the input embeddings", () => {
    const a = model.userEmbeddings([Int32Array.of(4), Int32Array.of(4, 5, 6)]);
    assert.equal(a.length, 2 * model.dim);
    const file = model.toModelFile();
    const itemIn = file.tables.itemInput.data,
      W = file.tables.projection.data,
      b = file.tables.projectionBias.data;
    const d = model.dim;
    const weights = [0.25, 0.5, 1]; // half-life 1: each older item counts half
    const total = weights.reduce((s, w) => s + w, 0);
    for (let c = 0; c < d; c++) {
      let u = b[c];
      for (let j = 0; j < d; j++) {
        let p = 0;
        [4, 5, 6].forEach((item, e) => (p += (weights[e] / total) * itemIn[item * d + j]));
        u += p * W[j * d + c];
      }
      assert.ok(Math.abs(a[d + c] - u) < 1e-4, `column ${c}: ${a[d + c]} vs ${u}`);
    }
  });

  it("the model file round trip gives identical recommendations and metrics", () => {
    const loaded = TwoTower.fromModelFile(kernels, decodeModelFile(encodeModelFile(model.toModelFile())));
    try {
      assert.deepEqual(loaded.genreNames, ["g0", "g1", "g2", "g3"]);
      for (const h of [Int32Array.of(7), Int32Array.of(1, 2, 3, 9)]) {
        const x = model.recommendForHistory(h, 8),
          y = loaded.recommendForHistory(h, 8, {});
        assert.deepEqual(x.items, y.items);
        assert.deepEqual(Array.from(x.scores), Array.from(y.scores));
      }
      assert.deepEqual(evaluateSequential(loaded, world.heldOut, { k: 5 }).metrics, evaluateSequential(model, world.heldOut, { k: 5 }).metrics);
    } finally {
      loaded.dispose();
    }
  });

  it("popularityPenalty re-ranks toward less popular items", () => {
    const h = Int32Array.of(0, 1);
    const plain = model.recommendForHistory(h, 10);
    const penalised = model.recommendForHistory(h, 10, { popularityPenalty: 5 });
    const mean = (idx: Int32Array) => Array.from(idx).reduce((s, i) => s + model.itemCounts[i], 0) / idx.length;
    assert.ok(mean(penalised.indices) < mean(plain.indices));
  });

  it("bad input gets clear errors", () => {
    assert.throws(() => model.recommendForHistory(new Int32Array(0), 5), /history is empty/);
    assert.throws(() => model.recommendForHistory(Int32Array.of(3, 40), 5), /item index 40 at position 1 is not in the model/);
    assert.throws(() => model.recommendForHistory(new Int32Array(41), 5), /41 items, more than the catalog's 40/);
    assert.throws(
      () =>
        model.recommendForHistory(
          Int32Array.from({ length: 40 }, (_, i) => i),
          5,
        ),
      /every item of the catalog/,
    );
    assert.throws(() => model.recommendForHistory(Int32Array.of(1), 0), /k must be a positive integer/);
    assert.throws(() => model.recommend("nobody", 5), /user "nobody" is not in the model/);
    assert.throws(() => new TwoTower(kernels, { dim: 0 }), ConfigError);
    assert.throws(() => new TwoTower(kernels, { loss: "bpr" as never }), /loss must be one of softmax, sampled-softmax/);
    assert.throws(() => new TwoTower(kernels, { historyWeighting: "newest" as never }), /historyWeighting must be one of uniform, recency/);
    assert.throws(() => new TwoTower(kernels, { maxHistory: 0 }), /maxHistory must be a positive integer/);
    assert.throws(() => new TwoTower(kernels, { halfLife: -1 }), /halfLife must be a positive number/);
    assert.throws(() => new TwoTower(kernels).recommendForHistory(Int32Array.of(1), 3), /not trained yet/);
  });
});

describe("two-tower training", () => {
  it("α = 0 reproduces the plain run byte for byte, and the same seed the same model", async () => {
    const tables = async (config: object) => {
      const m = new TwoTower(kernels, { ...FAST, epochs: 2, ...config });
      await m.fit(world.train, { genres: world.genres });
      const bytes = encodeModelFile({ ...m.toModelFile(), config: {} });
      m.dispose();
      return bytes;
    };
    const plain = await tables({});
    assert.deepEqual(await tables({ logitAdjustment: 0 }), plain);
    assert.notDeepEqual(await tables({ logitAdjustment: 0.5 }), plain);
    assert.notDeepEqual(await tables({ seed: 43 }), plain);
  });

  it("sampled softmax learns the chains too, and logit adjustment serves less popular items", async () => {
    const results: number[] = [];
    for (const alpha of [0, 1]) {
      const m = new TwoTower(kernels, { ...FAST, loss: "sampled-softmax", negatives: 16, logitAdjustment: alpha, historyWeighting: "recency", halfLife: 1 });
      await m.fit(world.train);
      const r = evaluateSequential(m, world.heldOut, { k: 5 });
      if (alpha === 0) assert.ok(r.metrics["recall@5"] > 0.6, `sampled softmax recall@5 ${r.metrics["recall@5"]}`);
      results.push(r.metrics["meanPopularity@5"]);
      m.dispose();
    }
    assert.ok(results[1] < results[0], `mean popularity α=1 ${results[1]} vs α=0 ${results[0]}`);
  });

  it("early stopping on held-out users keeps the best epoch", async () => {
    const m = new TwoTower(kernels, { ...FAST, epochs: 4 });
    const report = await m.fit(world.train, { validation: world.heldOut, validationK: 5, patience: 1 });
    assert.ok(report.bestValidationRecall! > 0);
    assert.equal(report.epochs.find((e) => e.epoch === report.bestEpoch)!.validationRecall, report.bestValidationRecall);
    m.dispose();
  });

  it("a diverging loss throws DivergenceError and leaves a finite model", async () => {
    const m = new TwoTower(kernels, { ...FAST, epochs: 3, learningRate: 1e30, temperature: 1e-30 });
    await assert.rejects(m.fit(world.train), DivergenceError);
    for (const x of m.userEmbeddings([Int32Array.of(1, 2)])) assert.ok(Number.isFinite(x));
    m.dispose();
  });

  it("fitting data without any two-item row is refused", async () => {
    const { tinyParts } = await import("./support/tiny-data.js");
    const { train } = tinyParts(
      2,
      3,
      [
        [0, 0],
        [1, 1],
      ],
      [],
    );
    await assert.rejects(new TwoTower(kernels).fit(train), /no user has two or more interactions/);
  });

  it("frees every wasm allocation on dispose", async () => {
    const before = kernels.wasm.allocatedBytes;
    const m = new TwoTower(kernels, { ...FAST, epochs: 1, loss: "sampled-softmax", negatives: 8 });
    await m.fit(world.train, { genres: world.genres, validation: world.heldOut });
    m.recommendForHistory(Int32Array.of(1, 2), 3, { popularityPenalty: 0.1 });
    m.scoreUsers(kernels.wasm.i32From([0]), 1, kernels.wasm.f32(40));
    m.dispose();
    // The two arrays this test allocated for scoreUsers are its own: 4 + 160 bytes.
    assert.equal(kernels.wasm.allocatedBytes - before, 4 + 160);
  });
});

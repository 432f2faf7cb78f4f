import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Interactions } from "../ts/data/interactions.js";
import { randomHoldout } from "../ts/data/splits.js";
import { Kernels } from "../ts/kernels/kernels.js";
import { evaluateRanking } from "../ts/eval/evaluate.js";
import { MatrixFactorization } from "../ts/mf/matrix-factorization.js";
import { decodeModelFile, encodeModelFile, ModelFileError, type ModelFileContents } from "../ts/model/model-file.js";
import { headRows } from "../ts/mf/popularity-projection.js";
import { loadWasmInstance } from "../ts/node.js";
import { generateSyntheticWorld, type SyntheticWorld } from "../ts/synthetic/world.js";
import { worldToInteractions } from "../ts/synthetic/to-interactions.js";
import { alphaGridWarnings, searchPopularityAlphas } from "../ts/mf/alpha-grid.js";
import { ConfigError } from "../ts/mf/config.js";
import { Rng } from "../ts/util/rng.js";
import { tinyParts } from "./support/tiny-data.js";

let kernels: Kernels;
let world: SyntheticWorld;
let train: Interactions;
let validation: Interactions;
let _test: Interactions;
let adjusted: MatrixFactorization;

before(async () => {
  kernels = new Kernels(await loadWasmInstance());
  world = generateSyntheticWorld({ seed: 7, nUsers: 600, nItems: 900, popularityExponent: 1.2 });
  const split = randomHoldout(worldToInteractions(world), { testFraction: 0.2, rng: new Rng(1) });
  _test = split.test;
  ({ train, test: validation } = randomHoldout(split.train, { testFraction: 0.1, rng: new Rng(2) }));
  adjusted = new MatrixFactorization(kernels, { loss: "bpr", gradientAdjustment: true, epochs: 12, seed: 3 });
  await adjusted.fit(train);
});

/** All scores of every user of a model (users × items), through the model's serving path. */
function allScores(model: MatrixFactorization): Float32Array {
  const e = model.kernels.wasm;
  const users = e.i32From(Array.from({ length: model.nUsers }, (_, u) => u));
  const out = e.f32(model.nUsers * model.nItems);
  try {
    model.scoreUsers(users, model.nUsers, out);
    return out.view.slice();
  } finally {
    users.free();
    out.free();
  }
}

/** A model with the given tables and popular directions, through the model-file loader. */
function modelFromTables(
  P: number[][],
  Q: number[][],
  seen: number[][],
  directions: { users: number[]; items: number[] },
  config: Record<string, unknown> = {},
): MatrixFactorization {
  const d = P[0].length;
  const indptr = [0];
  for (const row of seen) indptr.push(indptr.at(-1)! + row.length);
  const contents: ModelFileContents = {
    kind: "mf",
    config: { loss: "bpr", dim: d, gradientAdjustment: true, ...config },
    shapes: { nUsers: P.length, nItems: Q.length, dim: d },
    userIds: P.map((_, u) => `u${u}`),
    itemIds: Q.map((_, i) => `i${i}`),
    tables: {
      userFactors: { rows: P.length, cols: d, data: Float32Array.from(P.flat()) },
      itemFactors: { rows: Q.length, cols: d, data: Float32Array.from(Q.flat()) },
      itemCounts: { rows: 1, cols: Q.length, data: Int32Array.from(Q, (_, i) => seen.filter((r) => r.includes(i)).length) },
      seenIndptr: { rows: 1, cols: indptr.length, data: Int32Array.from(indptr) },
      seenIndices: { rows: 1, cols: indptr.at(-1)!, data: Int32Array.from(seen.flat()) },
      popularUserDirection: { rows: 1, cols: d, data: Float32Array.from(directions.users) },
      popularItemDirection: { rows: 1, cols: d, data: Float32Array.from(directions.items) },
    },
  };
  return MatrixFactorization.fromModelFile(kernels, decodeModelFile(encodeModelFile(contents)));
}

/** Eq. 15-16 in f64, written the paper's way: x − α·cos(x, v)·‖x‖·v/‖v‖. */
function paperProjection(x: Float64Array, v: Float64Array, alpha: number): Float64Array {
  const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, ai, c) => s + ai * b[c], 0);
  const nx = Math.sqrt(dot(x, x)),
    nv = Math.sqrt(dot(v, v));
  const cos = dot(x, v) / (nx * nv);
  return x.map((xc, c) => xc - alpha * cos * nx * (v[c] / nv));
}

describe("gradient-perspective adjustment (Ren et al.)", () => {
  it("training records directions: unit-norm users, non-zero P̄ and Q̄, Q̄ close to the head items' mean direction", () => {
    assert.equal(adjusted.config.normalize, "users");
    const P = adjusted.userFactors.view;
    for (let u = 0; u < adjusted.nUsers; u += 37) {
      let s = 0;
      for (let c = 0; c < adjusted.dim; c++) s += P[u * adjusted.dim + c] ** 2;
      assert.ok(Math.abs(Math.sqrt(s) - 1) < 1e-5, `user ${u} has norm ${Math.sqrt(s)}`);
    }
    const fromGradients = adjusted.popularDirections("gradients")!;
    const fromHead = adjusted.popularDirections("head-mean")!;
    const cos = (a: Float32Array, b: Float32Array) => {
      let ab = 0,
        aa = 0,
        bb = 0;
      for (let c = 0; c < a.length; c++) {
        ab += a[c] * b[c];
        aa += a[c] * a[c];
        bb += b[c] * b[c];
      }
      return ab / Math.sqrt(aa * bb);
    };
    // Q̄_i sums −lr·P_u over the item's positives: it points against the popular items' embeddings.
    assert.ok(Math.abs(cos(fromGradients.items, fromHead.items)) > 0.5, `|cos(Q̄ gradients, Q̄ head mean)| = ${cos(fromGradients.items, fromHead.items)}`);
    assert.ok(fromGradients.users.some((v) => v !== 0));
  });

  it("serves Eq. 15-16: scores equal an f64 reference of the projected embeddings", () => {
    const rng = new Rng(9);
    const d = 5,
      n = 4,
      m = 7;
    const P = Array.from({ length: n }, () => Array.from({ length: d }, () => rng.normal()));
    const Q = Array.from({ length: m }, () => Array.from({ length: d }, () => rng.normal()));
    const directions = { users: Array.from({ length: d }, () => rng.normal()), items: Array.from({ length: d }, () => rng.normal()) };
    const model = modelFromTables(P, Q, [[0], [], [1, 2], [3]], directions);
    try {
      for (const [a1, a2] of [
        [0.4, 0],
        [0, 1.2],
        [1, 1],
        [2, 0.6],
      ]) {
        model.setPopularityAdjustment({ alphaItems: a1, alphaUsers: a2 });
        const scores = allScores(model);
        for (let u = 0; u < n; u++) {
          const pu = paperProjection(Float64Array.from(P[u]), Float64Array.from(directions.users), a2);
          for (let i = 0; i < m; i++) {
            const qi = paperProjection(Float64Array.from(Q[i]), Float64Array.from(directions.items), a1);
            const expected = pu.reduce((s, v, c) => s + v * qi[c], 0);
            assert.ok(
              Math.abs(scores[u * m + i] - expected) < 1e-5 * (1 + Math.abs(expected)),
              `α=(${a1}, ${a2}) u${u} i${i}: ${scores[u * m + i]} vs ${expected}`,
            );
          }
        }
      }
    } finally {
      model.dispose();
    }
  });

  it("α1 = α2 = 0 reproduces the plain model's scores exactly", async () => {
    adjusted.setPopularityAdjustment({ alphaItems: 0, alphaUsers: 0 });
    const zero = allScores(adjusted);
    const plain = MatrixFactorization.fromModelFile(kernels, { ...adjusted.toModelFile(), config: { ...adjusted.config, gradientAdjustment: false } });
    try {
      assert.deepEqual(zero, allScores(plain));
      adjusted.setPopularityAdjustment({ alphaItems: 0.2, alphaUsers: 0 });
      assert.notDeepEqual(allScores(adjusted), zero, "a non-zero α changes the scores");
    } finally {
      plain.dispose();
      adjusted.setPopularityAdjustment({ alphaItems: 0, alphaUsers: 0 });
    }
  });

  it("ranks tail items that truly match their users higher: top-20 share of truly relevant tail items ≥ 3× and +0.03", () => {
    const head = new Set(headRows(train.itemCounts(), 0.8));
    const relevantTailShare = () => {
      let hits = 0;
      for (let u = 0; u < adjusted.nUsers; u++) for (const i of adjusted.recommend(u, 20).indices) if (!head.has(i) && world.isRelevant(u, i)) hits++;
      return hits / (adjusted.nUsers * 20);
    };
    for (const source of ["gradients", "head-mean"] as const) {
      adjusted.setPopularityAdjustment({ alphaItems: 0, alphaUsers: 0, source });
      const before = relevantTailShare();
      adjusted.setPopularityAdjustment({ alphaItems: 1, alphaUsers: 1, source });
      const after = relevantTailShare();
      assert.ok(after >= 3 * before && after >= before + 0.03, `${source}: truly relevant tail share of the top-20 ${before.toFixed(4)} → ${after.toFixed(4)}`);
    }
    adjusted.setPopularityAdjustment({ alphaItems: 0, alphaUsers: 0, source: "gradients" });
  });

  it("the grid search picks the unique best pair of a constructed case", () => {
    // d = 3; Q̄ = x, P̄ = z. The user (1, 1, 1) holds out item T = (0, 1, 0) (score 1 for every α).
    // A/B beat T unless α1 ∈ [0.95, 1.05], C/D unless α2 ∈ [0.95, 1.05]; E (huge) is a training item.
    const Q = [
      [1, 0.95, 0],
      [-1, 0.95, 0],
      [0, 0.95, 1],
      [0, 0.95, -1],
      [0, 1, 0],
      [5, 5, 5],
    ];
    const model = modelFromTables([[1, 1, 1]], Q, [[5]], { users: [0, 0, 1], items: [1, 0, 0] });
    const { train: t, test: v } = tinyParts(1, 6, [[0, 5]], [[0, 4]]);
    try {
      const result = searchPopularityAlphas(model, t, v, { k: 1 });
      assert.deepEqual([result.alphaItems, result.alphaUsers, result.recall, result.baselineRecall], [1, 1, 1, 0]);
      assert.equal(result.grid.length, 121);
      assert.equal(result.grid.filter((p) => p.recall > 0).length, 1, "only (1, 1) ranks T first");
      // Ablation: with α2 fixed at 0 no α1 can put T first.
      assert.equal(searchPopularityAlphas(model, t, v, { k: 1, fixedAlphaUsers: 0 }).recall, 0);
    } finally {
      model.dispose();
    }
  });

  it("the grid's Recall@K equals full evaluation of each projected model, and its best is their best", () => {
    const alphas = [0, 0.6, 1, 1.4];
    const result = searchPopularityAlphas(adjusted, train, validation, { alphas, k: 20 });
    let best = { recall: -1, alphaItems: -1, alphaUsers: -1 };
    for (const point of result.grid) {
      adjusted.setPopularityAdjustment(point);
      const recall = evaluateRanking(adjusted, train, validation, { k: 20 }).metrics["recall@20"];
      assert.ok(Math.abs(recall - point.recall) < 2e-3, `α=(${point.alphaItems}, ${point.alphaUsers}): grid ${point.recall}, evaluation ${recall}`);
      if (recall > best.recall + 2e-3) best = { ...point, recall };
    }
    assert.ok(result.recall >= best.recall - 2e-3, `grid best ${result.recall} vs evaluated best ${best.recall}`);
    adjusted.setPopularityAdjustment({ alphaItems: 0, alphaUsers: 0 });
    assert.equal(result.baselineRecall, evaluateRanking(adjusted, train, validation, { k: 20 }).metrics["recall@20"]);
    // A seeded sample of validation users: same seed, same sample and result.
    const a = searchPopularityAlphas(adjusted, train, validation, { alphas, maxUsers: 100, rng: new Rng(4) });
    const b = searchPopularityAlphas(adjusted, train, validation, { alphas, maxUsers: 100, rng: new Rng(4) });
    assert.equal(a.users, 100);
    assert.deepEqual(a.grid, b.grid);
  });

  it("reports the paired standard error of the chosen pair's gain, and warns when the projection is off or the gain is noise", () => {
    const result = searchPopularityAlphas(adjusted, train, validation, { alphas: [0, 0.6, 1.4], k: 20 });
    const users = Array.from(validation.usersWithInteractions());
    const { indptr, indices } = validation.byUser;
    const recalls = () =>
      users.map((u) => {
        const held = new Set(indices.subarray(indptr[u], indptr[u + 1]));
        return [...adjusted.recommend(u, 20).indices].filter((i) => held.has(i)).length / held.size;
      });
    adjusted.setPopularityAdjustment(result);
    const chosen = recalls();
    adjusted.setPopularityAdjustment({ alphaItems: 0, alphaUsers: 0 });
    const gains = recalls().map((raw, r) => chosen[r] - raw);
    const mean = gains.reduce((a, b) => a + b, 0) / gains.length;
    const sd = Math.sqrt(gains.reduce((a, g) => a + (g - mean) ** 2, 0) / (gains.length - 1));
    assert.ok(Math.abs(result.recall - result.baselineRecall - mean) < 1e-3, `gain ${result.recall - result.baselineRecall} vs ${mean}`);
    assert.ok(Math.abs(result.gainStandardError - sd / Math.sqrt(gains.length)) < 1e-4, `${result.gainStandardError} vs ${sd / Math.sqrt(gains.length)}`);
    assert.ok(result.pairsNearBest >= 1 && result.pairsNearBest <= 9);
    // The warnings follow the numbers: off at (0, 0); noise within two standard errors; nothing beyond.
    const se = 0.01;
    const at = (recall: number, off = false) =>
      alphaGridWarnings({
        ...result,
        alphaItems: off ? 0 : 1,
        alphaUsers: off ? 0 : 1,
        projectionOff: off,
        baselineRecall: 0.2,
        recall,
        gainStandardError: se,
      }).map((w) => w.kind);
    assert.deepEqual(at(0.2, true), ["projection-off"]);
    assert.deepEqual(at(0.215), ["alpha-uncertain"]);
    assert.deepEqual(at(0.23), []);
  });

  it("after early stopping, keeps the popular directions of the epoch whose tables it keeps", async () => {
    const config = { loss: "bpr", gradientAdjustment: true, epochs: 30, seed: 3, learningRate: 0.05 } as const;
    const stopped = new MatrixFactorization(kernels, config);
    const report = await stopped.fit(train, { validation, patience: 1 });
    assert.ok(report.bestEpoch < report.epochs.length, `the run must stop after its best epoch: best ${report.bestEpoch} of ${report.epochs.length}`);
    // The same seed trained for exactly the best epoch's count: the same tables and the same sums.
    const atBest = new MatrixFactorization(kernels, { ...config, epochs: report.bestEpoch });
    await atBest.fit(train);
    try {
      assert.deepEqual(stopped.itemFactors.view, atBest.itemFactors.view);
      assert.deepEqual(stopped.popularDirections("gradients"), atBest.popularDirections("gradients"));
    } finally {
      stopped.dispose();
      atBest.dispose();
    }
  });

  it("survives a model-file round trip: directions, α1/α2 and identical top-k; older files still load", () => {
    adjusted.setPopularityAdjustment({ alphaItems: 0.8, alphaUsers: 0.4 });
    const file = adjusted.toModelFile();
    assert.deepEqual(file.serving, { alphaItems: 0.8, alphaUsers: 0.4 });
    const bytes = encodeModelFile(file);
    // The serving section needs format version 2; older builds refuse it rather than serve the raw tables.
    assert.equal(new DataView(bytes.buffer).getUint32(8, true), 2);
    const loaded = MatrixFactorization.fromModelFile(kernels, decodeModelFile(bytes));
    try {
      assert.equal(loaded.serving.alphaItems, 0.8);
      assert.equal(loaded.serving.alphaUsers, 0.4);
      assert.equal((loaded.config as unknown as Record<string, unknown>).alphaItems, undefined);
      assert.deepEqual(loaded.popularDirections("gradients"), adjusted.popularDirections("gradients"));
      for (let u = 0; u < adjusted.nUsers; u++) assert.deepEqual(loaded.recommend(u, 20).indices, adjusted.recommend(u, 20).indices, `user ${u}`);
      assert.deepEqual(allScores(loaded), allScores(adjusted));
    } finally {
      loaded.dispose();
    }
    // A file from before the method: no direction tables, no new config fields.
    const { popularUserDirection, popularItemDirection, ...oldTables } = file.tables;
    assert.ok(popularUserDirection && popularItemDirection);
    const { gradientAdjustment, ...oldConfig } = file.config;
    const { serving, ...withoutServing } = file;
    const old = MatrixFactorization.fromModelFile(kernels, decodeModelFile(encodeModelFile({ ...withoutServing, config: oldConfig, tables: oldTables })));
    assert.equal(old.serving.alphaItems, 0);
    assert.equal(old.popularDirections("gradients"), null);
    old.dispose();
    // A format-1 file from before the serving section kept α1/α2 in its config: read as serving settings.
    const legacyConfig = { ...file.config, popularDirection: "gradients", alphaItems: 0.8, alphaUsers: 0.4, popularHeadShare: 0.8 };
    const legacyBytes = encodeModelFile({ ...withoutServing, config: legacyConfig });
    assert.equal(new DataView(legacyBytes.buffer).getUint32(8, true), 1);
    const legacy = MatrixFactorization.fromModelFile(kernels, decodeModelFile(legacyBytes));
    try {
      assert.deepEqual(legacy.serving, loaded.serving);
      assert.deepEqual(allScores(legacy), allScores(adjusted));
    } finally {
      legacy.dispose();
    }
    // A file that serves with directions it does not hold is refused with the reason.
    assert.throws(() => MatrixFactorization.fromModelFile(kernels, { ...file, tables: oldTables }, "m.ltm"), /m\.ltm: .*popularUserDirection/);
    // A bad serving section is reported as a damaged file, naming the field.
    assert.throws(
      () => MatrixFactorization.fromModelFile(kernels, { ...file, serving: { alphaItems: -1 } }, "m.ltm"),
      (e: Error) => e instanceof ModelFileError && /m\.ltm: corrupt: .*alphaItems must be a non-negative number/.test(e.message),
    );
    adjusted.setPopularityAdjustment({ alphaItems: 0, alphaUsers: 0 });
  });

  it("configuration: BPR/BCE only, users unit-norm by default, the no-normalisation ablation, bad α", async () => {
    assert.throws(
      () => new MatrixFactorization(kernels, { loss: "softmax", gradientAdjustment: true }),
      (e: Error) => e instanceof ConfigError && /bpr or bce/.test(e.message),
    );
    assert.equal(new MatrixFactorization(kernels, { loss: "bce", gradientAdjustment: true }).config.normalize, "users");
    assert.equal(new MatrixFactorization(kernels, { gradientAdjustment: true, normalize: "none" }).config.normalize, "none");
    // The serving settings are not training fields: a config holding one is told where it went.
    assert.throws(() => new MatrixFactorization(kernels, { alphaItems: 1 } as never), /alphaItems is a serving setting.*setPopularityAdjustment/);
    const plain = new MatrixFactorization(kernels, { epochs: 1 });
    await plain.fit(train);
    assert.throws(() => plain.setPopularityAdjustment({ alphaItems: -1, alphaUsers: 0 }), /alphaItems must be a non-negative number/);
    assert.throws(
      () => plain.setPopularityAdjustment({ alphaItems: 0, alphaUsers: 0, source: "mean" as never }),
      /popularDirection must be one of gradients, head-mean/,
    );
    assert.throws(
      () => plain.setPopularityAdjustment({ alphaItems: 1, alphaUsers: 0, source: "head-mean", headShare: 0 }),
      /popularHeadShare must be in \(0, 1\]/,
    );
    assert.equal(plain.serving.alphaItems, 0, "a refused setting leaves the serving unchanged");
    assert.throws(() => plain.setPopularityAdjustment({ alphaItems: 1, alphaUsers: 0 }), /not available.*head-mean/);
    plain.setPopularityAdjustment({ alphaItems: 1, alphaUsers: 0, source: "head-mean" });
    assert.equal(plain.recommend(0, 5).indices.length, 5);
    plain.dispose();
  });

  it("frees every wasm allocation", () => {
    const start = kernels.wasm.allocatedBytes;
    adjusted.dispose();
    assert.ok(kernels.wasm.allocatedBytes < start);
    assert.equal(kernels.wasm.allocatedBytes, 0);
  });
});

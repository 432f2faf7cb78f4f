/**
 * TTEN, test-time normalisation of item embeddings (arXiv 2308.11288): serving ranks on unit-norm
 * item vectors, with no retraining; a serving setting saved with the model.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Interactions } from "../ts/data/interactions.js";
import { Kernels } from "../ts/kernels/kernels.js";
import { MatrixFactorization } from "../ts/mf/matrix-factorization.js";
import { decodeModelFile, encodeModelFile } from "../ts/model/model-file.js";
import { loadWasmInstance } from "../ts/node.js";
import { generateSyntheticWorld } from "../ts/synthetic/world.js";
import { worldToInteractions } from "../ts/synthetic/to-interactions.js";
import { cli } from "./support/cli.js";
import { TINY_CSV } from "./support/runtime-fixture.js";

let kernels: Kernels;
let train: Interactions;
let model: MatrixFactorization;
let dir: string;

before(async () => {
  kernels = new Kernels(await loadWasmInstance());
  train = worldToInteractions(generateSyntheticWorld({ seed: 7, nUsers: 300, nItems: 400 }));
  model = new MatrixFactorization(kernels, { loss: "bpr", epochs: 6, dim: 16, seed: 2 });
  await model.fit(train);
  dir = mkdtempSync(join(tmpdir(), "longtail-tten-"));
});
after(() => {
  model.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** The top-k of user u by P_u·Q_i/‖Q_i‖ in f64, training items excluded. */
function referenceTop(u: number, k: number): number[] {
  const d = model.dim,
    P = model.userFactors.view,
    Q = model.itemFactors.view;
  const seen = new Set(train.byUser.indices.subarray(train.byUser.indptr[u], train.byUser.indptr[u + 1]));
  const scores: [number, number][] = [];
  for (let i = 0; i < model.nItems; i++) {
    if (seen.has(i)) continue;
    let dot = 0,
      norm = 0;
    for (let c = 0; c < d; c++) {
      dot += P[u * d + c] * Q[i * d + c];
      norm += Q[i * d + c] ** 2;
    }
    scores.push([i, norm > 0 ? dot / Math.sqrt(norm) : 0]);
  }
  return scores
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([i]) => i);
}

describe("TTEN", () => {
  it("ranks on unit-norm item vectors: top-k equal an f64 reference as sets, and the raw ranking comes back when switched off", () => {
    const raw = model.recommend(0, 10).indices;
    model.setItemNormalization(true);
    try {
      assert.equal(model.serving.normalizeItems, true);
      for (const u of [0, 7, 123, 299]) assert.deepEqual(new Set(model.recommend(u, 10).indices), new Set(referenceTop(u, 10)), `user ${u}`);
    } finally {
      model.setItemNormalization(false);
    }
    assert.deepEqual(model.recommend(0, 10).indices, raw);
  });

  it("is saved in the model file's serving section and kept through a popularity adjustment", () => {
    model.setItemNormalization(true);
    model.setPopularityAdjustment({ alphaItems: 0, alphaUsers: 0, source: "head-mean" });
    assert.equal(model.serving.normalizeItems, true, "setting α leaves TTEN as it was");
    const file = model.toModelFile();
    assert.equal(file.serving?.normalizeItems, true);
    const loaded = MatrixFactorization.fromModelFile(kernels, decodeModelFile(encodeModelFile(file)));
    try {
      assert.deepEqual(loaded.recommend(5, 10).indices, model.recommend(5, 10).indices);
    } finally {
      loaded.dispose();
      model.setItemNormalization(false);
      model.setPopularityAdjustment({ alphaItems: 0, alphaUsers: 0, source: "gradients" });
    }
  });

  it("is one flag: train --tten saves it, evaluate --tten applies it, configurations take it; two-tower refuses it", () => {
    const out = join(dir, "t.ltm");
    let r = cli("train", "--data", TINY_CSV, "--epochs", "2", "--dim", "8", "--tten", "--quiet", "--out", out);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(decodeModelFile(readFileSync(out)).serving?.normalizeItems, true);
    const plain = join(dir, "p.ltm");
    assert.equal(cli("train", "--data", TINY_CSV, "--epochs", "2", "--dim", "8", "--quiet", "--out", plain).status, 0);
    const evaluate = (...extra: string[]) => cli("evaluate", "--model", plain, "--data", TINY_CSV, "--test", TINY_CSV, "--json", "--quiet", ...extra);
    r = evaluate("--tten");
    assert.equal(r.status, 0, r.stderr);
    const withTten = JSON.parse(r.stdout);
    assert.equal(withTten.tten, true);
    assert.equal(JSON.parse(evaluate().stdout).tten, undefined);
    r = cli("compare", "--data", TINY_CSV, "--quiet", "--json", "p: --epochs 1 --dim 8", "t: --epochs 1 --dim 8 --tten");
    assert.equal(r.status, 0, r.stderr);
    const [p, t] = JSON.parse(r.stdout).configurations;
    assert.equal(p.serving, undefined);
    assert.equal(t.serving.normalizeItems, true);
    r = cli("train", "--model", "two-tower", "--data", TINY_CSV, "--tten", "--quiet", "--out", join(dir, "tt.ltm"));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--tten/);
  });
});

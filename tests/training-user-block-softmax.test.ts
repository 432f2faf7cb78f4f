import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Interactions } from "../ts/data/interactions.js";
import { randomHoldout } from "../ts/data/splits.js";
import { Kernels } from "../ts/kernels/kernels.js";
import { evaluateRanking } from "../ts/eval/evaluate.js";
import { MatrixFactorization } from "../ts/mf/matrix-factorization.js";
import { MostPopular } from "../ts/model/most-popular.js";
import { loadWasmInstance } from "../ts/node.js";
import { generateSyntheticWorld } from "../ts/synthetic/world.js";
import { worldToInteractions } from "../ts/synthetic/to-interactions.js";
import { AliasSampler } from "../ts/train/alias-sampler.js";
import { ConfigError, USER_SAMPLING_DEFAULTS, resolveMfConfig, type MfConfig } from "../ts/mf/config.js";
import { DivergenceError, makeOptimizers, shuffledRange, type TrainingContext } from "../ts/mf/training-context.js";
import { UserBlockSampledSoftmaxRunner } from "../ts/mf/user-block-sampled-softmax-runner.js";
import { Rng } from "../ts/util/rng.js";
import { assertSeedDeterminesModel } from "./support/seeded-training.js";
import { tinyParts } from "./support/tiny-data.js";

let kernels: Kernels;

before(async () => {
  kernels = new Kernels(await loadWasmInstance());
});

/**
 * The sampled objective in plain f64, for one step over all active users: for each user u with
 * positives P_u and the shared negatives n_1..n_N, negative logits z_j = s(u,n_j)/T − log(N·q(n_j)) + b_{n_j}
 * (a negative that is in P_u dropped) and positive logits z_p = s(u,p)/T + b_p; each positive's loss
 * is the cross-entropy of p among {p} ∪ negatives. Returns the loss and ∂loss/∂P, ∂loss/∂Q.
 */
function referenceStep(
  train: Interactions,
  P: Float64Array,
  Q: Float64Array,
  d: number,
  T: number,
  users: number[],
  negatives: number[],
  q: Float64Array,
  bias: Float32Array | null,
): { loss: number; gradP: Float64Array; gradQ: Float64Array } {
  const gradP = new Float64Array(P.length),
    gradQ = new Float64Array(Q.length);
  const N = negatives.length;
  const score = (u: number, i: number) => {
    let s = 0;
    for (let c = 0; c < d; c++) s += P[u * d + c] * Q[i * d + c];
    return s;
  };
  const addGrad = (u: number, i: number, g: number) => {
    for (let x = 0; x < d; x++) {
      gradP[u * d + x] += g * Q[i * d + x];
      gradQ[i * d + x] += g * P[u * d + x];
    }
  };
  let loss = 0;
  for (const u of users) {
    const own = Array.from(train.byUser.indices.subarray(train.byUser.indptr[u], train.byUser.indptr[u + 1]));
    const kept = negatives.filter((j) => !own.includes(j));
    const negLogits = kept.map((j) => score(u, j) / T - Math.log(N * q[j]) + (bias ? bias[j] : 0));
    for (const p of own) {
      const candidates = [{ item: p, z: score(u, p) / T + (bias ? bias[p] : 0) }, ...kept.map((item, k) => ({ item, z: negLogits[k] }))];
      const max = Math.max(...candidates.map((c) => c.z));
      const lse = max + Math.log(candidates.reduce((s, c) => s + Math.exp(c.z - max), 0));
      loss += lse - candidates[0].z;
      // ∂/∂z_c = softmax_c − [c is p]; ∂z/∂s = 1/T.
      candidates.forEach((c, k) => addGrad(u, c.item, (Math.exp(c.z - lse) - (k === 0 ? 1 : 0)) / T));
    }
  }
  return { loss, gradP, gradQ };
}

/** A hand-made data set: users with 0..5 positives (padding), 11 items, a few popular. */
function tinyTrain(): Interactions {
  const pairs: [number, number][] = [
    [0, 0],
    [0, 1],
    [0, 2],
    [0, 5],
    [0, 9],
    [1, 0],
    [1, 3],
    [2, 1],
    [4, 0],
    [4, 1],
    [4, 6],
    [4, 7],
    [5, 2],
    [5, 10],
    [5, 0],
  ];
  return tinyParts(6, 11, pairs, []).train; // user 3 has no positives: it forms no row
}

function oneStep(d: number, N: number, bias: Float32Array | null, positivesPerRow = 0): void {
  const train = tinyTrain();
  const T = 0.5,
    lr = 0.1;
  const config: MfConfig = resolveMfConfig({
    loss: "sampled-softmax",
    sampling: "users",
    dim: d,
    negatives: N,
    batchSize: 16,
    positivesPerRow,
    optimizer: "sgd",
    learningRate: lr,
    temperature: T,
    normalize: "none",
    seed: 11,
  });
  const e = kernels.wasm;
  const start = e.allocatedBytes;
  const init = new Rng(5);
  const userFactors = e.f32(train.nUsers * d),
    itemFactors = e.f32(train.nItems * d);
  userFactors.view.set(Array.from({ length: train.nUsers * d }, () => init.normal() * 0.7));
  itemFactors.view.set(Array.from({ length: train.nItems * d }, () => init.normal() * 0.7));
  const P = Float64Array.from(userFactors.view),
    Q = Float64Array.from(itemFactors.view);
  const ctx: TrainingContext = {
    kernels,
    config,
    train,
    userFactors,
    itemFactors,
    rng: new Rng(config.seed),
    ...makeOptimizers(kernels, config, userFactors, itemFactors),
  };

  // Replay the runner's random choices: the shuffle of the rows (one per active user, or one per
  // chunk of positivesPerRow positives), then N draws from q. All rows fit in one step.
  const replay = new Rng(config.seed);
  const counts = train.itemCounts();
  const sampler = new AliasSampler(Array.from(counts, (c) => Math.pow(c + 1, config.samplingExponent)));
  const active = [0, 1, 2, 4, 5];
  const userCounts = train.userCounts();
  shuffledRange(
    active.reduce((rows, u) => rows + (positivesPerRow > 0 ? Math.ceil(userCounts[u] / positivesPerRow) : 1), 0),
    replay,
  );
  const negatives = Array.from({ length: N }, () => sampler.sample(replay));
  if (N > 4)
    assert.ok(
      negatives.some((j) => j <= 2),
      "the draws include accidental hits (positives of some user), so masking is exercised",
    );
  const ref = referenceStep(train, P, Q, d, T, active, negatives, sampler.probabilities, bias);

  const runner = new UserBlockSampledSoftmaxRunner(ctx, bias);
  const result = runner.runEpoch();
  assert.equal(result.examples, train.nnz);
  assert.ok(
    Math.abs(result.loss - ref.loss / train.nnz) < 1e-4 * Math.max(1, Math.abs(ref.loss / train.nnz)),
    `loss ${result.loss} vs ${ref.loss / train.nnz}`,
  );
  // SGD with l2 = 0: the new parameters are the old ones minus lr·gradient.
  const close = (got: Float32Array, old: Float64Array, grad: Float64Array, what: string) => {
    for (let k = 0; k < old.length; k++) {
      const want = old[k] - lr * grad[k];
      assert.ok(Math.abs(got[k] - want) < 2e-4 * Math.max(1, Math.abs(want)), `${what}[${k}]: ${got[k]} vs ${want}`);
    }
  };
  close(userFactors.view, P, ref.gradP, "users");
  close(itemFactors.view, Q, ref.gradQ, "items");
  runner.dispose();
  ctx.userOptimizer.dispose();
  ctx.itemOptimizer.dispose();
  userFactors.free();
  itemFactors.free();
  assert.equal(e.allocatedBytes, start, "every wasm allocation freed");
}

describe("sampled softmax over user blocks", () => {
  it("matches an f64 reference of the sampled objective: loss and both gradients (d = 5, 7 negatives)", () => oneStep(5, 7, null));
  it("matches the reference with d = 1 and a per-item logit bias on every candidate", () =>
    oneStep(
      1,
      9,
      Float32Array.from({ length: 11 }, (_, i) => 0.3 * Math.log(1 + i)),
    ));
  it("matches the reference with d = 8 and a single negative", () => oneStep(8, 1, null));
  it("matches the reference with rows of at most 2 positives (a user's rows share its gradient)", () => oneStep(4, 6, null, 2));

  describe("on a synthetic world", () => {
    let train: Interactions;
    let test: Interactions;
    before(() => {
      const world = generateSyntheticWorld({ seed: 7, nUsers: 400, nItems: 500 });
      ({ train, test } = randomHoldout(worldToInteractions(world), { testFraction: 0.2, rng: new Rng(7) }));
    });

    it("the loss falls and the model beats Most Popular on held-out Recall@10", async () => {
      const model = new MatrixFactorization(kernels, {
        loss: "sampled-softmax",
        sampling: "users",
        positivesPerRow: 0,
        epochs: 15,
        batchSize: 32,
        negatives: 128,
        temperature: 0.2,
        seed: 1,
      });
      assert.equal(model.config.sampling, "users");
      const report = await model.fit(train);
      const losses = report.epochs.map((e) => e.loss);
      assert.ok(losses.at(-1)! < losses[0] * 0.9, `loss falls: ${losses.map((l) => l.toFixed(3)).join(" ")}`);
      const recall = model.evaluate(train, test, { k: 10 }).metrics["recall@10"];
      const popular = evaluateRanking(new MostPopular(kernels, train.nUsers, train.itemCounts()), train, test, { k: 10 }).metrics["recall@10"];
      assert.ok(recall > popular * 1.2, `recall@10 ${recall} vs Most Popular ${popular}`);
      model.dispose();
    });

    it("is deterministic: the same seed gives identical factors, another seed different ones", () =>
      assertSeedDeterminesModel(kernels, train, { loss: "sampled-softmax", sampling: "users", epochs: 2, batchSize: 50, negatives: 64 }));

    it("stops on a diverging loss with a message and keeps a finite model", async () => {
      const model = new MatrixFactorization(kernels, {
        loss: "sampled-softmax",
        sampling: "users",
        optimizer: "sgd",
        learningRate: 1e30,
        normalize: "none",
        negatives: 16,
        epochs: 3,
      });
      await assert.rejects(model.fit(train), (e: Error) => e instanceof DivergenceError && /diverged.*lower --lr/.test(e.message));
      assert.ok(model.userFactors.view.every(Number.isFinite) && model.itemFactors.view.every(Number.isFinite));
      model.dispose();
    });
  });

  it('is chosen with sampling: "users", which brings its own defaults unless given', () => {
    assert.equal(resolveMfConfig({ loss: "sampled-softmax" }).sampling, "interactions");
    assert.equal(resolveMfConfig({ loss: "sampled-softmax" }).optimizer, "adam");
    const users = resolveMfConfig({ loss: "sampled-softmax", sampling: "users" });
    for (const [key, value] of Object.entries(USER_SAMPLING_DEFAULTS)) assert.equal(users[key as keyof MfConfig], value, key);
    const given = resolveMfConfig({ loss: "sampled-softmax", sampling: "users", batchSize: 7, optimizer: "adam", positivesPerRow: 0 });
    assert.deepEqual([given.batchSize, given.optimizer, given.positivesPerRow], [7, "adam", 0]);
    assert.throws(
      () => resolveMfConfig({ loss: "sampled-softmax", sampling: "users", positivesPerRow: -1 }),
      /positivesPerRow must be a non-negative integer, got -1/,
    );
    assert.throws(
      () => resolveMfConfig({ loss: "sampled-softmax", sampling: "items" as MfConfig["sampling"] }),
      (e: Error) => e instanceof ConfigError && /sampling must be one of users, interactions, got "items"/.test(e.message),
    );
    assert.throws(
      () => resolveMfConfig({ loss: "sampled-softmax", sampling: "users", ips: true }),
      /ips is not implemented for sampled-softmax with sampling "users"/,
    );
    assert.throws(() => resolveMfConfig({ loss: "sampled-softmax", sampling: "users", spectralPenalty: 0.1 }), /spectralPenalty \(ReSN\) is not implemented/);
    assert.equal(resolveMfConfig({ loss: "sampled-softmax", sampling: "users", logitAdjustment: 0.5 }).logitAdjustment, 0.5);
    assert.throws(
      () => resolveMfConfig({ loss: "bpr", sampling: "users" }),
      /sampling "users" is a way to batch the sampled softmax: use loss "sampled-softmax", not "bpr"/,
    );
    assert.throws(() => resolveMfConfig({ loss: "softmax", positivesPerRow: 4 }), /positivesPerRow \(4\) splits user rows/);
    assert.equal(resolveMfConfig({ loss: "bpr", sampling: "interactions", positivesPerRow: 0 }).loss, "bpr", "a saved model's full config still resolves");
  });
});

import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Interactions } from "../ts/data/interactions.js";
import { randomHoldout } from "../ts/data/splits.js";
import { Kernels } from "../ts/kernels/kernels.js";
import { evaluateRanking } from "../ts/eval/evaluate.js";
import { MatrixFactorization } from "../ts/mf/matrix-factorization.js";
import { decodeModelFile, encodeModelFile } from "../ts/model/model-file.js";
import { loadWasmInstance } from "../ts/node.js";
import { generateSyntheticWorld } from "../ts/synthetic/world.js";
import { worldToInteractions } from "../ts/synthetic/to-interactions.js";
import {
  ConfigError,
  DEFAULT_TEACHER_NOTE_PAIRS,
  DEFAULT_TRAINING,
  defaultLossNote,
  LOSSES,
  resolveMfConfig,
  type LossName,
  type MfConfig,
} from "../ts/mf/config.js";
import { DivergenceError } from "../ts/mf/training-context.js";
import { Rng } from "../ts/util/rng.js";
import { assertSeedDeterminesModel } from "./support/seeded-training.js";

let kernels: Kernels;
let train: Interactions;
let test: Interactions;
let isRelevant: (u: number, i: number) => boolean;

before(async () => {
  kernels = new Kernels(await loadWasmInstance());
  const world = generateSyntheticWorld({ seed: 7, nUsers: 400, nItems: 500 });
  isRelevant = world.isRelevant;
  ({ train, test } = randomHoldout(worldToInteractions(world), { testFraction: 0.2, rng: new Rng(7) }));
});

/** Share of the top-10 that the synthetic world's ground truth marks relevant, over all users. */
function trueFit(model: MatrixFactorization): number {
  let hits = 0;
  for (let u = 0; u < model.nUsers; u++) for (const i of model.recommend(u, 10).indices) if (isRelevant(u, i)) hits++;
  return hits / (model.nUsers * 10);
}

const EPOCHS: Record<LossName, number> = { bpr: 15, bce: 10, softmax: 10, "sampled-softmax": 10, ccl: 10 };

describe("matrix factorisation training", () => {
  for (const loss of LOSSES) {
    it(`${loss}: the loss falls, and the model beats an untrained one on held-out data and on true fit`, async () => {
      const start = kernels.wasm.allocatedBytes;
      const untrained = new MatrixFactorization(kernels, { loss, epochs: 0, seed: 1 });
      await untrained.fit(train);
      const model = new MatrixFactorization(kernels, {
        loss,
        epochs: EPOCHS[loss],
        seed: 1,
        negatives: loss === "sampled-softmax" || loss === "ccl" ? 128 : undefined,
        batchSize: loss === "sampled-softmax" || loss === "ccl" ? 256 : undefined,
        // The default weight per negative (50 of 1024): the mean hinge over 128 negatives weighs the same.
        negativeWeight: loss === "ccl" ? (50 * 128) / 1024 : undefined,
      });
      const report = await model.fit(train);
      const losses = report.epochs.map((e) => e.loss);
      assert.ok(losses.every(Number.isFinite), `finite losses: ${losses}`);
      assert.ok(losses.at(-1)! < losses[0] * 0.9, `loss falls: ${losses.map((l) => l.toFixed(3)).join(" ")}`);
      const base = evaluateRanking(untrained, train, test, { k: 10 }).metrics["recall@10"];
      const recall = model.evaluate(train, test, { k: 10 }).metrics["recall@10"];
      assert.ok(recall > 2 * base && recall > 0.1, `recall@10 ${recall} vs untrained ${base}`);
      const fit = trueFit(model);
      assert.ok(fit > 0.3 && fit > 2 * trueFit(untrained), `true fit ${fit}`);
      model.dispose();
      untrained.dispose();
      assert.equal(kernels.wasm.allocatedBytes, start, "every wasm allocation freed");
    });
  }

  it("is deterministic: the same seed gives the same model, another seed a different one", () =>
    assertSeedDeterminesModel(kernels, train, { loss: "sampled-softmax", epochs: 2, negatives: 64 }));

  it("stops on a diverging loss with a message and keeps a finite model", async () => {
    const model = new MatrixFactorization(kernels, { loss: "bce", optimizer: "sgd", learningRate: 1e30, epochs: 3 });
    await assert.rejects(model.fit(train), (e: Error) => e instanceof DivergenceError && /diverged.*lower --lr/.test(e.message));
    assert.ok(model.userFactors.view.every(Number.isFinite) && model.itemFactors.view.every(Number.isFinite));
    model.dispose();
  });

  it("early-stops on validation Recall@K and keeps the best epoch", async () => {
    const split = randomHoldout(train, { testFraction: 0.1, rng: new Rng(5) });
    const model = new MatrixFactorization(kernels, { loss: "softmax", epochs: 30, learningRate: 0.05 });
    const report = await model.fit(split.train, { validation: split.test, validationK: 10, patience: 2 });
    const recalls = report.epochs.map((e) => e.validationRecall!);
    assert.ok(recalls.every((r) => r >= 0 && r <= 1));
    assert.equal(report.bestValidationRecall, Math.max(...recalls));
    assert.equal(report.bestEpoch, recalls.indexOf(Math.max(...recalls)) + 1);
    const again = evaluateRanking(model, split.train, split.test, { k: 10 }).metrics["recall@10"];
    assert.ok(Math.abs(again - report.bestValidationRecall!) < 1e-12, "the model holds the best epoch's parameters");
    if (report.stoppedEarly) assert.ok(report.epochs.length < 30);
    model.dispose();
  });

  it("survives a model-file round trip with identical recommendations", async () => {
    const model = new MatrixFactorization(kernels, { loss: "bpr", epochs: 2, dim: 7 });
    await model.fit(train);
    const loaded = MatrixFactorization.fromModelFile(kernels, decodeModelFile(encodeModelFile(model.toModelFile())));
    for (const u of [0, 5, 99]) assert.deepEqual(loaded.recommend(u, 10), model.recommend(u, 10));
    assert.deepEqual(loaded.recommend(train.users.id(3), 5).items, model.recommend(3, 5).items);
    model.dispose();
    loaded.dispose();
  });

  it("rejects bad configurations and unknown users with errors that teach", async () => {
    assert.throws(
      () => new MatrixFactorization(kernels, { dim: 0 }),
      (e: Error) => e instanceof ConfigError && /dim must be a positive integer/.test(e.message),
    );
    assert.throws(() => new MatrixFactorization(kernels, { loss: "hinge" as LossName }), /loss must be one of bpr, bce, softmax, sampled-softmax/);
    assert.throws(() => new MatrixFactorization(kernels, { temperature: -1, loss: "softmax" }), /temperature must be a positive number/);
    assert.throws(
      () => new MatrixFactorization(kernels, { loss: "softmax", negativeSampling: "popularity" }),
      /negativeSampling "popularity" is how BPR and BCE draw negatives/,
    );
    assert.throws(() => new MatrixFactorization(kernels, { negativeSampling: "hard" as "uniform" }), /negativeSampling must be one of uniform, popularity/);
    const model = new MatrixFactorization(kernels, { epochs: 1 });
    await model.fit(train);
    assert.throws(() => model.recommend("nobody", 5), /user "nobody" is not in the model/);
    assert.throws(() => model.recommend(0, 0), /k must be a positive integer/);
    model.dispose();
  });
});

describe("the default loss", () => {
  it("is the sampled softmax over 30 epochs, distilled from the graph filter; settings only BPR has bring BPR; a refusal says the loss was the default", () => {
    const d = resolveMfConfig({});
    assert.equal(d.loss, "sampled-softmax");
    assert.equal(d.epochs, 40);
    assert.equal(d.distillPositives, 5);
    assert.deepEqual(d, resolveMfConfig({ ...DEFAULT_TRAINING }));
    // Every part of the default can be overridden, and a named loss keeps its own defaults.
    assert.deepEqual(resolveMfConfig({ epochs: 3 }), resolveMfConfig({ loss: "sampled-softmax", epochs: 3, distillPositives: 5 }));
    assert.equal(resolveMfConfig({ distillPositives: 0 }).distillPositives, 0);
    assert.equal(resolveMfConfig({ loss: "sampled-softmax" }).distillPositives, 0);
    assert.equal(resolveMfConfig({ loss: "sampled-softmax" }).epochs, 20);
    assert.equal(resolveMfConfig({ gradientAdjustment: true }).loss, "bpr");
    assert.equal(resolveMfConfig({ gradientAdjustment: true }).distillPositives, 0);
    assert.equal(resolveMfConfig({ negativeSampling: "popularity" }).loss, "bpr");
    assert.equal(resolveMfConfig({ hardNegatives: 4 }).loss, "bpr");
    assert.equal(resolveMfConfig({ negativeSampling: "uniform" }).loss, "sampled-softmax");
    // A named loss is never overridden.
    assert.throws(() => resolveMfConfig({ loss: "softmax", gradientAdjustment: true }), /use loss bpr or bce, got "softmax"$/);
    assert.throws(
      () => resolveMfConfig({ margin: 0.3 }),
      /margin is a knob of the cosine contrastive loss: use loss "ccl", not "sampled-softmax" \(no loss was named, so the default "sampled-softmax" was used: name one with --loss \/ loss\)$/,
    );
    assert.throws(() => resolveMfConfig({ loss: "softmax", adamUpdates: "dense" }), /not "adagrad"$/);
    // The full softmax draws no negatives: a count for it is refused, not ignored.
    assert.throws(
      () => resolveMfConfig({ loss: "softmax", negatives: 16 }),
      /negatives \(16\): the full softmax normalises over every item and draws none; for sampled negatives use loss "sampled-softmax"/,
    );
    assert.equal(resolveMfConfig({ negatives: 16 }).negatives, 16);
  });

  it("notes the teacher's cost on a large user × item grid, only when the default distils", () => {
    assert.equal(defaultLossNote({}, { users: 29_858, items: 40_981 }), undefined);
    const note = defaultLossNote({ epochs: 5 }, { users: 1_000_000, items: 200_000 });
    assert.match(
      note ?? "",
      /the default distils from the graph filter, which scores all 1,000,000 × 200,000 \(2\.0·10\^11\) user-item pairs once .*"--distill 0"/,
    );
    assert.equal(defaultLossNote({ loss: "sampled-softmax", distillPositives: 5 }, { users: 1_000_000, items: 200_000 }), undefined);
    assert.equal(defaultLossNote({ distillPositives: 0 }, { users: 1_000_000, items: 200_000 }), undefined);
    assert.equal(defaultLossNote({ gradientAdjustment: true }, { users: 1_000_000, items: 200_000 }), undefined);
    assert.equal(DEFAULT_TEACHER_NOTE_PAIRS, 5e9);
    assert.equal(defaultLossNote({}, { users: 100_000, items: 49_999 }), undefined);
    assert.ok(defaultLossNote({}, { users: 100_000, items: 50_000 }));
  });
});

describe("popularity-proportional negatives (BPR, BCE)", () => {
  it("serve fewer popular items than uniform negatives do, and the model still learns", async () => {
    const popularityOfTop = async (negativeSampling: "uniform" | "popularity") => {
      const model = new MatrixFactorization(kernels, { loss: "bpr", epochs: 10, hardNegatives: 1, negativeSampling, samplingExponent: 1 });
      await model.fit(train);
      const counts = model.itemCounts;
      let served = 0,
        n = 0;
      for (let u = 0; u < model.nUsers; u++) for (const i of model.recommend(u, 10).indices) (served += counts[i]), n++;
      const recall = evaluateRanking(model, train, test, { k: 10 }).metrics["recall@10"];
      model.dispose();
      return { meanPopularity: served / n, recall };
    };
    const [uniform, popular] = [await popularityOfTop("uniform"), await popularityOfTop("popularity")];
    // Popular items are the negatives now: the model learns to rank them lower.
    assert.ok(popular.meanPopularity < 0.9 * uniform.meanPopularity, `mean popularity served: ${popular.meanPopularity} vs ${uniform.meanPopularity}`);
    assert.ok(popular.recall > 0.05, `recall@10 ${popular.recall}`);
  });
});

describe("cancellation", () => {
  it("stops between steps when the signal aborts and keeps the last completed epoch", async () => {
    const { TrainingAbortedError } = await import("../ts/mf/fit.js");
    const model = new MatrixFactorization(kernels, { loss: "bpr", epochs: 50, batchSize: 64 });
    const controller = new AbortController();
    let snapshot: Float32Array | undefined;
    const fitting = model.fit(train, {
      progressIntervalMs: 0,
      onProgress: (p) => {
        if (p.phase === "epoch" && p.epoch === 2) snapshot = model.itemFactors.view.slice();
        if (p.phase === "batch" && p.epoch === 3) controller.abort();
      },
      signal: controller.signal,
    });
    await assert.rejects(fitting, (e: Error) => e instanceof TrainingAbortedError && /during epoch 3/.test(e.message));
    assert.deepEqual(model.itemFactors.view.slice(), snapshot);
    model.dispose();
  });
});

describe("the cosine contrastive loss's settings", () => {
  it("has its defaults, refuses its knobs on other losses and margins outside (-1, 1), and needs unit-norm embeddings", () => {
    const ccl = resolveMfConfig({ loss: "ccl" });
    assert.deepEqual([ccl.margin, ccl.negativeWeight, ccl.negatives, ccl.normalize, ccl.samplingExponent], [0.5, 50, 1024, "both", 0]);
    assert.throws(() => resolveMfConfig({ loss: "bpr", margin: 0.5 }), /margin is a knob of the cosine contrastive loss: use loss "ccl", not "bpr"/);
    assert.throws(() => resolveMfConfig({ loss: "sampled-softmax", negativeWeight: 10 }), /negativeWeight is a knob of the cosine contrastive loss/);
    for (const margin of [1, -1, Number.NaN]) assert.throws(() => resolveMfConfig({ loss: "ccl", margin }), /margin must be a cosine in \(-1, 1\)/);
    assert.throws(() => resolveMfConfig({ loss: "ccl", negativeWeight: 0 }), /negativeWeight/);
    assert.throws(() => resolveMfConfig({ loss: "ccl", normalize: "users" }), /needs normalize "both"/);
    assert.throws(() => resolveMfConfig({ loss: "ccl", logitAdjustment: 0.5 }), ConfigError);
  });

  it("draws per-positive negatives in BPR's Hogwild kernel: the loss falls and the model beats an untrained one", async () => {
    const start = kernels.wasm.allocatedBytes;
    const untrained = new MatrixFactorization(kernels, { loss: "ccl", epochs: 0, seed: 1 });
    await untrained.fit(train);
    const model = new MatrixFactorization(kernels, { loss: "ccl", negativeDraws: "per-positive", negatives: 32, epochs: 10, seed: 1 });
    const report = await model.fit(train);
    const losses = report.epochs.map((e) => e.loss);
    assert.ok(losses.every(Number.isFinite) && losses.at(-1)! < losses[0] * 0.9, `loss falls: ${losses.map((l) => l.toFixed(3)).join(" ")}`);
    const base = evaluateRanking(untrained, train, test, { k: 10 }).metrics["recall@10"];
    const recall = model.evaluate(train, test, { k: 10 }).metrics["recall@10"];
    assert.ok(recall > 2 * base && recall > 0.1, `recall@10 ${recall} vs untrained ${base}`);
    // Unit rows, as the loss's cosines need.
    const d = model.dim;
    for (const table of [model.userFactors.view, model.itemFactors.view]) {
      for (let r = 0; r < 20; r++) assert.ok(Math.abs(Math.hypot(...table.subarray(r * d, (r + 1) * d)) - 1) < 1e-5);
    }
    model.dispose();
    untrained.dispose();
    assert.equal(kernels.wasm.allocatedBytes, start, "every wasm allocation freed");
  });
});

/** Trains `config` for 10 epochs: its loss must fall by 10% and its Recall@10 beat twice the untrained model's (and 0.1). */
async function assertLearns(config: Partial<MfConfig>, untrainedRecall: number): Promise<MatrixFactorization> {
  const model = new MatrixFactorization(kernels, { ...config, epochs: 10, seed: 1 });
  const report = await model.fit(train);
  const losses = report.epochs.map((e) => e.loss);
  assert.ok(losses.every(Number.isFinite) && losses.at(-1)! < losses[0] * 0.9, `${config.loss}: loss falls: ${losses.map((l) => l.toFixed(3)).join(" ")}`);
  const recall = model.evaluate(train, test, { k: 10 }).metrics["recall@10"];
  assert.ok(recall > 2 * untrainedRecall && recall > 0.1, `${config.loss}: recall@10 ${recall} vs untrained ${untrainedRecall}`);
  return model;
}

describe("how negatives are drawn, and how Adam steps rows", () => {
  it("negativeDraws: per positive for bpr and bce, either for ccl, shared for the sampled softmax; errors name the fix", () => {
    assert.equal(resolveMfConfig({ loss: "bpr" }).negativeDraws, "per-positive");
    assert.equal(resolveMfConfig({ loss: "ccl" }).negativeDraws, "shared");
    assert.equal(resolveMfConfig({ loss: "ccl", negativeDraws: "per-positive" }).negativeDraws, "per-positive");
    assert.throws(() => resolveMfConfig({ loss: "bce", negativeDraws: "shared" }), /not a way to train bce: it always draws negatives per positive/);
    assert.throws(() => resolveMfConfig({ loss: "sampled-softmax", negativeDraws: "per-positive" }), /implemented for loss "ccl".*not for "sampled-softmax"/);
    assert.throws(() => resolveMfConfig({ loss: "ccl", negativeDraws: "each" as never }), /negativeDraws/);
  });

  it("adamUpdates: dense with the cosine rate by default for the sampled softmax, lazy for the others; dense for Adam only", () => {
    assert.equal(resolveMfConfig({ loss: "bpr" }).adamUpdates, "lazy");
    assert.equal(resolveMfConfig({ loss: "ccl" }).adamUpdates, "lazy");
    const ssm = resolveMfConfig({ loss: "sampled-softmax" });
    assert.deepEqual([ssm.adamUpdates, ssm.learningRateSchedule], ["dense", "cosine"]);
    // Its other optimizers and its per-user batching keep what they were measured with.
    const adagrad = resolveMfConfig({ loss: "sampled-softmax", optimizer: "adagrad" });
    assert.deepEqual([adagrad.adamUpdates, adagrad.learningRateSchedule], ["lazy", "cosine"]);
    const users = resolveMfConfig({ loss: "sampled-softmax", sampling: "users" });
    assert.deepEqual([users.optimizer, users.adamUpdates, users.learningRateSchedule], ["adagrad", "lazy", "constant"]);
    const lazy = resolveMfConfig({ loss: "sampled-softmax", adamUpdates: "lazy", learningRateSchedule: "constant" });
    assert.deepEqual([lazy.adamUpdates, lazy.learningRateSchedule], ["lazy", "constant"]);
    assert.throws(() => resolveMfConfig({ loss: "sampled-softmax", optimizer: "adagrad", adamUpdates: "dense" }), /use optimizer "adam", not "adagrad"/);
    assert.equal(resolveMfConfig({ loss: "ccl", adamUpdates: "dense" }).adamUpdates, "dense");
    assert.equal(resolveMfConfig({ loss: "bpr", adamUpdates: "dense" }).adamUpdates, "dense");
    assert.throws(() => resolveMfConfig({ loss: "softmax", adamUpdates: "dense" }), /use optimizer "adam", not "adagrad"/);
    assert.throws(() => resolveMfConfig({ loss: "bpr", optimizer: "sgd", adamUpdates: "dense" }), /use optimizer "adam", not "sgd"/);
    assert.throws(() => resolveMfConfig({ loss: "bpr", adamUpdates: "sparse" as never }), /adamUpdates/);
  });

  it("dense Adam trains the sampled softmax, CCL and BPR, and leaves every wasm allocation freed", async () => {
    const start = kernels.wasm.allocatedBytes;
    const untrained = new MatrixFactorization(kernels, { loss: "sampled-softmax", epochs: 0, seed: 1 });
    await untrained.fit(train);
    const base = evaluateRanking(untrained, train, test, { k: 10 }).metrics["recall@10"];
    for (const config of [
      { loss: "sampled-softmax", negatives: 128, adamUpdates: "dense" },
      { loss: "ccl", negatives: 128, negativeWeight: (50 * 128) / 1024, adamUpdates: "dense" },
      { loss: "bpr", adamUpdates: "dense" },
    ] as Partial<MfConfig>[]) {
      const model = await assertLearns(config, base);
      model.dispose();
    }
    untrained.dispose();
    assert.equal(kernels.wasm.allocatedBytes, start, "every wasm allocation freed");
  });
});

describe("the history tower (SimpleX's user tower: historyWeight)", () => {
  it("is off by default; its settings are checked and name the fix", () => {
    assert.equal(resolveMfConfig({ loss: "sampled-softmax" }).historyWeight, 0);
    assert.equal(resolveMfConfig({ loss: "ccl", historyWeight: 0.5 }).historyLength, 50);
    assert.throws(() => resolveMfConfig({ loss: "sampled-softmax", historyWeight: 1 }), /historyWeight must be a number in \[0, 1\)/);
    assert.throws(() => resolveMfConfig({ loss: "sampled-softmax", historyWeight: -0.1 }), /historyWeight must be/);
    assert.throws(() => resolveMfConfig({ loss: "bpr", historyWeight: 0.5 }), /use loss "sampled-softmax".*not "bpr"/);
    assert.throws(() => resolveMfConfig({ loss: "sampled-softmax", sampling: "users", historyWeight: 0.5 }), /not "sampled-softmax" with sampling "users"/);
    assert.throws(() => resolveMfConfig({ loss: "ccl", negativeDraws: "per-positive", historyWeight: 0.5 }), /not "ccl" with negativeDraws "per-positive"/);
    assert.throws(() => resolveMfConfig({ loss: "sampled-softmax", normalize: "users", historyWeight: 0.5 }), /needs normalize "both"/);
    assert.throws(() => resolveMfConfig({ loss: "sampled-softmax", spectralPenalty: 0.1, historyWeight: 0.5 }), /use one or the other/);
    assert.throws(() => resolveMfConfig({ loss: "sampled-softmax", historyLength: 20 }), /does nothing while historyWeight is 0/);
    assert.throws(() => resolveMfConfig({ loss: "sampled-softmax", historyWeight: 0.5, historyLength: 0 }), /historyLength must be a positive integer/);
  });

  it("trains the sampled softmax and CCL; the saved users are the tower's unit vectors; every allocation is freed", async () => {
    const start = kernels.wasm.allocatedBytes;
    const untrained = new MatrixFactorization(kernels, { loss: "sampled-softmax", epochs: 0, seed: 1 });
    await untrained.fit(train);
    const base = evaluateRanking(untrained, train, test, { k: 10 }).metrics["recall@10"];
    untrained.dispose();
    for (const config of [
      { loss: "sampled-softmax", negatives: 128, historyWeight: 0.5, adamUpdates: "dense" },
      { loss: "ccl", negatives: 128, negativeWeight: (50 * 128) / 1024, historyWeight: 0.3, historyLength: 10 },
    ] as Partial<MfConfig>[]) {
      const model = await assertLearns(config, base);
      const d = model.config.dim,
        users = model.userFactors.view;
      for (let u = 0; u < model.nUsers; u++) {
        let s = 0;
        for (let c = 0; c < d; c++) s += users[u * d + c] ** 2;
        assert.ok(Math.abs(s - 1) < 1e-4, `user ${u}: |u|² = ${s}`);
      }
      const plain = new MatrixFactorization(kernels, { ...config, historyWeight: 0, historyLength: undefined, epochs: 10, seed: 1 });
      await plain.fit(train);
      assert.notDeepEqual(Array.from(plain.userFactors.view.subarray(0, 8)), Array.from(users.subarray(0, 8)), "the tower changes the model");
      plain.dispose();
      model.dispose();
    }
    assert.equal(kernels.wasm.allocatedBytes, start, "every wasm allocation freed");
  });

  it("the same seed gives the same model, byte for byte", () =>
    assertSeedDeterminesModel(kernels, train, { loss: "sampled-softmax", negatives: 64, epochs: 3, historyWeight: 0.5, historyLength: 5 }));
});

import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Interactions } from "../ts/data/interactions.js";
import { Kernels } from "../ts/kernels/kernels.js";
import { MatrixFactorization } from "../ts/mf/matrix-factorization.js";
import { loadWasmInstance } from "../ts/node.js";
import { generateSyntheticWorld } from "../ts/synthetic/world.js";
import { worldToInteractions } from "../ts/synthetic/to-interactions.js";
import { ConfigError, resolveMfConfig, type MfConfig } from "../ts/mf/config.js";
import { learningRateAt } from "../ts/train/learning-rate-schedule.js";

let kernels: Kernels;
let train: Interactions;

before(async () => {
  kernels = new Kernels(await loadWasmInstance());
  train = worldToInteractions(generateSyntheticWorld({ seed: 5, nUsers: 120, nItems: 150 }));
});

async function fitTables(config: Partial<MfConfig>): Promise<{ tables: Float32Array[]; losses: number[] }> {
  const model = new MatrixFactorization(kernels, { dim: 8, seed: 9, ...config });
  const report = await model.fit(train);
  const tables = [model.userFactors.view.slice(), model.itemFactors.view.slice()];
  model.dispose();
  return { tables, losses: report.epochs.map((e) => e.loss) };
}

describe("learning-rate schedule", () => {
  it("anneals by the cosine from the full rate in epoch 1 towards 0, and keeps a constant rate constant", () => {
    for (const e of [1, 2, 5, 10]) assert.equal(learningRateAt("constant", 0.3, e, 10), 0.3);
    assert.equal(learningRateAt("cosine", 0.3, 1, 10), 0.3);
    assert.ok(Math.abs(learningRateAt("cosine", 0.3, 6, 10) - 0.15) < 1e-12, "half-way: half the rate");
    assert.ok(Math.abs(learningRateAt("cosine", 0.3, 10, 10) - 0.3 * 0.5 * (1 + Math.cos(0.9 * Math.PI))) < 1e-12);
    for (let e = 2; e <= 10; e++) assert.ok(learningRateAt("cosine", 1, e, 10) < learningRateAt("cosine", 1, e - 1, 10), `epoch ${e} below ${e - 1}`);
    assert.equal(learningRateAt("cosine", 0.3, 1, 1), 0.3, "a single epoch keeps the full rate");
  });

  it("changes training only through the rate: one cosine epoch equals one constant epoch, more epochs differ and still learn", async () => {
    for (const loss of ["bpr", "softmax"] as const) {
      const one = await fitTables({ loss, epochs: 1, learningRateSchedule: "cosine" });
      const oneConstant = await fitTables({ loss, epochs: 1 });
      assert.deepEqual(one.tables, oneConstant.tables, `${loss}: epoch 1 runs at the full rate`);
      const cosine = await fitTables({ loss, epochs: 4, learningRateSchedule: "cosine" });
      const constant = await fitTables({ loss, epochs: 4 });
      assert.notDeepEqual(cosine.tables, constant.tables, `${loss}: later epochs use smaller steps`);
      assert.ok(cosine.losses.at(-1)! < cosine.losses[0], `${loss}: the loss still falls (${cosine.losses.join(", ")})`);
    }
  });

  it("is validated and defaults to constant, cosine for the sampled softmax (the default training)", () => {
    assert.equal(resolveMfConfig({ loss: "softmax" }).learningRateSchedule, "constant");
    assert.equal(resolveMfConfig({ loss: "bpr" }).learningRateSchedule, "constant");
    assert.equal(resolveMfConfig({}).learningRateSchedule, "cosine");
    assert.throws(
      () => resolveMfConfig({ learningRateSchedule: "step" as MfConfig["learningRateSchedule"] }),
      (e: Error) => e instanceof ConfigError && /learningRateSchedule must be one of constant, cosine, got "step"/.test(e.message),
    );
  });
});

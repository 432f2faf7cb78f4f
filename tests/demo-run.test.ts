/**
 * The demo's experiment as a library (ts/demo/): runDemo reports its progress through its hooks,
 * reuses the plain and the debiased model in the α sweep, frees its wasm memory, and refuses a K
 * the catalog cannot fill before training anything; the feedback loop's configurations, written
 * as ExperimentSpecs, mean what the configuration strings of `longtail compare` say.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { parseConfiguration } from "../ts/cli/configuration-spec.js";
import { syntheticDemoData } from "../ts/demo/demo-data.js";
import type { DemoOptions } from "../ts/demo/demo-options.js";
import { loopConfigurations } from "../ts/demo/loop-configurations.js";
import { RERANK_BETAS, rerankAgainstAlpha } from "../ts/demo/rerank-against-alpha.js";
import { runDemo } from "../ts/demo/run-demo.js";
import { evaluateRanking } from "../ts/eval/evaluate.js";
import { MatrixFactorization } from "../ts/mf/matrix-factorization.js";
import { PopularityReranker } from "../ts/model/popularity-rerank.js";
import { Kernels } from "../ts/kernels/kernels.js";
import { resolveMfConfig } from "../ts/mf/config.js";
import { resolveMfServing } from "../ts/mf/serving.js";
import { loadWasmInstance } from "../ts/node.js";
import { generateSyntheticWorld } from "../ts/synthetic/world.js";

let kernels: Kernels;
before(async () => {
  kernels = new Kernels(await loadWasmInstance());
});

const OPTIONS: DemoOptions = { loss: "softmax", epochs: 2, alpha: 0.5, alphas: [0, 0.5, 1], rounds: 1, loopUsers: 200, loopItems: 300, k: 10, seed: 42 };
const tinyData = () => syntheticDemoData(generateSyntheticWorld({ seed: 42, nUsers: 300, nItems: 400 }));

describe("runDemo", () => {
  it("trains, measures and simulates with progress through its hooks, reuses known α, and frees its wasm memory", async () => {
    const start = kernels.wasm.allocatedBytes;
    const fits: string[] = [];
    const tasks: { label: string; total: number; done: number; finished: boolean }[] = [];
    const { report, models } = await runDemo(kernels, tinyData(), OPTIONS, {
      fit: (label) => {
        fits.push(label);
        return {};
      },
      task: (label, total) => {
        const task = { label, total, done: 0, finished: false };
        tasks.push(task);
        return {
          update: (done) => {
            task.done = done;
          },
          finish: () => {
            task.finished = true;
          },
        };
      },
    });
    assert.deepEqual(fits, ["plain MF (softmax)", "logit adjustment α = 0.5", "α = 1"], "α = 0 and 0.5 are not trained twice");
    assert.deepEqual(
      tasks.map((t) => t.label),
      [
        "plain MF (softmax): evaluating",
        "logit adjustment α = 0.5: evaluating",
        "Most Popular: evaluating",
        "α = 1: evaluating",
        "feedback loop (200 users × 300 items)",
      ],
    );
    for (const t of tasks) assert.ok(t.finished && t.done === t.total, `${t.label}: ${t.done}/${t.total}`);
    assert.deepEqual(
      models.map((m) => m.label),
      ["plain MF (softmax)", "logit adjustment α = 0.5", "Most Popular"],
    );
    assert.ok("data" in report.alphaSweep && "data" in report.feedbackLoop && "data" in report.trueRelevance && "data" in report.walls);
    assert.equal(report.alphaSweep.data.points[1]!.metrics, models[1]!.metrics, "the sweep's α = 0.5 is the debiased model");
    assert.deepEqual(
      report.feedbackLoop.data.configurations.map((c) => c.label),
      ["plain", "logit-adj 0.5", "ReSN 5", "IPS", "re-rank 0.05", "gradient adj. (BPR)", "most popular"],
    );
    const r = report.rerankAgainstAlpha;
    assert.deepEqual(
      r.points.map((p) => p.beta),
      [...RERANK_BETAS],
    );
    assert.deepEqual(r.debiased, { accuracy: models[1]!.metrics["recall@10"], popularity: models[1]!.metrics["medianPopularity@10"] });
    const beating = r.points.filter((p) => p.accuracy > r.debiased.accuracy && p.popularity < r.debiased.popularity);
    assert.equal(r.beats, beating.length > 0 ? beating.reduce((a, b) => (b.accuracy > a.accuracy ? b : a)) : null);
    assert.equal(kernels.wasm.allocatedBytes, start, "every wasm allocation freed");
  });

  it("refuses a K the catalog cannot fill before training anything", async () => {
    const fits: string[] = [];
    await assert.rejects(
      runDemo(kernels, tinyData(), { ...OPTIONS, k: 400 }, { fit: (label) => (fits.push(label), {}) }),
      /k must be a positive integer below the catalog's 400 items, got 400/,
    );
    assert.deepEqual(fits, []);
  });
});

describe("the demo's feedback-loop configurations", () => {
  it("resolve to the training and serving settings of the configuration strings they stand for", () => {
    const model = "--loss softmax --epochs 10";
    const texts = [
      `plain: ${model}`,
      `logit-adj 0.5: ${model} --logit-adjustment 0.5`,
      `ReSN 5: --resn 5 ${model}`,
      `IPS: --ips ${model}`,
      `re-rank 0.05: --rerank 0.05 ${model}`,
      "gradient adj. (BPR): --loss bpr --epochs 10 --gradient-adjust --alpha-items 1 --alpha-users 0",
      "most popular: most-popular",
    ];
    const specs = loopConfigurations({ loss: "softmax", epochs: 10, alpha: 0.5, seed: 7 });
    assert.equal(specs.length, texts.length);
    specs.forEach((spec, i) => {
      const parsed = parseConfiguration(texts[i]!, i, ["--seed", "7"], "demo");
      assert.equal(spec.label, parsed.label);
      assert.equal(spec.model, parsed.model);
      assert.equal(spec.popularityPenalty, parsed.popularityPenalty, spec.label);
      if (spec.model === "most-popular") return;
      assert.deepEqual(resolveMfConfig(spec.config), resolveMfConfig(parsed.config), spec.label);
      assert.deepEqual(resolveMfServing(spec.serving), resolveMfServing(parsed.serving), spec.label);
    });
  });
});

describe("rerankAgainstAlpha", () => {
  it("measures each β as the re-ranked plain model on the held-out part, and keeps the most accurate point that beats α on both, or none", async () => {
    const { train, test } = tinyData();
    const plain = new MatrixFactorization(kernels, { loss: "softmax", epochs: 2, seed: 42 });
    await plain.fit(train);
    try {
      const direct = (beta: number) => {
        const reranker = new PopularityReranker(plain, train.itemCounts(), beta);
        try {
          const { metrics } = evaluateRanking(reranker, train, test, { k: 10 });
          return [beta, metrics["recall@10"], metrics["medianPopularity@10"]];
        } finally {
          reranker.dispose();
        }
      };
      const betas = [0.01, 0.05, 0.2];
      const easy = rerankAgainstAlpha(plain, train, test, 10, 0.5, { "recall@10": 0, "medianPopularity@10": Infinity }, betas);
      assert.deepEqual(
        easy.points.map((p) => [p.beta, p.accuracy, p.popularity]),
        betas.map(direct),
      );
      assert.equal(
        easy.beats,
        easy.points.reduce((a, b) => (b.accuracy > a.accuracy ? b : a)),
        "every point beats a debiased model of no accuracy: the most accurate is kept",
      );
      const hard = rerankAgainstAlpha(plain, train, test, 10, 0.5, { "recall@10": 1, "medianPopularity@10": 0 }, betas);
      assert.equal(hard.beats, null, "nothing beats recall 1 at popularity 0");
    } finally {
      plain.dispose();
    }
  });
});

/**
 * Training warnings (issue 14): a run whose loss ends far above where it started, or whose
 * regulariser is nearly all of its loss, trains a useless model without a NaN; the fit report says
 * so in `warnings` and the CLI prints each as "longtail: warning: …". Healthy defaults say nothing.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Interactions } from "../ts/data/interactions.js";
import { Kernels } from "../ts/kernels/kernels.js";
import { MatrixFactorization } from "../ts/mf/matrix-factorization.js";
import { TwoTower } from "../ts/two-tower/two-tower.js";
import { loadWasmInstance } from "../ts/node.js";
import { generateSyntheticWorld } from "../ts/synthetic/world.js";
import { worldToInteractions } from "../ts/synthetic/to-interactions.js";
import { LOSSES } from "../ts/mf/config.js";
import { LOSS_ROSE_FACTOR, REGULARIZER_SHARE, trainingWarnings } from "../ts/train/training-warnings.js";
import { cli } from "./support/cli.js";

const DATA = fileURLToPath(new URL("../../examples/data/interactions.csv", import.meta.url));

let kernels: Kernels;
let train: Interactions;
let dir: string;

before(async () => {
  kernels = new Kernels(await loadWasmInstance());
  train = worldToInteractions(generateSyntheticWorld({ seed: 3, nUsers: 300, nItems: 400 }));
  dir = mkdtempSync(join(tmpdir(), "longtail-warnings-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("training warnings: the rules", () => {
  const epochs = (...losses: [number, number?][]) =>
    losses.map(([loss, regularizer], i) => ({ epoch: i + 1, loss, ...(regularizer !== undefined && { regularizer }) }));

  it("the loss rose: only above the factor, and on the epoch the model holds", () => {
    const base = { initialLoss: 1, learningRate: 0.5 };
    assert.deepEqual(trainingWarnings({ ...base, epochs: epochs([0.5], [LOSS_ROSE_FACTOR * 0.99]), heldEpoch: 2 }), []);
    const rose = trainingWarnings({ ...base, epochs: epochs([0.5], [LOSS_ROSE_FACTOR * 1.01]), heldEpoch: 2 });
    assert.deepEqual(
      rose.map((w) => w.kind),
      ["loss-rose"],
    );
    assert.match(rose[0].message, /rose from 1 before training to 1\.515 at epoch 2 .*lower the learning rate \(--lr \/ learningRate, now 0\.5\)/);
    // Early stopping kept epoch 1: the later, worse epochs are not in the model.
    assert.deepEqual(trainingWarnings({ ...base, epochs: epochs([0.5], [9]), heldEpoch: 1 }), []);
    assert.deepEqual(trainingWarnings({ learningRate: 1, epochs: epochs([9]), heldEpoch: 1 }), [], "no initial loss, no comparison");
    assert.deepEqual(trainingWarnings({ ...base, epochs: [], heldEpoch: 0 }), [], "no epochs, no warnings");
  });

  it("the regulariser dominates: its share of the held epoch's loss; a growing penalty is not a rising loss", () => {
    const base = { initialLoss: 1, initialRegularizer: 0.1, learningRate: 0.1, spectralPenalty: 50 };
    assert.deepEqual(trainingWarnings({ ...base, epochs: epochs([10, 10 * REGULARIZER_SHARE * 0.99]), heldEpoch: 1 }), []);
    const heavy = trainingWarnings({ ...base, epochs: epochs([10, 10 * REGULARIZER_SHARE * 1.01]), heldEpoch: 1 });
    assert.deepEqual(
      heavy.map((w) => w.kind),
      ["regularizer-dominates"],
      "the data-fit part (0.91) did not rise above 0.9 × 1.5",
    );
    assert.match(heavy[0].message, /ReSN penalty is 91% of the training loss at epoch 1 .*lower λ \(--resn \/ spectralPenalty, now 50\)/);
  });
});

describe("training warnings: real runs", () => {
  for (const loss of LOSSES) {
    it(`${loss} with its defaults: no warning`, async () => {
      const model = new MatrixFactorization(kernels, { loss, epochs: 5, seed: 1, dim: 16 });
      try {
        const report = await model.fit(train);
        assert.deepEqual(report.warnings, [], `${loss}: ${report.warnings.map((w) => w.message).join("; ")}`);
        assert.ok(report.initialLoss! > report.epochs.at(-1)!.loss, `${loss}: the loss fell from ${report.initialLoss} to ${report.epochs.at(-1)!.loss}`);
      } finally {
        model.dispose();
      }
    });
  }

  it("BPR with learning rate 1000: the loss rose", async () => {
    const model = new MatrixFactorization(kernels, { loss: "bpr", epochs: 3, seed: 1, dim: 16, learningRate: 1000 });
    try {
      const report = await model.fit(train);
      assert.deepEqual(
        report.warnings.map((w) => w.kind),
        ["loss-rose"],
      );
    } finally {
      model.dispose();
    }
  });

  it("softmax with ReSN λ = 100000: the regulariser dominates", async () => {
    const model = new MatrixFactorization(kernels, { loss: "softmax", epochs: 3, seed: 1, dim: 16, spectralPenalty: 100_000 });
    try {
      const report = await model.fit(train);
      assert.ok(
        report.warnings.some((w) => w.kind === "regularizer-dominates"),
        JSON.stringify(report.warnings),
      );
      assert.ok(report.initialRegularizer !== undefined && report.epochs.every((e) => e.regularizer !== undefined));
    } finally {
      model.dispose();
    }
  });

  it("two-tower: no warning with the defaults, the loss rose with learning rate 100", async () => {
    for (const [learningRate, kinds] of [
      [undefined, []],
      [100, ["loss-rose"]],
    ] as const) {
      const model = new TwoTower(kernels, { epochs: 3, seed: 1, dim: 16, ...(learningRate !== undefined && { learningRate }) });
      try {
        const report = await model.fit(train);
        assert.deepEqual(
          report.warnings.map((w) => w.kind),
          kinds,
          `lr ${learningRate}: ${report.warnings.map((w) => w.message).join("; ")}`,
        );
      } finally {
        model.dispose();
      }
    }
  });

  it("the CLI prints each warning on stderr, --quiet too, and still writes the model (exit 0)", () => {
    const r = cli("train", "--data", DATA, "--loss", "bpr", "--lr", "1000", "--epochs", "3", "--quiet", "--out", join(dir, "m.ltm"), "--json");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^longtail: warning: the training loss rose from .* lower the learning rate \(--lr \/ learningRate, now 1000\)$/m);
    assert.deepEqual(
      (JSON.parse(r.stdout) as { warnings: { kind: string }[] }).warnings.map((w) => w.kind),
      ["loss-rose"],
    );
    const quiet = cli("train", "--data", DATA, "--epochs", "3", "--quiet", "--out", join(dir, "ok.ltm"));
    assert.equal(quiet.status, 0, quiet.stderr);
    assert.doesNotMatch(quiet.stderr, /warning/);
  });
});

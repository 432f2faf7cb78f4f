import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Interactions } from "../ts/data/interactions.js";
import { numberedInteractions } from "./support/numbered-interactions.js";
import { evaluateRanking } from "../ts/eval/evaluate.js";
import { GraphFilter } from "../ts/graph-filter/graph-filter.js";
import type { Kernels } from "../ts/kernels/kernels.js";
import { ConfigError, resolveMfConfig } from "../ts/mf/config.js";
import { distillGraphFilter } from "../ts/mf/graph-filter-distillation.js";
import { MatrixFactorization } from "../ts/mf/matrix-factorization.js";
import { TrainingAbortedError } from "../ts/train/fit-report.js";
import { encodeModelFile } from "../ts/model/model-file.js";
import { loadKernels } from "../ts/node.js";
import { randomHoldout } from "../ts/data/splits.js";
import { Rng } from "../ts/util/rng.js";
import { checkMfTraining } from "../ts/mf/memory-plan.js";
import { FLAG_NAMES } from "../ts/train/memory-plan.js";
import { SizeLimitError } from "../ts/kernels/memory-limits.js";

/** Users in a few taste clusters (each likes its cluster's items), so the graph has structure; the last user has no interactions. */
function clusteredInteractions(seed: number, nUsers: number, nItems: number, clusters: number): Interactions {
  const rng = new Rng(seed);
  return numberedInteractions(nUsers, nItems, (u) => {
    const row: number[] = [];
    if (u === nUsers - 1) return row;
    for (let i = 0; i < nItems; i++) if (rng.next() < (i % clusters === u % clusters ? 0.25 : 0.02)) row.push(i);
    return row;
  });
}

/** Every user's teacher scores (f64 copies of GraphFilter's), row-major. */
function teacherScores(kernels: Kernels, train: Interactions, rank: number): Float64Array {
  const gf = GraphFilter.fit(kernels, train, { rank });
  const users = kernels.wasm.i32From(Int32Array.from({ length: train.nUsers }, (_, u) => u));
  const out = kernels.wasm.f32(train.nUsers * train.nItems);
  try {
    gf.scoreUsers(users, train.nUsers, out);
    return Float64Array.from(out.view);
  } finally {
    users.free();
    out.free();
    gf.dispose();
  }
}

function row(train: Interactions, u: number): Int32Array {
  return train.byUser.indices.subarray(train.byUser.indptr[u], train.byUser.indptr[u + 1]);
}

describe("ranking distillation from the graph filter", () => {
  it("appends each user's best unseen teacher items after the user's own, and only items the teacher scores above 0", async () => {
    const kernels = await loadKernels({ threads: 1 });
    for (const [seed, nUsers, nItems, n] of [
      [1, 60, 37, 5],
      [2, 41, 90, 3],
      [3, 25, 13, 20],
    ] as const) {
      const train = clusteredInteractions(seed, nUsers, nItems, 3);
      const { train: out, summary } = distillGraphFilter(kernels, train, { positives: n, rank: 8 });
      const scores = teacherScores(kernels, train, 8);
      let added = 0;
      let receivers = 0;
      for (let u = 0; u < nUsers; u++) {
        const own = row(train, u);
        const got = row(out, u);
        assert.deepEqual(Array.from(got.subarray(0, own.length)), Array.from(own), `user ${u}: the user's own items come first, unchanged`);
        const extra = Array.from(got.subarray(own.length));
        const seen = new Set(own);
        const candidates = Array.from({ length: nItems }, (_, i) => i).filter((i) => !seen.has(i) && scores[u * nItems + i] > 0);
        if (own.length === 0) assert.equal(extra.length, 0, `user ${u} has no interactions and gets no teacher items`);
        else assert.equal(extra.length, Math.min(n, candidates.length), `user ${u}: min(N, items the teacher supports)`);
        for (const i of extra) {
          assert.ok(!seen.has(i), `user ${u}: ${i} is a training item`);
          assert.ok(scores[u * nItems + i] > 0, `user ${u}: ${i} has teacher score ${scores[u * nItems + i]}`);
        }
        // Ties aside, no left-out candidate beats an added one.
        const lowest = Math.min(...extra.map((i) => scores[u * nItems + i]));
        for (const i of candidates) if (!extra.includes(i)) assert.ok(scores[u * nItems + i] <= lowest + 1e-5, `user ${u}: ${i} outranks an added item`);
        added += extra.length;
        if (extra.length > 0) receivers++;
      }
      assert.deepEqual(summary, { added, users: receivers });
      assert.equal(out.nnz, train.nnz + added);
      assert.ok(added > 0);
    }
  });

  it("trains on the distilled part but keeps the real training items and counts, deterministically, and says what it added", async () => {
    const kernels = await loadKernels({ threads: 1 });
    const train = clusteredInteractions(7, 80, 50, 4);
    const config = { loss: "sampled-softmax" as const, epochs: 2, negatives: 16, batchSize: 32, distillPositives: 4, distillRank: 6 };
    const fit = async () => {
      const model = new MatrixFactorization(kernels, config);
      const report = await model.fit(train);
      return { model, report };
    };
    const a = await fit();
    const b = await fit();
    try {
      assert.deepEqual(Array.from(a.model.trainingItems.indices), Array.from(train.byUser.indices));
      assert.deepEqual(Array.from(a.model.trainingItems.indptr), Array.from(train.byUser.indptr));
      assert.deepEqual(Array.from(a.model.itemCounts), Array.from(train.itemCounts()));
      const expected = distillGraphFilter(kernels, train, { positives: 4, rank: 6 }).summary;
      assert.deepEqual(a.report.distillation, expected);
      assert.equal(a.model.config.distillPositives, 4);
      assert.deepEqual(encodeModelFile(a.model.toModelFile()), encodeModelFile(b.model.toModelFile()), "the same seed gives the same model file");
      // Distillation changes what is trained.
      using plain = new MatrixFactorization(kernels, { ...config, distillPositives: 0, distillRank: undefined });
      const plainReport = await plain.fit(train);
      assert.equal(plainReport.distillation, undefined);
      assert.notDeepEqual(Array.from(plain.itemFactors.view), Array.from(a.model.itemFactors.view));
    } finally {
      a.model.dispose();
      b.model.dispose();
    }
  });

  it("validates against the real training items, not the distilled ones", async () => {
    const kernels = await loadKernels({ threads: 1 });
    const all = clusteredInteractions(11, 90, 40, 3);
    const { train, test: validation } = randomHoldout(all, { testFraction: 0.3, rng: new Rng(3) });
    using model = new MatrixFactorization(kernels, { loss: "sampled-softmax", epochs: 1, negatives: 16, batchSize: 32, distillPositives: 8, distillRank: 6 });
    const report = await model.fit(train, { validation, validationK: 10 });
    const expected = evaluateRanking(model, train, validation, { k: 10 }).metrics["recall@10"];
    assert.equal(report.bestValidationRecall, expected);
  });

  it("reports the teacher's progress, and a cancel while it ranks leaves the model as it was", async () => {
    const kernels = await loadKernels({ threads: 1 });
    const train = clusteredInteractions(5, 700, 60, 3);
    using model = new MatrixFactorization(kernels, { loss: "sampled-softmax", epochs: 1, negatives: 16, distillPositives: 2, distillRank: 4 });
    const phases: string[] = [];
    await model.fit(train, { onProgress: (p) => phases.push(p.phase) });
    assert.equal(phases[0], "distill");
    assert.equal(phases.at(-1), "epoch");
    const before = Array.from(model.itemFactors.view);
    const allocated = kernels.wasm.allocatedBytes;
    const controller = new AbortController();
    await assert.rejects(
      model.fit(train, {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === "distill") controller.abort();
        },
      }),
      (e: Error) => e instanceof TrainingAbortedError,
    );
    assert.deepEqual(Array.from(model.itemFactors.view), before, "the previous fit's tables are kept");
    assert.equal(kernels.wasm.allocatedBytes, allocated, "the teacher's memory is freed");
  });

  it("refuses settings that do nothing or make no sense, naming the field", () => {
    assert.throws(
      () => resolveMfConfig({ loss: "sampled-softmax", distillRank: 64 }),
      (e) => e instanceof ConfigError && /distillRank.*distillPositives is 0/.test(e.message),
    );
    assert.throws(() => resolveMfConfig({ distillPositives: 0, distillRank: 64 }), /distillRank.*distillPositives is 0/);
    assert.throws(
      () => resolveMfConfig({ distillPositives: -1 }),
      (e) => e instanceof ConfigError && /distillPositives must be a non-negative integer/.test(e.message),
    );
    assert.throws(
      () => resolveMfConfig({ distillPositives: 5, distillRank: 0 }),
      (e) => e instanceof ConfigError && /distillRank must be a positive integer/.test(e.message),
    );
    assert.equal(resolveMfConfig({ loss: "bpr", distillPositives: 5 }).distillRank, 448);
    // The default training distils (a teacher rank alone is then valid).
    assert.equal(resolveMfConfig({ distillRank: 64 }).distillRank, 64);
  });

  it("refuses a teacher that cannot fit before anything is allocated, naming the flag to lower", () => {
    const shape = { users: 500_000, items: 1_000_000, interactions: 20_000_000, longestRows: () => 1000 };
    const config = resolveMfConfig({ loss: "bpr", distillPositives: 5 });
    assert.throws(
      () => checkMfTraining(config, shape, { threads: 1, names: FLAG_NAMES }),
      (e) =>
        e instanceof SizeLimitError && e.setting === "--distill-rank" && /lower --distill-rank, or train without distillation \(--distill 0\)$/.test(e.message),
    );
    assert.throws(
      () => checkMfTraining(config, shape, { threads: 1 }),
      (e) =>
        e instanceof SizeLimitError &&
        e.setting === "distillRank" &&
        /lower distillRank, or train without distillation \(distillPositives 0\)$/.test(e.message),
    );
    // Without distillation the same data fits.
    checkMfTraining(resolveMfConfig({ loss: "bpr" }), shape, { threads: 1 });
  });
});

/**
 * Serving from int8 item codes (issue 16): model.recommend(u, k, { quantized }) and the quantized
 * top-k provider against the float path, on a model whose scores have clear margins at the
 * cut-off for the users checked (a quantized list may differ from the exact one only where the
 * k-th and the next exact scores are close: users with a gap below GAP are left out, and the test
 * insists that most users are checked).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Kernels } from "../ts/kernels/kernels.js";
import { MatrixFactorization } from "../ts/mf/matrix-factorization.js";
import { resolveMfConfig } from "../ts/mf/config.js";
import type { ModelFileContents } from "../ts/model/model-file.js";
import { createTopKProvider } from "../ts/serving/backend.js";
import { mfServingTables, recommendForAllUsers } from "../ts/serving/mf-serving.js";
import { loadKernels } from "../ts/node.js";
import { Rng } from "../ts/util/rng.js";

const N_USERS = 60,
  N_ITEMS = 2500,
  DIM = 24,
  K = 10,
  GAP = 1e-3;

let kernels: Kernels;
before(async () => {
  kernels = await loadKernels({ threads: 2 });
});
after(() => kernels.dispose());

/** A model of random factors with a low-rank structure (items in clusters around 8 directions), 15 training items per user. */
function randomModel(seed: number): MatrixFactorization {
  const rng = new Rng(seed);
  const centres = Array.from({ length: 8 }, () => Float32Array.from({ length: DIM }, () => rng.normal()));
  const items = new Float32Array(N_ITEMS * DIM);
  for (let i = 0; i < N_ITEMS; i++) {
    const c = centres[rng.int(8)];
    const scale = Math.exp(0.3 * rng.normal());
    for (let t = 0; t < DIM; t++) items[i * DIM + t] = (c[t] + 0.7 * rng.normal()) * scale * 0.2;
  }
  const users = Float32Array.from({ length: N_USERS * DIM }, () => rng.normal());
  const indptr = Int32Array.from({ length: N_USERS + 1 }, (_, u) => u * 15);
  const indices = new Int32Array(N_USERS * 15);
  for (let u = 0; u < N_USERS; u++) {
    const row = new Set<number>();
    while (row.size < 15) row.add(rng.int(N_ITEMS));
    indices.set(
      [...row].sort((a, b) => a - b),
      u * 15,
    );
  }
  const counts = new Int32Array(N_ITEMS);
  for (const i of indices) counts[i]++;
  const contents: ModelFileContents = {
    kind: "mf",
    config: { ...resolveMfConfig({ dim: DIM }) },
    shapes: { nUsers: N_USERS, nItems: N_ITEMS, dim: DIM },
    userIds: Array.from({ length: N_USERS }, (_, u) => `u${u}`),
    itemIds: Array.from({ length: N_ITEMS }, (_, i) => `i${i}`),
    tables: {
      userFactors: { rows: N_USERS, cols: DIM, data: users },
      itemFactors: { rows: N_ITEMS, cols: DIM, data: items },
      itemCounts: { rows: 1, cols: N_ITEMS, data: counts },
      seenIndptr: { rows: 1, cols: N_USERS + 1, data: indptr },
      seenIndices: { rows: 1, cols: indices.length, data: indices },
    },
  };
  return MatrixFactorization.fromModelFile(kernels, contents, "random.ltm");
}

/**
 * For every user whose float list has a gap above GAP between its k-th score and the best score
 * left out: the quantized list holds the same items, each with its exact score. Returns how many
 * users were checked.
 */
function compareLists(model: MatrixFactorization, quantized: (u: number) => { indices: Int32Array; scores: Float32Array }, penalty?: number): number {
  let checked = 0;
  for (let u = 0; u < N_USERS; u++) {
    const wide = model.recommend(u, K + 1, { popularityPenalty: penalty });
    if (wide.scores[K - 1] - wide.scores[K] < GAP) continue;
    checked++;
    const got = quantized(u);
    assert.deepEqual(new Set(got.indices), new Set(wide.indices.subarray(0, K)), `user ${u}`);
    got.indices.forEach((item, r) => {
      const exact = wide.scores[wide.indices.indexOf(item)];
      assert.ok(Math.abs(got.scores[r] - exact) <= 1e-5 * (1 + Math.abs(exact)), `user ${u} item ${item}: score ${got.scores[r]} vs ${exact}`);
    });
  }
  assert.ok(checked >= N_USERS * 0.8, `only ${checked} of ${N_USERS} users had a margin: the test data lost its point`);
  return checked;
}

describe("quantized serving", () => {
  it("model.recommend(u, k, { quantized: true }) returns the float path's top-k with exact scores", () => {
    const model = randomModel(1);
    try {
      compareLists(model, (u) => model.recommend(u, K, { quantized: true }));
      // The training items stay out.
      const seen = new Set(model.trainingItems.indices.subarray(model.trainingItems.indptr[3], model.trainingItems.indptr[4]));
      assert.ok(!Array.from(model.recommend(3, 50, { quantized: true }).indices).some((i) => seen.has(i)));
      assert.equal(model.recommend("u5", K, { quantized: { refineFactor: 2 } }).items.length, K);
    } finally {
      model.dispose();
    }
  });

  it("keeps the popularity penalty, the popularity projection and TTEN of the float path", () => {
    const model = randomModel(2);
    try {
      compareLists(model, (u) => model.recommend(u, K, { quantized: true, popularityPenalty: 0.3 }), 0.3);
      model.setPopularityAdjustment({ alphaItems: 0.7, alphaUsers: 0.5, source: "head-mean" });
      compareLists(model, (u) => model.recommend(u, K, { quantized: true }));
      model.setItemNormalization(true);
      compareLists(model, (u) => model.recommend(u, K, { quantized: true }));
    } finally {
      model.dispose();
    }
  });

  it("frees the codes with the model, and refuses a bad refine factor or penalty", () => {
    const start = kernels.wasm.allocatedBytes;
    const model = randomModel(3);
    model.recommend(0, K, { quantized: true });
    assert.throws(() => model.recommend(0, K, { quantized: { refineFactor: 0.5 } }), /refineFactor must be a number >= 1, got 0.5/);
    assert.throws(() => model.recommend(0, K, { quantized: true, popularityPenalty: -1 }), /popularity penalty β must be a non-negative number/);
    model.dispose();
    assert.equal(kernels.wasm.allocatedBytes, start);
  });

  it("recommendForAllUsers(model, { quantized: true }) serves the float lists from a quarter of the catalog bytes", async () => {
    const model = randomModel(4);
    try {
      const float = await recommendForAllUsers(model, { k: K + 1, backend: "wasm" });
      const q = await recommendForAllUsers(model, { k: K, quantized: { refineFactor: 4 } });
      assert.match(q.selection.reason, /int8 quantized/);
      assert.equal(q.backend, "wasm");
      let checked = 0;
      for (let u = 0; u < N_USERS; u++) {
        const row = float.scores.subarray(u * (K + 1), (u + 1) * (K + 1));
        if (row[K - 1] - row[K] < GAP) continue;
        checked++;
        assert.deepEqual(new Set(q.indices.subarray(u * K, (u + 1) * K)), new Set(float.indices.subarray(u * (K + 1), u * (K + 1) + K)), `user ${u}`);
      }
      assert.ok(checked >= N_USERS * 0.8);
      // Codes: 24 dims padded to 24, 24 bytes an item, plus scale and sum (8 bytes), plus the float rows for the exact pass.
      const codeAndSide = q.memory.catalogBytes - N_ITEMS * DIM * 4;
      assert.ok(codeAndSide > 0 && codeAndSide < N_ITEMS * DIM * 4 * 0.45, `codes and side arrays ${codeAndSide} bytes`);
      await assert.rejects(createTopKProvider(kernels, mfServingTables(model), { backend: "webgpu", quantized: true }), /quantized serving runs on wasm only/);
    } finally {
      model.dispose();
    }
  });
});

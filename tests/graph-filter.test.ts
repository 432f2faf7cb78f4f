import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";
import type { Interactions } from "../ts/data/interactions.js";
import { evaluateRanking } from "../ts/eval/evaluate.js";
import { choleskyInverseUpper, symmetricEigen } from "../ts/graph-filter/dense-eigen.js";
import { GraphFilter } from "../ts/graph-filter/graph-filter.js";
import { ItemGraph } from "../ts/graph-filter/item-graph.js";
import { topEigenvectors } from "../ts/graph-filter/top-eigenvectors.js";
import type { Kernels } from "../ts/kernels/kernels.js";
import { loadKernels, loadTrainTest } from "../ts/node.js";
import { Rng } from "../ts/util/rng.js";
import { numberedInteractions } from "./support/numbered-interactions.js";

const GOWALLA = fileURLToPath(new URL("../../../shared/data/gowalla/", import.meta.url));

/** nUsers × nItems random 0/1 interactions (density p); the last item and the last user have none. */
function randomInteractions(seed: number, nUsers: number, nItems: number, p: number): Interactions {
  const rng = new Rng(seed);
  return numberedInteractions(nUsers, nItems, (u) => {
    if (u === nUsers - 1) return [];
    const row = [rng.int(nItems - 1)];
    for (let i = 0; i < nItems - 1; i++) if (rng.next() < p) row.push(i);
    return row;
  });
}

/** R̃ = D_U^{-1/2} R D_I^{-1/2} as a dense f64 matrix, and R as 0/1. */
function denseGraph(train: Interactions): { r: Float64Array; rn: Float64Array; degrees: Float64Array } {
  const { nUsers: nu, nItems: ni } = train;
  const r = new Float64Array(nu * ni);
  for (let u = 0; u < nu; u++) for (let k = train.byUser.indptr[u]; k < train.byUser.indptr[u + 1]; k++) r[u * ni + train.byUser.indices[k]] = 1;
  const du = Float64Array.from(train.userCounts());
  const degrees = Float64Array.from(train.itemCounts());
  const rn = r.map((x, k) => (x ? x / Math.sqrt(du[Math.floor(k / ni)] * degrees[k % ni]) : 0));
  return { r, rn, degrees };
}

/** P̃ = R̃ᵀR̃ (ni × ni). */
function itemGraph(rn: Float64Array, nu: number, ni: number): Float64Array {
  const p = new Float64Array(ni * ni);
  for (let u = 0; u < nu; u++) for (let i = 0; i < ni; i++) for (let j = 0; j < ni; j++) p[i * ni + j] += rn[u * ni + i] * rn[u * ni + j];
  return p;
}

/** The filter's scores in f64 with the low-pass part on every eigenvector of P̃ whose eigenvalue is not 0. */
function referenceScores(train: Interactions, lowPassWeight: number, sharpening: number): Float64Array {
  const { nUsers: nu, nItems: ni } = train;
  const { r, rn, degrees } = denseGraph(train);
  const p = itemGraph(rn, nu, ni);
  const { values, vectors } = symmetricEigen(p, ni);
  const projector = new Float64Array(ni * ni);
  for (let c = 0; c < ni; c++) {
    if (values[c] < 1e-9) continue;
    for (let i = 0; i < ni; i++) for (let j = 0; j < ni; j++) projector[i * ni + j] += vectors[i * ni + c] * vectors[j * ni + c];
  }
  const scores = new Float64Array(nu * ni);
  for (let u = 0; u < nu; u++) {
    const s = new Float64Array(ni);
    for (let i = 0; i < ni; i++) {
      if (!r[u * ni + i]) continue;
      for (let j = 0; j < ni; j++) {
        s[j] += p[i * ni + j];
        if (degrees[i] > 0) s[j] += (lowPassWeight * projector[i * ni + j] * Math.sqrt(degrees[j])) / Math.sqrt(degrees[i]);
      }
    }
    const sharp = new Float64Array(ni);
    for (let i = 0; i < ni; i++) for (let j = 0; j < ni; j++) sharp[j] += s[i] * p[i * ni + j];
    for (let j = 0; j < ni; j++) scores[u * ni + j] = s[j] - sharpening * sharp[j];
  }
  return scores;
}

function scoresOf(model: GraphFilter, kernels: Kernels, users: number[]): Float32Array {
  const e = kernels.wasm;
  const ids = e.i32From(users);
  const out = e.f32(users.length * model.nItems);
  try {
    model.scoreUsers(ids, users.length, out);
    return out.view.slice();
  } finally {
    ids.free();
    out.free();
  }
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("dense linear algebra for the graph filter", () => {
  it("symmetricEigen: A = VΛVᵀ with orthonormal V, values sorted down (random n = 1, 2, 7, 30, 120; zero, identity, rank one, repeated values)", () => {
    const rng = new Rng(3);
    const randomSymmetric = (n: number) => {
      const a = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rng.next() - 0.5;
      return a;
    };
    const special = (n: number, entry: (i: number, j: number) => number) => Float64Array.from({ length: n * n }, (_, k) => entry(Math.floor(k / n), k % n));
    const v = [0.5, -1, 2, 0, 0.25];
    const cases: Array<[number, Float64Array]> = [
      ...[1, 2, 7, 30, 120].map((n) => [n, randomSymmetric(n)] as [number, Float64Array]),
      [5, special(5, () => 0)],
      [4, special(4, (i, j) => (i === j ? 1 : 0))],
      [5, special(5, (i, j) => v[i] * v[j])],
      [6, special(6, (i, j) => (i === j ? [3, 1, 3, 1, 3, 0][i] : 0))],
    ];
    for (const [n, a] of cases) {
      const { values, vectors } = symmetricEigen(a, n);
      for (let c = 1; c < n; c++) assert.ok(values[c - 1] >= values[c], `sorted at ${c}`);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let back = 0;
          let dot = 0;
          for (let c = 0; c < n; c++) {
            back += vectors[i * n + c] * values[c] * vectors[j * n + c];
            dot += vectors[c * n + i] * vectors[c * n + j];
          }
          assert.ok(Math.abs(back - a[i * n + j]) < 1e-10, `n = ${n}: reconstruction [${i}, ${j}]`);
          assert.ok(Math.abs(dot - (i === j ? 1 : 0)) < 1e-10, `n = ${n}: orthonormal [${i}, ${j}]`);
        }
      }
    }
  });

  it("choleskyInverseUpper: Q·R⁻¹ is orthonormal; a dependent or zero column becomes a zero column", () => {
    const rng = new Rng(4);
    const [m, n] = [40, 6];
    const q = Float64Array.from({ length: m * n }, () => rng.next() - 0.5);
    for (let i = 0; i < m; i++) {
      q[i * n + 3] = 2 * q[i * n + 0] - q[i * n + 1]; // dependent on columns 0 and 1
      q[i * n + 5] = 0;
    }
    const g = new Float64Array(n * n);
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) for (let i = 0; i < m; i++) g[a * n + b] += q[i * n + a] * q[i * n + b];
    const inv = choleskyInverseUpper(g, n);
    const o = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let c = 0; c < n; c++) for (let k = 0; k < n; k++) o[i * n + c] += q[i * n + k] * inv[k * n + c];
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += o[i * n + a] * o[i * n + b];
        const expected = a === b && a !== 3 && a !== 5 ? 1 : 0;
        assert.ok(Math.abs(dot - expected) < 1e-9, `column ${a}·${b} = ${dot}`);
      }
    }
  });
});

describe("GraphFilter", () => {
  it("scores every user as the f64 reference does (full rank: the low-pass filter spans the graph), sharpened or not", async () => {
    const kernels = await loadKernels({ threads: 1 });
    try {
      for (const [seed, nu, ni] of [
        [1, 30, 17],
        [2, 12, 25],
        [3, 9, 1],
      ]) {
        const train = randomInteractions(seed, nu, ni, 0.2);
        for (const [lowPassWeight, sharpening] of [
          [0.3, 0.6],
          [0, 0],
          [1.5, -0.2],
        ]) {
          using model = GraphFilter.fit(kernels, train, { rank: ni, lowPassWeight, sharpening, iterations: 6 });
          const actual = scoresOf(model, kernels, range(nu));
          const expected = referenceScores(train, lowPassWeight, sharpening);
          const scale = Math.max(...expected.map(Math.abs), 1e-6);
          for (let x = 0; x < expected.length; x++) {
            assert.ok(
              Math.abs(actual[x] - expected[x]) < 2e-4 * scale,
              `${nu}x${ni} α=${lowPassWeight} β=${sharpening} [${x}]: ${actual[x]} vs ${expected[x]}`,
            );
          }
          // The user without interactions scores 0 everywhere.
          assert.deepEqual(Array.from(actual.subarray((nu - 1) * ni)), new Array(ni).fill(0));
        }
      }
    } finally {
      kernels.dispose();
    }
  });

  it("finds the leading eigenvectors: their Rayleigh quotients are P̃'s top eigenvalues, the columns orthonormal", async () => {
    const kernels = await loadKernels({ threads: 1 });
    const train = randomInteractions(5, 80, 50, 0.1);
    const graph = new ItemGraph(kernels, train);
    const rank = 8;
    const v = topEigenvectors(graph, rank, 12, new Rng(9));
    try {
      const { rn } = denseGraph(train);
      const p = itemGraph(rn, train.nUsers, train.nItems);
      const exact = symmetricEigen(p, train.nItems).values;
      const ni = train.nItems;
      const vv = v.view;
      for (let a = 0; a < rank; a++) {
        for (let b = 0; b < rank; b++) {
          let dot = 0;
          let quotient = 0;
          for (let i = 0; i < ni; i++) {
            dot += vv[i * rank + a] * vv[i * rank + b];
            if (a === b) for (let j = 0; j < ni; j++) quotient += vv[i * rank + a] * p[i * ni + j] * vv[j * rank + a];
          }
          assert.ok(Math.abs(dot - (a === b ? 1 : 0)) < 1e-4, `orthonormal ${a}·${b}: ${dot}`);
          if (a === b) assert.ok(Math.abs(quotient - exact[a]) < 1e-3, `eigenvalue ${a}: ${quotient} vs ${exact[a]}`);
        }
      }
      assert.ok(Math.abs(exact[0] - 1) < 1e-9, "P̃'s top eigenvalue is 1");
    } finally {
      v.free();
      graph.dispose();
      kernels.dispose();
    }
  });

  it("gives the same bits for the same seed, on 1 and 2 threads, scoring more users than one pass holds, as one user at a time does", async () => {
    const train = randomInteractions(6, 300, 70, 0.08);
    const users = range(300).reverse();
    const results: Float32Array[] = [];
    for (const threads of [1, 2, 1]) {
      const kernels = await loadKernels({ threads });
      try {
        using model = GraphFilter.fit(kernels, train, { rank: 20 });
        results.push(scoresOf(model, kernels, users));
        if (threads === 1) {
          // Users one at a time score what the whole block scored (to rounding: the kernels' lanes
          // split a block of one user differently).
          const single = users.slice(0, 5).map((u) => scoresOf(model, kernels, [u]));
          single.forEach((s, r) => {
            const block = results[0].subarray(r * train.nItems, (r + 1) * train.nItems);
            s.forEach((x, i) => assert.ok(Math.abs(x - block[i]) < 1e-6, `user ${users[r]} item ${i}: ${x} vs ${block[i]}`));
          });
        }
      } finally {
        kernels.dispose();
      }
    }
    assert.deepEqual(results[1], results[0], "2 threads");
    assert.deepEqual(results[2], results[0], "the same seed again");
    const kernels = await loadKernels({ threads: 1 });
    try {
      using other = GraphFilter.fit(kernels, train, { rank: 20, seed: 2 });
      assert.notDeepEqual(scoresOf(other, kernels, users), results[0], "another seed starts the subspace elsewhere");
    } finally {
      kernels.dispose();
    }
  });

  it("writes every score when its first call grows the memory (views taken after the kernels' allocations)", async () => {
    const kernels = await loadKernels({ threads: 1 });
    try {
      // Block buffers of 3,000 users and 2,500 items × 256 columns: several MB, more than the memory has spare.
      const train = randomInteractions(10, 3000, 2500, 0.002);
      using model = GraphFilter.fit(kernels, train, { rank: 4, iterations: 1 });
      const bytes = kernels.wasm.memory.buffer.byteLength;
      const first = scoresOf(model, kernels, range(300));
      assert.ok(kernels.wasm.memory.buffer.byteLength > bytes, "the first call grew the memory");
      assert.deepEqual(scoresOf(model, kernels, range(300)), first, "the second call, on grown memory, scores the same");
      assert.ok(first.some((x) => x !== 0));
    } finally {
      kernels.dispose();
    }
  });

  it("refuses, before allocating anything, a rank whose subspace block cannot fit one wasm allocation (SizeLimitError naming --rank's setting)", async () => {
    const kernels = await loadKernels({ threads: 1 });
    try {
      // 600,000 items × (448 + 32) columns × 4 bytes = 1.15 GB: over the allocator's 1 GiB block.
      const train = numberedInteractions(500, 600_000, (u) => [u * 1000]);
      const before = kernels.wasm.allocatedBytes;
      assert.throws(
        () => GraphFilter.fit(kernels, train),
        (e: Error & { setting?: string }) =>
          e.name === "SizeLimitError" && e.setting === "rank" && /rank 448 over 600000 items.*lower the rank/.test(e.message),
      );
      assert.equal(kernels.wasm.allocatedBytes, before);
      // A rank that fits is built and scores (the passes then hold 27 users: 64 MiB over 600,000 items).
      using model = GraphFilter.fit(kernels, train, { rank: 8, iterations: 1 });
      assert.equal(scoresOf(model, kernels, range(40)).length, 40 * 600_000);
    } finally {
      kernels.dispose();
    }
  });

  it("refuses bad options and users by name, caps the rank at the data, frees its memory on dispose", async () => {
    const kernels = await loadKernels({ threads: 1 });
    try {
      const train = randomInteractions(7, 20, 15, 0.2);
      assert.throws(() => GraphFilter.fit(kernels, train, { rank: 2.5 }), /rank must be a non-negative integer, got 2.5/);
      assert.throws(() => GraphFilter.fit(kernels, train, { sharpening: Number.NaN }), /sharpening must be a finite number/);
      assert.throws(() => GraphFilter.fit(kernels, train, { iterations: -1 }), /iterations must be an integer in 0..100/);
      const before = kernels.wasm.allocatedBytes;
      const model = GraphFilter.fit(kernels, train);
      assert.equal(model.rank, 15, "the default rank is capped at the catalog");
      // A part without interactions: every eigenvector column is dropped and every score is 0, never NaN.
      const empty = GraphFilter.fit(kernels, randomInteractions(8, 1, 4, 0));
      assert.deepEqual(Array.from(scoresOf(empty, kernels, [0])), [0, 0, 0, 0]);
      empty.dispose();
      assert.throws(() => scoresOf(model, kernels, [20]), /user 20 is outside \[0, 20\)/);
      scoresOf(model, kernels, [0, 1]);
      model.dispose();
      model.dispose();
      assert.throws(() => scoresOf(model, kernels, [0]), /disposed/);
      assert.equal(kernels.wasm.allocatedBytes, before, "every allocation freed");
    } finally {
      kernels.dispose();
    }
  });

  it("gowalla: reaches Recall@20 >= 0.188 with its defaults (above SimpleX's published 0.1872)", {
    skip: !existsSync(GOWALLA) && "no ../shared/data/gowalla",
  }, async () => {
    const kernels = await loadKernels();
    try {
      const { train, test } = await loadTrainTest(GOWALLA, { unknownInTest: "extend" });
      using model = GraphFilter.fit(kernels, train);
      const { metrics } = evaluateRanking(model, train, test!, { k: 20 });
      assert.ok(metrics["recall@20"] >= 0.188, `Recall@20 ${metrics["recall@20"]}`);
      assert.ok(metrics["ndcg@20"] >= 0.154, `NDCG@20 ${metrics["ndcg@20"]}`);
    } finally {
      kernels.dispose();
    }
  });
});

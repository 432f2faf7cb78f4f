/**
 * MF on the sequential protocol: FoldInScorer (a ContextScorer by fold-in) must score each context
 * like MatrixFactorization.recommendForHistory scores the context's last `window` items (itself
 * checked against an f64 reference in fold-in.test.ts), and evaluateSequential with it must give the
 * hit rate recomputed context by context.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { Interactions } from "../ts/data/interactions.js";
import { Kernels } from "../ts/kernels/kernels.js";
import { evaluateSequential } from "../ts/eval/sequential.js";
import { DEFAULT_FOLD_IN_WINDOW, FoldInScorer } from "../ts/mf/fold-in-scorer.js";
import { MatrixFactorization } from "../ts/mf/matrix-factorization.js";
import { loadWasmInstance } from "../ts/node.js";
import { Rng } from "../ts/util/rng.js";

let kernels: Kernels;
let model: MatrixFactorization;
const M = 23,
  D = 5;

before(async () => {
  kernels = new Kernels(await loadWasmInstance());
  const rng = new Rng(21);
  const normal = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
  model = MatrixFactorization.fromModelFile(kernels, {
    kind: "mf",
    config: { loss: "softmax", dim: D },
    shapes: { nUsers: 1, nItems: M, dim: D },
    userIds: ["u0"],
    itemIds: Array.from({ length: M }, (_, i) => `i${i}`),
    tables: {
      userFactors: { rows: 1, cols: D, data: normal(D) },
      itemFactors: { rows: M, cols: D, data: normal(M * D) },
      itemCounts: { rows: 1, cols: M, data: Int32Array.from({ length: M }, () => 1 + rng.int(300)) },
      seenIndptr: { rows: 1, cols: 2, data: Int32Array.from([0, 1]) },
      seenIndices: { rows: 1, cols: 1, data: Int32Array.from([0]) },
    },
  });
});

/** Scores of every item by recommendForHistory(history) (the history's items get NaN: it leaves them out). */
function foldInScores(history: number[]): Float64Array {
  const rec = model.recommendForHistory(Int32Array.from(history), M);
  const scores = new Float64Array(M).fill(NaN);
  rec.indices.forEach((i, j) => (scores[i] = rec.scores[j]));
  return scores;
}

describe("FoldInScorer: MF fold-in as a ContextScorer", () => {
  it("scores a block of contexts like recommendForHistory on each context's last `window` items", () => {
    const scorer = new FoldInScorer(model, { window: 4 });
    assert.equal(scorer.nItems, M);
    const contexts = [[3, 7, 1], [2, 5, 8, 9, 11, 4, 6], [12], [0, 0, 5, 5]];
    const source = Int32Array.from(contexts.flat());
    const batch = scorer.contextBatch(contexts.length);
    const out = kernels.wasm.f32(contexts.length * M);
    try {
      let start = 0;
      for (const c of contexts) batch.add(source, start, (start += c.length));
      scorer.scoreContexts(batch, out);
      contexts.forEach((c, r) => {
        const want = foldInScores(c.slice(-4));
        const got = out.view.subarray(r * M, (r + 1) * M);
        for (let i = 0; i < M; i++) {
          if (Number.isNaN(want[i])) continue;
          assert.ok(Math.abs(got[i] - want[i]) <= 1e-4 * (1 + Math.abs(want[i])), `context ${r}, item ${i}: ${got[i]} vs ${want[i]}`);
        }
      });
    } finally {
      batch.dispose();
      out.free();
    }
  });

  it("evaluateSequential with it: Recall@5 is the share of contexts whose next item is in the fold-in top 5", () => {
    const rng = new Rng(4);
    const triples: Array<[string, string, number, number]> = [];
    const rows: number[][] = [];
    for (let u = 0; u < 12; u++) {
      const row = rng.shuffle(Int32Array.from({ length: M }, (_, i) => i)).slice(0, 2 + rng.int(6));
      rows.push(Array.from(row));
      row.forEach((item, t) => triples.push([`h${u}`, `i${item}`, 1, 100 * u + t]));
    }
    const sequences = Interactions.fromTriples(triples, { items: model.items, name: "held-out" });
    const result = evaluateSequential(new FoldInScorer(model), sequences, { k: 5 });
    let contexts = 0,
      hits = 0;
    for (const row of rows) {
      for (let p = 1; p < row.length; p++) {
        contexts++;
        if (model.recommendForHistory(Int32Array.from(row.slice(0, p)), 5).indices.includes(row[p])) hits++;
      }
    }
    assert.equal(result.protocol, "sequential");
    assert.equal(result.contexts, contexts);
    assert.equal(result.heldOutUsers, 12);
    assert.ok(Math.abs(result.metrics["recall@5"] - hits / contexts) < 1e-9, `recall@5 ${result.metrics["recall@5"]}, recomputed ${hits}/${contexts}`);
  });

  it("defaults to the two-tower window and rejects a bad window or λ, naming the value", () => {
    assert.equal(new FoldInScorer(model).window, DEFAULT_FOLD_IN_WINDOW);
    assert.throws(() => new FoldInScorer(model, { window: 0 }), /fold-in window must be a positive number of items, got 0/);
    assert.throws(() => new FoldInScorer(model, { regularization: -1 }), /λ must be a positive number .*got -1/);
  });
});

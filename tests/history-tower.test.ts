import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Interactions } from "../ts/data/interactions.js";
import { resolveMfConfig } from "../ts/mf/config.js";
import { HistoryTower } from "../ts/mf/history-tower.js";
import { makeOptimizers, type TrainingContext } from "../ts/mf/training-context.js";
import { SlotMap } from "../ts/train/slot-map.js";
import { Rng } from "../ts/util/rng.js";
import { referenceHistoryTower } from "./reference/history-tower.js";
import { VARIANTS, randomF32, withKernels } from "./support/kernel-harness.js";

/** Users' rows of items (every user ≥ 1 item, some items in many rows). */
function randomRows(rng: Rng, nUsers: number, nItems: number, longest: number): Interactions {
  const triples: Array<readonly [string, string]> = [];
  for (let u = 0; u < nUsers; u++) {
    const n = 1 + rng.int(longest);
    const seen = new Set<number>();
    while (seen.size < n) seen.add(rng.int(nItems));
    for (const i of seen) triples.push([`u${u}`, `i${i}`]);
  }
  return Interactions.fromTriples(triples, { name: "rows" });
}

for (const variant of VARIANTS) {
  describe(`the history tower (${variant})`, () => {
    it("its gradients (id rows, history items, W) equal central differences of the f64 tower", () =>
      withKernels(variant, (kernels) => {
        const rng = new Rng(71);
        const d = 5,
          B = 6,
          keep = 0.6;
        const train = randomRows(rng, 5, 9, 6);
        // SGD at rate 1 without L2: W's step subtracts exactly its gradient.
        const config = resolveMfConfig({ loss: "sampled-softmax", dim: d, optimizer: "sgd", learningRate: 1, historyWeight: 1 - keep, historyLength: 50 });
        const users = kernels.wasm.f32From(randomF32(rng, train.nUsers * d));
        const items = kernels.wasm.f32From(randomF32(rng, train.nItems * d));
        const { userOptimizer, itemOptimizer } = makeOptimizers(kernels, config, users, items);
        const ctx: TrainingContext = { kernels, config, train, userFactors: users, itemFactors: items, userOptimizer, itemOptimizer, rng };
        const tower = new HistoryTower(ctx, B);
        const slots = new SlotMap(train.nItems, train.nItems);
        const p = train.byUser.indptr,
          row = train.byUser.indices;
        // A user twice (its id row's gradient is the sum of both rows'), each row's positive from its own row.
        const batchUsers = Int32Array.from([0, 1, 2, 0, 3, 4]);
        const positives = Int32Array.from(batchUsers, (u, b) => row[p[u] + (b % (p[u + 1] - p[u]))]);
        tower.collect(batchUsers, positives, B, slots);
        const ids = Float64Array.from({ length: B * d }, (_, x) => users.view[batchUsers[Math.floor(x / d)] * d + (x % d)]);
        const block = kernels.wasm.f32From(ids);
        tower.forward(block, B);

        // The reference reads each row's whole history with its positive weighted 0 (historyLength ≥ every row).
        const offsets = [0],
          entries: number[] = [],
          weights: number[] = [];
        for (let b = 0; b < B; b++) {
          for (let e = p[batchUsers[b]]; e < p[batchUsers[b] + 1]; e++) {
            entries.push(row[e]);
            weights.push(row[e] === positives[b] ? 0 : 1);
          }
          offsets.push(entries.length);
        }
        const itemTable = Float64Array.from(items.view);
        const identity = Float64Array.from({ length: d * d }, (_, x) => (Math.floor(x / d) === x % d ? 1 : 0));
        const forward = (idRows: Float64Array, table: Float64Array, w: Float64Array) =>
          referenceHistoryTower(idRows, table, w, offsets, entries, weights, B, d, keep, 1 - keep);
        const expected = forward(ids, itemTable, identity);
        for (let x = 0; x < B * d; x++) assert.ok(Math.abs(block.view[x] - expected[x]) < 1e-5, `forward [${x}]: ${block.view[x]} vs ${expected[x]}`);

        // L = Σ c·ĥ for random c: ∂L/∂ĥ = c.
        const c = randomF32(rng, B * d);
        const loss = (idRows: Float64Array, table: Float64Array, w: Float64Array) => forward(idRows, table, w).reduce((s, v, x) => s + c[x] * v, 0);
        const grad = kernels.wasm.f32From(c);
        const gradItems = kernels.wasm.f32(train.nItems * d);
        gradItems.view.fill(0);
        tower.backward(block, grad, B, gradItems, train.nItems);
        tower.step();
        const gradW = Float64Array.from(tower.projection.view, (w, x) => identity[x] - w);

        const h = 1e-6;
        const central = (at: (delta: number) => number) => (at(h) - at(-h)) / (2 * h);
        const close = (engine: number, numeric: number, what: string) =>
          assert.ok(Math.abs(engine - numeric) <= 2e-4 * (1 + Math.abs(numeric)), `${what}: engine ${engine}, central difference ${numeric}`);
        for (let x = 0; x < B * d; x++) {
          close(
            grad.view[x],
            central((delta) =>
              loss(
                Float64Array.from(ids, (v, y) => (y === x ? v + delta : v)),
                itemTable,
                identity,
              ),
            ),
            `id row ${x}`,
          );
        }
        for (let s = 0; s < slots.size; s++) {
          const item = slots.rows[s];
          for (let k = 0; k < d; k++) {
            const x = item * d + k;
            close(
              gradItems.view[s * d + k],
              central((delta) =>
                loss(
                  ids,
                  Float64Array.from(itemTable, (v, y) => (y === x ? v + delta : v)),
                  identity,
                ),
              ),
              `item ${item}[${k}]`,
            );
          }
        }
        for (let x = 0; x < d * d; x++) {
          close(
            gradW[x],
            central((delta) =>
              loss(
                ids,
                itemTable,
                Float64Array.from(identity, (v, y) => (y === x ? v + delta : v)),
              ),
            ),
            `W[${x}]`,
          );
        }
        for (const a of [users, items, block, grad, gradItems]) a.free();
        tower.dispose();
        userOptimizer.dispose();
        itemOptimizer.dispose();
      }));

    it("a step reads a window of at most historyLength consecutive items of each row, in the step's item slots", () =>
      withKernels(variant, (kernels) => {
        const rng = new Rng(72);
        const d = 4;
        const train = randomRows(rng, 8, 30, 20);
        const config = resolveMfConfig({ loss: "sampled-softmax", dim: d, historyWeight: 0.5, historyLength: 3 });
        const users = kernels.wasm.f32From(randomF32(rng, train.nUsers * d));
        const items = kernels.wasm.f32From(randomF32(rng, train.nItems * d));
        const { userOptimizer, itemOptimizer } = makeOptimizers(kernels, config, users, items);
        const tower = new HistoryTower({ kernels, config, train, userFactors: users, itemFactors: items, userOptimizer, itemOptimizer, rng }, 8);
        const slots = new SlotMap(train.nItems, train.nItems);
        const batchUsers = Int32Array.from({ length: 8 }, (_, u) => u);
        const positives = Int32Array.from(batchUsers, (u) => train.byUser.indices[train.byUser.indptr[u]]);
        tower.collect(batchUsers, positives, 8, slots);
        const touched = new Set(slots.rows.subarray(0, slots.size));
        const p = train.byUser.indptr;
        let expectedAtMost = 0;
        for (const u of batchUsers) expectedAtMost += Math.min(3, p[u + 1] - p[u]);
        assert.ok(slots.size <= expectedAtMost && slots.size >= 3, `${slots.size} history items for at most ${expectedAtMost} entries`);
        for (const i of touched) assert.ok(train.byUser.indices.includes(i));
        for (const a of [users, items]) a.free();
        tower.dispose();
        userOptimizer.dispose();
        itemOptimizer.dispose();
      }));
  });
}

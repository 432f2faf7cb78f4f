import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Kernels } from "../ts/kernels/kernels.js";
import type { WasmF32Array } from "../ts/kernels/wasm-instance.js";
import type { TowerTables } from "../ts/two-tower/towers.js";
import { loadWasmInstance } from "../ts/node.js";
import { SequentialExamples } from "../ts/two-tower/sequential-examples.js";
import { resolveTwoTowerConfig, type HistoryWeighting } from "../ts/two-tower/config.js";
import { TwoTowerSoftmaxStep } from "../ts/two-tower/softmax-step.js";
import { Rng } from "../ts/util/rng.js";
import { tinyParts } from "./support/tiny-data.js";

/**
 * Finite-difference check of the whole two-tower loss: weighted pooling of the context (truncated
 * to maxHistory), the d×d projection and bias, the item tower's genre mean, and the full softmax
 * with temperature and a logit-adjustment bias. Every parameter of a tiny model is perturbed.
 */
describe("two-tower gradients", () => {
  for (const weighting of ["uniform", "recency"] as HistoryWeighting[]) {
    it(`match central finite differences of the summed loss (${weighting} weighting)`, async () => {
      const kernels = new Kernels(await loadWasmInstance());
      const e = kernels.wasm;
      const m = 7,
        d = 3;
      const rows = [
        [0, 3, 5, 1, 2],
        [4, 6, 0],
        [2, 1, 3, 6],
        [5, 0],
      ];
      const { train } = tinyParts(
        rows.length,
        m,
        rows.flatMap((r, u) => r.map((i) => [u, i] as [number, number])),
        [],
      );
      const examples = new SequentialExamples(train);
      const n = examples.count;
      const config = resolveTwoTowerConfig({ dim: d, batchSize: n, maxHistory: 3, temperature: 0.7, historyWeighting: weighting, halfLife: 1.5 });
      const rng = new Rng(9);
      const normal = (count: number) => e.f32From(Float32Array.from({ length: count }, () => 0.6 * rng.normal()));
      // Items 2 and 5 have no genre, item 0 has two.
      const genreIndptr = [0, 2, 3, 3, 4, 5, 5, 6],
        genreIndices = [0, 2, 1, 0, 2, 1];
      const tables: TowerTables = {
        itemIn: normal(m * d),
        itemOut: normal(m * d),
        projection: normal(d * d),
        projectionBias: normal(d),
        genres: { table: normal(3 * d), offsets: e.i32From(genreIndptr), indices: e.i32From(genreIndices), count: 3 },
      };
      const counts = train.itemCounts();
      const bias = e.f32From(Array.from(counts, (c) => 0.5 * Math.log1p(c)));
      const step = new TwoTowerSoftmaxStep(kernels, tables, config, m, bias);
      const order = Int32Array.from({ length: n }, (_, i) => i);
      step.lossAndGradients(examples, order, 0, n);
      const analytic = new Map<WasmF32Array, Float32Array>([
        [tables.itemIn, step.history.denseItemInGradient(m)],
        [tables.itemOut, step.itemGradients().itemOut],
        [tables.projection, step.history.gradProjection.view.slice()],
        [tables.projectionBias, step.history.gradBias.view.slice()],
        [tables.genres!.table, step.itemGradients().genres!],
      ]);
      const h = 1e-2;
      let checked = 0;
      for (const [table, grad] of analytic) {
        for (let p = 0; p < table.length; p++) {
          const original = table.view[p];
          table.view[p] = original + h;
          const up = step.lossAndGradients(examples, order, 0, n);
          table.view[p] = original - h;
          const down = step.lossAndGradients(examples, order, 0, n);
          table.view[p] = original;
          const numeric = (up - down) / (2 * h);
          assert.ok(
            Math.abs(numeric - grad[p]) <= 2e-3 + 2e-2 * Math.abs(numeric),
            `parameter ${p} of a ${table.length}-value table: analytic ${grad[p]}, numeric ${numeric}`,
          );
          checked++;
        }
      }
      assert.equal(checked, 2 * m * d + d * d + d + 3 * d);
      // The gradient is not trivially zero: the check would catch a missing term.
      assert.ok(analytic.get(tables.genres!.table)!.some((g) => Math.abs(g) > 1e-2));
      step.dispose();
    });
  }
});

/**
 * The popularity metrics of the Most Popular shelf on ml-1m-resn against an independent
 * computation: the PyTorch reference row in ../shared/notes/methods.md (top-20 lists, head =
 * items holding 80% of the training interactions). No training, so it runs in seconds. Skipped
 * with a message when ../shared/data is absent.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { evaluateRanking } from "../ts/eval/evaluate.js";
import { MostPopular } from "../ts/model/most-popular.js";
import { loadKernels, loadTrainTest } from "../ts/node.js";

const DATA = fileURLToPath(new URL("../../../shared/data/", import.meta.url));
const skip = existsSync(DATA) ? false : `shared data not found at ${DATA}`;

describe("popularity metrics on real data", { skip }, () => {
  it("ml-1m-resn Most Popular: median popularity 1892, coverage 0.031, Gini 0.991, no long tail, as the reference", async () => {
    const kernels = await loadKernels();
    const { train, test } = await loadTrainTest(`${DATA}ml-1m-resn`, { unknownInTest: "extend" });
    const r = evaluateRanking(new MostPopular(kernels, train.nUsers, train.itemCounts()), train, test!, { k: 20 });
    const m = r.metrics;
    const near = (key: string, expected: number, tolerance: number) =>
      assert.ok(Math.abs(m[key] - expected) <= tolerance, `${key} = ${m[key]}, the reference says ${expected}`);
    near("recall@20", 0.1145, 5e-5);
    near("ndcg@20", 0.1928, 5e-5);
    near("medianPopularity@20", 1892, 0);
    // The reference's catalog leaves out the 23 items seen only in the test part; ours keeps them.
    const counts = train.itemCounts();
    const shown = Math.round(m["coverage@20"] * counts.length);
    assert.ok(Math.abs(m["coverage@20"] * counts.length - shown) < 1e-9, "coverage = distinct items shown / catalog size");
    assert.equal((shown / counts.filter((c) => c > 0).length).toFixed(3), "0.031");
    near("gini@20", 0.991, 5e-4);
    near("longTailShare@20", 0, 0);
    near("mrr.tail", 0.0008, 5e-5);
    // The shelf is the same 20-odd items for everyone: all its slots are in the top 5% group.
    assert.equal(r.groups[0].slotShare, 1);
    assert.ok(r.headTail.headInteractionShare >= 0.8 && r.headTail.headInteractionShare < 0.81, `head share ${r.headTail.headInteractionShare}`);
  });
});

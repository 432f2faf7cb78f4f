/**
 * Inverse retrieval on real data with real thresholds: ml-1m-resn, full-softmax MF (5 epochs, the
 * README's model), every item's top-100 users, InvR at slots 3 and 8 of 20. The README measures
 * (user-rank) B50PS 4.6× and PSEI +34% at a Recall@20 cost of 3.1%; the thresholds sit below that, so
 * only a broken retrieval, slate or metric fails them. Skipped when ../shared/data is absent.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { evaluateInverseRetrieval } from "../ts/inverse-retrieval/invr-evaluation.js";
import { mfServingEmbeddings } from "../ts/inverse-retrieval/mf-embeddings.js";
import { MatrixFactorization } from "../ts/mf/matrix-factorization.js";
import { loadKernels, loadTrainTest } from "../ts/node.js";

const DATA = fileURLToPath(new URL("../../../shared/data/", import.meta.url));
const skip = existsSync(DATA) ? false : `shared data not found at ${DATA}`;

describe("inverse retrieval on real data", { skip }, () => {
  it("ml-1m-resn: user-rank slates raise B50PS >= 2.5× and PSEI >= +20% for <= 6% of Recall@20, ahead of score ordering", async () => {
    const kernels = await loadKernels();
    const { train, test } = await loadTrainTest(`${DATA}ml-1m-resn`, { unknownInTest: "extend" });
    const model = new MatrixFactorization(kernels, { loss: "softmax", epochs: 5 });
    await model.fit(train);
    const embeddings = mfServingEmbeddings(model);
    const run = evaluateInverseRetrieval(model, embeddings, train, test!, { k: 20, topN: 100, slots: [3, 8], itemPopularity: model.itemCounts });
    const main = run.main.metrics;
    const by = Object.fromEntries(run.orderings.map((o) => [o.ordering, o.evaluation.metrics]));
    // The main lists are the model's own ranking: the same Recall@20 as evaluate.
    assert.equal(main["recall@20"], model.evaluate(train, test!, { k: 20 }).metrics["recall@20"]);
    const rank = by["user-rank"];
    assert.ok(rank["b50ps@20"] >= 2.5 * main["b50ps@20"], `B50PS ${main["b50ps@20"]} → ${rank["b50ps@20"]}`);
    assert.ok(rank["psei@20"] >= 1.2 * main["psei@20"], `PSEI ${main["psei@20"]} → ${rank["psei@20"]}`);
    assert.ok(rank["recall@20"] >= 0.94 * main["recall@20"], `Recall@20 ${main["recall@20"]} → ${rank["recall@20"]}`);
    assert.ok(
      rank["psei@20"] > by.score["psei@20"] && rank["recall@20.tail"] > by.score["recall@20.tail"],
      "user-rank ahead of score ordering on PSEI and tail recall",
    );
    assert.ok(
      run.orderings.every((o) => o.slates.invrItems > 0.5 * 2 * run.main.users),
      "most InvR slots filled",
    );
    embeddings.dispose();
    model.dispose();
  });

  // docs/inverse-retrieval.md, "What drives PSEI": the InvR impressions (users × slots) drive PSEI,
  // and so does where they land. Measured (user-rank, N = 100, E = 5): PSEI 0.4077 in the main lists,
  // 0.4843 with 1 slot, 0.5467 with 2, 0.6740 with 5; 0.5985 with 2 slots when only the items
  // shown fewer than E times in the main lists get users.
  it("ml-1m-resn: PSEI grows with the InvR slots per slate, and more when the pool is the items below E", async () => {
    const kernels = await loadKernels();
    const { train, test } = await loadTrainTest(`${DATA}ml-1m-resn`, { unknownInTest: "extend" });
    const model = new MatrixFactorization(kernels, { loss: "softmax", epochs: 5 });
    await model.fit(train);
    const embeddings = mfServingEmbeddings(model);
    const psei = (slots: number[], items?: Int32Array) => {
      const run = evaluateInverseRetrieval(model, embeddings, train, test!, {
        k: 20,
        topN: 100,
        slots,
        items,
        orderings: ["user-rank"],
        itemPopularity: model.itemCounts,
      });
      return { run, main: run.main.metrics["psei@20"], invr: run.orderings[0].evaluation.metrics["psei@20"] };
    };
    const one = psei([3]);
    const two = psei([3, 8]);
    const five = psei([3, 6, 9, 12, 15]);
    const base = two.main;
    assert.ok(one.invr > base && two.invr > one.invr && five.invr > two.invr, `PSEI ${base} → ${one.invr} (1 slot), ${two.invr} (2), ${five.invr} (5)`);
    assert.ok(five.invr - base >= 2 * (one.invr - base), `5 slots gain ${five.invr - base} against 1 slot's ${one.invr - base}`);
    // The pool: the items shown fewer than E = 5 times in the main lists (no impression is spent on an item already at E).
    const shown = new Int32Array(model.nItems);
    for (const item of two.run.mainLists.items) if (item >= 0) shown[item]++;
    const below = Int32Array.from({ length: model.nItems }, (_, i) => i).filter((i) => shown[i] < 5);
    const pool = psei([3, 8], below);
    assert.ok(pool.invr - base >= 1.2 * (two.invr - base), `PSEI ${base} → ${two.invr} (all items), ${pool.invr} (the ${below.length} items below E)`);
    embeddings.dispose();
    model.dispose();
  });
});

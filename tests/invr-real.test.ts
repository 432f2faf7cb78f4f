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
});

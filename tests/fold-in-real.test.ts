/**
 * Fold-in on real data: a training user's own training history, folded in as if it were an unseen
 * watchlist, must rank the user's held-out items far above the Most Popular shelf and close to the
 * user's trained vector. Skipped with a message when ../shared/data is absent.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { foldInRecalls } from "../bench/fold-in-regularization.js";
import { MatrixFactorization } from "../ts/mf/matrix-factorization.js";
import { randomHoldout } from "../ts/data/splits.js";
import { loadKernels, loadTrainTest } from "../ts/node.js";
import { Rng } from "../ts/util/rng.js";

const DATA = fileURLToPath(new URL("../../../shared/data/", import.meta.url));
const skip = existsSync(DATA) ? false : `shared data not found at ${DATA}`;

describe("fold-in on real data", { skip }, () => {
  it("ml-latest-small: fold-in of a user's training history beats Most Popular by 1.6× on Recall@20 and nearly matches the trained vector", async (t) => {
    const { train: all } = await loadTrainTest(`${DATA}ml-latest-small`);
    const { train, test } = randomHoldout(all, { testFraction: 0.2, rng: new Rng(7) });
    const model = new MatrixFactorization(await loadKernels(), { loss: "softmax", epochs: 5 });
    await model.fit(train);
    const {
      trained,
      mostPopular,
      foldIn: [{ recall: foldIn }],
    } = foldInRecalls(model, train, test, 20);
    const report = `Recall@20: fold-in ${foldIn.toFixed(4)}, trained vectors ${trained.toFixed(4)}, Most Popular ${mostPopular.toFixed(4)}`;
    t.diagnostic(report);
    assert.ok(foldIn >= 1.6 * mostPopular, report);
    assert.ok(foldIn >= 0.9 * trained, report);
    model.dispose();
  });
});

/**
 * Fold-in on real data: a training user's own training history, folded in as if it were an unseen
 * watchlist, must rank the user's held-out items far above the Most Popular shelf and close to the
 * user's trained vector. Skipped with a message when ../shared/data is absent.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { MatrixFactorization } from "../ts/model/matrix-factorization.js";
import { randomHoldout } from "../ts/data/splits.js";
import { loadKernels, loadTrainTest } from "../ts/node.js";
import { Rng } from "../ts/util/rng.js";

const DATA = fileURLToPath(new URL("../../../shared/data/", import.meta.url));
const skip = existsSync(DATA) ? false : `shared data not found at ${DATA}`;

describe("fold-in on real data", { skip }, () => {
  it("ml-latest-small: fold-in of a user's training history beats Most Popular by 1.6× on Recall@20 and nearly matches the trained vector", async (t) => {
    const kernels = await loadKernels();
    const { train: all } = await loadTrainTest(`${DATA}ml-latest-small`);
    const { train, test } = randomHoldout(all, { testFraction: 0.2, rng: new Rng(7) });
    const model = new MatrixFactorization(kernels, { loss: "softmax", epochs: 5 });
    await model.fit(train);
    const counts = model.itemCounts;
    const byPopularity = Array.from(counts.keys()).sort((a, b) => counts[b] - counts[a] || a - b);
    const k = 20;
    const recall = (picks: ArrayLike<number>, held: ReadonlySet<number>) => Array.from(picks).filter((i) => held.has(i)).length / held.size;
    const sums = { foldIn: 0, trained: 0, mostPopular: 0 };
    const users = test.usersWithInteractions();
    for (const u of users) {
      const history = train.byUser.indices.slice(train.byUser.indptr[u], train.byUser.indptr[u + 1]);
      const held = new Set(test.byUser.indices.subarray(test.byUser.indptr[u], test.byUser.indptr[u + 1]));
      const seen = new Set(history);
      sums.foldIn += recall(model.recommendForHistory(history, k).indices, held);
      sums.trained += recall(model.recommend(u, k).indices, held);
      sums.mostPopular += recall(byPopularity.filter((i) => !seen.has(i)).slice(0, k), held);
    }
    const [foldIn, trained, mostPopular] = [sums.foldIn, sums.trained, sums.mostPopular].map((s) => s / users.length);
    const report = `Recall@20: fold-in ${foldIn.toFixed(4)}, trained vectors ${trained.toFixed(4)}, Most Popular ${mostPopular.toFixed(4)}`;
    t.diagnostic(report);
    assert.ok(foldIn >= 1.6 * mostPopular, report);
    assert.ok(foldIn >= 0.9 * trained, report);
    model.dispose();
  });
});

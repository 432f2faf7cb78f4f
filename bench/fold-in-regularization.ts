/**
 * How well fold-in answers for a user it treats as unseen, by its regularisation λ: every test user
 * of a seeded per-user 80/20 holdout gets Recall@K of their held-out items from (a) their trained
 * vector, (b) fold-in on their own training items, one row per λ, and (c) the Most Popular shelf
 * (training items excluded everywhere). The README's "Watchlists and persona walls" quotes it.
 *
 *   node dist/bench/fold-in-regularization.js --data ../shared/data/ml-latest-small [--loss softmax] [--epochs 10] [--k 20] [--lambdas 0.01,0.1,1,10,100]
 */
import { parseArgs } from "node:util";
import type { Interactions } from "../ts/data/interactions.js";
import { randomHoldout } from "../ts/data/splits.js";
import { MatrixFactorization } from "../ts/mf/matrix-factorization.js";
import { loadKernels, loadTrainTest } from "../ts/node.js";
import type { LossName } from "../ts/mf/config.js";
import { Rng } from "../ts/util/rng.js";

export interface FoldInRecalls {
  readonly users: number;
  readonly trained: number;
  readonly mostPopular: number;
  readonly foldIn: ReadonlyArray<{ readonly regularization: number; readonly recall: number }>;
}

/** Mean Recall@k over the test users (see the file's comment); `regularizations` empty uses the model's default λ once. */
export function foldInRecalls(
  model: MatrixFactorization,
  train: Interactions,
  test: Interactions,
  k: number,
  regularizations: readonly (number | undefined)[] = [undefined],
): FoldInRecalls {
  const counts = model.itemCounts;
  const byPopularity = Array.from(counts.keys()).sort((a, b) => counts[b] - counts[a] || a - b);
  const recall = (picks: ArrayLike<number>, held: ReadonlySet<number>) => Array.from(picks).filter((i) => held.has(i)).length / held.size;
  const sums = { trained: 0, mostPopular: 0, foldIn: regularizations.map(() => 0) };
  const users = test.usersWithInteractions();
  for (const u of users) {
    const history = train.byUser.indices.slice(train.byUser.indptr[u], train.byUser.indptr[u + 1]);
    const held = new Set(test.byUser.indices.subarray(test.byUser.indptr[u], test.byUser.indptr[u + 1]));
    const seen = new Set(history);
    sums.trained += recall(model.recommend(u, k).indices, held);
    sums.mostPopular += recall(byPopularity.filter((i) => !seen.has(i)).slice(0, k), held);
    regularizations.forEach((regularization, r) => {
      sums.foldIn[r] += recall(model.recommendForHistory(history, k, regularization === undefined ? {} : { regularization }).indices, held);
    });
  }
  const n = Math.max(1, users.length);
  return {
    users: users.length,
    trained: sums.trained / n,
    mostPopular: sums.mostPopular / n,
    foldIn: regularizations.map((regularization, r) => ({ regularization: regularization ?? NaN, recall: sums.foldIn[r] / n })),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: "string" },
      loss: { type: "string", default: "softmax" },
      epochs: { type: "string", default: "10" },
      k: { type: "string", default: "20" },
      lambdas: { type: "string", default: "0.01,0.1,1,10,100" },
    },
  });
  if (!values.data) throw new Error("--data <ratings folder or file> is required");
  const { train: all } = await loadTrainTest(values.data);
  const { train, test } = randomHoldout(all, { testFraction: 0.2, rng: new Rng(7) });
  const model = new MatrixFactorization(await loadKernels(), { loss: values.loss as LossName, epochs: Number(values.epochs) });
  await model.fit(train);
  const k = Number(values.k);
  const result = foldInRecalls(model, train, test, k, values.lambdas.split(",").map(Number));
  console.log(`${values.loss}, ${values.epochs} epochs, ${result.users} test users, Recall@${k}:`);
  console.log(`  trained vectors  ${result.trained.toFixed(4)}`);
  for (const { regularization, recall } of result.foldIn) console.log(`  fold-in λ = ${String(regularization).padEnd(6)} ${recall.toFixed(4)}`);
  console.log(`  Most Popular     ${result.mostPopular.toFixed(4)}`);
  model.dispose();
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) await main();

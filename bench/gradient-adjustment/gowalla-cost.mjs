// Per-epoch training cost on Gowalla: plain MF-BPR vs the gradient-perspective adjustment
// (unit-norm users + Algorithm 1's accumulation), and unit-norm users alone; one process,
// configurations interleaved (forward, then backward order), 3 epochs each, default BPR settings.
// Also the time spent inside the accumulation itself (GradientAccumulator.recordPairs).
import { loadKernels, loadTrainTest, MatrixFactorization, randomHoldout, Rng, searchPopularityAlphas } from "../../dist/ts/node.js";
import { GradientAccumulator } from "../../dist/ts/mf/gradient-accumulator.js";
import { cpus, loadavg } from "node:os";
let recordMs = 0;
const original = GradientAccumulator.prototype.recordPairs;
GradientAccumulator.prototype.recordPairs = function (...args) {
  const t = performance.now();
  original.apply(this, args);
  recordMs += performance.now() - t;
};
const kernels = await loadKernels();
const loaded = await loadTrainTest(new URL("../../../shared/data/gowalla", import.meta.url).pathname);
// The split `longtail train --gradient-adjust` makes: 10% of each user's interactions for the α grid.
const { train, test: validation } = randomHoldout(loaded.train, { testFraction: 0.1, rng: new Rng(42 ^ 0x5eed) });
console.log(
  `gowalla: ${train.nUsers} users, ${train.nItems} items, ${train.nnz} interactions; ${cpus().length} cores, load ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}`,
);
const configs = {
  plain: { loss: "bpr" },
  "users unit-norm": { loss: "bpr", normalize: "users" },
  "gradient-adjust": { loss: "bpr", gradientAdjustment: true },
};
const epochs = Object.fromEntries(Object.keys(configs).map((k) => [k, []]));
for (const order of [Object.keys(configs), Object.keys(configs).reverse()]) {
  for (const name of order) {
    recordMs = 0;
    const model = new MatrixFactorization(kernels, { ...configs[name], epochs: 3, seed: 42 });
    const report = await model.fit(train);
    if (name === "gradient-adjust" && order[0] === "plain") {
      const raw = model.evaluate(loaded.train, loaded.test, { k: 20 }).metrics;
      const grid = searchPopularityAlphas(model, train, validation, { k: 20 });
      model.setPopularityAdjustment(grid);
      const adj = model.evaluate(loaded.train, loaded.test, { k: 20 }).metrics;
      console.log(
        `  α grid: ${grid.users} of ${grid.validationUsers} validation users, ${grid.grid.length} pairs in ${grid.seconds.toFixed(1)} s; best α1 ${grid.alphaItems}, α2 ${grid.alphaUsers}: validation recall@20 ${grid.recall.toFixed(4)} (raw ${grid.baselineRecall.toFixed(4)})`,
      );
      console.log(
        `  test (3 epochs): raw recall@20 ${raw["recall@20"].toFixed(4)} ndcg@20 ${raw["ndcg@20"].toFixed(4)}; adjusted recall@20 ${adj["recall@20"].toFixed(4)} ndcg@20 ${adj["ndcg@20"].toFixed(4)}`,
      );
    }
    const secs = report.epochs.map((e) => e.seconds);
    epochs[name].push(...secs);
    const total = secs.reduce((a, b) => a + b, 0);
    console.log(
      `${name.padEnd(16)} epochs ${secs.map((s) => s.toFixed(1)).join(" ")} s` +
        (recordMs ? `; accumulation ${(recordMs / 1000).toFixed(2)} s = ${((100 * recordMs) / 1000 / total).toFixed(1)}% of training` : "") +
        `; load ${loadavg()[0].toFixed(2)}`,
    );
    model.dispose();
  }
}
const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2;
};
const base = median(epochs.plain);
for (const [name, secs] of Object.entries(epochs))
  console.log(`${name.padEnd(16)} median epoch ${median(secs).toFixed(2)} s = ${(median(secs) / base).toFixed(3)}× plain (${secs.length} epochs)`);

// Ablations α1 = 0, α2 = 0 and head-mean directions on the trained --gradient-adjust model of
// ml-1m-resn: the same model and the same validation part as `longtail train` used (10% per user,
// Rng(seed ^ 0x5eed)); each row re-runs the grid with one α fixed (or other directions) and
// evaluates on test.txt with the full train.txt excluded, exactly as `longtail evaluate` does.
import { readFileSync } from "node:fs";
import {
  loadKernels,
  loadTrainTest,
  MatrixFactorization,
  decodeModelFile,
  randomHoldout,
  Rng,
  searchPopularityAlphas,
  evaluateRanking,
} from "../../dist/ts/node.js";
const kernels = await loadKernels();
const { train, test } = await loadTrainTest(new URL("../../../shared/data/ml-1m-resn", import.meta.url).pathname, { unknownInTest: "extend" });
const { train: fitPart, test: validation } = randomHoldout(train, { testFraction: 0.1, rng: new Rng(42 ^ 0x5eed) });
const model = MatrixFactorization.fromModelFile(kernels, decodeModelFile(readFileSync(process.argv[2] ?? "g.ltm")));
const show = (name, grid) => {
  const m = evaluateRanking(model, train, test, { k: 20 }).metrics;
  console.log(
    `${name.padEnd(34)} α1 ${String(model.config.alphaItems).padEnd(4)} α2 ${String(model.config.alphaUsers).padEnd(4)} recall@20 ${m["recall@20"].toFixed(4)} hr@20 ${m["hitrate@20"].toFixed(4)} ndcg@20 ${m["ndcg@20"].toFixed(4)}` +
      (grid ? ` (validation ${grid.recall.toFixed(4)} vs raw ${grid.baselineRecall.toFixed(4)}, grid ${grid.seconds.toFixed(1)} s)` : ""),
  );
};
show("as saved (grid, gradients)");
for (const [name, options] of [
  ["grid again (check)", {}],
  ["α1 = 0 (grid over α2)", { fixedAlphaItems: 0 }],
  ["α2 = 0 (grid over α1)", { fixedAlphaUsers: 0 }],
  ["head-mean directions (grid)", { source: "head-mean" }],
]) {
  const grid = searchPopularityAlphas(model, fitPart, validation, { k: 20, ...options });
  model.setPopularityAdjustment(grid);
  show(name, grid);
}
model.setPopularityAdjustment({ alphaItems: 0, alphaUsers: 0, source: "gradients" });
show("raw tables (unit-norm users only)");
for (const [a1, a2] of [
  [1, 0],
  [0, 1],
  [1, 1],
]) {
  model.setPopularityAdjustment({ alphaItems: a1, alphaUsers: a2, source: "gradients" });
  show(`fixed α (no grid)`);
}
model.dispose();

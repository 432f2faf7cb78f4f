// Exploratory (not the project's split): an item-balanced split of ml-1m-resn in the manner of
// Ren et al. (test and validation interactions drawn with equal probability per item: pick an item
// uniformly, then one of its remaining interactions), 10% test, 10% validation, the rest training.
// Plain MF-BPR vs the gradient-perspective adjustment (grid on the validation part), 10 epochs each.
import { loadKernels, loadTrainTest, MatrixFactorization, Interactions, Rng, searchPopularityAlphas, evaluateRanking } from "../../dist/ts/node.js";
const kernels = await loadKernels();
const { train, test } = await loadTrainTest(new URL("../../../shared/data/ml-1m-resn", import.meta.url).pathname, { unknownInTest: "extend" });
const users = [],
  items = [];
for (const part of [train, test]) {
  const p = part.byUser.indptr,
    ix = part.byUser.indices;
  for (let u = 0; u < part.nUsers; u++)
    for (let t = p[u]; t < p[u + 1]; t++) {
      users.push(u);
      items.push(ix[t]);
    }
}
const m = train.nItems;
const byItem = Array.from({ length: m }, () => []);
for (let k = 0; k < users.length; k++) byItem[items[k]].push(k);
const rng = new Rng(2024);
for (const list of byItem) rng.shuffle(list);
const role = new Uint8Array(users.length); // 0 train, 1 test, 2 validation
const target = Math.round(0.1 * users.length);
for (const [r, want] of [
  [1, target],
  [2, target],
]) {
  let got = 0;
  const open = byItem.map((_, i) => i).filter((i) => byItem[i].length > 1);
  while (got < want && open.length) {
    const at = rng.int(open.length);
    const list = byItem[open[at]];
    role[list.pop()] = r;
    got++;
    if (list.length <= 1) {
      open[at] = open[open.length - 1];
      open.pop();
    } // keep one training interaction per item
  }
}
const part = (r, name) =>
  Interactions.fromTriples(
    (function* () {
      for (let k = 0; k < users.length; k++) if (role[k] === r) yield [train.users.id(users[k]), train.items.id(items[k])];
    })(),
    { users: train.users, items: train.items, name },
  );
train.users.freeze();
train.items.freeze();
const [tr, te, va] = [part(0, "train"), part(1, "test"), part(2, "validation")];
console.log(`item-balanced split: train ${tr.nnz}, validation ${va.nnz}, test ${te.nnz} interactions`);
const row = (name, model, grid) => {
  const x = evaluateRanking(model, tr, te, { k: 20 }).metrics;
  console.log(
    `${name.padEnd(28)} recall@20 ${x["recall@20"].toFixed(4)} hr@20 ${x["hitrate@20"].toFixed(4)} ndcg@20 ${x["ndcg@20"].toFixed(4)}` +
      (grid
        ? ` (α1 ${grid.alphaItems}, α2 ${grid.alphaUsers}; validation ${grid.recall.toFixed(4)} vs raw ${grid.baselineRecall.toFixed(4)}; grid ${grid.seconds.toFixed(1)} s)`
        : ""),
  );
};
const plain = new MatrixFactorization(kernels, { loss: "bpr", epochs: 10 });
await plain.fit(tr);
row("plain MF-BPR", plain);
plain.dispose();
const method = new MatrixFactorization(kernels, { loss: "bpr", epochs: 10, gradientAdjustment: true });
await method.fit(tr);
row("raw (unit-norm users)", method);
for (const [name, options] of [
  ["method (grid)", {}],
  ["α1 = 0", { fixedAlphaItems: 0 }],
  ["α2 = 0", { fixedAlphaUsers: 0 }],
  ["head-mean directions", { source: "head-mean" }],
]) {
  const grid = searchPopularityAlphas(method, tr, va, { k: 20, ...options });
  method.setPopularityAdjustment(grid);
  row(name, method, grid);
}
method.dispose();

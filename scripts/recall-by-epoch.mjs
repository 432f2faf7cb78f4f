// Recall@20 of one MF training configuration after every E-th epoch, on a train/test folder: the
// script behind the "What was tried on Gowalla" table of docs/methods-and-metrics.md. Training
// time excludes the evaluations. Run after `npm run build`:
//   node scripts/recall-by-epoch.mjs ../shared/data/gowalla '{"loss":"ccl","epochs":5}' 5
import { loadKernels, loadTrainTest } from "../dist/ts/node.js";
import { MatrixFactorization } from "../dist/ts/mf/matrix-factorization.js";
import { evaluateRanking } from "../dist/ts/eval/evaluate.js";

const [data, configJson = "{}", everyArg = "5"] = process.argv.slice(2);
if (!data) {
  console.error("usage: node scripts/recall-by-epoch.mjs <train/test folder> '<MfConfig as JSON>' [evaluate every E epochs]");
  process.exit(2);
}
const every = Number(everyArg);
const kernels = await loadKernels();
// As the CLI reads a train/test folder: test ids missing from training join the catalog.
const { train, test } = await loadTrainTest(data, { unknownInTest: "extend" });
const model = new MatrixFactorization(kernels, JSON.parse(configJson));
const started = performance.now();
let evaluating = 0;
await model.fit(train, {
  onProgress: (p) => {
    if (p.phase !== "epoch" || (p.epoch % every !== 0 && p.epoch !== p.epochs)) return;
    const t = performance.now();
    const { metrics } = evaluateRanking(model, train, test, { k: 20 });
    evaluating += performance.now() - t;
    const trainSeconds = (performance.now() - started - evaluating) / 1000;
    console.log(JSON.stringify({ epoch: p.epoch, loss: p.loss, "recall@20": metrics["recall@20"], "ndcg@20": metrics["ndcg@20"], trainSeconds }));
  },
});
console.log(JSON.stringify({ config: model.config }));
kernels.dispose();

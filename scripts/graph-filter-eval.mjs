// Recall@20 / NDCG@20 of the graph filter on a train/test folder, with its options as JSON, and the
// seconds to fit and to evaluate. Run after `npm run build`:
//   node scripts/graph-filter-eval.mjs ../shared/data/gowalla '{"rank":448,"sharpening":0.6}'
import { loadKernels, loadTrainTest } from "../dist/ts/node.js";
import { GraphFilter } from "../dist/ts/graph-filter/graph-filter.js";
import { evaluateRanking } from "../dist/ts/eval/evaluate.js";

const [data, optionsJson = "{}"] = process.argv.slice(2);
if (!data) {
  console.error("usage: node scripts/graph-filter-eval.mjs <train/test folder> '<GraphFilterOptions as JSON>'");
  process.exit(2);
}
const kernels = await loadKernels();
const { train, test } = await loadTrainTest(data, { unknownInTest: "extend" });
let t = performance.now();
const model = GraphFilter.fit(kernels, train, JSON.parse(optionsJson));
const fitSeconds = (performance.now() - t) / 1000;
t = performance.now();
const { metrics } = evaluateRanking(model, train, test, { k: 20 });
const evaluateSeconds = (performance.now() - t) / 1000;
console.log(
  JSON.stringify({
    options: JSON.parse(optionsJson),
    rank: model.rank,
    "recall@20": metrics["recall@20"],
    "ndcg@20": metrics["ndcg@20"],
    fitSeconds,
    evaluateSeconds,
    threads: kernels.wasm.threads,
  }),
);
model.dispose();
kernels.dispose();

// Train, evaluate and recommend on your own data, in this thread. The folder holds train.txt + test.txt,
// as `longtail split` writes them:  node examples/node/train-evaluate.mjs ../shared/data/ml-1m-resn
import { loadKernels, loadTrainTest, MatrixFactorization } from "longtail";

const [folder] = process.argv.slice(2);
const kernels = await loadKernels(); // the fastest build WebAssembly.validate accepts, on every core
const { train, test } = await loadTrainTest(folder, { unknownInTest: "extend" });
if (!test) throw new Error(`${folder} has no test.txt: split the data first (longtail split)`);
const model = new MatrixFactorization(kernels, { loss: "softmax", epochs: 5 });
await model.fit(train, { onProgress: (p) => p.phase === "epoch" && console.error(`epoch ${p.epoch}: loss ${p.loss.toFixed(4)}`) });
const { metrics } = model.evaluate(train, test, { k: 20 });
console.log(JSON.stringify({ recall: metrics["recall@20"], ndcg: metrics["ndcg@20"], coverage: metrics["coverage@20"] }));
const user = train.users.ids()[0];
console.log(JSON.stringify({ user, items: model.recommend(user, 10).items }));
model.dispose(); // frees the model's wasm memory
kernels.dispose(); // ends the kernels' thread pool

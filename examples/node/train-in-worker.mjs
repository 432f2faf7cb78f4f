// Train, evaluate and recommend off the main thread (a worker_threads worker), then save the model:
//   node examples/node/train-in-worker.mjs examples/data/interactions.csv tiny.ltm
import { readFile, writeFile } from "node:fs/promises";
import { createEngine } from "longtail";

const [csvPath, outPath] = process.argv.slice(2);
const engine = await createEngine(); // a worker where one can be created, else this thread
console.error(`engine: ${engine.mode} (${engine.reason}), kernels: ${engine.variant}`);
const { train, test } = await engine.readInteractions(await readFile(csvPath), { fileName: csvPath, testFraction: 0.2, seed: 42 });
const model = await engine.train(train, { loss: "softmax", dim: 16, epochs: 10 }, {
  onProgress: (p) => p.phase === "epoch" && console.error(`epoch ${p.epoch}/${p.epochs} loss ${p.loss.toFixed(4)}`),
});
const { metrics } = await engine.evaluate(model, train, test, { k: 10 });
const top = await engine.recommend(model, "u001", 5);
console.log(JSON.stringify({ mode: engine.mode, recall: metrics["recall@10"], ndcg: metrics["ndcg@10"], top: top.items }));
await writeFile(outPath, await engine.saveModel(model)); // the model's bytes came back transferred, not copied
await engine.close();

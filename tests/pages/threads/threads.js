// The kernels' thread pool in a page (tests/threads-runtimes.test.ts): served cross-origin isolated,
// the page's own kernels and a worker engine run on 2 threads; served without the headers, both
// fall back to 1 thread and say why. The softmax model is the same on 1 and 2 threads.
import { createEngine, loadKernels, MatrixFactorization, readInteractions } from "longtail";

const bytes = new Uint8Array(await (await fetch("./data/interactions.csv")).arrayBuffer());
const train = await readInteractions(
  (async function* () {
    yield bytes;
  })(),
  { fileName: "interactions.csv" },
);
const result = { crossOriginIsolated: globalThis.crossOriginIsolated === true, page: {} };
for (const threads of [1, 2]) {
  const kernels = await loadKernels({ threads });
  const model = new MatrixFactorization(kernels, { loss: "softmax", dim: 16, epochs: 3, seed: 3 });
  await model.fit(train);
  result.page[threads] = {
    count: kernels.threads.count,
    reason: kernels.threads.reason,
    users: Array.from(model.userFactors.view),
    items: Array.from(model.itemFactors.view),
    top: model.recommend("u001", 10).items,
  };
  model.dispose();
  kernels.dispose();
}
const engine = await createEngine({ threads: 2 });
result.worker = { mode: engine.mode, count: engine.threads.count, reason: engine.threads.reason };
const handle = (await engine.readInteractions(bytes, { fileName: "interactions.csv" })).train;
const trained = await engine.train(handle, { loss: "softmax", dim: 16, epochs: 3, seed: 3 });
result.worker.top = (await engine.recommend(trained, "u001", 10)).items;
await engine.close();
globalThis.longtailThreads = result;

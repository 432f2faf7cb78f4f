// Recommend from a saved model in Node:  node examples/node/recommend.mjs model.ltm u001 u002
import { readFile } from "node:fs/promises";
import { decodeModelFile, loadKernels, MatrixFactorization } from "longtail";

const [modelPath, ...users] = process.argv.slice(2);
const kernels = await loadKernels(); // reads build/longtail.<relaxed|simd|scalar>.wasm from the package
const model = MatrixFactorization.fromModelFile(kernels, decodeModelFile(await readFile(modelPath), modelPath), modelPath);
for (const user of users) {
  console.log(JSON.stringify({ user, items: model.recommend(user, 10).items }));
}
model.dispose();

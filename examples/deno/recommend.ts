// Deno: train a tiny model in a Web Worker, then recommend from a saved model.
//   deno run --allow-read examples/deno/recommend.ts examples/data/interactions.csv model.ltm u001 u002
import { createEngine, decodeModelFile, loadKernels, MatrixFactorization } from "longtail";

/** Top-10 item ids per user from a saved model file, computed in this thread. */
export async function recommendFromFile(modelPath: string, users: string[]): Promise<Record<string, string[]>> {
  const kernels = await loadKernels(); // fetches the .wasm next to the package's code, compiled streaming
  const model = MatrixFactorization.fromModelFile(kernels, decodeModelFile(await Deno.readFile(modelPath), modelPath), modelPath);
  try {
    return Object.fromEntries(users.map((user) => [user, model.recommend(user, 10).items]));
  } finally {
    model.dispose();
  }
}

/** Train on a CSV in a Worker (the engine's default in Deno), evaluate on a 20% holdout, recommend. */
export async function trainInWorker(csvPath: string): Promise<{ mode: string; recall: number; top: string[] }> {
  const engine = await createEngine();
  try {
    const { train, test } = await engine.readInteractions(await Deno.readFile(csvPath), { fileName: csvPath, testFraction: 0.2, seed: 42 });
    const model = await engine.train(train, { loss: "softmax", dim: 16, epochs: 10 });
    const { metrics } = await engine.evaluate(model, train, test!, { k: 10 });
    return { mode: engine.mode, recall: metrics["recall@10"], top: (await engine.recommend(model, "u001", 5)).items };
  } finally {
    await engine.close();
  }
}

if (import.meta.main) {
  const [csvPath, modelPath, ...users] = Deno.args;
  console.log(JSON.stringify(await trainInWorker(csvPath)));
  console.log(JSON.stringify(await recommendFromFile(modelPath, users)));
}

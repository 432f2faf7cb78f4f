/**
 * Deno's part of the runtime tests, run by tests/runtimes.test.ts with the npm deno binary:
 * `deno test --allow-read --allow-write --allow-env --allow-run tests/deno/` with LONGTAIL_RUNTIME_FIXTURE
 * naming the folder that holds the saved model and Node's answers (expected.json).
 */
import assert from "node:assert/strict";
import { createEngine, detectCapabilities, workerUrl } from "longtail";
import { recommendFromFile, trainInWorker } from "../../examples/deno/recommend.ts";

const fixtureDir = Deno.env.get("LONGTAIL_RUNTIME_FIXTURE");
if (!fixtureDir) throw new Error("set LONGTAIL_RUNTIME_FIXTURE to a folder with model.ltm and expected.json (tests/runtimes.test.ts does)");
const modelPath = `${fixtureDir}/model.ltm`;
const { users, expected } = JSON.parse(await Deno.readTextFile(`${fixtureDir}/expected.json`)) as { users: string[]; expected: Record<string, string[]> };
const csvPath = new URL("../../examples/data/interactions.csv", import.meta.url).pathname;

Deno.test("'longtail' resolves to the Deno entry (web loader, not the Node one)", () => {
  assert.equal(detectCapabilities().runtime, "deno");
  assert.equal(typeof workerUrl, "function");
});

Deno.test("the README example gives Node's top-k from the saved model", async () => {
  const answers = await recommendFromFile(modelPath, users);
  assert.deepEqual(answers, expected);
  await Deno.writeTextFile(`${fixtureDir}/answers-deno.json`, JSON.stringify(answers));
});

Deno.test("the worker engine runs in a Deno Worker and gives the same top-k", async () => {
  const engine = await createEngine({ thread: "worker" });
  try {
    assert.equal(engine.mode, "worker");
    const bytes = await Deno.readFile(modelPath);
    const model = await engine.loadModel(bytes, modelPath);
    assert.equal(bytes.byteLength, 0, "the model's bytes were transferred to the worker, not copied");
    const lists = await engine.recommendMany(model, users, 10);
    assert.deepEqual(Object.fromEntries(users.map((u, n) => [u, lists[n].items])), expected);
    assert.ok(lists[0].scores instanceof Float32Array && lists[0].indices instanceof Int32Array);
  } finally {
    await engine.close();
  }
});

Deno.test("the README example trains a tiny model in a Worker, evaluates and recommends", async () => {
  const { mode, recall, top } = await trainInWorker(csvPath);
  assert.equal(mode, "worker");
  // 141 items: a random top-10 has expected Recall@10 of about 0.07.
  assert.ok(recall > 0.15, `Recall@10 ${recall}`);
  assert.equal(top.length, 5);
});

/**
 * The engine API in this thread and in a worker_threads worker (comlink): identical models and
 * answers, progress as throttled callbacks, bytes transferred instead of copied, errors that
 * cross the thread boundary with their message, and the kernel loader's sources.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import * as Comlink from "comlink";
import { createEngine, KernelUnavailableError, loadKernels, wasmPath, type RecommenderEngine, type TrainingProgress } from "../ts/node.js";
import { compileKernelModule } from "../ts/api/kernels.js";
import { TINY_CSV } from "./support/runtime-fixture.js";
import { serveStatic } from "./support/static-server.js";
import { WorkerHost } from "../ts/worker/worker-host.js";
import { TwoTower } from "../ts/two-tower/two-tower.js";
import { encodeModelFile } from "../ts/model/model-file.js";
import { evaluateModel } from "../ts/model/evaluate-model.js";
import { readInteractions } from "../ts/data/read.js";
import { randomHoldout } from "../ts/data/splits.js";
import { Rng } from "../ts/util/rng.js";

async function* oneChunk(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

const CONFIG = { loss: "bpr" as const, dim: 8, epochs: 3 };

async function withEngines(body: (worker: RecommenderEngine, inThread: RecommenderEngine) => Promise<void>): Promise<void> {
  const worker = await createEngine({ thread: "worker" });
  const inThread = await createEngine({ thread: "in-thread" });
  try {
    await body(worker, inThread);
  } finally {
    await worker.close();
    await inThread.close();
  }
}

describe("worker engine", () => {
  it("trains the same model byte for byte, and answers recommend and evaluate the same, in a worker and in this thread", async () => {
    await withEngines(async (worker, inThread) => {
      assert.equal(worker.mode, "worker");
      assert.match(worker.reason, /worker_threads/);
      assert.equal(inThread.mode, "in-thread");
      assert.equal(worker.variant, inThread.variant);
      const csv = readFileSync(TINY_CSV, "utf8");
      const results = [];
      for (const engine of [worker, inThread]) {
        const { train, test } = await engine.readInteractions(csv, { fileName: "interactions.csv", testFraction: 0.2, seed: 7 });
        assert.ok(test && train.nnz + test.nnz === 2290 && train.nUsers === 200 && train.nItems === 141);
        const model = await engine.train(train, CONFIG);
        assert.equal(model.report?.epochs.length, 3);
        const saved = await engine.saveModel(model);
        const top = await engine.recommend(model, "u001", 5);
        const evaluation = await engine.evaluate(model, train, test, { k: 10 });
        results.push({ saved, top, metrics: evaluation.metrics });
      }
      assert.deepEqual(results[0].saved, results[1].saved);
      assert.deepEqual(results[0].top, results[1].top);
      assert.deepEqual(results[0].metrics, results[1].metrics);
      assert.ok(results[0].top.scores instanceof Float32Array && results[0].top.indices instanceof Int32Array);
    });
  });

  it("answers a watch history by fold-in and gives the catalog's popularity, the same in a worker and in this thread", async () => {
    await withEngines(async (worker, inThread) => {
      const csv = readFileSync(TINY_CSV, "utf8");
      const answers = [];
      for (const engine of [worker, inThread]) {
        const { train } = await engine.readInteractions(csv, { fileName: "interactions.csv" });
        const model = await engine.train(train, CONFIG);
        const { items, counts } = await engine.itemPopularity(model);
        assert.equal(items.length, train.nItems);
        assert.ok(counts instanceof Int32Array && counts.length === train.nItems);
        assert.equal(
          counts.reduce((a, b) => a + b, 0),
          train.nnz,
          "the counts are the training interactions per item",
        );
        const history = [items[0]!, items[5]!, items[9]!];
        const wall = await engine.recommendForHistory(model, history, 8);
        assert.equal(wall.items.length, 8);
        assert.ok(
          wall.items.every((item) => !history.includes(item)),
          "the history's items never appear",
        );
        assert.deepEqual(
          wall.items,
          Array.from(wall.indices, (i) => items[i]),
        );
        await assert.rejects(engine.recommendForHistory(model, [items[0]!, "no-such-item"], 8), /history items not in the model: "no-such-item"/);
        await assert.rejects(engine.recommendForHistory(model, [], 8), /the history is empty/);
        answers.push({ wall, counts });
      }
      assert.deepEqual(answers[0], answers[1]);
    });
  });

  it("loads a two-tower model file and answers recommend, watchlists, similar items and evaluate as the model does", async () => {
    const kernels = await loadKernels();
    const data = await readInteractions(oneChunk(readFileSync(TINY_CSV)), { fileName: "interactions.csv" });
    const { train, test } = randomHoldout(data, { testFraction: 0.2, rng: new Rng(3) });
    const tower = new TwoTower(kernels, { dim: 8, epochs: 2, batchSize: 64 });
    await tower.fit(train);
    const bytes = encodeModelFile(tower.toModelFile());
    await withEngines(async (worker, inThread) => {
      const csv = readFileSync(TINY_CSV, "utf8");
      for (const engine of [worker, inThread]) {
        // A buffer the bytes fill is transferred to the worker (detached here): each engine gets its own copy.
        const model = await engine.loadModel(bytes.slice(), "tower.ltm");
        assert.deepEqual([model.nUsers, model.nItems, model.dim, model.loss], [tower.nUsers, tower.nItems, 8, tower.config.loss]);
        assert.deepEqual((await engine.recommend(model, "u001", 5)).items, tower.recommend("u001", 5).items);
        const history = [...tower.items.ids()].slice(0, 3);
        const wall = await engine.recommendForHistory(model, history, 6);
        assert.deepEqual(
          wall.items,
          tower.recommendForHistory(
            Int32Array.from(history, (id) => tower.items.index(id)!),
            6,
          ).items,
        );
        assert.deepEqual((await engine.similarItems(model, history[0]!, 4)).items, tower.similarItems(history[0]!, 4).items);
        // The engine's data sets are read with their own id maps; evaluation reads them through the model's.
        const parts = await engine.readInteractions(csv, { fileName: "interactions.csv", testFraction: 0.2, seed: 3 });
        const evaluation = await engine.evaluate(model, parts.train, parts.test!, { k: 10 });
        assert.deepEqual(evaluation.metrics, evaluateModel(tower, train, test, { k: 10 }).metrics);
        await engine.release(model);
      }
    });
    tower.dispose();
  });

  it("reports progress through a callback: every epoch, and batches no more often than progressIntervalMs", async () => {
    await withEngines(async (worker) => {
      const { train } = await worker.readInteractions(readFileSync(TINY_CSV, "utf8"), { fileName: "interactions.csv" });
      const everyBatch: TrainingProgress[] = [];
      await worker.train(train, CONFIG, { onProgress: (p) => everyBatch.push(p), progressIntervalMs: 0 });
      const epochsOnly: TrainingProgress[] = [];
      await worker.train(train, CONFIG, { onProgress: (p) => epochsOnly.push(p), progressIntervalMs: 1e12 });
      assert.deepEqual(
        epochsOnly.map((p) => [p.phase, p.epoch]),
        [
          ["epoch", 1],
          ["epoch", 2],
          ["epoch", 3],
        ],
      );
      assert.ok(everyBatch.filter((p) => p.phase === "batch").length >= 3, `${everyBatch.length} reports`);
      assert.equal(everyBatch.filter((p) => p.phase === "epoch").length, 3);
    });
  });

  it("resolves training in a worker only after every progress report has been answered, then releases the callback's proxy", async () => {
    // Reports travel on the callback proxy's own channel, in no order with the answer to train:
    // a report still in flight when train resolved was lost to the caller (seen once in CI).
    const host = new WorkerHost(loadKernels);
    await host.init();
    try {
      const { train } = await host.readInteractions(readFileSync(TINY_CSV, "utf8"), { fileName: "interactions.csv" });
      let answered = 0;
      let released = 0;
      const inFlight = Object.assign(
        (_: TrainingProgress) =>
          new Promise<void>((resolve) =>
            setTimeout(() => {
              answered += 1;
              resolve();
            }, 20),
          ),
        {
          [Comlink.releaseProxy]: () => {
            released += 1;
          },
        },
      );
      await host.train(train, CONFIG, { progressIntervalMs: 1e12 }, inFlight);
      assert.equal(answered, 3, "all three epoch reports were answered before train resolved");
      assert.equal(released, 1);
    } finally {
      host.dispose();
    }
  });

  it("transfers bytes that fill their buffer to the worker and copies views into larger buffers", async () => {
    await withEngines(async (worker) => {
      const { train } = await worker.readInteractions(readFileSync(TINY_CSV, "utf8"), { fileName: "interactions.csv" });
      const saved = await worker.saveModel(await worker.train(train, CONFIG));
      assert.equal(saved.byteOffset, 0);
      assert.equal(saved.byteLength, saved.buffer.byteLength, "the saved model came back as its own buffer");
      const owned = saved.slice();
      await worker.loadModel(owned);
      assert.equal(owned.byteLength, 0, "a buffer the view fills is moved, not copied");
      const inLarger = new Uint8Array(saved.byteLength + 16);
      inLarger.set(saved, 8);
      const view = inLarger.subarray(8, 8 + saved.byteLength);
      const loaded = await worker.loadModel(view);
      assert.equal(view.byteLength, saved.byteLength, "a view into a larger buffer is copied, the caller's buffer stays usable");
      assert.equal(loaded.nUsers, 200);
    });
  });

  it("passes errors from the worker with their message, and rejects unknown handles and options", async () => {
    await withEngines(async (worker, inThread) => {
      for (const engine of [worker, inThread]) {
        await assert.rejects(engine.readInteractions("user,item\nu1,i1\nu2\n", { fileName: "bad.csv" }), /bad\.csv:3/);
        const { train } = await engine.readInteractions(readFileSync(TINY_CSV, "utf8"), { fileName: "interactions.csv" });
        const model = await engine.train(train, CONFIG);
        await assert.rejects(engine.recommend(model, "ghost", 5), /user "ghost" is not in the model/);
        await assert.rejects(engine.train(train, { loss: "nonsense" as "bpr" }), /loss/);
        await engine.release(model);
        await assert.rejects(engine.recommend(model, "u001", 5), /no model model #\d+ in this engine: it was released/);
      }
      await assert.rejects(createEngine({ thread: "sideways" as "auto" }), /thread must be "auto", "worker" or "in-thread", got "sideways"/);
    });
  });

  it("frees every wasm allocation of the in-thread engine on release and close", async () => {
    const engine = await createEngine({ thread: "in-thread" });
    const wasm = (engine as unknown as { kernels: { wasm: { allocatedBytes: number } } }).kernels.wasm;
    const before = wasm.allocatedBytes;
    const { train } = await engine.readInteractions(readFileSync(TINY_CSV, "utf8"), { fileName: "interactions.csv" });
    const model = await engine.train(train, CONFIG);
    assert.ok(wasm.allocatedBytes > before);
    await engine.release(model);
    assert.equal(wasm.allocatedBytes, before);
    await engine.train(train, CONFIG);
    await engine.close();
    assert.equal(wasm.allocatedBytes, before);
  });

  it("fails to start with a clear error when the worker cannot load its kernels", async () => {
    await assert.rejects(createEngine({ thread: "worker", wasm: "file:///nonexistent/longtail.wasm" }), /ENOENT|no such file/);
  });
});

describe("kernel sources", () => {
  it("compiles a kernel build from a Module, bytes, a file: URL, an http URL (streaming) and a Response with another type", async () => {
    const bytes = new Uint8Array(readFileSync(wasmPath("simd")));
    const fromBytes = await compileKernelModule(bytes);
    assert.ok(WebAssembly.Module.exports(fromBytes).some((e) => e.name === "score_packed"));
    assert.equal(await compileKernelModule(fromBytes), fromBytes);
    const server = await serveStatic({ "/k.wasm": wasmPath("simd").pathname, "/k.bin": wasmPath("simd").pathname });
    try {
      for (const source of [`${server.origin}/k.wasm`, new URL("/k.bin", server.origin), await fetch(`${server.origin}/k.bin`)]) {
        const module = await compileKernelModule(source);
        assert.equal(WebAssembly.Module.exports(module).length, WebAssembly.Module.exports(fromBytes).length);
      }
      await assert.rejects(
        compileKernelModule(`${server.origin}/missing.wasm`),
        (e: Error) => e instanceof KernelUnavailableError && /HTTP 404/.test(e.message),
      );
    } finally {
      await server.close();
    }
    const engine = await createEngine({ thread: "in-thread", wasm: wasmPath("scalar"), variant: "scalar" });
    assert.equal(engine.variant, "scalar");
    await engine.close();
  });
});

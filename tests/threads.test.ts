import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Interactions } from "../ts/data/interactions.js";
import { randomHoldout } from "../ts/data/splits.js";
import type { Kernels } from "../ts/kernels/kernels.js";
import { KernelUnavailableError } from "../ts/kernels/capabilities.js";
import { ThreadPoolError } from "../ts/kernels/threads/thread-pool.js";
import { CONTROL, CONTROL_BLOCK_BYTES, THREAD_LAYOUT, THREAD_STATE } from "../ts/kernels/threads/control-block.js";
import { kernelThreadMain } from "../ts/kernels/threads/kernel-thread.js";
import { splitRows } from "../ts/kernels/threads/row-split.js";
import { evaluateRanking } from "../ts/eval/evaluate.js";
import { forEachRankedBlock, rankTopLists } from "../ts/eval/ranked-blocks.js";
import { MatrixFactorization } from "../ts/mf/matrix-factorization.js";
import { PopularityReranker } from "../ts/model/popularity-rerank.js";
import { loadKernels } from "../ts/node.js";
import { generateSyntheticWorld } from "../ts/synthetic/world.js";
import { worldToInteractions } from "../ts/synthetic/to-interactions.js";
import type { MfConfig } from "../ts/mf/config.js";
import { MIN_BATCHES_PER_THREAD } from "../ts/mf/pairwise-runner.js";
import { Rng } from "../ts/util/rng.js";
import { referencePoolRowsBackward } from "./reference/pooling.js";

const THREAD_COUNTS = [1, 2, 4] as const;
const kernelsByThreads = new Map<number, Kernels>();
let train: Interactions;
let test: Interactions;

before(async () => {
  for (const threads of THREAD_COUNTS) kernelsByThreads.set(threads, await loadKernels({ threads }));
  const world = generateSyntheticWorld({ seed: 11, nUsers: 700, nItems: 900 });
  ({ train, test } = randomHoldout(worldToInteractions(world), { testFraction: 0.2, rng: new Rng(11) }));
});
after(() => {
  for (const k of kernelsByThreads.values()) k.dispose();
});

async function trained(threads: number, config: Partial<MfConfig>): Promise<{ users: Float32Array; items: Float32Array; model: MatrixFactorization }> {
  const model = new MatrixFactorization(kernelsByThreads.get(threads)!, { dim: 24, epochs: 3, seed: 5, ...config });
  await model.fit(train);
  return { users: model.userFactors.view.slice(), items: model.itemFactors.view.slice(), model };
}

describe("the thread pool", () => {
  it("runs the kernels on the threads asked for, and says why when it runs on one", async () => {
    assert.equal(kernelsByThreads.get(4)!.threads.count, 4);
    assert.match(kernelsByThreads.get(4)!.threads.reason, /4 threads, as asked/);
    assert.equal(kernelsByThreads.get(1)!.threads.count, 1);
    assert.match(kernelsByThreads.get(1)!.threads.reason, /threads: 1/);
    const defaults = await loadKernels();
    assert.ok(defaults.threads.count >= 1 && /every core|one core/.test(defaults.threads.reason), defaults.threads.reason);
    defaults.dispose();
    await assert.rejects(loadKernels({ threads: 0 }), (e: Error) => e instanceof KernelUnavailableError && /whole number from 1 to 256/.test(e.message));
    await assert.rejects(loadKernels({ threads: 2.5 }), /whole number/);
  });

  it("splits rows into aligned ranges in order", () => {
    assert.deepEqual(splitRows(0, 4, 12), [[0, 0]]);
    assert.deepEqual(splitRows(10, 1, 12), [[0, 10]]);
    assert.deepEqual(splitRows(30, 2, 12), [
      [0, 24],
      [24, 6],
    ]);
    assert.deepEqual(splitRows(100, 4, 4), [
      [0, 28],
      [28, 28],
      [56, 28],
      [84, 16],
    ]);
    for (const [n, parts, align] of [
      [1000, 3, 12],
      [7, 4, 1],
      [48, 4, 12],
    ]) {
      const ranges = splitRows(n, parts, align);
      assert.ok(ranges.length <= parts);
      assert.equal(
        ranges.reduce((s, [, c]) => s + c, 0),
        n,
      );
      ranges.forEach(([start], i) => i > 0 && assert.equal(start % align, 0));
    }
  });

  it("reports a kernel that fails on a pool thread as an error that names the kernel and the thread", () => {
    const k = kernelsByThreads.get(2)!;
    const huge = 2 ** 31; // far past the end of memory: the kernel traps
    assert.throws(
      () =>
        k.runShares("l2_normalize_rows", [
          [8, 1, 4],
          [huge, 1000, 4],
        ]),
      (e: Error) => e instanceof ThreadPoolError && /l2_normalize_rows failed on pool thread 1: .*out of bounds/i.test(e.message),
    );
    // The pool still works afterwards.
    const rows = k.wasm.f32From([3, 4, 0, 6, 8, 0]);
    k.runShares("l2_normalize_rows", [
      [rows.ptr, 1, 3],
      [rows.ptr + 12, 1, 3],
    ]);
    assert.deepEqual(Array.from(rows.view), [0.6000000238418579, 0.800000011920929, 0, 0.6000000238418579, 0.800000011920929, 0]);
    rows.free();
  });

  it("ends its workers on dispose; the disposed kernels' pool refuses work", async () => {
    const k = await loadKernels({ threads: 2 });
    const pool = k.wasm.threadPool!;
    assert.ok(pool);
    k.dispose();
    assert.equal(k.wasm.threadPool, null);
    assert.throws(() => pool.run("l2_normalize_rows", [null, [0, 0, 1]]), /disposed/);
  });

  it("a thread that sat out a call runs only the ticket of the generation it sees, never the next call's ticket early", () => {
    // The thread body runs here, on this thread, against a control block of its own, so the race
    // is laid out step by step: the thread had no share in call G+1 and wakes to see it only after
    // the caller has written its ticket for call G+2 but not yet reset PENDING for that call.
    // Running that ticket then (as before the fix) left PENDING at -1, overwritten by the caller to
    // 1, and the caller waiting for ever (tests/threads.test.ts hung in CI).
    const k = kernelsByThreads.get(2)!;
    const e = k.wasm;
    // The pool's own build: its instances all share the one memory (and its data segments).
    const module = new WebAssembly.Module(readFileSync(new URL(`../../build/longtail.${e.variant}.threads.wasm`, import.meta.url)));
    const control = e.exports.alloc(CONTROL_BLOCK_BYTES);
    const row = e.f32From([3, 4, 0]);
    try {
      new Uint8Array(e.memory.buffer, control, CONTROL_BLOCK_BYTES).fill(0);
      const ints = new Int32Array(e.memory.buffer, control, CONTROL.INT_SLOTS);
      const doubles = new Float64Array(e.memory.buffer, control + THREAD_LAYOUT.ARGS_BYTE_OFFSET, CONTROL.MAX_THREADS * CONTROL.ARG_STRIDE);
      const names = Object.keys(e.exports).filter((name) => typeof (e.exports as unknown as Record<string, unknown>)[name] === "function");
      let listener: (message: unknown) => void = () => {};
      const port = { onMessage: (l: (message: unknown) => void) => (listener = l), post: () => {}, close: () => {} };
      kernelThreadMain(port);
      // Starts, watches the generation (still 0), and parks after its quiet spell: back here.
      listener({ type: "init", module, memory: e.memory, control, index: 1, names, layout: THREAD_LAYOUT });
      assert.equal(ints[CONTROL.STATE + 1], THREAD_STATE.PARKED);
      const g = 7;
      Atomics.store(ints, CONTROL.TASK, names.indexOf("l2_normalize_rows"));
      doubles.set([3, row.ptr, 1, 3], CONTROL.ARG_STRIDE);
      Atomics.store(ints, CONTROL.TICKET + 1, g + 1); // call G+1's ticket, written before its generation
      Atomics.store(ints, CONTROL.GENERATION, g); // call G (no share for thread 1) is what the thread sees
      listener({ type: "wake" });
      assert.deepEqual(Array.from(row.view), [3, 4, 0], "the thread ran call G+1's share while it saw generation G");
      assert.equal(ints[CONTROL.PENDING], 0);
      Atomics.store(ints, CONTROL.PENDING, 1);
      Atomics.store(ints, CONTROL.GENERATION, g + 1);
      listener({ type: "wake" });
      assert.deepEqual(Array.from(row.view), [0.6000000238418579, 0.800000011920929, 0], "the thread ran its share once it saw its generation");
      assert.equal(ints[CONTROL.PENDING], 0);
      assert.equal(ints[CONTROL.ERROR + 1], 0);
    } finally {
      row.free();
      e.exports.free(control);
    }
  });
});

describe("threads: deterministic paths give identical results on 1, 2 and 4 threads", () => {
  it("full-softmax, sampled-softmax and contrastive training (rows partitioned, no races)", async () => {
    for (const config of [
      { loss: "softmax" },
      { loss: "sampled-softmax", negatives: 64, batchSize: 100, adamUpdates: "lazy" },
      { loss: "sampled-softmax", sampling: "users" },
      { loss: "ccl", negatives: 64, batchSize: 100, margin: 0.3 },
      { loss: "sampled-softmax", negatives: 64, batchSize: 100, adamUpdates: "dense" },
      { loss: "sampled-softmax", negatives: 64, batchSize: 100, historyWeight: 0.5 },
    ] as Partial<MfConfig>[]) {
      const runs = [];
      for (const threads of THREAD_COUNTS) {
        const r = await trained(threads, config);
        r.model.dispose();
        runs.push(r);
      }
      for (const r of runs.slice(1)) {
        const what = `${config.loss}${config.sampling ? " " + config.sampling : ""}${config.adamUpdates ? " " + config.adamUpdates + " Adam" : ""}${config.historyWeight ? " history tower" : ""}`;
        assert.deepEqual(r.users, runs[0].users, `${what}: user table`);
        assert.deepEqual(r.items, runs[0].items, `${what}: item table`);
      }
    }
  });

  it("evaluation, ranking every user (fused and unfused), and re-ranked lists", async () => {
    const { model: m1 } = await trained(1, { loss: "softmax" });
    const tables = { users: m1.userFactors.view.slice(), items: m1.itemFactors.view.slice() };
    const users = Int32Array.from({ length: train.nUsers }, (_, u) => u);
    const results = [];
    for (const threads of THREAD_COUNTS) {
      const k = kernelsByThreads.get(threads)!;
      const m = threads === 1 ? m1 : new MatrixFactorization(k, m1.config);
      if (threads !== 1) {
        await m.fit(train);
        m.userFactors.view.set(tables.users);
        m.itemFactors.view.set(tables.items);
        m.invalidatePacked();
      }
      const unfused: number[] = [];
      forEachRankedBlock(m, train, users, 10, { blockUsers: 37 }, ({ n, kk, topIndices }) => unfused.push(...topIndices.view.subarray(0, n * kk)));
      const reranker = new PopularityReranker(m, m.itemCounts, 0.05);
      results.push({
        metrics: evaluateRanking(m, train, test, { k: 10 }).metrics,
        fused: Array.from(rankTopLists(m, train, users, 10)),
        unfused,
        reranked: Array.from(rankTopLists(reranker, train, users, 10)),
      });
      reranker.dispose();
      m.dispose();
    }
    assert.deepEqual(results[0].fused, results[0].unfused, "score_topk gives exactly the lists of score_packed + topk_rows");
    for (const r of results.slice(1)) assert.deepEqual(r, results[0]);
  });

  it("transpose (split by the destination's rows) writes srcᵀ on every thread count", () => {
    const rng = new Rng(22);
    const [rows, cols] = [1500, 700];
    const src = Float32Array.from({ length: rows * cols }, () => rng.next());
    for (const threads of THREAD_COUNTS) {
      const e = kernelsByThreads.get(threads)!.wasm;
      const [s, d] = [e.f32From(src), e.f32(rows * cols)];
      try {
        kernelsByThreads.get(threads)!.transpose(s, rows, cols, d);
        const out = d.view;
        for (let r = 0; r < rows; r += 7) for (let c = 0; c < cols; c++) assert.equal(out[c * rows + r], src[r * cols + c], `${threads} threads [${r}, ${c}]`);
        for (let c = 0; c < cols; c++) assert.equal(out[c * rows + rows - 1], src[(rows - 1) * cols + c], `${threads} threads, last row, column ${c}`);
      } finally {
        s.free();
        d.free();
      }
    }
  });

  it("pooling and its backward pass (split by contexts and by table rows) give the same bits on every thread count", () => {
    // Large enough that both kernels split across 4 threads: 400 contexts of up to 60 random rows of 32.
    const rng = new Rng(21);
    const [tableRows, d, nRows, usedRows] = [3000, 32, 400, 1000];
    const offsets = new Int32Array(nRows + 1);
    for (let r = 0; r < nRows; r++) offsets[r + 1] = offsets[r] + rng.int(61);
    const entries = offsets[nRows];
    // Indices in the first usedRows rows only, as a step's slots are, so the backward pass is told tableRows = usedRows.
    const indices = Int32Array.from({ length: entries }, () => rng.int(usedRows));
    const weights = Float32Array.from({ length: entries }, () => (rng.next() < 0.1 ? 0 : 0.1 + rng.next()));
    const table = Float32Array.from({ length: tableRows * d }, () => rng.next() - 0.5);
    const gradOut = Float32Array.from({ length: nRows * d }, () => rng.next() - 0.5);
    const results: Array<{ pooled: Float32Array; grad: Float32Array }> = [];
    for (const threads of THREAD_COUNTS) {
      const k = kernelsByThreads.get(threads)!;
      const e = k.wasm;
      const [t, off, idx, w, out, g, go] = [
        e.f32From(table),
        e.i32From(offsets),
        e.i32From(indices),
        e.f32From(weights),
        e.f32(nRows * d),
        e.f32(tableRows * d),
        e.f32From(gradOut),
      ];
      try {
        g.view.fill(0);
        k.poolRows(t, d, off, idx, w, nRows, out);
        k.poolRowsBackward(g, d, off, idx, w, nRows, go, usedRows);
        results.push({ pooled: out.view.slice(), grad: g.view.slice() });
      } finally {
        for (const a of [t, off, idx, w, out, g, go]) a.free();
      }
    }
    const expected = referencePoolRowsBackward(new Float32Array(tableRows * d), d, offsets, indices, weights, nRows, gradOut);
    for (let x = 0; x < expected.length; x++)
      assert.ok(Math.abs(results[0].grad[x] - expected[x]) < 1e-4, `backward [${x}]: ${results[0].grad[x]} vs ${expected[x]}`);
    for (const [i, r] of results.entries()) {
      assert.deepEqual(r.pooled, results[0].pooled, `poolRows on ${THREAD_COUNTS[i]} threads`);
      assert.deepEqual(r.grad, results[0].grad, `poolRowsBackward on ${THREAD_COUNTS[i]} threads`);
    }
  });
});

describe("threads: BPR and BCE", () => {
  it("one thread: the same seed gives the same model, byte for byte, run after run", async () => {
    for (const loss of ["bpr", "bce"] as const) {
      const a = await trained(1, { loss, batchSize: 16 });
      const b = await trained(1, { loss, batchSize: 16 });
      a.model.dispose();
      b.model.dispose();
      assert.deepEqual(a.users, b.users, loss);
      assert.deepEqual(a.items, b.items, loss);
    }
  });

  it(`Hogwild on ${THREAD_COUNTS.at(-1)} threads (data of at least ${MIN_BATCHES_PER_THREAD} batches per thread) learns as well as one thread`, async () => {
    const batchSize = Math.floor(train.nnz / (MIN_BATCHES_PER_THREAD * 4));
    const recall = async (threads: number) => {
      const { model } = await trained(threads, { loss: "bpr", batchSize, epochs: 8, learningRate: 0.01 });
      const r = evaluateRanking(model, train, test, { k: 10 }).metrics["recall@10"];
      model.dispose();
      return r;
    };
    const [one, four] = [await recall(1), await recall(4)];
    assert.ok(one > 0.05, `one thread learns (recall@10 ${one})`);
    assert.ok(Math.abs(four - one) <= 0.1 * one, `4 threads: recall@10 ${four} within 10% of one thread's ${one}`);
  });
});

/**
 * The parts of the WebGPU path that need no GPU: the backend rule (`auto` / `wasm` / `webgpu`)
 * against fake GPU entry points that have no adapter or fail, software-adapter detection, the
 * catalog's split across buffers, and the wasm top-k provider (the reference the GPU cases compare
 * with) against a plain f64 top-k.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createTopKProvider, AUTO_WEBGPU_MIN_ITEMS } from "../ts/serving/backend.js";
import { describeAdapterInfo } from "../ts/serving/adapter.js";
import { planCatalog } from "../ts/serving/catalog-layout.js";
import { GpuUnavailableError } from "../ts/serving/errors.js";
import { recommendAllUsers } from "../ts/serving/recommend-all.js";
import { WasmTopK } from "../ts/serving/wasm-top-k.js";
import { recommendForAllUsers } from "../ts/serving/mf-serving.js";
import { listCapacity } from "../ts/serving/wgsl/thread-top-k.js";
import { MatrixFactorization } from "../ts/mf/matrix-factorization.js";
import type { ServingTables } from "../ts/serving/top-k-provider.js";
import { loadKernels } from "../ts/node.js";
import { randomTables } from "./support/webgpu-cases.js";
import { webgpuRequired } from "./support/webgpu-runner.js";
import { tinyParts } from "./support/tiny-data.js";

const kernels = await loadKernels();

/** Plain f64 top-k: score desc, then lower index; excluded and non-finite-below scores left out. */
function referenceTopK(t: ServingTables, u: number, k: number): number[] {
  const excluded = new Set(t.exclude ? t.exclude.indices.subarray(t.exclude.indptr[u], t.exclude.indptr[u + 1]) : []);
  const scored: { i: number; s: number }[] = [];
  for (let i = 0; i < t.nItems; i++) {
    if (excluded.has(i)) continue;
    let s = 0;
    for (let c = 0; c < t.dim; c++) s += t.users[u * t.dim + c] * t.items[i * t.dim + c];
    if (s > -Infinity) scored.push({ i, s });
  }
  scored.sort((a, b) => b.s - a.s || a.i - b.i);
  return scored.slice(0, k).map((x) => x.i);
}

const noAdapter = { requestAdapter: async () => null } as unknown as GPU;
const failingAdapter = {
  requestAdapter: async () => {
    throw new Error("driver exploded");
  },
} as unknown as GPU;
const failingDevice = {
  requestAdapter: async () => ({
    info: { vendor: "nvidia", architecture: "hopper", device: "", description: "NVIDIA H100" },
    limits: { maxStorageBufferBindingSize: 1 << 30, maxBufferSize: 1 << 30 },
    requestDevice: async () => {
      throw new Error("out of device memory");
    },
  }),
} as unknown as GPU;

describe("WebGPU backend selection without a GPU", () => {
  const t = randomTables(1, 12, 300, 6);

  it("wasm is chosen when asked, and auto below the catalog threshold, without touching the GPU entry point", async () => {
    for (const options of [{ backend: "wasm" as const }, { backend: "auto" as const }]) {
      const p = await createTopKProvider(kernels, t, { ...options, gpu: failingAdapter });
      assert.equal(p.backend, "wasm");
      assert.match(p.selection.reason, options.backend === "wasm" ? /requested/ : new RegExp(`below ${AUTO_WEBGPU_MIN_ITEMS}`));
      p.dispose();
    }
  });

  it("auto falls back to wasm when there is no navigator.gpu, no adapter, or the adapter or device request fails", async () => {
    const cases: [GPU | null, RegExp][] = [
      [null, /no navigator\.gpu/],
      [noAdapter, /no WebGPU adapter/],
      [failingAdapter, /requesting a WebGPU adapter failed: driver exploded/],
      [failingDevice, /requesting a WebGPU device on "nvidia \/ hopper \/ NVIDIA H100" failed: out of device memory/],
    ];
    for (const [gpu, reason] of cases) {
      const p = await createTopKProvider(kernels, t, { backend: "auto", autoMinItems: 0, gpu });
      assert.equal(p.backend, "wasm");
      assert.match(p.selection.reason, reason);
      const users = Int32Array.from({ length: 12 }, (_, u) => u);
      const lists = await p.topK(users, 5);
      for (let u = 0; u < 12; u++) assert.deepEqual(Array.from(lists.indices.subarray(u * 5, u * 5 + 5)), referenceTopK(t, u, 5));
      p.dispose();
    }
  });

  it("webgpu insists: the same failures are GpuUnavailableErrors that say what is missing", async () => {
    await assert.rejects(
      createTopKProvider(kernels, t, { backend: "webgpu", gpu: null }),
      (e: Error) => e instanceof GpuUnavailableError && /pass options\.gpu from the npm package `webgpu`/.test(e.message),
    );
    await assert.rejects(createTopKProvider(kernels, t, { backend: "webgpu", gpu: noAdapter }), GpuUnavailableError);
    await assert.rejects(createTopKProvider(kernels, t, { backend: "webgpu", gpu: failingDevice }), /out of device memory/);
    await assert.rejects(createTopKProvider(kernels, t, { backend: "gpu" as never }), /backend must be one of auto, wasm, webgpu, got "gpu"/);
  });

  it("software adapters are recognised by the fallback flag, a CPU adapter type or a known renderer name", () => {
    assert.equal(describeAdapterInfo({ vendor: "65541", device: "0", description: "llvmpipe (LLVM 15.0.6, 256 bits)" }).software, true);
    assert.equal(describeAdapterInfo({ device: "llvmpipe-llvm-15-0-6-256-bits-", description: "OpenGL ES 3.2 Mesa 22.3.6" }).software, true);
    assert.equal(describeAdapterInfo({ vendor: "google", architecture: "swiftshader", description: "SwiftShader Device (Subzero)" }).software, true);
    assert.equal(describeAdapterInfo({ vendor: "microsoft", description: "Microsoft Basic Render Driver" }).software, true);
    assert.equal(describeAdapterInfo({ vendor: "x", description: "y" }, true).software, true);
    assert.equal(describeAdapterInfo({ vendor: "x", adapterType: "CPU" }).software, true);
    const h100 = describeAdapterInfo({ vendor: "nvidia", architecture: "hopper", description: "NVIDIA H100 80GB HBM3" });
    assert.deepEqual(h100, { name: "nvidia / hopper / NVIDIA H100 80GB HBM3", software: false });
    assert.equal(describeAdapterInfo({ vendor: "apple", architecture: "metal-3" }).software, false);
    assert.equal(describeAdapterInfo({}).name, "unnamed adapter");
  });

  it("LONGTAIL_REQUIRE_WEBGPU takes 0/1 (and words); anything else is an error", () => {
    assert.equal(webgpuRequired(undefined), false);
    assert.equal(webgpuRequired("0"), false);
    assert.equal(webgpuRequired("1"), true);
    assert.equal(webgpuRequired("yes"), true);
    assert.throws(() => webgpuRequired("maybe"), /must be 0 or 1, got "maybe"/);
  });
});

describe("catalog layout across storage buffers", () => {
  const base = { dim: 64, maxExcluded: 100, blockUsers: 256, windowItems: 65_536, maxWorkgroupsPerDimension: 65_535 };

  it("10M items of d = 64 at a 128 MiB binding: 20 buffers of whole windows, every item in exactly one window", () => {
    const l = planCatalog({ ...base, nItems: 10_000_000, maxBindingBytes: 128 << 20 });
    // 128 MiB / 256 B = 524,288 rows; 256 users × 65,536 scores × 4 B = 64 MiB fits.
    assert.equal(l.windowItems, 65_536);
    assert.equal(l.itemsPerBuffer, 524_288);
    assert.equal(l.buffers.length, Math.ceil(10_000_000 / 524_288));
    assert.equal(l.catalogBytes, 10_000_000 * 64 * 4);
    let next = 0;
    for (const w of l.windows) {
      assert.equal(w.firstItem, next);
      assert.equal(w.firstItem, l.buffers[w.buffer].firstItem + w.itemRow);
      assert.ok(w.itemRow + w.items <= l.buffers[w.buffer].items);
      next += w.items;
    }
    assert.equal(next, 10_000_000);
  });

  it("small bindings shrink the block and the window; sizes that divide nothing still cover the catalog", () => {
    const l = planCatalog({ ...base, dim: 17, nItems: 1001, maxExcluded: 3, maxBindingBytes: 4000 });
    // 4000 B: 58 rows of 17 floats; pairs of 3 exclusions need 24 B a user; scores 4000 / 4 / users.
    assert.equal(l.blockUsers, 58);
    assert.equal(l.windowItems, 17);
    assert.equal(l.itemsPerBuffer, 51);
    assert.equal(
      l.windows.reduce((s, w) => s + w.items, 0),
      1001,
    );
    assert.equal(planCatalog({ ...base, nItems: 0, maxBindingBytes: 1 << 20 }).windows.length, 0);
  });

  it("refuses what cannot fit: a row or a user's exclusions larger than a binding", () => {
    assert.throws(
      () => planCatalog({ ...base, nItems: 10, maxBindingBytes: 100 }),
      /one item of 64 floats \(256 bytes\) is larger than a storage binding \(100 bytes\)/,
    );
    assert.throws(() => planCatalog({ ...base, nItems: 10, maxExcluded: 1000, maxBindingBytes: 4096 }), /a user with 1000 excluded items does not fit/);
  });

  it("list capacity: the next power of two from 16, at most 256", () => {
    assert.deepEqual([1, 16, 17, 100, 256].map(listCapacity), [16, 16, 32, 128, 256]);
    assert.throws(() => listCapacity(257), /at most 256 items per list, got k = 257/);
  });
});

describe("wasm top-k provider", () => {
  it("matches a plain f64 top-k over packed chunks that split the catalog (m not a multiple of the chunk, d = 1, k > m)", async () => {
    for (const [n, m, d, k, chunk] of [
      [9, 1000, 8, 10, 96],
      [5, 37, 1, 50, 8],
      [3, 64, 5, 4, 64],
      [4, 10, 3, 3, 1],
    ] as const) {
      const t = randomTables(n * m + d, n, m, d);
      const p = new WasmTopK(kernels, t, { wasmChunkItems: chunk, wasmBlockUsers: 2 });
      const before = kernels.wasm.allocatedBytes;
      const users = Int32Array.from({ length: n }, (_, u) => u);
      const lists = await p.topK(users, k);
      assert.equal(kernels.wasm.allocatedBytes, before, "topK frees its working memory");
      for (let u = 0; u < n; u++) {
        const want = referenceTopK(t, u, k);
        const got = Array.from(lists.indices.subarray(u * k, u * k + k));
        assert.deepEqual(got.slice(0, want.length), want, `n=${n} m=${m} d=${d} k=${k}: user ${u}`);
        assert.ok(got.slice(want.length).every((i) => i === -1));
      }
      assert.equal(p.memory().catalogBuffers, Math.ceil(m / chunk));
      p.dispose();
    }
  });

  it("bad tables and calls after dispose are errors that say what is wrong", async () => {
    const t = randomTables(11, 3, 20, 4);
    const bad = (change: Partial<ServingTables>) => () => new WasmTopK(kernels, { ...t, ...change });
    assert.throws(
      bad({ exclude: { indptr: Int32Array.of(0, 1, 2, 3), indices: Int32Array.of(4, 20, 1) } }),
      /excluded item 20 at position 1 is outside \[0, 20\)/,
    );
    assert.throws(bad({ exclude: { indptr: Int32Array.of(0, 2, 1, 3), indices: Int32Array.of(1, 2, 3) } }), /offsets decrease at user 1/);
    assert.throws(bad({ items: new Float32Array(79) }), /items holds 79 floats, expected 20 × 4/);
    assert.throws(bad({ dim: 0, users: new Float32Array(0), items: new Float32Array(0) }), /dim must be positive/);
    const p = new WasmTopK(kernels, t);
    p.dispose();
    await assert.rejects(p.topK(Int32Array.of(0), 2), /disposed/);
  });

  it("recommendAllUsers walks every user in calls of usersPerCall and reports progress; bad k and users are errors", async () => {
    const t = randomTables(7, 23, 50, 4);
    const p = new WasmTopK(kernels, t);
    const progress: number[] = [];
    const all = await recommendAllUsers(p, { k: 3, usersPerCall: 10, onProgress: (done) => progress.push(done) });
    assert.deepEqual(progress, [10, 20, 23]);
    assert.equal(all.backend, "wasm");
    for (let u = 0; u < 23; u++) assert.deepEqual(Array.from(all.indices.subarray(u * 3, u * 3 + 3)), referenceTopK(t, u, 3));
    await assert.rejects(recommendAllUsers(p, { k: 0 }), /k must be a positive integer, got 0/);
    await assert.rejects(recommendAllUsers(p, { users: Int32Array.of(3, 23) }), /user index 23 at position 1 is outside \[0, 23\)/);
    p.dispose();
  });

  it("recommendForAllUsers on a model equals model.recommend for every user, and frees what it allocated", async () => {
    const model = new MatrixFactorization(kernels, { loss: "bpr", epochs: 2, dim: 8, seed: 3 });
    const pairs: [number, number][] = [];
    for (let u = 0; u < 6; u++) for (let i = 0; i < 12; i++) if ((u * 5 + i * 3) % 4 === 0) pairs.push([u, i]);
    await model.fit(tinyParts(6, 12, pairs, []).train);
    const before = kernels.wasm.allocatedBytes;
    const all = await recommendForAllUsers(model, { k: 4, backend: "auto" });
    assert.equal(kernels.wasm.allocatedBytes, before);
    assert.equal(all.selection.backend, "wasm");
    assert.ok(all.memory.catalogBytes > 0 && all.memory.totalBytes >= all.memory.catalogBytes);
    for (let u = 0; u < model.nUsers; u++) {
      const rec = model.recommend(u, 4);
      assert.deepEqual(Array.from(all.indices.subarray(u * 4, u * 4 + rec.indices.length)), Array.from(rec.indices));
    }
    model.dispose();
  });
});

/// <reference types="@webgpu/types" />
/**
 * The WebGPU path's correctness cases, runtime-neutral so that the same cases run under Deno
 * (navigator.gpu on Mesa lavapipe: tests/webgpu-deno/webgpu-lavapipe.ts) and Node (Dawn's OpenGL ES
 * backend: tests/webgpu-dawn.test.ts). The wasm kernels are the reference: GPU scores must be
 * within 1e-5 of them relative to the size of the dot product's terms (Σ|u_t·q_t|, which bounds
 * the rounding error of any summation order), and the top-k lists must hold the same items.
 */
import type { Interactions } from "../../ts/data/interactions.js";
import type { Kernels } from "../../ts/kernels/kernels.js";
import { createTopKProvider, type SelectedTopK, type TopKProviderOptions } from "../../ts/serving/backend.js";
import { GpuUnavailableError } from "../../ts/serving/errors.js";
import { mfServingTables, recommendForAllUsers } from "../../ts/serving/mf-serving.js";
import type { ServingTables, TopKLists } from "../../ts/serving/top-k-provider.js";
import { WasmTopK } from "../../ts/serving/wasm-top-k.js";
import { WebGpuTopK } from "../../ts/serving/webgpu-top-k.js";
import { MatrixFactorization } from "../../ts/mf/matrix-factorization.js";
import { Rng } from "../../ts/util/rng.js";

export const SCORE_TOLERANCE = 1e-5;

/** Environment variable that makes a missing WebGPU adapter a failure instead of a loud skip (set by CI). */
export const REQUIRE_WEBGPU_ENV = "LONGTAIL_REQUIRE_WEBGPU";

export interface GpuTestContext {
  kernels: Kernels;
  gpu: GPU;
  /** What requestAdapter needs on this runtime (Dawn's GLES backend: featureLevel "compatibility"). */
  adapterOptions?: GPURequestAdapterOptions;
  /** The training part of a ../shared/data folder, or null when the data is not there. */
  loadTrain(name: string): Promise<Interactions | null>;
  /** Says why a case did not run (data absent). */
  note(message: string): void;
}

export interface GpuCase {
  name: string;
  run(ctx: GpuTestContext): Promise<void>;
}

function check(ok: boolean, message: string): asserts ok {
  if (!ok) throw new Error(message);
}

/** Gaussian tables with a few training items per user (some users none), seeded. */
export function randomTables(seed: number, nUsers: number, nItems: number, dim: number, maxExcluded = 6): ServingTables {
  const rng = new Rng(seed);
  const users = Float32Array.from({ length: nUsers * dim }, () => rng.normal());
  const items = Float32Array.from({ length: nItems * dim }, () => rng.normal());
  const indptr = new Int32Array(nUsers + 1);
  const indices: number[] = [];
  for (let u = 0; u < nUsers; u++) {
    const seen = new Set<number>();
    const count = nItems === 0 ? 0 : rng.int(Math.min(maxExcluded, nItems) + 1);
    while (seen.size < count) seen.add(rng.int(nItems));
    indices.push(...seen);
    indptr[u + 1] = indices.length;
  }
  return { dim, nUsers, nItems, users, items, exclude: { indptr, indices: Int32Array.from(indices) } };
}

/** Σ_t |u_t·q_t|: the scale of a dot product's rounding error, whatever the summation order. */
function termScale(t: ServingTables, u: number, i: number): number {
  let s = 0;
  for (let c = 0; c < t.dim; c++) s += Math.abs(t.users[u * t.dim + c] * t.items[i * t.dim + c]);
  return s;
}

function closeEnough(a: number, b: number, scale: number): boolean {
  if (a === b) return true;
  return Math.abs(a - b) <= SCORE_TOLERANCE * Math.max(scale, Number.MIN_VALUE);
}

/**
 * GPU lists against wasm lists: the same number of items per row, the same item sets, and scores
 * within tolerance. Where two items score within tolerance of each other at the k-th place either
 * may be chosen, so a differing item must score within tolerance of the row's last kept score.
 * Returns the number of near-tie swaps seen (0 on data without near-ties).
 */
export function compareTopK(gpu: TopKLists, wasm: TopKLists, users: Int32Array, t: ServingTables, label: string): number {
  check(gpu.n === wasm.n && gpu.k === wasm.k, `${label}: shapes differ (${gpu.n}×${gpu.k} vs ${wasm.n}×${wasm.k})`);
  let swaps = 0;
  const k = gpu.k;
  for (let r = 0; r < gpu.n; r++) {
    const u = users[r];
    const g = gpu.indices.subarray(r * k, r * k + k),
      w = wasm.indices.subarray(r * k, r * k + k);
    const gLen = g.indexOf(-1) < 0 ? k : g.indexOf(-1),
      wLen = w.indexOf(-1) < 0 ? k : w.indexOf(-1);
    check(gLen === wLen, `${label}: user ${u} has ${gLen} items on WebGPU but ${wLen} on wasm`);
    for (let p = gLen; p < k; p++) check(g[p] === -1 && gpu.scores[r * k + p] === -Infinity, `${label}: user ${u} position ${p} is not padding`);
    const wSet = new Set(w.subarray(0, wLen));
    const last = wasm.scores[r * k + wLen - 1];
    for (let p = 0; p < gLen; p++) {
      const item = g[p],
        score = gpu.scores[r * k + p];
      const scale = termScale(t, u, item);
      check(
        closeEnough(score, wasm.scores[r * k + p], Math.max(scale, termScale(t, u, w[p]))),
        `${label}: user ${u} position ${p}: WebGPU score ${score} (item ${item}) vs wasm ${wasm.scores[r * k + p]} (item ${w[p]})`,
      );
      if (!wSet.has(item)) {
        check(
          closeEnough(score, last, scale),
          `${label}: user ${u}: WebGPU returned item ${item} (score ${score}) that wasm did not, and it is no near tie with wasm's last score ${last}`,
        );
        swaps++;
      }
    }
  }
  return swaps;
}

/** Every item in a row is a valid index, none is excluded for that user, none repeats. */
function checkExclusions(lists: TopKLists, users: Int32Array, t: ServingTables, label: string): void {
  for (let r = 0; r < lists.n; r++) {
    const u = users[r];
    const excluded = new Set(t.exclude ? t.exclude.indices.subarray(t.exclude.indptr[u], t.exclude.indptr[u + 1]) : []);
    const seen = new Set<number>();
    for (let p = 0; p < lists.k; p++) {
      const item = lists.indices[r * lists.k + p];
      if (item < 0) continue;
      check(item < t.nItems, `${label}: user ${u} got item ${item}, outside the catalog of ${t.nItems}`);
      check(!excluded.has(item), `${label}: user ${u} got item ${item}, one of its excluded items`);
      check(!seen.has(item), `${label}: user ${u} got item ${item} twice`);
      seen.add(item);
    }
  }
}

function allUsers(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, u) => u);
}

async function onGpu(ctx: GpuTestContext, tables: ServingTables, options: TopKProviderOptions = {}): Promise<SelectedTopK> {
  return createTopKProvider(ctx.kernels, tables, { gpu: ctx.gpu, adapterOptions: ctx.adapterOptions, backend: "webgpu", ...options });
}

async function expectRejects(p: Promise<unknown>, pattern: RegExp, label: string): Promise<void> {
  try {
    await p;
  } catch (error) {
    check(error instanceof GpuUnavailableError, `${label}: expected a GpuUnavailableError, got ${(error as Error).name}: ${(error as Error).message}`);
    check(pattern.test((error as Error).message), `${label}: the message "${(error as Error).message}" does not match ${pattern}`);
    return;
  }
  throw new Error(`${label}: expected a GpuUnavailableError, but the call succeeded`);
}

/**
 * A GPU entry point that hands out the real one's adapters and devices and keeps the devices, so a
 * test can destroy one mid-run (what a driver reset or an unplugged GPU looks like to WebGPU).
 */
function recordingGpu(gpu: GPU, devices: GPUDevice[]): GPU {
  return {
    async requestAdapter(options?: GPURequestAdapterOptions) {
      const adapter = await gpu.requestAdapter(options);
      if (!adapter) return null;
      return new Proxy(adapter, {
        get(target, key) {
          if (key === "requestDevice") {
            return async (descriptor?: GPUDeviceDescriptor) => {
              const device = await target.requestDevice(descriptor);
              devices.push(device);
              return device;
            };
          }
          const value = Reflect.get(target, key, target);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
    },
    getPreferredCanvasFormat: () => gpu.getPreferredCanvasFormat(),
    wgslLanguageFeatures: gpu.wgslLanguageFeatures,
  } as GPU;
}

/** Shapes that exercise the edges: d = 1, sizes that are no multiples of the 32-wide tiles or of the top-k chunk, k > catalog, several buffers, windows and merge passes. */
const TOP_K_SHAPES: { n: number; m: number; d: number; k: number; options?: TopKProviderOptions }[] = [
  { n: 1, m: 1, d: 1, k: 1 },
  { n: 7, m: 5, d: 3, k: 10 },
  { n: 33, m: 100, d: 1, k: 7 },
  { n: 40, m: 3001, d: 17, k: 10, options: { blockUsers: 16, windowItems: 1000, entriesPerThread: 40, maxBindingBytes: 1100 * 17 * 4 } },
  { n: 70, m: 1037, d: 64, k: 20, options: { blockUsers: 32 } },
  { n: 5, m: 700, d: 5, k: 32, options: { windowItems: 250 } },
  { n: 9, m: 2000, d: 4, k: 150, options: { entriesPerThread: 2 } },
];

export const GPU_CASES: GpuCase[] = [
  {
    name: "scores equal the wasm kernels within 1e-5 (relative to Σ|u·q|) on random shapes, across several buffers",
    async run(ctx) {
      const shapes = [
        [1, 1, 1],
        [3, 5, 1],
        [5, 37, 3],
        [33, 100, 17],
        [40, 1037, 64],
        [2, 33, 64],
      ];
      for (const [i, [n, m, d]] of shapes.entries()) {
        const t = randomTables(100 + i, n, m, d);
        const gpu = await WebGpuTopK.create(await deviceOf(ctx), t, { windowItems: 200, maxBindingBytes: 512 * d * 4 });
        try {
          const users = allUsers(n);
          const got = await gpu.scores(users);
          const e = ctx.kernels.wasm;
          const uRows = e.f32From(t.users),
            items = e.f32From(t.items);
          const want = e.f32(n * m);
          try {
            ctx.kernels.scoreRowsDot(uRows, n, d, items, m, want, m);
            const w = want.view;
            for (let u = 0; u < n; u++) {
              for (let j = 0; j < m; j++) {
                check(
                  closeEnough(got[u * m + j], w[u * m + j], termScale(t, u, j)),
                  `n=${n} m=${m} d=${d}: score(${u}, ${j}) is ${got[u * m + j]} on WebGPU, ${w[u * m + j]} on wasm`,
                );
              }
            }
          } finally {
            uRows.free();
            items.free();
            want.free();
          }
        } finally {
          gpu.dispose();
          gpu.device.destroy();
        }
      }
    },
  },
  {
    name: "top-k sets equal the wasm path on random shapes (k > catalog, d = 1, tiles split across buffers, multi-pass merges, k up to 150)",
    async run(ctx) {
      for (const [i, s] of TOP_K_SHAPES.entries()) {
        const t = randomTables(200 + i, s.n, s.m, s.d);
        const label = `n=${s.n} m=${s.m} d=${s.d} k=${s.k}`;
        const gpu = await onGpu(ctx, t, s.options);
        const wasm = new WasmTopK(ctx.kernels, t, { wasmChunkItems: 600 });
        try {
          if (s.options?.maxBindingBytes)
            check(gpu.memory().catalogBuffers > 1, `${label}: expected the catalog split across buffers, got ${gpu.memory().catalogBuffers}`);
          const users = allUsers(s.n);
          const g = await gpu.topK(users, s.k),
            w = await wasm.topK(users, s.k);
          checkExclusions(g, users, t, label);
          check(compareTopK(g, w, users, t, label) === 0, `${label}: near-tie swaps on random data`);
          // A block in a different order, with repeats: rows follow the users asked for.
          const shuffled = Int32Array.from(users, (_, r) => users[(r * 7 + 3) % s.n]);
          compareTopK(await gpu.topK(shuffled, s.k), await wasm.topK(shuffled, s.k), shuffled, t, `${label} (shuffled)`);
        } finally {
          gpu.dispose();
          wasm.dispose();
        }
      }
    },
  },
  {
    name: "empty blocks, empty catalogs, NaN and infinite scores, exact ties: as the wasm top-k kernel",
    async run(ctx) {
      const t = randomTables(300, 20, 300, 8, 3);
      // Items 10..19 copy items 0..9 (exact ties: the lower index first); item 20 holds a NaN, 21 an
      // Infinity (scores ±Infinity or NaN by the user's sign), item 22 is all zeros.
      const items = t.items as Float32Array;
      items.copyWithin(10 * 8, 0, 10 * 8);
      items[20 * 8 + 3] = NaN;
      items[21 * 8] = Infinity;
      items.fill(0, 22 * 8, 23 * 8);
      const gpu = await onGpu(ctx, t, { entriesPerThread: 4 });
      const wasm = new WasmTopK(ctx.kernels, t);
      try {
        const users = allUsers(20);
        const empty = await gpu.topK(new Int32Array(0), 5);
        check(empty.n === 0 && empty.indices.length === 0, "an empty block gives no rows");
        for (const k of [1, 5, 16]) {
          const g = await gpu.topK(users, k),
            w = await wasm.topK(users, k);
          for (let x = 0; x < g.indices.length; x++) {
            check(g.indices[x] === w.indices[x], `k=${k}: position ${x} holds item ${g.indices[x]} on WebGPU, ${w.indices[x]} on wasm`);
          }
          check(!g.indices.includes(20), "an item scoring NaN is never returned");
        }
        await expectRejects(gpu.topK(users, 257), /at most 256/, "k above the GPU's list capacity");
      } finally {
        gpu.dispose();
        wasm.dispose();
      }
      const none = await onGpu(ctx, randomTables(301, 4, 0, 3));
      try {
        const lists = await none.topK(allUsers(4), 3);
        check(lists.indices.every((i) => i === -1) && lists.scores.every((s) => s === -Infinity), "an empty catalog gives padded rows");
      } finally {
        none.dispose();
      }
    },
  },
  {
    name: "auto falls back to wasm when the device is lost mid-run; webgpu reports the loss",
    async run(ctx) {
      const t = randomTables(400, 60, 900, 16);
      const devices: GPUDevice[] = [];
      const gpu = recordingGpu(ctx.gpu, devices);
      const users = allUsers(60);
      const wasm = new WasmTopK(ctx.kernels, t);
      const auto = await createTopKProvider(ctx.kernels, t, {
        gpu,
        adapterOptions: ctx.adapterOptions,
        backend: "auto",
        autoMinItems: 0,
        allowSoftwareAdapter: true,
      });
      try {
        check(auto.backend === "webgpu" && auto.selection.backend === "webgpu", `auto chose ${auto.backend}: ${auto.selection.reason}`);
        const want = await wasm.topK(users, 10);
        compareTopK(await auto.topK(users.subarray(0, 30), 10), await wasm.topK(users.subarray(0, 30), 10), users.subarray(0, 30), t, "before the loss");
        devices[0].destroy();
        const after = await auto.topK(users, 10);
        const now: { backend: string; selection: { backend: string } } = auto;
        check(now.backend === "wasm" && now.selection.backend === "wasm", `after the loss auto still reports ${auto.backend}`);
        check(
          /fell back to wasm/.test(auto.selection.reason) && /lost|destroy/i.test(auto.selection.reason),
          `the fallback reason says why: "${auto.selection.reason}"`,
        );
        for (let x = 0; x < want.indices.length; x++) check(after.indices[x] === want.indices[x], `after the fallback, position ${x} differs from wasm`);
      } finally {
        auto.dispose();
        wasm.dispose();
      }
      const strict = await createTopKProvider(ctx.kernels, t, { gpu, adapterOptions: ctx.adapterOptions, backend: "webgpu" });
      try {
        devices[devices.length - 1].destroy();
        await expectRejects(strict.topK(users, 10), /lost|destroy/i, "webgpu after a loss");
      } finally {
        strict.dispose();
      }
    },
  },
  {
    name: "auto keeps software adapters and small catalogs on wasm; memory is reported per buffer",
    async run(ctx) {
      const t = randomTables(500, 10, 400, 8);
      const soft = await createTopKProvider(ctx.kernels, t, { gpu: ctx.gpu, adapterOptions: ctx.adapterOptions, backend: "auto", autoMinItems: 0 });
      try {
        check(
          soft.backend === "wasm" && /software renderer/.test(soft.selection.reason),
          `auto on a software adapter: ${soft.backend}, "${soft.selection.reason}"`,
        );
      } finally {
        soft.dispose();
      }
      const small = await createTopKProvider(ctx.kernels, t, {
        gpu: ctx.gpu,
        adapterOptions: ctx.adapterOptions,
        backend: "auto",
        allowSoftwareAdapter: true,
        autoMinItems: 401,
      });
      try {
        check(small.backend === "wasm" && /below 401/.test(small.selection.reason), `auto below the threshold: ${small.selection.reason}`);
      } finally {
        small.dispose();
      }
      const gpu = await onGpu(ctx, t, { blockUsers: 10, windowItems: 64, maxBindingBytes: 150 * 8 * 4 });
      try {
        const mem = gpu.memory();
        check(mem.catalogBytes === 400 * 8 * 4, `catalog bytes ${mem.catalogBytes}`);
        check(
          mem.itemsPerBuffer === 128 && mem.catalogBuffers === 4,
          `items per buffer ${mem.itemsPerBuffer}, buffers ${mem.catalogBuffers} (expected 128 and 4)`,
        );
        check(mem.workingBytes > 0 && mem.totalBytes === mem.catalogBytes + mem.workingBytes, `working ${mem.workingBytes}, total ${mem.totalBytes}`);
        check(typeof gpu.selection.adapter === "string" && gpu.selection.adapter.length > 0, "the adapter is named");
      } finally {
        gpu.dispose();
      }
    },
  },
  {
    name: "real data: a BPR model on ml-1m-resn recommends the same top-20 for all 6,040 users on WebGPU and wasm",
    async run(ctx) {
      const train = await ctx.loadTrain("ml-1m-resn");
      if (!train) return ctx.note("../shared/data/ml-1m-resn is absent: the real-data case did not run");
      const model = new MatrixFactorization(ctx.kernels, { loss: "bpr", epochs: 1, seed: 7 });
      try {
        await model.fit(train);
        const options = { gpu: ctx.gpu, adapterOptions: ctx.adapterOptions, k: 20 };
        const g = await recommendForAllUsers(model, { ...options, backend: "webgpu" });
        const w = await recommendForAllUsers(model, { ...options, backend: "wasm" });
        check(g.selection.backend === "webgpu" && g.backend === "webgpu", `served on ${g.backend}`);
        check(g.users.length === 6040, `${g.users.length} users`);
        const t = mfServingTables(model);
        const lists = (r: typeof g) => ({ n: r.users.length, k: r.k, indices: r.indices, scores: r.scores });
        checkExclusions(lists(g), g.users, t, "ml-1m-resn");
        const swaps = compareTopK(lists(g), lists(w), g.users, t, "ml-1m-resn");
        check(swaps <= 5, `${swaps} near-tie swaps over 6,040 users: more than rounding explains`);
        ctx.note(`ml-1m-resn: ${swaps} near-tie swaps between WebGPU and wasm over 6,040 top-20 lists`);
        // The model's own serving path agrees with the wasm provider: the same tables and exclusions.
        for (const u of [0, 17, 6039]) {
          const rec = model.recommend(u, 20);
          check(
            rec.indices.every((item, p) => item === w.indices[u * 20 + p]),
            `user ${u}: recommend() and the wasm provider differ`,
          );
        }
      } finally {
        model.dispose();
      }
    },
  },
];

async function deviceOf(ctx: GpuTestContext): Promise<GPUDevice> {
  const adapter = await ctx.gpu.requestAdapter(ctx.adapterOptions);
  check(adapter !== null, "no adapter");
  return adapter.requestDevice();
}

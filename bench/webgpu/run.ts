/**
 * `npm run bench:webgpu` (node dist/bench/webgpu/run.js): WebGPU against wasm on catalogs from
 * 100k to 10M items (d = 64), through the same top-k providers that serving uses.
 * - Throughput: top-k of one block of users (scoring and selection, training items excluded), as
 *   GFLOP/s of the scoring it contains (2·users·items·d per call); median over --runs calls.
 * - End to end: recommend-all-users (top-k for --users users, in calls of 4,096) including
 *   setup (upload or packing of the catalog), median over --e2e-runs.
 * - The crossover size, the adapter and the machine.
 * The GPU is reached through Dawn (npm `webgpu`): `--dawn-backend vulkan` (default; a hardware GPU)
 * or `opengles` (Mesa llvmpipe: proves the script works on a machine without a GPU). A software
 * adapter is refused unless --allow-software: its numbers say nothing about GPUs.
 */
import { create } from "webgpu";
import { createTopKProvider, type SelectedTopK } from "../../ts/serving/backend.js";
import { describeAdapter } from "../../ts/serving/adapter.js";
import { recommendAllUsers } from "../../ts/serving/recommend-all.js";
import type { ServingTables, TopKBackend } from "../../ts/serving/top-k-provider.js";
import { loadKernels, writeFileAtomic } from "../../ts/node.js";
import type { Kernels } from "../../ts/kernels/kernels.js";
import { Rng } from "../../ts/util/rng.js";
import { describeMachine } from "../machine.js";
import { median } from "../stats.js";
import { crossover, type Crossover } from "./crossover.js";
import { parseWebGpuBenchArgs, WEBGPU_BENCH_HELP, type WebGpuBenchArgs } from "./args.js";

interface BackendResult {
  backend: TopKBackend;
  setupSeconds: number | null;
  /** Median seconds of one top-k call for blockUsers users, and the GFLOP/s of its scoring. */
  blockSeconds: number | null;
  gflops: number | null;
  /** Median seconds of recommend-all-users over e2eUsers users (serving only, setup excluded). */
  e2eSeconds: number | null;
  memoryBytes: number | null;
  catalogBuffers: number | null;
  note?: string;
}

interface SizeResult {
  items: number;
  wasm: BackendResult;
  webgpu: BackendResult;
}

async function main(): Promise<void> {
  const args = parseWebGpuBenchArgs(process.argv.slice(2));
  if (args.help) return void process.stdout.write(WEBGPU_BENCH_HELP);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (args.dawnBackend === "opengles") process.env.EGL_PLATFORM ??= "surfaceless";
  const gpu = create([`backend=${args.dawnBackend}`]);
  const adapterOptions: GPURequestAdapterOptions =
    args.dawnBackend === "opengles" ? { featureLevel: "compatibility" } : { powerPreference: "high-performance" };
  const adapter = await gpu.requestAdapter(adapterOptions);
  if (!adapter) throw new Error(`Dawn (${args.dawnBackend}) found no WebGPU adapter; on a GPU machine install libvulkan1 and the vendor's Vulkan driver (ICD)`);
  const described = describeAdapter(adapter);
  if (described.software && !args.allowSoftware) {
    throw new Error(`the adapter "${described.name}" is a software renderer: its timings say nothing about GPUs (pass --allow-software to run anyway)`);
  }
  const kernels = await loadKernels();
  const header = {
    adapter: described.name,
    softwareAdapter: described.software,
    dawnBackend: args.dawnBackend,
    limits: { maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize, maxBufferSize: adapter.limits.maxBufferSize },
    machine: describeMachine(),
    wasmVariant: kernels.wasm.variant,
    settings: { dim: args.dim, k: args.k, blockUsers: args.blockUsers, e2eUsers: args.e2eUsers, runs: args.runs, e2eRuns: args.e2eRuns },
  };
  log(`adapter: ${described.name}${described.software ? " (software)" : ""}; wasm build: ${kernels.wasm.variant}`);
  const results: SizeResult[] = [];
  if (!args.json) process.stdout.write(`${COLUMNS}\n`);
  for (const items of args.sizes) {
    log(`${items} items: generating the tables`);
    const tables = syntheticTables(args, items);
    const wasm = await measure("wasm", kernels, tables, args, log, {});
    const webgpu = await measure("webgpu", kernels, tables, args, log, { gpu, adapterOptions });
    results.push({ items, wasm, webgpu });
    if (!args.json) process.stdout.write(`${formatRow({ items, wasm, webgpu })}\n`);
  }
  const e2e = crossover(results.map((r) => ({ items: r.items, wasmSeconds: r.wasm.e2eSeconds, gpuSeconds: r.webgpu.e2eSeconds })));
  const block = crossover(results.map((r) => ({ items: r.items, wasmSeconds: r.wasm.blockSeconds, gpuSeconds: r.webgpu.blockSeconds })));
  const report = { ...header, results, crossover: { endToEnd: e2e, block } };
  if (args.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(formatSummary(header, e2e, block));
  if (args.out) await writeFileAtomic(args.out, `${JSON.stringify(report, null, 2)}\n`);
}

/** Users and items uniform in [-1, 1) from the seeded generator; every user excludes `excluded` random items. */
function syntheticTables(args: WebGpuBenchArgs, items: number): ServingTables {
  const rng = new Rng(args.seed);
  const d = args.dim;
  const nUsers = Math.max(args.e2eUsers, args.blockUsers);
  const fill = (n: number) => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = 2 * rng.next() - 1;
    return a;
  };
  const users = fill(nUsers * d);
  const itemTable = fill(items * d);
  const indptr = new Int32Array(nUsers + 1);
  const indices = new Int32Array(nUsers * args.excluded);
  for (let u = 0; u < nUsers; u++) {
    for (let t = 0; t < args.excluded; t++) indices[u * args.excluded + t] = rng.int(items);
    indptr[u + 1] = (u + 1) * args.excluded;
  }
  return { dim: d, nUsers, nItems: items, users, items: itemTable, exclude: { indptr, indices } };
}

async function measure(
  backend: TopKBackend,
  kernels: Kernels,
  tables: ServingTables,
  args: WebGpuBenchArgs,
  log: (l: string) => void,
  gpuOptions: { gpu?: GPU; adapterOptions?: GPURequestAdapterOptions },
): Promise<BackendResult> {
  const empty: BackendResult = { backend, setupSeconds: null, blockSeconds: null, gflops: null, e2eSeconds: null, memoryBytes: null, catalogBuffers: null };
  let provider: SelectedTopK;
  const t0 = performance.now();
  try {
    provider = await createTopKProvider(kernels, tables, { backend, ...gpuOptions });
  } catch (error) {
    log(`  ${backend}: setup failed: ${(error as Error).message}`);
    return { ...empty, note: `setup failed: ${(error as Error).message}` };
  }
  const result: BackendResult = { ...empty, setupSeconds: (performance.now() - t0) / 1000 };
  try {
    const mem = provider.memory();
    result.catalogBuffers = mem.catalogBuffers;
    const block = Int32Array.from({ length: args.blockUsers }, (_, u) => u);
    await provider.topK(block.subarray(0, Math.min(32, block.length)), args.k);
    const times: number[] = [];
    for (let r = 0; r < args.runs; r++) {
      const t = performance.now();
      await provider.topK(block, args.k);
      times.push((performance.now() - t) / 1000);
    }
    result.blockSeconds = median(times);
    result.gflops = (2 * args.blockUsers * tables.nItems * tables.dim) / result.blockSeconds / 1e9;
    result.memoryBytes = provider.memory().totalBytes;
    log(`  ${backend}: ${result.gflops.toFixed(2)} GFLOP/s (top-${args.k} of ${args.blockUsers} users in ${result.blockSeconds.toFixed(3)} s)`);
    // End to end: skipped when the block's speed says it would take longer than the budget.
    const estimate = (result.blockSeconds * args.e2eUsers) / args.blockUsers;
    const runs = estimate * args.e2eRuns <= args.maxSeconds ? args.e2eRuns : 1;
    if (estimate > args.maxSeconds) {
      result.note = `recommend-all skipped: estimated ${estimate.toFixed(0)} s > --max-seconds ${args.maxSeconds}`;
      log(`  ${backend}: ${result.note}`);
    } else {
      const users = Int32Array.from({ length: args.e2eUsers }, (_, u) => u);
      const e2e: number[] = [];
      for (let r = 0; r < runs; r++) {
        const t = performance.now();
        await recommendAllUsers(provider, { k: args.k, users });
        e2e.push((performance.now() - t) / 1000);
      }
      result.e2eSeconds = median(e2e);
      if (runs < args.e2eRuns) result.note = `recommend-all timed once (estimated ${estimate.toFixed(0)} s a run)`;
      log(`  ${backend}: recommend-all ${args.e2eUsers} users in ${result.e2eSeconds.toFixed(2)} s (setup ${result.setupSeconds!.toFixed(2)} s)`);
    }
    if (provider.backend !== backend) result.note = `ran on ${provider.backend}: ${provider.selection.reason}`;
  } catch (error) {
    result.note = `failed: ${(error as Error).message}`;
    log(`  ${backend}: ${result.note}`);
  } finally {
    provider.dispose();
  }
  return result;
}

const COLUMNS =
  "     items  wasm GF/s  WGPU GF/s     wasm s     WGPU s  speed-up  setup s  WGPU GiB buffers\n" +
  "(GF/s: GFLOP/s of the scoring in one top-k call; s: recommend-all seconds; setup, GiB, buffers: the WebGPU side)";

const fmt = (v: number | null, digits: number) => (v === null ? "-" : v.toFixed(digits));

function formatRow(r: SizeResult): string {
  const speedup = r.wasm.e2eSeconds && r.webgpu.e2eSeconds ? `${(r.wasm.e2eSeconds / r.webgpu.e2eSeconds).toFixed(2)}x` : "-";
  const gib = (b: number | null) => (b === null ? "-" : (b / 2 ** 30).toFixed(2));
  const notes = [r.wasm.note && `wasm: ${r.wasm.note}`, r.webgpu.note && `webgpu: ${r.webgpu.note}`].filter(Boolean).join("; ");
  return (
    [
      String(r.items).padStart(10),
      fmt(r.wasm.gflops, 2).padStart(10),
      fmt(r.webgpu.gflops, 2).padStart(10),
      fmt(r.wasm.e2eSeconds, 2).padStart(10),
      fmt(r.webgpu.e2eSeconds, 2).padStart(10),
      speedup.padStart(8),
      fmt(r.webgpu.setupSeconds, 2).padStart(8),
      gib(r.webgpu.memoryBytes).padStart(8),
      String(r.webgpu.catalogBuffers ?? "-").padStart(7),
    ].join(" ") + (notes ? `   (${notes})` : "")
  );
}

function formatSummary(
  header: { adapter: string; machine: { cpuModel: string; logicalCores: number; loadAverage: readonly number[] } },
  e2e: Crossover,
  block: Crossover,
): string {
  return [
    "",
    `crossover, recommend-all: ${e2e.items ?? "-"} items (${e2e.note})`,
    `crossover, one block:     ${block.items ?? "-"} items (${block.note})`,
    `adapter: ${header.adapter}; CPU: ${header.machine.cpuModel}, ${header.machine.logicalCores} threads, load ${header.machine.loadAverage.join(" ")}`,
    "",
  ].join("\n");
}

await main();

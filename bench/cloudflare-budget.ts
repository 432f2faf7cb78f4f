/**
 * Cloudflare Workers' free plan allows 10 ms of CPU per request. This measures, inside workerd
 * (miniflare), what one recommendation costs on a catalog of `--items` items (default 50,000)
 * with d = `--dim` (64): a random model of that shape is stored in KV, the README's Worker and a
 * bench Worker (the same recommend repeated in one request) are bundled and served.
 *
 * workerd reports no CPU time locally (its tail events carry cpuTime 0) and freezes its clock
 * between I/O, so the cost is taken outside, two ways: the CPU time the workerd process itself
 * spent (Linux /proc/<pid>/stat, all its threads; not inflated by other work on a busy machine)
 * over a series of requests, and the wall time of whole requests (median). Each is compared with
 * a request that does no recommending, which carries the same fixed cost (routing, the proxy
 * between Node and workerd).
 *
 *   node dist/bench/cloudflare-budget.js [--items 50000] [--dim 64] [--requests 200] [--repeat 100]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { encodeModelFile } from "../ts/node.js";
import { resolveMfConfig, type ModelFileContents } from "../ts/api/models.js";
import { Rng } from "../ts/api/kernels.js";
import { buildWorkerdBundle } from "../scripts/bundles.js";
import { median } from "./stats.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const FREE_PLAN_CPU_MS = 10;

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`--${name} must be a positive integer, got "${process.argv[at + 1]}"`);
  return value;
}

/** A model of the given shape with seeded random factors (the cost of recommend does not depend on the values). */
export function randomModel(nUsers: number, nItems: number, dim: number, seenPerUser: number, rng: Rng): Uint8Array {
  const normal = (n: number) => Float32Array.from({ length: n }, () => rng.normal() * 0.1);
  const indptr = Int32Array.from({ length: nUsers + 1 }, (_, u) => u * seenPerUser);
  const indices = new Int32Array(nUsers * seenPerUser);
  for (let u = 0; u < nUsers; u++) {
    const row = new Set<number>();
    while (row.size < seenPerUser) row.add(rng.int(nItems));
    indices.set(
      [...row].sort((a, b) => a - b),
      u * seenPerUser,
    );
  }
  const counts = new Int32Array(nItems);
  for (const i of indices) counts[i]++;
  const contents: ModelFileContents = {
    kind: "mf",
    config: { ...resolveMfConfig({ dim }) },
    shapes: { nUsers, nItems, dim },
    userIds: Array.from({ length: nUsers }, (_, u) => `u${u}`),
    itemIds: Array.from({ length: nItems }, (_, i) => `i${i}`),
    tables: {
      userFactors: { rows: nUsers, cols: dim, data: normal(nUsers * dim) },
      itemFactors: { rows: nItems, cols: dim, data: normal(nItems * dim) },
      itemCounts: { rows: 1, cols: nItems, data: counts },
      seenIndptr: { rows: 1, cols: nUsers + 1, data: indptr },
      seenIndices: { rows: 1, cols: indices.length, data: indices },
    },
  };
  return encodeModelFile(contents);
}

/** CPU milliseconds (user + system) spent so far by the workerd processes started by this process. */
function workerdCpuMs(): number {
  const tick = 100; // USER_HZ: /proc reports clock ticks of 10 ms on Linux
  let ms = 0;
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue;
    }
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    if (comm.startsWith("workerd") && Number(fields[1]) === process.pid) ms += ((Number(fields[11]) + Number(fields[12])) * 1000) / tick;
  }
  return ms;
}

/** CPU ms of workerd per request over `n` requests of `url`. */
async function cpuPerRequest(mf: Miniflare, url: string, n: number, status = 200): Promise<number> {
  const before = workerdCpuMs();
  for (let r = 0; r < n; r++) await timed(mf, url, status);
  return (workerdCpuMs() - before) / n;
}

async function timed(mf: Miniflare, url: string, status = 200): Promise<{ ms: number; body: string }> {
  const t0 = performance.now();
  const response = await mf.dispatchFetch(url);
  const body = await response.text();
  const ms = performance.now() - t0;
  if (response.status !== status) throw new Error(`${url}: HTTP ${response.status} ${body}`);
  return { ms, body };
}

async function main(): Promise<void> {
  const nItems = flag("items", 50_000);
  const dim = flag("dim", 64);
  const requests = flag("requests", 200);
  const repeat = flag("repeat", 100);
  const nUsers = 1000;
  const dir = mkdtempSync(join(tmpdir(), "longtail-cf-budget-"));
  try {
    const model = randomModel(nUsers, nItems, dim, 20, new Rng(1));
    await buildWorkerdBundle(join(ROOT, "examples/cloudflare-worker/worker.js"), join(dir, "readme/worker.js"));
    await buildWorkerdBundle(join(ROOT, "bench/cloudflare-budget/worker.js"), join(dir, "bench/worker.js"));
    const worker = (name: string) => ({
      name,
      modulesRoot: join(dir, name),
      compatibilityDate: "2025-01-01",
      kvNamespaces: ["MODELS"],
      modules: [
        { type: "ESModule" as const, path: join(dir, name, "worker.js") },
        ...["relaxed", "simd", "scalar"].map((v) => ({ type: "CompiledWasm" as const, path: join(dir, name, `longtail.${v}.wasm`) })),
      ],
    });
    const results: string[] = [];
    for (const name of ["readme", "bench"]) {
      const mf = new Miniflare(worker(name));
      try {
        const kv = (await mf.getKVNamespace("MODELS")) as unknown as { put(key: string, value: ArrayBuffer): Promise<void> };
        await kv.put("model.ltm", model.buffer.slice(model.byteOffset, model.byteOffset + model.byteLength) as ArrayBuffer);
        const base = "http://127.0.0.1";
        const users = (n: number) => `u${(n * 7919) % nUsers}`;
        if (name === "readme") {
          const cpuBeforeCold = workerdCpuMs();
          const cold = await timed(mf, `${base}/recommend?user=${users(0)}&k=10`);
          const coldCpu = workerdCpuMs() - cpuBeforeCold;
          const warm: number[] = [];
          const noop: number[] = [];
          for (let n = 1; n <= requests; n++) {
            noop.push((await timed(mf, `${base}/`, 404)).ms);
            warm.push((await timed(mf, `${base}/recommend?user=${users(n)}&k=10`)).ms);
          }
          const cpuRecommend = await cpuPerRequest(mf, `${base}/recommend?user=${users(3)}&k=10`, requests);
          const cpuNoop = await cpuPerRequest(mf, `${base}/`, requests, 404);
          results.push(
            `README Worker, workerd CPU per request (${requests} requests each): /recommend ${cpuRecommend.toFixed(2)} ms, a 404 request ${cpuNoop.toFixed(2)} ms → recommending ≈ ${(cpuRecommend - cpuNoop).toFixed(2)} ms`,
          );
          results.push(
            `README Worker: first request of the isolate (KV read, model decode, kernels, recommend) ${cold.ms.toFixed(1)} ms wall, ${coldCpu.toFixed(0)} ms workerd CPU; ` +
              `warm /recommend median ${median(warm).toFixed(2)} ms, a 404 request median ${median(noop).toFixed(2)} ms ` +
              `(${requests} each, interleaved) → handler ≈ ${(median(warm) - median(noop)).toFixed(2)} ms`,
          );
        } else {
          await timed(mf, `${base}/recommend?user=u0&repeat=1`);
          const one: number[] = [];
          const many: number[] = [];
          let variant = "";
          for (let n = 1; n <= Math.max(5, Math.round(requests / 10)); n++) {
            one.push((await timed(mf, `${base}/recommend?user=${users(n)}&repeat=1`)).ms);
            const r = await timed(mf, `${base}/recommend?user=${users(n)}&repeat=${repeat + 1}`);
            many.push(r.ms);
            variant = (JSON.parse(r.body) as { variant: string }).variant;
          }
          const perRecommend = (median(many) - median(one)) / repeat;
          const batches = Math.max(3, Math.round(requests / 50));
          const cpuMany = await cpuPerRequest(mf, `${base}/recommend?user=${users(5)}&repeat=${repeat + 1}`, batches);
          const cpuOne = await cpuPerRequest(mf, `${base}/recommend?user=${users(5)}&repeat=1`, batches * 10);
          const cpuPerRecommend = (cpuMany - cpuOne) / repeat;
          results.push(
            `bench Worker: workerd CPU per recommend = (CPU of a request with ${repeat + 1} − of one with 1) / ${repeat} = ${cpuPerRecommend.toFixed(3)} ms ` +
              `→ ${cpuPerRecommend <= FREE_PLAN_CPU_MS ? "fits" : "does NOT fit"} the free plan's ${FREE_PLAN_CPU_MS} ms (${((cpuPerRecommend / FREE_PLAN_CPU_MS) * 100).toFixed(0)}% of it)`,
          );
          results.push(
            `bench Worker (kernels: ${variant}): wall time of one recommend = (median of ${repeat + 1} in a request − median of 1) / ${repeat} = ${perRecommend.toFixed(3)} ms ` +
              `→ ${perRecommend <= FREE_PLAN_CPU_MS ? "fits" : "does NOT fit"} the free plan's ${FREE_PLAN_CPU_MS} ms (${((perRecommend / FREE_PLAN_CPU_MS) * 100).toFixed(0)}% of it)`,
          );
        }
      } finally {
        await mf.dispose();
      }
    }
    console.log(
      `catalog ${nItems.toLocaleString("en-US")} items, d = ${dim}, ${nUsers} users (model file ${(model.byteLength / 1e6).toFixed(1)} MB), workerd via miniflare`,
    );
    for (const line of results) console.log(line);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

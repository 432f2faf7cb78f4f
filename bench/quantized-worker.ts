/**
 * The largest catalog a Cloudflare Worker serves from int8 item codes, and what one top-20 costs
 * there, measured inside workerd (miniflare): a generated catalog of `--items` items (d =
 * `--dim`) is put into an R2 bucket as codes, scales and float rows, and bench/quantized-worker/
 * worker.js loads it piece by piece (range requests) into one of three tables:
 *   int8        codes + scales only: the candidates' top-20 is the answer (no exact pass);
 *   int8+exact  codes + the float rows, the refineFactor·k candidates re-scored exactly;
 *   float       the packed float table alone (the float path's fused top-k), for comparison.
 * Memory: the Worker reports its wasm memory; the workerd process's resident memory (Linux
 * /proc) is read before the table loads and after, the difference divided by the items giving
 * bytes per item as the isolate holds them. CPU per top-20: workerd's CPU time over a series of
 * requests each repeating the recommend `--repeat`+1 times, minus the same with 1, divided by
 * `--repeat` (workerd reports no CPU time of its own locally, see bench/cloudflare-budget.ts).
 *
 *   node dist/bench/quantized-worker.js [--items 250000,1000000] [--dim 64] [--modes int8,int8+exact,float] [--requests 20] [--repeat 20]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Miniflare } from "miniflare";
import { buildWorkerdBundle } from "../scripts/bundles.js";
import { QuantizedItemTable } from "../ts/kernels/quantized-items.js";
import { loadKernels } from "../ts/node.js";
import { Rng } from "../ts/util/rng.js";
import { describeMachine } from "./machine.js";
import { median } from "./stats.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const N_USERS = 1000;
const SEEN_PER_USER = 20;
const MODES = ["int8", "int8+exact", "float"] as const;
type Mode = (typeof MODES)[number];

/** Every workerd process started by this one: [CPU ms so far, resident bytes now], summed. */
function workerdUsage(): { cpuMs: number; rssBytes: number } {
  let cpuMs = 0,
    rssBytes = 0;
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    let stat: string, status: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      status = readFileSync(`/proc/${pid}/status`, "utf8");
    } catch {
      continue;
    }
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    if (!comm.startsWith("workerd") || Number(fields[1]) !== process.pid) continue;
    cpuMs += ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks of 10 ms
    rssBytes += Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  }
  return { cpuMs, rssBytes };
}

async function get(mf: Miniflare, url: string): Promise<string> {
  const response = await mf.dispatchFetch(url);
  const body = await response.text();
  if (response.status !== 200) throw new Error(`${url}: HTTP ${response.status} ${body.slice(0, 500)}`);
  return body;
}

/** workerd CPU ms per request over n requests of url. */
async function cpuPerRequest(mf: Miniflare, url: string, n: number): Promise<number> {
  const before = workerdUsage().cpuMs;
  for (let r = 0; r < n; r++) await get(mf, url);
  return (workerdUsage().cpuMs - before) / n;
}

interface WorkerRow {
  mode: Mode;
  items: number;
  wasmBytes: number;
  tableBytes: number;
  rssDeltaBytes: number;
  loadMs: number;
  cpuPerRecommendMs: number;
  wallPerRecommendMs: number;
  variant: string;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      items: { type: "string", default: "250000,1000000" },
      dim: { type: "string", default: "64" },
      modes: { type: "string", default: MODES.join(",") },
      requests: { type: "string", default: "20" },
      repeat: { type: "string", default: "20" },
    },
  });
  const itemCounts = values.items!.split(",").map(Number);
  const dim = Number(values.dim);
  const modes = values.modes!.split(",") as Mode[];
  for (const mode of modes) if (!MODES.includes(mode)) throw new RangeError(`--modes takes ${MODES.join(", ")}, got "${mode}"`);
  const requests = Number(values.requests),
    repeat = Number(values.repeat);
  const dir = mkdtempSync(join(tmpdir(), "longtail-quantized-worker-"));
  const m = describeMachine();
  console.log(`Machine: ${m.cpuModel}, ${m.logicalCores} logical cores; ${m.runtime}; load average at start ${m.loadAverage.join(" / ")}`);
  const rows: WorkerRow[] = [];
  try {
    await buildWorkerdBundle(join(ROOT, "bench/quantized-worker/worker.js"), join(dir, "worker.js"));
    const kernels = await loadKernels({ threads: 1 });
    for (const nItems of itemCounts) {
      const rng = new Rng(7);
      const items = new Float32Array(nItems * dim);
      for (let i = 0; i < items.length; i++) items[i] = rng.normal() * 0.1;
      const table = QuantizedItemTable.fromItems(kernels, items, nItems, dim, { exactRows: "none" });
      const { codes, scales } = table.toCodes();
      table.free();
      const users = Float32Array.from({ length: N_USERS * dim }, () => rng.normal());
      const seen = Int32Array.from({ length: N_USERS * SEEN_PER_USER }, () => rng.int(nItems));
      for (const mode of modes) {
        const mf = new Miniflare({
          modulesRoot: dir,
          compatibilityDate: "2025-01-01",
          r2Buckets: ["TABLES"],
          modules: [
            { type: "ESModule", path: join(dir, "worker.js") },
            ...["relaxed", "simd", "scalar"].map((v) => ({ type: "CompiledWasm" as const, path: join(dir, `longtail.${v}.wasm`) })),
          ],
        });
        try {
          const bucket = (await mf.getR2Bucket("TABLES")) as unknown as { put(key: string, value: ArrayBuffer | string): Promise<unknown> };
          const put = (key: string, a: ArrayBufferView | string) =>
            bucket.put(key, typeof a === "string" ? a : (a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength) as ArrayBuffer));
          await put("meta.json", JSON.stringify({ nItems, dim, mode, nUsers: N_USERS, seenPerUser: SEEN_PER_USER }));
          if (mode !== "float") {
            await put("codes", codes);
            await put("scales", scales);
          }
          if (mode !== "int8") await put("rows", items);
          await put("users", users);
          await put("seen", seen);
          const base = "http://127.0.0.1";
          await get(mf, `${base}/noop`);
          const idle = workerdUsage().rssBytes;
          const t0 = performance.now();
          await get(mf, `${base}/recommend?user=0&k=20`);
          const loadMs = performance.now() - t0;
          const loaded = workerdUsage().rssBytes;
          const memory = JSON.parse(await get(mf, `${base}/memory`)) as { tableBytes: number; wasmBytes: number; variant: string };
          const url = (n: number, r: number) => `${base}/recommend?user=${(n * 7919) % N_USERS}&k=20&repeat=${r}`;
          const many = await cpuPerRequest(mf, url(3, repeat + 1), requests);
          const one = await cpuPerRequest(mf, url(3, 1), requests);
          const wallOne: number[] = [],
            wallMany: number[] = [];
          for (let n = 0; n < Math.max(5, requests / 2); n++) {
            let t = performance.now();
            await get(mf, url(n, 1));
            wallOne.push(performance.now() - t);
            t = performance.now();
            await get(mf, url(n, repeat + 1));
            wallMany.push(performance.now() - t);
          }
          const row: WorkerRow = {
            mode,
            items: nItems,
            wasmBytes: memory.wasmBytes,
            tableBytes: memory.tableBytes,
            rssDeltaBytes: loaded - idle,
            loadMs,
            cpuPerRecommendMs: (many - one) / repeat,
            wallPerRecommendMs: (median(wallMany) - median(wallOne)) / repeat,
            variant: memory.variant,
          };
          rows.push(row);
          const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
          console.log(
            `${mode.padEnd(10)} ${nItems.toLocaleString("en-US").padStart(9)} items (d = ${dim}, kernels ${row.variant}): table ${mib(row.tableBytes)} (${(row.tableBytes / nItems).toFixed(1)} B/item), ` +
              `wasm memory ${mib(row.wasmBytes)}, workerd resident +${mib(row.rssDeltaBytes)} (${(row.rssDeltaBytes / nItems).toFixed(1)} B/item); first request (R2 reads + build) ${row.loadMs.toFixed(0)} ms; ` +
              `per top-20: ${row.cpuPerRecommendMs.toFixed(2)} ms CPU, ${row.wallPerRecommendMs.toFixed(2)} ms wall`,
          );
        } finally {
          await mf.dispose();
        }
      }
    }
    kernels.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

/**
 * Int8 item codes against float32 for the top-20 of a block of users (issue 16): recall@20 of the
 * exact top-20 and the time of both paths, side by side, on generated catalogs of 1M and 10M
 * items, d = 64, on 1 and 2 threads; and one user at a time (a serving request).
 *
 * The catalog is low-rank plus noise, with spread-out norms, as trained factor tables are: item i
 * = s_i·(A·z_i + 0.5·ε_i) with A a fixed 64×16 matrix, z_i ~ N(0, I_16), ε_i uniform of unit
 * variance and s_i = exp(0.35·N(0, 1)); users A·w + 0.5·ε. Pure iid noise would make every score
 * a near-tie of thousands of others (recall then measures noise), a few clusters would make the
 * top-20 trivial to find; this sits in between.
 *
 * Float32 path: the fused score + top-k kernel (Kernels.scoreTopK) over the packed float table,
 * what MatrixFactorization serves with (chunks of 2M items merged on the host past 4M items, the
 * allocator's 1 GiB block). Int8 path: QuantizedItemTable.topK (R = refineFactor·20 candidates
 * by the codes, re-scored exactly). The exact top-20 the recall is measured against is the
 * float32 path's. Each configuration runs in its own process (a 10M-item catalog holds 2.6 GB
 * of floats per path); within it the two paths alternate, `--repeats` rounds, and the ratio is
 * the median of the per-round ratios (this machine's speed moves within seconds).
 *
 *   node dist/bench/quantized-topk.js [--items 1000000,10000000] [--threads 1,2] [--users 240] [--repeats 5] [--json]
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { Kernels } from "../ts/kernels/kernels.js";
import { QuantizedItemTable } from "../ts/kernels/quantized-items.js";
import { freeAll, type WasmF32Array, type WasmI32Array } from "../ts/kernels/wasm-instance.js";
import { loadKernels } from "../ts/node.js";
import { Rng } from "../ts/util/rng.js";
import { describeMachine } from "./machine.js";
import { median } from "./stats.js";

const DIM = 64;
const RANK = 16;
const K = 20;
/** Float items per packed chunk past 4M items (512 MiB at d = 64). */
const FLOAT_CHUNK = 2 ** 21;

export interface QuantizedBenchRow {
  items: number;
  threads: number;
  users: number;
  /** Median wall ms of the block's top-20 on each path, and the median of per-round ratios float/int8. */
  floatMs: number;
  int8Ms: number;
  speedup: number;
  /** The same by process CPU time (both threads' when 2). */
  floatCpuMs: number;
  int8CpuMs: number;
  cpuSpeedup: number;
  /** recall@20 of the float top-20 at refine factors 1, 2, 4 (R = 20, 40, 80). */
  recall: Record<string, number>;
  /** One user's top-20: median ms over the users, each path. */
  oneUserFloatMs: number;
  oneUserInt8Ms: number;
  /** Building the int8 table from the floats (quantize + pack), ms. */
  quantizeMs: number;
  bytesPerItem: { float: number; int8Codes: number; int8Side: number; exactRows: number };
  loadAverage: readonly number[];
}

/** A seeded generator of the catalog and the users (see the header), items in wasm-sized chunks. */
class Catalog {
  private readonly a: Float32Array;
  private state: number;
  constructor(seed: number) {
    const rng = new Rng(seed);
    this.a = Float32Array.from({ length: DIM * RANK }, () => rng.normal() / Math.sqrt(RANK));
    this.state = (seed * 2654435761) >>> 0 || 1;
  }

  /** xorshift32 in [0, 1): fast enough for 640M noise values. */
  private uniform(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 4294967296;
  }

  private normal(): number {
    const u = this.uniform() || 1e-12;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
  }

  /** n rows: s·(A·z + 0.5·ε), the product in wasm (gemmNT), the rest here. */
  rows(k: Kernels, n: number, out: Float32Array, spreadNorms: boolean): void {
    const e = k.wasm;
    const step = 1 << 18;
    const a = e.f32From(this.a);
    try {
      for (let first = 0; first < n; first += step) {
        const c = Math.min(step, n - first);
        const z = e.f32(c * RANK);
        const prod = e.f32(c * DIM);
        try {
          const zv = z.view;
          for (let i = 0; i < zv.length; i++) zv[i] = this.normal();
          k.gemmNT(z, a, prod, c, DIM, RANK);
          const pv = prod.view;
          for (let i = 0; i < c; i++) {
            const s = spreadNorms ? Math.exp(0.35 * this.normal()) : 1;
            for (let t = 0; t < DIM; t++) out[(first + i) * DIM + t] = s * (pv[i * DIM + t] + 0.5 * Math.sqrt(12) * (this.uniform() - 0.5));
          }
        } finally {
          freeAll(z, prod);
        }
      }
    } finally {
      a.free();
    }
  }
}

/** The float32 path: packed chunks, fused score + top-k per chunk, merged by score then lower index. */
class FloatTopK {
  private readonly chunks: { first: number; items: number; packed: WasmF32Array }[] = [];
  constructor(
    private readonly k: Kernels,
    items: Float32Array,
    readonly nItems: number,
  ) {
    const e = k.wasm;
    const step = nItems <= 2 * FLOAT_CHUNK ? nItems : FLOAT_CHUNK;
    const raw = e.f32(Math.min(step, nItems) * DIM);
    try {
      for (let first = 0; first < nItems; first += step) {
        const n = Math.min(step, nItems - first);
        const packed = e.f32(k.packedItemsLength(n, DIM));
        raw.view.set(items.subarray(first * DIM, (first + n) * DIM));
        k.packItems(raw, n, DIM, packed);
        this.chunks.push({ first, items: n, packed });
      }
    } finally {
      raw.free();
    }
  }

  get bytes(): number {
    return this.chunks.reduce((s, c) => s + c.packed.length * 4, 0);
  }

  topK(users: WasmF32Array, n: number, outIdx: WasmI32Array, outScore: WasmF32Array, scratchIdx: WasmI32Array, scratchScore: WasmF32Array): void {
    if (this.chunks.length === 1) {
      this.k.scoreTopK(users, n, DIM, this.chunks[0].packed, this.nItems, null, K, null, outIdx, outScore);
      return;
    }
    const lists: { i: number; s: number }[][] = Array.from({ length: n }, () => []);
    for (const c of this.chunks) {
      this.k.scoreTopK(users, n, DIM, c.packed, c.items, null, K, null, scratchIdx, scratchScore);
      const iv = scratchIdx.view,
        sv = scratchScore.view;
      for (let u = 0; u < n; u++) for (let r = 0; r < K; r++) if (iv[u * K + r] >= 0) lists[u].push({ i: iv[u * K + r] + c.first, s: sv[u * K + r] });
    }
    const oi = outIdx.view,
      os = outScore.view;
    lists.forEach((l, u) => {
      l.sort((a, b) => b.s - a.s || a.i - b.i);
      for (let r = 0; r < K; r++) {
        oi[u * K + r] = l[r]?.i ?? -1;
        os[u * K + r] = l[r]?.s ?? -Infinity;
      }
    });
  }

  free(): void {
    freeAll(...this.chunks.map((c) => c.packed));
  }
}

function timed(work: () => void): { wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  work();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1e3 };
}

function recallAt(exact: Int32Array, got: Int32Array, n: number): number {
  let hit = 0;
  for (let u = 0; u < n; u++) {
    const want = new Set(exact.subarray(u * K, (u + 1) * K));
    for (const i of got.subarray(u * K, (u + 1) * K)) if (want.has(i)) hit++;
  }
  return hit / (n * K);
}

/** One configuration, in this process: what the parent prints. */
async function runOne(nItems: number, threads: number, nUsers: number, repeats: number): Promise<QuantizedBenchRow> {
  const loadAverage = describeMachine().loadAverage;
  const kf = await loadKernels({ threads });
  const kq = await loadKernels({ threads });
  const catalog = new Catalog(16);
  let items: Float32Array | null = new Float32Array(nItems * DIM);
  catalog.rows(kf, nItems, items, true);
  const userRows = new Float32Array(nUsers * DIM);
  catalog.rows(kf, nUsers, userRows, false);
  const float = new FloatTopK(kf, items, nItems);
  let table: QuantizedItemTable | null = null;
  const quantize = timed(() => {
    table = QuantizedItemTable.fromItems(kq, items!, nItems, DIM);
  });
  items = null;
  const q = table! as QuantizedItemTable;
  const fe = kf.wasm,
    qe = kq.wasm;
  const fUsers = fe.f32From(userRows),
    fIdx = fe.i32(nUsers * K),
    fScore = fe.f32(nUsers * K),
    fTmpIdx = fe.i32(nUsers * K),
    fTmpScore = fe.f32(nUsers * K);
  const qUsers = qe.f32From(userRows),
    qIdx = qe.i32(nUsers * K),
    qScore = qe.f32(nUsers * K);
  try {
    // Warm-up (TurboFan replaces the baseline code from the second call on), then alternate.
    float.topK(fUsers, Math.min(nUsers, 12), fIdx, fScore, fTmpIdx, fTmpScore);
    q.topK(qUsers, Math.min(nUsers, 12), K, null, qIdx, qScore);
    const f: { wall: number; cpu: number }[] = [],
      g: { wall: number; cpu: number }[] = [];
    for (let r = 0; r < repeats; r++) {
      f.push(timed(() => float.topK(fUsers, nUsers, fIdx, fScore, fTmpIdx, fTmpScore)));
      g.push(timed(() => q.topK(qUsers, nUsers, K, null, qIdx, qScore)));
    }
    const exact = fIdx.view.slice();
    const recall: Record<string, number> = {};
    for (const factor of [1, 2, 4]) {
      q.topK(qUsers, nUsers, K, null, qIdx, qScore, { refineFactor: factor });
      recall[`R=${factor * K}`] = recallAt(exact, qIdx.view, nUsers);
    }
    // One user per request, as a Worker serves: alternating, one call each.
    const one: number[] = [],
      oneQ: number[] = [];
    const fOne = fe.f32(DIM),
      qOne = qe.f32(DIM);
    try {
      for (let u = 0; u < Math.min(nUsers, 24); u++) {
        fOne.view.set(userRows.subarray(u * DIM, (u + 1) * DIM));
        qOne.view.set(userRows.subarray(u * DIM, (u + 1) * DIM));
        one.push(timed(() => float.topK(fOne, 1, fIdx, fScore, fTmpIdx, fTmpScore)).wall);
        oneQ.push(timed(() => q.topK(qOne, 1, K, null, qIdx, qScore)).wall);
      }
    } finally {
      freeAll(fOne, qOne);
    }
    const mem = q.memory();
    return {
      items: nItems,
      threads: kf.threads.count,
      users: nUsers,
      floatMs: median(f.map((x) => x.wall)),
      int8Ms: median(g.map((x) => x.wall)),
      speedup: median(f.map((x, r) => x.wall / g[r].wall)),
      floatCpuMs: median(f.map((x) => x.cpu)),
      int8CpuMs: median(g.map((x) => x.cpu)),
      cpuSpeedup: median(f.map((x, r) => x.cpu / g[r].cpu)),
      recall,
      oneUserFloatMs: median(one.slice(2)),
      oneUserInt8Ms: median(oneQ.slice(2)),
      quantizeMs: quantize.wall,
      bytesPerItem: { float: float.bytes / nItems, int8Codes: mem.codeBytes / nItems, int8Side: mem.sideBytes / nItems, exactRows: mem.rowBytes / nItems },
      loadAverage,
    };
  } finally {
    freeAll(fUsers, fIdx, fScore, fTmpIdx, fTmpScore, qUsers, qIdx, qScore);
    q.free();
    float.free();
    kf.dispose();
    kq.dispose();
  }
}

/**
 * Per-item against per-dimension scales on a 100k-item sample of the same catalog, in f64 here:
 * the share of the exact top-20 among the R best candidates by the codes (no re-scoring), for
 * R = 20, 40, 80. What chose per-item scales (assembly/quantized.ts).
 */
async function compareScales(): Promise<Record<string, Record<string, number>>> {
  const m = 100_000,
    n = 100;
  const k = await loadKernels({ threads: 1 });
  const catalog = new Catalog(16);
  const items = new Float32Array(m * DIM),
    users = new Float32Array(n * DIM);
  catalog.rows(k, m, items, true);
  catalog.rows(k, n, users, false);
  k.dispose();
  const quantize = (x: number, s: number) => (s > 0 ? Math.max(-63, Math.min(63, Math.round(x / s))) : 0);
  const perItem = { codes: new Int8Array(m * DIM), scale: (i: number, _t: number) => itemScale[i] };
  const itemScale = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let mx = 0;
    for (let t = 0; t < DIM; t++) mx = Math.max(mx, Math.abs(items[i * DIM + t]));
    itemScale[i] = mx / 63;
    for (let t = 0; t < DIM; t++) perItem.codes[i * DIM + t] = quantize(items[i * DIM + t], itemScale[i]);
  }
  const dimScale = new Float64Array(DIM);
  for (let t = 0; t < DIM; t++) for (let i = 0; i < m; i++) dimScale[t] = Math.max(dimScale[t], Math.abs(items[i * DIM + t]) / 63);
  const perDim = { codes: new Int8Array(m * DIM), scale: (_i: number, t: number) => dimScale[t] };
  for (let i = 0; i < m; i++) for (let t = 0; t < DIM; t++) perDim.codes[i * DIM + t] = quantize(items[i * DIM + t], dimScale[t]);
  const out: Record<string, Record<string, number>> = {};
  for (const [name, scheme] of [
    ["per item", perItem],
    ["per dimension", perDim],
  ] as const) {
    const hits: Record<string, number> = { "R=20": 0, "R=40": 0, "R=80": 0 };
    for (let u = 0; u < n; u++) {
      const row = users.subarray(u * DIM, (u + 1) * DIM);
      const exact = new Float64Array(m),
        approx = new Float64Array(m);
      for (let i = 0; i < m; i++) {
        let s = 0,
          a = 0;
        for (let t = 0; t < DIM; t++) {
          s += row[t] * items[i * DIM + t];
          a += row[t] * scheme.codes[i * DIM + t] * scheme.scale(i, t);
        }
        exact[i] = s;
        approx[i] = a;
      }
      const order = (v: Float64Array) => Array.from({ length: m }, (_, i) => i).sort((x, y) => v[y] - v[x] || x - y);
      const want = order(exact).slice(0, K);
      const cand = order(approx);
      for (const R of [20, 40, 80]) {
        const top = new Set(cand.slice(0, R));
        hits[`R=${R}`] += want.filter((i) => top.has(i)).length / K / n;
      }
    }
    out[name] = hits;
  }
  return out;
}

/** Each configuration in its own process (see the header), printed as it finishes through `log`. */
export async function runQuantizedBench(options: {
  items: readonly number[];
  threads: readonly number[];
  users: number;
  repeats: number;
  log: (line: string) => void;
}): Promise<QuantizedBenchRow[]> {
  const { users, repeats, log } = options;
  const rows: QuantizedBenchRow[] = [];
  const script = fileURLToPath(import.meta.url);
  for (const items of options.items) {
    for (const threads of options.threads) {
      const child = spawnSync(process.execPath, [script, "--child", JSON.stringify({ items, threads, users, repeats })], {
        encoding: "utf8",
        maxBuffer: 1 << 20,
        stdio: ["ignore", "pipe", "inherit"],
      });
      if (child.status !== 0) throw new Error(`the run for ${items} items on ${threads} threads failed (exit ${child.status})`);
      const r = JSON.parse(child.stdout.trim().split("\n").at(-1)!) as QuantizedBenchRow;
      rows.push(r);
      const fmt = (x: number) => x.toLocaleString("en-US", { maximumFractionDigits: 1 });
      log(
        `${items.toLocaleString("en-US")} items, ${r.threads} thread${r.threads === 1 ? "" : "s"}: float32 ${fmt(r.floatMs)} ms, int8 ${fmt(r.int8Ms)} ms → ${r.speedup.toFixed(2)}× ` +
          `(CPU time ${fmt(r.floatCpuMs)} / ${fmt(r.int8CpuMs)} ms → ${r.cpuSpeedup.toFixed(2)}×); recall@20 ${Object.entries(r.recall)
            .map(([R, v]) => `${v.toFixed(4)} (${R})`)
            .join(", ")}; one user ${fmt(r.oneUserFloatMs)} vs ${fmt(r.oneUserInt8Ms)} ms (${(r.oneUserFloatMs / r.oneUserInt8Ms).toFixed(2)}×); ` +
          `quantizing ${fmt(r.quantizeMs)} ms; bytes per item: float ${r.bytesPerItem.float.toFixed(0)}, int8 codes ${r.bytesPerItem.int8Codes.toFixed(0)} + ${r.bytesPerItem.int8Side.toFixed(1)} side + ${r.bytesPerItem.exactRows.toFixed(0)} exact rows; load ${r.loadAverage.join(" / ")}`,
      );
    }
  }
  return rows;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      items: { type: "string", default: "1000000,10000000" },
      threads: { type: "string", default: "1,2" },
      users: { type: "string", default: "240" },
      repeats: { type: "string", default: "5" },
      child: { type: "string" },
      scales: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
  });
  if (values.child) {
    const c = JSON.parse(values.child) as { items: number; threads: number; users: number; repeats: number };
    process.stdout.write(`${JSON.stringify(await runOne(c.items, c.threads, c.users, c.repeats))}\n`);
    return;
  }
  const list = (s: string, what: string) =>
    s.split(",").map((x) => {
      const v = Number(x);
      if (!Number.isInteger(v) || v <= 0) throw new RangeError(`--${what} takes positive whole numbers separated by commas, got "${s}"`);
      return v;
    });
  const [users] = list(values.users!, "users"),
    [repeats] = list(values.repeats!, "repeats");
  const m = describeMachine();
  const out = values.json ? (l: string) => process.stderr.write(`${l}\n`) : (l: string) => process.stdout.write(`${l}\n`);
  out(
    `Machine: ${m.cpuModel}, ${m.logicalCores} logical cores, ${m.totalMemoryGiB} GiB; ${m.runtime}, V8 ${m.v8}; load average at start ${m.loadAverage.join(" / ")}`,
  );
  out(`Top-${K} of ${users} users, d = ${DIM}, low-rank (16) + noise catalog; medians of ${repeats} alternating rounds; speed-up = median of per-round ratios`);
  const rows = await runQuantizedBench({ items: list(values.items!, "items"), threads: list(values.threads!, "threads"), users, repeats, log: out });
  let scales: Record<string, Record<string, number>> | null = null;
  if (values.scales) {
    scales = await compareScales();
    out("Per-item against per-dimension scales (100k items, 100 users, share of the exact top-20 among the R best by the codes, no re-scoring):");
    for (const [name, hits] of Object.entries(scales))
      out(
        `  ${name}: ${Object.entries(hits)
          .map(([R, v]) => `${R} ${v.toFixed(4)}`)
          .join(", ")}`,
      );
  }
  if (values.json) process.stdout.write(`${JSON.stringify({ machine: m, rows, scales }, null, 2)}\n`);
}

// Run as a script (or as one configuration's child); imported by bench/run.ts for runQuantizedBench.
if (process.argv[1] === fileURLToPath(import.meta.url)) await main();

/**
 * The kernel benchmark: one run, side by side, of what each way of computing scores reaches on this
 * machine, in GFLOP/s (medians over ≥ 5 timed runs after warm-up).
 *
 *   dot product, n = 100k:            plain JS, wasm scalar, wasm SIMD, wasm relaxed SIMD (one
 *                                      query: memory-bound)
 *   scoring, 512 users × 100k items:  plain JS blocked loop, wasm scalar score_packed, wasm SIMD
 *                                      score_rows_dot (naive), wasm SIMD and wasm relaxed SIMD
 *                                      (fused multiply-add) score_packed, numpy/BLAS
 *   gemm_nn 256×40k · 40k×64, gemm_tn (40k×256)ᵀ · 256×64: the two products of a full-softmax step
 *
 * The relaxed build runs only where relaxed SIMD validates (the Node entry switches it on for
 * Node 20); elsewhere its rows say why they are missing.
 *
 * The slow implementations score a slice of the catalog (the shape column says which) so that a
 * full run stays near a minute; their GFLOP/s are rates and compare across slice sizes because
 * every implementation here is compute-bound at these sizes. numpy runs the full shapes.
 *
 * Then the scoring target (relaxed score_packed / numpy) once more, in alternating pairs of one
 * wasm call and one numpy product taken back to back (see PairedScoring).
 *
 * Usage: node dist/bench/kernels.js [--json] [--quick] [--repeats N] [--pairs N] [--no-numpy] [--python PATH]
 */
import { pathToFileURL } from "node:url";
import { Kernels } from "../ts/kernels/kernels.js";
import type { WasmF32Array } from "../ts/kernels/wasm-instance.js";
import { plainDot, plainScoreBlocked } from "../tests/reference/scoring.js";
import { loadWasmInstance } from "../ts/node.js";
import { Rng } from "../ts/util/rng.js";
import { describeMachine, type MachineInfo } from "./machine.js";
import { runNumpyMatmul, startNumpyTimer, type MatmulShape, type NumpyOutcome } from "./numpy.js";
import { median, summarize, type SampleStats } from "./stats.js";
import { timeRuns, type TimingOptions } from "./timing.js";

export interface KernelBenchOptions {
  /** Timed runs per row (at least 5 unless `quick`). */
  readonly repeats?: number;
  /** Small shapes, for checking that the benchmark works (numbers are not meaningful). */
  readonly quick?: boolean;
  /** Run the numpy comparison when python3 with numpy is available (default true). */
  readonly numpy?: boolean;
  readonly python?: string;
  /** Alternating wasm/numpy pairs for the scoring target (default 21; 3 with quick; 0 skips). */
  readonly pairs?: number;
  /** Progress lines (the script sends them to stderr). */
  readonly log?: (line: string) => void;
}

export type BenchmarkName = "dot" | "scoring" | "gemm_nn" | "gemm_tn";

export interface KernelBenchRow {
  readonly benchmark: BenchmarkName;
  readonly implementation: string;
  readonly shape: string;
  readonly flopsPerCall: number;
  /** Milliseconds per call; absent when the implementation failed (see `error`). */
  readonly ms?: SampleStats;
  /** GFLOP/s at the median time. */
  readonly gflops?: number;
  /** GFLOP/s at the slowest and the fastest sample. */
  readonly gflopsRange?: readonly [number, number];
  /** GFLOP/s at the median process CPU time per call (see bench/timing.ts: robust to time-slicing). */
  readonly cpuGflops?: number;
  readonly error?: string;
}

export interface KernelBenchRatio {
  readonly name: string;
  /** Numerator GFLOP/s divided by denominator GFLOP/s; null when either side is missing. */
  readonly value: number | null;
  /** The same ratio from CPU-time GFLOP/s. */
  readonly cpuValue: number | null;
}

/**
 * The scoring target measured in alternating pairs: each pair times one relaxed score_packed call
 * and one numpy product of the same shape back to back, so both sides of a pair's ratio see the
 * same CPU clock. On this shared machine the clock moves by ±20% within seconds (a pure FMA loop
 * measured 27-36 GFLOP/s minutes apart); a ratio of two medians taken a minute apart inherits
 * that, the median of per-pair ratios much less.
 */
export interface ScoringPair {
  readonly wasmGflops: number;
  readonly numpyGflops: number;
  readonly ratio: number;
}

export type PairedScoring =
  | { readonly available: true; readonly implementation: string; readonly shape: string; readonly pairs: readonly ScoringPair[]; readonly medianRatio: number }
  | { readonly available: false; readonly reason: string };

export interface KernelBenchResult {
  readonly machine: MachineInfo;
  readonly repeats: number;
  readonly quick: boolean;
  readonly rows: readonly KernelBenchRow[];
  readonly numpy: NumpyOutcome | { readonly available: false; readonly reason: string };
  readonly ratios: readonly KernelBenchRatio[];
  readonly pairedScoring: PairedScoring;
  readonly seconds: number;
}

/** The issue's target for the relaxed score_packed against single-thread numpy on the scoring shape. */
export const SCORING_TARGET_RATIO = 0.4;

interface Shapes {
  dotN: number;
  users: number;
  d: number;
  items: number;
  /** Items scored by the implementations too slow for the whole catalog. */
  plainItems: number;
  scalarItems: number;
  naiveItems: number;
  gemmBatch: number;
  gemmCatalog: number;
}

const FULL: Shapes = {
  dotN: 100_000,
  users: 512,
  d: 64,
  items: 100_000,
  plainItems: 4_096,
  scalarItems: 16_384,
  naiveItems: 16_384,
  gemmBatch: 256,
  gemmCatalog: 40_000,
};

const QUICK: Shapes = {
  dotN: 10_000,
  users: 64,
  d: 64,
  items: 8_192,
  plainItems: 512,
  scalarItems: 2_048,
  naiveItems: 2_048,
  gemmBatch: 32,
  gemmCatalog: 2_048,
};

const IMPL = {
  plainDot: "plain JS Float32Array loop",
  scalarDot: "wasm scalar dot",
  simdDot: "wasm SIMD dot",
  relaxedDot: "wasm relaxed SIMD dot",
  plainScore: "plain JS blocked loop (4 users/pass)",
  scalarPacked: "wasm scalar score_packed",
  simdNaive: "wasm SIMD score_rows_dot (naive)",
  simdPacked: "wasm SIMD score_packed",
  relaxedPacked: "wasm relaxed SIMD (FMA) score_packed",
  scalarGemm: "wasm scalar",
  simdGemm: "wasm SIMD",
  relaxedGemm: "wasm relaxed SIMD (FMA)",
  numpy: "numpy/BLAS, 1 thread",
} as const;

export async function runKernelBench(options: KernelBenchOptions = {}): Promise<KernelBenchResult> {
  const started = performance.now();
  const quick = options.quick ?? false;
  const repeats = options.repeats ?? 5;
  if (!Number.isInteger(repeats) || repeats < 1 || (!quick && repeats < 5)) {
    throw new RangeError(`repeats must be an integer >= 5 (>= 1 with quick), got ${repeats}`);
  }
  const log = options.log ?? (() => {});
  const shapes = quick ? QUICK : FULL;
  const machine = describeMachine();
  const timing: TimingOptions = { repeats, warmupRuns: 1, minSampleMs: quick ? 5 : 40 };
  const rows: KernelBenchRow[] = [];
  const rng = new Rng(20240611);

  const simd = new Kernels(await loadWasmInstance({ variant: "simd", threads: 1 }));
  const scalar = new Kernels(await loadWasmInstance({ variant: "scalar", threads: 1 }));
  const relaxed = await loadRelaxed();
  const owned: WasmF32Array[] = [];
  let pairedScoring: PairedScoring = { available: false, reason: "not reached" };
  let relaxedScore: (() => void) | undefined;
  const upload = (k: Kernels, data: Float32Array): WasmF32Array => {
    const a = k.wasm.f32From(data);
    owned.push(a);
    return a;
  };
  const zeros = (k: Kernels, n: number): WasmF32Array => {
    const a = k.wasm.f32(n);
    owned.push(a);
    return a;
  };

  const measure = (benchmark: BenchmarkName, implementation: string, shape: string, flops: number, work: () => void): void => {
    log(`${benchmark}: ${implementation} (${shape})`);
    try {
      const times = timeRuns(work, timing);
      const ms = summarize(times.wallMs);
      rows.push({
        benchmark,
        implementation,
        shape,
        flopsPerCall: flops,
        ms,
        gflops: flops / ms.median / 1e6,
        gflopsRange: [flops / ms.max / 1e6, flops / ms.min / 1e6],
        cpuGflops: flops / median(times.cpuMs) / 1e6,
      });
    } catch (e) {
      rows.push({ benchmark, implementation, shape, flopsPerCall: flops, error: e instanceof Error ? e.message : String(e) });
    }
  };

  const unavailable = (benchmark: BenchmarkName, implementation: string, shape: string, flops: number, reason: string): void => {
    log(`${benchmark}: ${implementation} skipped: ${reason}`);
    rows.push({ benchmark, implementation, shape, flopsPerCall: flops, error: `not measured: ${reason}` });
  };

  try {
    // One query against n items: a dot product of length n.
    const { dotN } = shapes;
    const a = uniform(rng, dotN);
    const b = uniform(rng, dotN);
    const dotShape = `n=${dotN}`;
    let sink = 0;
    measure("dot", IMPL.plainDot, dotShape, 2 * dotN, () => {
      sink += plainDot(a, b, dotN);
    });
    for (const [k, name] of [
      [scalar, IMPL.scalarDot],
      [simd, IMPL.simdDot],
      [relaxed, IMPL.relaxedDot],
    ] as const) {
      if (typeof k === "string") {
        unavailable("dot", name, dotShape, 2 * dotN, k);
        continue;
      }
      const wa = upload(k, a);
      const wb = upload(k, b);
      measure("dot", name, dotShape, 2 * dotN, () => {
        sink += k.dot(wa, wb, dotN);
      });
    }

    // Batched scoring: users × items, d components.
    const { users, d, items } = shapes;
    const userTable = uniform(rng, users * d);
    const itemTable = uniform(rng, items * d);
    const scoreShape = (m: number) => `${users}×${d} · ${m}×${d}ᵀ`;
    const scoreFlops = (m: number) => 2 * users * m * d;
    {
      const m = shapes.plainItems;
      const out = new Float32Array(users * m);
      measure("scoring", IMPL.plainScore, scoreShape(m), scoreFlops(m), () => plainScoreBlocked(userTable, users, d, itemTable, m, out));
    }
    const packedBuilds = [
      [scalar, IMPL.scalarPacked, shapes.scalarItems],
      [simd, IMPL.simdPacked, items],
      [relaxed, IMPL.relaxedPacked, items],
    ] as const;
    for (const [k, name, m] of packedBuilds) {
      if (typeof k === "string") {
        unavailable("scoring", name, scoreShape(m), scoreFlops(m), k);
        continue;
      }
      const wu = upload(k, userTable);
      const packed = zeros(k, k.packedItemsLength(m, d));
      k.packItems(upload(k, itemTable.subarray(0, m * d)), m, d, packed);
      const out = zeros(k, users * m);
      prewarmScoring(k, wu, d, packed);
      const score = () => k.scorePacked(wu, users, d, packed, m, out);
      measure("scoring", name, scoreShape(m), scoreFlops(m), score);
      if (k === relaxed) relaxedScore = score;
    }
    {
      const m = shapes.naiveItems;
      const wu = upload(simd, userTable);
      const wi = upload(simd, itemTable.subarray(0, m * d));
      const out = zeros(simd, users * m);
      measure("scoring", IMPL.simdNaive, scoreShape(m), scoreFlops(m), () => simd.scoreRowsDot(wu, users, d, wi, m, out));
    }

    const whyNoRelaxed = typeof relaxed === "string" ? `relaxed SIMD build unavailable: ${relaxed}` : "the relaxed scoring row was not measured";
    pairedScoring = await measurePairedScoring(relaxedScore ?? whyNoRelaxed, users, items, d, options, quick, log);

    // The two products of a full-softmax step: dP = G·Q and dQ = Gᵀ·P.
    const { gemmBatch: batch, gemmCatalog: catalog } = shapes;
    const grads = uniform(rng, batch * catalog);
    const factors = uniform(rng, catalog * d);
    const gemmFlops = 2 * batch * catalog * d;
    const nnShape = `${batch}×${catalog} · ${catalog}×${d}`;
    const tnShape = `Gᵀ: ${catalog}×${batch} · ${batch}×${d}`;
    for (const [k, name] of [
      [relaxed, IMPL.relaxedGemm],
      [simd, IMPL.simdGemm],
      [scalar, IMPL.scalarGemm],
    ] as const) {
      if (typeof k === "string") {
        unavailable("gemm_nn", `${name} gemm_nn`, nnShape, gemmFlops, k);
        unavailable("gemm_tn", `${name} gemm_tn`, tnShape, gemmFlops, k);
        continue;
      }
      const g = upload(k, grads);
      const q = upload(k, factors);
      const p = upload(k, factors.subarray(0, batch * d));
      const dP = zeros(k, batch * d);
      const dQ = zeros(k, catalog * d);
      prewarmGemm(k, g, q, p, dP, dQ, d);
      measure("gemm_nn", `${name} gemm_nn`, nnShape, gemmFlops, () => k.gemmNN(g, q, dP, batch, d, catalog));
      measure("gemm_tn", `${name} gemm_tn`, tnShape, gemmFlops, () => k.gemmTN(g, p, dQ, catalog, d, batch));
    }
    if (sink === 0.123456789) log("(unlikely sum, printed so the dot products stay live)");
  } finally {
    for (const a of owned) a.free();
  }

  let numpy: KernelBenchResult["numpy"] = { available: false, reason: "disabled (--no-numpy)" };
  if (options.numpy ?? true) {
    log("numpy/BLAS (single thread)");
    const numpyShapes: MatmulShape[] = [
      { name: "scoring", M: shapes.users, N: shapes.items, K: shapes.d, transB: true },
      { name: "gemm_nn", M: shapes.gemmBatch, N: shapes.d, K: shapes.gemmCatalog },
      { name: "gemm_tn", M: shapes.gemmCatalog, N: shapes.d, K: shapes.gemmBatch, transA: true },
    ];
    numpy = runNumpyMatmul(numpyShapes, repeats, options.python);
    if (numpy.available) {
      for (const r of numpy.results) {
        const s = numpyShapes.find((x) => x.name === r.name)!;
        rows.push({
          benchmark: r.name as BenchmarkName,
          implementation: `${IMPL.numpy} (${numpy.blas})`,
          shape: numpyShapeLabel(r.name as BenchmarkName, s),
          flopsPerCall: 2 * s.M * s.N * s.K,
          ms: { median: r.medianSeconds * 1e3, min: r.minSeconds * 1e3, max: r.maxSeconds * 1e3, count: r.repeats },
          gflops: r.gflops,
          gflopsRange: [(2 * s.M * s.N * s.K) / r.maxSeconds / 1e9, (2 * s.M * s.N * s.K) / r.minSeconds / 1e9],
          cpuGflops: (2 * s.M * s.N * s.K) / r.medianCpuSeconds / 1e9,
        });
      }
    }
  }

  return { machine, repeats, quick, rows, numpy, ratios: ratios(rows), pairedScoring, seconds: (performance.now() - started) / 1e3 };
}

/**
 * The scoring target in alternating pairs (see PairedScoring): each pair is one relaxed
 * score_packed call and one numpy product timed by a python process kept running beside this one,
 * back to back, in alternating order (so a clock that drifts during a pair favours neither side).
 * Both sides time the second of two calls. `score` is the relaxed scoring row's own call (its
 * buffers, packed and warmed up there), or why that row was not measured.
 */
async function measurePairedScoring(
  score: (() => void) | string,
  users: number,
  m: number,
  d: number,
  options: KernelBenchOptions,
  quick: boolean,
  log: (line: string) => void,
): Promise<PairedScoring> {
  const pairs = options.pairs ?? (quick ? 3 : 21);
  if (pairs <= 0) return { available: false, reason: "disabled (--pairs 0)" };
  if (typeof score === "string") return { available: false, reason: score };
  if (options.numpy === false) return { available: false, reason: "disabled (--no-numpy)" };
  const timer = await startNumpyTimer({ name: "scoring", M: users, N: m, K: d, transB: true }, options.python);
  if ("available" in timer) return timer;
  try {
    const flops = 2 * users * m * d;
    // Each side runs twice and times its second call, as the python side does: the other side's
    // call in between has pushed its operands out of the caches.
    const timeWasm = (): number => {
      score();
      const t0 = performance.now();
      score();
      return (performance.now() - t0) / 1e3;
    };
    log(`scoring target: ${pairs} alternating wasm/numpy pairs`);
    const measured: ScoringPair[] = [];
    for (let r = 0; r < pairs; r++) {
      let wasmSeconds: number;
      let numpySeconds: number;
      if (r % 2 === 0) {
        wasmSeconds = timeWasm();
        numpySeconds = await timer.time();
      } else {
        numpySeconds = await timer.time();
        wasmSeconds = timeWasm();
      }
      const wasmGflops = flops / wasmSeconds / 1e9;
      const numpyGflops = flops / numpySeconds / 1e9;
      measured.push({ wasmGflops, numpyGflops, ratio: wasmGflops / numpyGflops });
    }
    return {
      available: true,
      implementation: IMPL.relaxedPacked,
      shape: `${users}×${d} · ${m}×${d}ᵀ`,
      pairs: measured,
      medianRatio: median(measured.map((x) => x.ratio)),
    };
  } finally {
    timer.close();
  }
}

function numpyShapeLabel(benchmark: BenchmarkName, s: MatmulShape): string {
  if (benchmark === "scoring") return `${s.M}×${s.K} · ${s.N}×${s.K}ᵀ`;
  if (benchmark === "gemm_nn") return `${s.M}×${s.K} · ${s.K}×${s.N}`;
  return `Gᵀ: ${s.M}×${s.K} · ${s.K}×${s.N}`;
}

/** Uniform values in [-0.5, 0.5): scores of this size neither overflow nor go subnormal. */
function uniform(rng: Rng, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.next() - 0.5;
  return out;
}

/**
 * Many short calls on a small slice before the timed runs, so that every function score_packed
 * reaches (packing, tile kernels, edge stores) has been tiered up to TurboFan.
 */
function prewarmScoring(k: Kernels, users: WasmF32Array, d: number, packed: WasmF32Array): void {
  const nUsers = Math.min(7, users.length / d);
  const m = 29;
  const out = k.wasm.f32(nUsers * m);
  try {
    for (let i = 0; i < 300; i++) k.scorePacked(users, nUsers, d, packed, m, out);
  } finally {
    out.free();
  }
}

/** The same warm-up for the GEMMs: short products that reach every packing and tile path. */
function prewarmGemm(k: Kernels, g: WasmF32Array, q: WasmF32Array, p: WasmF32Array, dP: WasmF32Array, dQ: WasmF32Array, d: number): void {
  for (let i = 0; i < 300; i++) {
    k.gemmNN(g, q, dP, 7, d, 29);
    k.gemmTN(g, p, dQ, 29, d, 7);
  }
}

/** The relaxed-SIMD build, or why this runtime cannot run it (its rows then carry the reason). */
async function loadRelaxed(): Promise<Kernels | string> {
  try {
    return new Kernels(await loadWasmInstance({ variant: "relaxed", threads: 1 }));
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

function gflopsOf(rows: readonly KernelBenchRow[], benchmark: BenchmarkName, implementation: string, clock: "wall" | "cpu"): number | null {
  const row = rows.find((r) => r.benchmark === benchmark && r.implementation.startsWith(implementation));
  return (clock === "wall" ? row?.gflops : row?.cpuGflops) ?? null;
}

function ratios(rows: readonly KernelBenchRow[]): KernelBenchRatio[] {
  const pairs: Array<[string, BenchmarkName, string, BenchmarkName, string]> = [
    ["wasm relaxed SIMD score_packed / numpy", "scoring", IMPL.relaxedPacked, "scoring", IMPL.numpy],
    ["wasm relaxed SIMD score_packed / wasm SIMD score_packed", "scoring", IMPL.relaxedPacked, "scoring", IMPL.simdPacked],
    ["wasm SIMD score_packed / numpy", "scoring", IMPL.simdPacked, "scoring", IMPL.numpy],
    ["wasm SIMD score_packed / wasm SIMD score_rows_dot", "scoring", IMPL.simdPacked, "scoring", IMPL.simdNaive],
    ["wasm SIMD score_packed / wasm scalar score_packed", "scoring", IMPL.simdPacked, "scoring", IMPL.scalarPacked],
    ["wasm SIMD score_packed / plain JS", "scoring", IMPL.simdPacked, "scoring", IMPL.plainScore],
    ["wasm relaxed SIMD gemm_nn / numpy", "gemm_nn", `${IMPL.relaxedGemm} gemm_nn`, "gemm_nn", IMPL.numpy],
    ["wasm relaxed SIMD gemm_tn / numpy", "gemm_tn", `${IMPL.relaxedGemm} gemm_tn`, "gemm_tn", IMPL.numpy],
    ["wasm SIMD gemm_nn / numpy", "gemm_nn", `${IMPL.simdGemm} gemm_nn`, "gemm_nn", IMPL.numpy],
    ["wasm SIMD gemm_tn / numpy", "gemm_tn", `${IMPL.simdGemm} gemm_tn`, "gemm_tn", IMPL.numpy],
    ["wasm SIMD dot / plain JS dot", "dot", IMPL.simdDot, "dot", IMPL.plainDot],
    ["wasm scalar dot / plain JS dot", "dot", IMPL.scalarDot, "dot", IMPL.plainDot],
  ];
  const ratio = (clock: "wall" | "cpu", nb: BenchmarkName, ni: string, db: BenchmarkName, di: string): number | null => {
    const num = gflopsOf(rows, nb, ni, clock);
    const den = gflopsOf(rows, db, di, clock);
    return num !== null && den !== null && den > 0 ? num / den : null;
  };
  return pairs.map(([name, nb, ni, db, di]) => ({ name, value: ratio("wall", nb, ni, db, di), cpuValue: ratio("cpu", nb, ni, db, di) }));
}

/** The human-readable report: machine, one table row per measurement, then the ratios. */
export function formatKernelBench(result: KernelBenchResult): string {
  const m = result.machine;
  const lines: string[] = [];
  lines.push(`Machine: ${m.cpuModel}, ${m.logicalCores} logical cores, ${m.totalMemoryGiB} GiB, ${m.platform} ${m.arch}`);
  lines.push(`${m.runtime}, V8 ${m.v8}; load average at start ${m.loadAverage.join(" / ")}`);
  if (result.numpy.available) lines.push(`numpy ${result.numpy.numpy}, ${result.numpy.blas}, threads ${JSON.stringify(result.numpy.threads)}`);
  else lines.push(`numpy: not measured (${result.numpy.reason})`);
  lines.push(
    `Medians of ${result.repeats} timed runs after warm-up${result.quick ? " (QUICK shapes: not representative)" : ""}; GFLOP/s range = slowest..fastest run;`,
  );
  lines.push("CPU GFLOP/s = at the median process CPU time (user + system), which leaves out time other processes held the core.");
  lines.push("");
  const header = ["benchmark", "implementation", "shape", "median ms", "GFLOP/s", "range", "CPU GFLOP/s"];
  const body = result.rows.map((r) => [
    r.benchmark,
    r.implementation,
    r.shape,
    r.ms ? fmt(r.ms.median, 3) : "-",
    r.gflops !== undefined ? fmt(r.gflops, 3) : `failed: ${r.error}`,
    r.gflopsRange ? `${fmt(r.gflopsRange[0], 3)}..${fmt(r.gflopsRange[1], 3)}` : "",
    r.cpuGflops !== undefined ? fmt(r.cpuGflops, 3) : "",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i >= 3 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  lines.push(line(header));
  lines.push(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of body) lines.push(line(row));
  lines.push("");
  const times = (x: number | null) => (x === null ? "n/a" : `${fmt(x, 3)}×`);
  for (const r of result.ratios) lines.push(`${r.name}: ${times(r.value)} (by CPU time: ${times(r.cpuValue)})`);
  lines.push("");
  const p = result.pairedScoring;
  if (p.available) {
    const ratios = p.pairs.map((x) => x.ratio);
    lines.push(`Scoring target, ${p.implementation} / numpy in ${p.pairs.length} alternating pairs (${p.shape}):`);
    lines.push(
      `  median of per-pair ratios ${times(p.medianRatio)} (pairs ${fmt(Math.min(...ratios), 3)}..${fmt(Math.max(...ratios), 3)}; target >= ${SCORING_TARGET_RATIO}×${result.quick ? " on the full shapes only" : `: ${p.medianRatio >= SCORING_TARGET_RATIO ? "met" : "NOT met"}`})`,
    );
    lines.push(`  pairs (wasm / numpy GFLOP/s): ${p.pairs.map((x) => `${fmt(x.wasmGflops, 3)}/${fmt(x.numpyGflops, 3)}`).join(", ")}`);
  } else {
    lines.push(`Scoring target in alternating pairs: not measured (${p.reason})`);
  }
  lines.push(`(total ${fmt(result.seconds, 3)} s)`);
  return lines.join("\n");
}

function fmt(x: number, digits: number): string {
  return x >= 100 ? x.toFixed(0) : x.toPrecision(digits);
}

function parseArgs(argv: readonly string[]): { json: boolean; options: KernelBenchOptions } {
  let json = false;
  let quick = false;
  let numpy = true;
  let repeats: number | undefined;
  let python: string | undefined;
  let pairs: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === "--json") json = true;
    else if (arg === "--quick") quick = true;
    else if (arg === "--no-numpy") numpy = false;
    else if (arg === "--repeats") {
      const v = value();
      repeats = Number(v);
      if (!Number.isInteger(repeats)) throw new Error(`--repeats: expected an integer, got "${v}"`);
    } else if (arg === "--pairs") {
      const v = value();
      pairs = Number(v);
      if (!Number.isInteger(pairs) || pairs < 0) throw new Error(`--pairs: expected an integer >= 0, got "${v}"`);
    } else if (arg === "--python") python = value();
    else throw new Error(`unknown argument "${arg}" (expected --json, --quick, --repeats N, --pairs N, --no-numpy, --python PATH)`);
  }
  return { json, options: { quick, numpy, repeats, python, pairs } };
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`bench/kernels: ${(e as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  let result: KernelBenchResult;
  try {
    result = await runKernelBench({ ...parsed.options, log: (l) => process.stderr.write(`  ${l}\n`) });
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    process.stderr.write(`bench/kernels: ${e.message}\n`);
    process.exitCode = 2;
    return;
  }
  process.stdout.write(parsed.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatKernelBench(result)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}

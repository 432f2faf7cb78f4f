/**
 * A kernel (score_packed by default; the full softmax's gemm_nn or gemm_tn with --kernel) from
 * several kernel .wasm files side by side (a build before and after a kernel change, say),
 * interleaved round by round with the engine's multiply-add ceiling (madd_ceiling:
 * ten independent FMA chains, no loads), so that every build and the ceiling see the same clock.
 * Reports, per build, the median GFLOP/s, the median per-round share of the ceiling, and the
 * median per-round speed against the first file.
 *
 * Usage: node dist/bench/score-builds.js <a.wasm> [<b.wasm> ...] [--users 512] [--items 100000]
 *          [--dim 64] [--rounds 25] [--kernel score_packed|gemm_nn|gemm_tn]
 * gemm_nn is a full-softmax step's dP[users×d] = G[users×items]·Q[items×d], gemm_tn its
 * dQ[items×d] = Gᵀ·P[users×d] (--users 128 --items 40981: Gowalla's step).
 * A file's variant comes from its name (longtail.<variant>.wasm; relaxed when the name says none).
 */
import { existsSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { pathToFileURL } from "node:url";
import { Kernels } from "../ts/kernels/kernels.js";
import { KERNEL_VARIANTS, type KernelVariant } from "../ts/kernels/capabilities.js";
import type { WasmF32Array } from "../ts/kernels/wasm-instance.js";
import { loadWasmInstance } from "../ts/node.js";
import { Rng } from "../ts/util/rng.js";
import { describeMachine } from "./machine.js";
import { median } from "./stats.js";

const KERNELS = ["score_packed", "gemm_nn", "gemm_tn"] as const;
type BenchKernel = (typeof KERNELS)[number];

interface Options {
  files: string[];
  kernel: BenchKernel;
  users: number;
  items: number;
  dim: number;
  rounds: number;
}

interface Contender {
  readonly label: string;
  readonly run: () => void;
  readonly flops: number;
}

// Rounds of the ceiling loop per timing: ~0.1-0.2 s, the length of one scoring call at the default shape.
const CEILING_STEPS = 20_000_000;

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { files: [], kernel: "score_packed", users: 512, items: 100_000, dim: 64, rounds: 25 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) {
      options.files.push(arg);
      continue;
    }
    const key = arg.slice(2);
    if (key === "kernel") {
      const name = argv[++i];
      const kernel = KERNELS.find((k) => k === name);
      if (!kernel) throw new Error(`--kernel: expected one of ${KERNELS.join(", ")}, got "${name}"`);
      options.kernel = kernel;
      continue;
    }
    if (!["users", "items", "dim", "rounds"].includes(key)) throw new Error(`unknown flag ${arg} (expected --users, --items, --dim, --rounds, --kernel)`);
    const v = Number(argv[++i]);
    if (!Number.isInteger(v) || v < 1) throw new Error(`${arg}: expected a positive integer, got "${argv[i]}"`);
    options[key as "users" | "items" | "dim" | "rounds"] = v;
  }
  if (options.files.length === 0) throw new Error("give at least one kernel .wasm file");
  for (const file of options.files) if (!existsSync(file)) throw new Error(`${file}: no such file`);
  return options;
}

export function variantOf(file: string): KernelVariant {
  const named = KERNEL_VARIANTS.find((v) => basename(file).includes(`.${v}.`));
  return named ?? "relaxed";
}

async function main(): Promise<void> {
  let options: Options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`bench/score-builds: ${(e as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  const { kernel, users, items, dim: d, rounds } = options;
  const rng = new Rng(7);
  const userTable = Float32Array.from({ length: users * d }, () => rng.next() - 0.5);
  const itemTable = Float32Array.from({ length: items * d }, () => rng.next() - 0.5);
  // The GEMMs' G (∂L/∂scores of a full-softmax step), users × items.
  const gradScores = kernel === "score_packed" ? null : Float32Array.from({ length: users * items }, () => rng.next() - 0.5);
  const owned: WasmF32Array[] = [];
  const contenders: Contender[] = [];
  try {
    for (const file of options.files) {
      const variant = variantOf(file);
      const k = new Kernels(await loadWasmInstance({ variant, wasm: readFileSync(file), threads: 1 }));
      const wu = k.wasm.f32From(userTable);
      const wi = k.wasm.f32From(itemTable);
      // score_packed's scores out, or the GEMMs' G in (users × items either way).
      const wide = k.wasm.f32(users * items);
      owned.push(wu, wi, wide);
      let run: () => void;
      if (kernel === "score_packed") {
        const packed = k.wasm.f32(k.packedItemsLength(items, d));
        owned.push(packed);
        k.packItems(wi, items, d, packed);
        run = () => k.scorePacked(wu, users, d, packed, items, wide);
      } else {
        wide.view.set(gradScores!);
        const out = k.wasm.f32(kernel === "gemm_nn" ? users * d : items * d);
        owned.push(out);
        run = kernel === "gemm_nn" ? () => k.gemmNN(wide, wi, out, users, d, items) : () => k.gemmTN(wide, wu, out, items, d, users);
      }
      for (let i = 0; i < 3; i++) run();
      contenders.push({ label: `${file} (${variant})`, run, flops: 2 * users * items * d });
    }
    // The ceiling comes from this package's own default build (the files given may predate it).
    const k = new Kernels(await loadWasmInstance({ threads: 1 }));
    const flopsPerStep = k.x.madd_ceiling(1000);
    contenders.push({
      label: `madd_ceiling, ${k.wasm.variant} build (10 FMA chains, no loads)`,
      run: () => k.x.madd_ceiling(CEILING_STEPS),
      flops: flopsPerStep * CEILING_STEPS,
    });
    const seconds = contenders.map(() => [] as number[]);
    for (let r = 0; r < rounds; r++) {
      contenders.forEach((c, j) => {
        const t0 = performance.now();
        c.run();
        seconds[j].push((performance.now() - t0) / 1e3);
      });
    }
    const gflops = (j: number, s: number) => contenders[j].flops / s / 1e9;
    const ceiling = contenders.length - 1;
    const m = describeMachine();
    const lines = [
      `Machine: ${m.cpuModel}, ${m.logicalCores} logical cores; ${m.runtime}, V8 ${m.v8}; load average at start ${m.loadAverage.join(" / ")}`,
      `${kernel} ${kernel === "score_packed" ? `${users}×${d} · ${items}×${d}ᵀ` : kernel === "gemm_nn" ? `${users}×${items} · ${items}×${d}` : `Gᵀ: ${items}×${users} · ${users}×${d}`}, ${rounds} interleaved rounds (medians):`,
    ];
    contenders.forEach((c, j) => {
      const perRound = (f: (r: number) => number) => median(seconds[j].map((_, r) => f(r)));
      const share = `  ${perRound((r) => gflops(j, seconds[j][r]) / gflops(ceiling, seconds[ceiling][r])).toFixed(3)} of the ceiling`;
      const vsFirst = j === ceiling ? "" : `  ${perRound((r) => seconds[0][r] / seconds[j][r]).toFixed(3)}× the first`;
      lines.push(`  ${c.label}: ${gflops(j, median(seconds[j])).toFixed(1)} GFLOP/s${share}${vsFirst}`);
    });
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    for (const a of owned) a.free();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}

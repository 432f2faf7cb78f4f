/**
 * Ranking every user on Gowalla, side by side: numpy's best configuration for the top-K of all
 * users (bench/numpy_topk.py: BLAS threads × Python threads × block size, the fastest kept) against
 * longtail's fused scoring and top-k (rankTopLists) on 1 and N threads, and a full `evaluate`
 * (top-K plus every test item's full rank). Same tables for all: a BPR model trained for one epoch.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Interactions } from "../ts/data/interactions.js";
import { rankTopLists } from "../ts/eval/ranked-blocks.js";
import { MatrixFactorization } from "../ts/mf/matrix-factorization.js";
import { loadKernels } from "../ts/node.js";
import { median } from "./stats.js";

export interface RankingRow {
  readonly what: string;
  readonly threads: number;
  readonly seconds: number[];
  readonly median: number;
}

export interface RankingBenchResult {
  readonly users: number;
  readonly items: number;
  readonly k: number;
  readonly rows: RankingRow[];
  readonly numpy: { numpy: string; blas: string; best: Record<string, number>; median: number; configs: Record<string, number>[] } | { unavailable: string };
}

function timed(repeats: number, run: () => void): number[] {
  const out: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    run();
    out.push((performance.now() - t0) / 1000);
  }
  return out;
}

export async function runRankingBench(options: {
  train: Interactions;
  test: Interactions;
  threads: number;
  repeats?: number;
  k?: number;
  log?: (line: string) => void;
}): Promise<RankingBenchResult> {
  const { train, test, threads } = options;
  const repeats = options.repeats ?? 3,
    k = options.k ?? 20;
  const log = options.log ?? (() => {});
  const trainer = await loadKernels({ threads });
  const source = new MatrixFactorization(trainer, { loss: "bpr", epochs: 1 });
  await source.fit(train);
  const contents = source.toModelFile();
  const users = Int32Array.from({ length: train.nUsers }, (_, u) => u);
  const rows: RankingRow[] = [];
  for (const t of [1, threads]) {
    const kernels = t === threads ? trainer : await loadKernels({ threads: t });
    const model = MatrixFactorization.fromModelFile(kernels, contents);
    rankTopLists(model, train, users.subarray(0, 2000), k); // warm-up: the kernels' tier-up in every thread
    for (const [what, run] of [
      [`top-${k} of every user`, () => rankTopLists(model, train, users, k)],
      [`evaluate --k ${k}`, () => model.evaluate(train, test, { k })],
    ] as const) {
      const seconds = timed(repeats, run);
      rows.push({ what, threads: t, seconds, median: median(seconds) });
      log(`  longtail ${what}, ${t} thread${t === 1 ? "" : "s"}: ${median(seconds).toFixed(2)} s (median of ${repeats})`);
    }
    model.dispose();
    if (kernels !== trainer) kernels.dispose();
  }
  const numpy = runNumpyTopK(source, train, k, threads, repeats);
  if ("median" in numpy) log(`  numpy best (${JSON.stringify(numpy.best)}): ${numpy.median.toFixed(2)} s`);
  else log(`  numpy: ${numpy.unavailable}`);
  source.dispose();
  trainer.dispose();
  return { users: train.nUsers, items: train.nItems, k, rows, numpy };
}

function runNumpyTopK(model: MatrixFactorization, train: Interactions, k: number, threads: number, repeats: number): RankingBenchResult["numpy"] {
  const probe = spawnSync("python3", ["-c", "import numpy"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) return { unavailable: "no python3 with numpy: the numpy row is left out" };
  const dir = mkdtempSync(join(tmpdir(), "longtail-topk-"));
  try {
    const file = (name: string, data: ArrayBufferView) => {
      writeFileSync(join(dir, name), new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      return join(dir, name);
    };
    const spec = {
      users: file("users.f32", model.userFactors.view),
      items: file("items.f32", model.itemFactors.view),
      d: model.dim,
      k,
      indptr: file("indptr.i32", train.byUser.indptr),
      indices: file("indices.i32", train.byUser.indices),
      threads,
      repeats,
    };
    const script = fileURLToPath(new URL("../../bench/numpy_topk.py", import.meta.url));
    const run = spawnSync("python3", [script, JSON.stringify(spec)], { encoding: "utf8", maxBuffer: 1 << 20 });
    if (run.status !== 0) return { unavailable: `numpy_topk.py exited with ${run.status}: ${run.stderr.trim().split("\n").pop()}` };
    return JSON.parse(run.stdout.trim().split("\n").pop()!);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

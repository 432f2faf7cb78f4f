/**
 * `npm run bench`: the kernel benchmark (wasm relaxed SIMD vs SIMD vs scalar vs plain JS vs
 * numpy/OpenBLAS, side by side in one run), then on Gowalla (when the shared data is there):
 * training throughput per loss on 1 thread and on every core, BPR against a C loop of the same
 * shape compiled with `cc -O3 -march=native`, and the top-K of every user against numpy's best
 * configuration; last, int8 item codes against float32 on a generated 1M-item catalog (recall@20
 * and speed, bench/quantized-topk.ts). `--json` prints everything as one object; `--quick` checks
 * the wiring only; `--skip-kernels` leaves the kernel part out, `--skip-quantized` the int8 part.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { loadTrainTest } from "../ts/node/dataset-files.js";
import { formatKernelBench, runKernelBench, type KernelBenchResult } from "./kernels.js";
import { describeMachine } from "./machine.js";
import { compileNativeBpr } from "./native-bpr.js";
import { MatrixFactorization } from "../ts/mf/matrix-factorization.js";
import { loadKernels } from "../ts/node.js";
import type { Interactions } from "../ts/data/interactions.js";
import { SAME_SHAPE_AS_C } from "./training.js";
import { runRankingBench, type RankingBenchResult } from "./ranking.js";
import { runQuantizedBench, type QuantizedBenchRow } from "./quantized-topk.js";
import { median } from "./stats.js";
import { runTrainingBench, type TrainingBenchResult } from "./training.js";

const GOWALLA = fileURLToPath(new URL("../../../shared/data/gowalla", import.meta.url));

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  const json = args.has("--json");
  const quick = args.has("--quick");
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const out = json ? log : (line: string) => process.stdout.write(`${line}\n`);
  let kernels: KernelBenchResult | null = null;
  if (!args.has("--skip-kernels")) {
    kernels = await runKernelBench({ quick, log: (l) => log(`  ${l}`) });
    if (!json) process.stdout.write(`${formatKernelBench(kernels)}\n`);
  }
  let training: TrainingBenchResult | null = null,
    native: NativeComparison | null = null,
    ranking: RankingBenchResult | null = null;
  if (!existsSync(GOWALLA)) {
    log(`the Gowalla benchmarks are skipped: ${GOWALLA} not found`);
  } else {
    const threads = Math.max(2, availableParallelism());
    const { train, test } = await loadTrainTest(GOWALLA, { unknownInTest: "extend" });
    const m = describeMachine();
    out(
      `\nGowalla: ${train.nUsers.toLocaleString("en-US")} users × ${train.nItems.toLocaleString("en-US")} items, ${train.nnz.toLocaleString("en-US")} training interactions, d = 64`,
    );
    out(`Machine: ${m.cpuModel}, ${m.logicalCores} logical cores; ${m.runtime}, V8 ${m.v8}; load average at start ${m.loadAverage.join(" / ")}`);
    out(`\nTraining throughput, interactions per second (median of 1-s windows after 2 s of warm-up; 1 thread, then ${threads}):`);
    training = await runTrainingBench({ train, threads, secondsPerRow: quick ? 3 : 10, log: out });

    out(
      `\nBPR against a C loop of the same shape (bench/native/bpr.c: per-example SGD, 1 uniform negative rejected against the user's row, d = 64, 1 thread),`,
    );
    out(`in ${quick ? 1 : 5} alternating pairs: one C run and one longtail run of 2 epochs each, the second epoch timed:`);
    native = await compareWithNative(train, threads, quick ? 1 : 5, out);
    out(`\nTop-20 of every user, training items excluded (median of ${quick ? 1 : 3}):`);
    if (!test) throw new Error(`${GOWALLA} has no test.txt: the ranking benchmark evaluates on it`);
    ranking = await runRankingBench({ train, test, threads, repeats: quick ? 1 : 3, log: out });
    if ("median" in ranking.numpy) {
      const best = ranking.numpy.median;
      for (const row of ranking.rows)
        out(`  ${row.what} on ${row.threads} thread${row.threads === 1 ? "" : "s"}: ${(row.median / best).toFixed(2)}× the time of numpy's best`);
    }
  }
  let quantized: QuantizedBenchRow[] | null = null;
  if (!args.has("--skip-quantized")) {
    const threads = Math.max(2, availableParallelism());
    out(`\nInt8 item codes against float32: the top-20 of 240 users on a generated catalog, d = 64 (docs/scale.md, "Large catalogs: int8 items"):`);
    quantized = await runQuantizedBench({
      items: [quick ? 100_000 : 1_000_000],
      threads: [1, threads],
      users: 240,
      repeats: quick ? 1 : 5,
      log: (l) => out(`  ${l}`),
    });
  }
  if (json) process.stdout.write(`${JSON.stringify({ machine: describeMachine(), kernels, training, native, ranking, quantized }, null, 2)}\n`);
}

/** C and longtail (1 thread and `threads`) on the same shape, alternating, so that each pair shares the machine's state. */
interface NativeComparison {
  readonly compiler?: string;
  readonly unavailable?: string;
  readonly pairs: { c: number; one: number; many: number }[];
  readonly medians?: { c: number; one: number; many: number; oneOverC: number; manyOverC: number };
}

async function compareWithNative(train: Interactions, threads: number, pairs: number, out: (line: string) => void): Promise<NativeComparison> {
  const native = compileNativeBpr(`${GOWALLA}/train.txt`, 64);
  if ("available" in native) {
    out(`  ${native.reason}`);
    return { unavailable: native.reason, pairs: [] };
  }
  const one = await loadKernels({ threads: 1 }),
    many = await loadKernels({ threads });
  const longtail = async (kernels: typeof one) => {
    const model = new MatrixFactorization(kernels, { ...SAME_SHAPE_AS_C, epochs: 2 });
    const report = await model.fit(train);
    model.dispose();
    return report.epochs[1].examplesPerSecond;
  };
  const results: { c: number; one: number; many: number }[] = [];
  try {
    for (let p = 0; p < pairs; p++) {
      const c = native.run(2)[1].triplesPerSecond;
      results.push({ c, one: await longtail(one), many: await longtail(many) });
      const r = results.at(-1)!;
      out(
        `  pair ${p + 1}: C ${Math.round(r.c).toLocaleString("en-US")}, longtail ${Math.round(r.one).toLocaleString("en-US")} on 1 thread (${(r.one / r.c).toFixed(2)}×), ${Math.round(r.many).toLocaleString("en-US")} on ${threads} (${(r.many / r.c).toFixed(2)}×) triples/s`,
      );
    }
  } finally {
    native.dispose();
    one.dispose();
    many.dispose();
  }
  const medians = {
    c: median(results.map((r) => r.c)),
    one: median(results.map((r) => r.one)),
    many: median(results.map((r) => r.many)),
    oneOverC: median(results.map((r) => r.one / r.c)),
    manyOverC: median(results.map((r) => r.many / r.c)),
  };
  out(
    `  C (${native.compiler}, ${native.flags}): median ${Math.round(medians.c).toLocaleString("en-US")} triples/s; longtail: ${Math.round(medians.one).toLocaleString("en-US")} on 1 thread, ` +
      `${Math.round(medians.many).toLocaleString("en-US")} on ${threads}; median of per-pair ratios ${medians.oneOverC.toFixed(2)}× and ${medians.manyOverC.toFixed(2)}× the C loop`,
  );
  return { compiler: native.compiler, pairs: results, medians };
}

await main();

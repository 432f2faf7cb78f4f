/**
 * `npm run bench`: the kernel benchmark (wasm relaxed SIMD vs SIMD vs scalar vs plain JS vs
 * numpy/OpenBLAS, side by side in one run), then on Gowalla (when the shared data is there):
 * training throughput per loss on 1 thread and on every core, BPR against a C loop of the same
 * shape compiled with `cc -O3 -march=native`, and the top-K of every user against numpy's best
 * configuration. `--json` prints everything as one object; `--quick` checks the wiring only;
 * `--skip-kernels` leaves the kernel part out.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { loadTrainTest } from "../ts/node/dataset-files.js";
import { formatKernelBench, runKernelBench, type KernelBenchResult } from "./kernels.js";
import { describeMachine } from "./machine.js";
import { runNativeBpr, type NativeBprOutcome } from "./native-bpr.js";
import { runRankingBench, type RankingBenchResult } from "./ranking.js";
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
  let training: TrainingBenchResult | null = null, native: NativeBprOutcome | null = null, ranking: RankingBenchResult | null = null;
  if (!existsSync(GOWALLA)) {
    log(`the Gowalla benchmarks are skipped: ${GOWALLA} not found`);
  } else {
    const threads = Math.max(2, availableParallelism());
    const { train, test } = await loadTrainTest(GOWALLA, { unknownInTest: "extend" });
    const m = describeMachine();
    out(`\nGowalla: ${train.nUsers.toLocaleString("en-US")} users × ${train.nItems.toLocaleString("en-US")} items, ${train.nnz.toLocaleString("en-US")} training interactions, d = 64`);
    out(`Machine: ${m.cpuModel}, ${m.logicalCores} logical cores; ${m.runtime}, V8 ${m.v8}; load average at start ${m.loadAverage.join(" / ")}`);
    out(`\nTraining throughput, interactions per second (median of 1-s windows after 2 s of warm-up; 1 thread, then ${threads}):`);
    training = await runTrainingBench({ train, threads, secondsPerRow: quick ? 3 : 10, log: out });

    out(`\nBPR against a C loop of the same shape (bench/native/bpr.c: per-example SGD, 1 uniform negative rejected against the user's row, d = 64, 1 thread):`);
    native = runNativeBpr(`${GOWALLA}/train.txt`, 64, quick ? 2 : 4);
    const sameShape = training.rows[0].rates[1];
    if (native.available) {
      const c = median(native.epochs.slice(1).map((e) => e.triplesPerSecond));
      out(`  C (${native.compiler}, ${native.flags}): ${Math.round(c).toLocaleString("en-US")} triples/s (median of epochs 2..${native.epochs.length})`);
      out(`  longtail, the same shape, 1 thread: ${Math.round(sameShape).toLocaleString("en-US")} triples/s = ${(sameShape / c).toFixed(2)}× the C loop;` +
        ` on ${threads} threads ${Math.round(training.rows[0].rates[threads]).toLocaleString("en-US")} = ${(training.rows[0].rates[threads] / c).toFixed(2)}×`);
    } else {
      out(`  ${native.reason}`);
    }

    out(`\nTop-20 of every user, training items excluded (median of ${quick ? 1 : 3}):`);
    if (!test) throw new Error(`${GOWALLA} has no test.txt: the ranking benchmark evaluates on it`);
    ranking = await runRankingBench({ train, test, threads, repeats: quick ? 1 : 3, log: out });
    if ("median" in ranking.numpy) {
      const best = ranking.numpy.median;
      for (const row of ranking.rows) out(`  ${row.what} on ${row.threads} thread${row.threads === 1 ? "" : "s"}: ${(row.median / best).toFixed(2)}× the time of numpy's best`);
    }
  }
  if (json) process.stdout.write(`${JSON.stringify({ machine: describeMachine(), kernels, training, native, ranking }, null, 2)}\n`);
}

await main();

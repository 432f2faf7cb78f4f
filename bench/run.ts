/**
 * `npm run bench`: the kernel benchmark (wasm SIMD vs scalar vs plain JS vs numpy/OpenBLAS,
 * side by side in one run) followed by training throughput per loss on Gowalla when the shared
 * data is present. `--json` prints both results as one object; `--quick` checks the wiring only.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { formatKernelBench, runKernelBench } from "./kernels.js";
import { runTrainingBench, type TrainingBenchResult } from "./training.js";

const GOWALLA = fileURLToPath(new URL("../../../shared/data/gowalla", import.meta.url));

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  const json = args.has("--json");
  const quick = args.has("--quick");
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const kernels = await runKernelBench({ quick, log: (l) => log(`  ${l}`) });
  if (!json) process.stdout.write(`${formatKernelBench(kernels)}\n`);
  let training: TrainingBenchResult | null = null;
  if (!existsSync(GOWALLA)) {
    log(`training throughput skipped: ${GOWALLA} not found`);
  } else {
    if (!json) process.stdout.write(`\nTraining throughput on Gowalla (one thread, d = 64, default settings per loss; ${quick ? 3 : 12} s per loss):\n`);
    training = await runTrainingBench({ data: GOWALLA, secondsPerLoss: quick ? 3 : 12, log: json ? log : (l) => process.stdout.write(`${l}\n`) });
  }
  if (json) process.stdout.write(`${JSON.stringify({ kernels, training }, null, 2)}\n`);
}

await main();

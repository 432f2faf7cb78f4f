/**
 * Matrix-factorisation training with several kernel .wasm files side by side (a build before and
 * after a kernel change, say): the same configuration fitted on the same data with each build in
 * turn, round after round, on one thread (this compares code, not core counts), so that every
 * build sees the same clock. Reports, per build, each round's training seconds (wall and process
 * CPU), their medians, and whether every build trained the same model (a hash of both tables).
 *
 * Usage: node dist/bench/train-builds.js <a.wasm> [<b.wasm> ...] --data <train/test folder>
 *          [--config '<MfConfig as JSON>'] [--rounds 3]
 * The default configuration is one epoch of the default loss. Files are non-shared-memory builds
 * (build/longtail.<variant>.wasm); a file's variant comes from its name (relaxed when it says none).
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { MatrixFactorization } from "../ts/mf/matrix-factorization.js";
import type { MfConfig } from "../ts/mf/config.js";
import { loadKernels, loadTrainTest } from "../ts/node.js";
import { describeMachine } from "./machine.js";
import { variantOf } from "./score-builds.js";
import { median } from "./stats.js";

interface Options {
  files: string[];
  data: string;
  config: Partial<MfConfig>;
  rounds: number;
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { files: [], data: "", config: { epochs: 1 }, rounds: 3 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) {
      options.files.push(arg);
      continue;
    }
    const value = argv[++i];
    if (value === undefined) throw new Error(`${arg} needs a value`);
    if (arg === "--data") options.data = value;
    else if (arg === "--config") options.config = JSON.parse(value) as Partial<MfConfig>;
    else if (arg === "--rounds") {
      options.rounds = Number(value);
      if (!Number.isInteger(options.rounds) || options.rounds < 1) throw new Error(`--rounds: expected a positive integer, got "${value}"`);
    } else throw new Error(`unknown flag ${arg} (expected --data, --config, --rounds)`);
  }
  if (options.files.length === 0) throw new Error("give at least one kernel .wasm file");
  if (!options.data) throw new Error("--data <train/test folder> is required");
  for (const file of options.files) if (!existsSync(file)) throw new Error(`${file}: no such file`);
  return options;
}

async function main(): Promise<void> {
  let options: Options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`bench/train-builds: ${(e as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  const { train } = await loadTrainTest(options.data, { unknownInTest: "extend" });
  const wall = options.files.map(() => [] as number[]);
  const cpu = options.files.map(() => [] as number[]);
  const hashes = options.files.map(() => new Set<string>());
  for (let r = 0; r < options.rounds; r++) {
    for (const [j, file] of options.files.entries()) {
      const kernels = await loadKernels({ variant: variantOf(file), wasm: readFileSync(file), threads: 1 });
      const model = new MatrixFactorization(kernels, options.config);
      try {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        await model.fit(train);
        const c = process.cpuUsage(c0);
        wall[j].push((performance.now() - t0) / 1e3);
        cpu[j].push((c.user + c.system) / 1e6);
        const hash = createHash("sha256");
        for (const table of [model.userFactors, model.itemFactors]) hash.update(new Uint8Array(table.view.slice().buffer));
        hashes[j].add(hash.digest("hex").slice(0, 16));
      } finally {
        model.dispose();
        kernels.dispose();
      }
    }
  }
  const m = describeMachine();
  const seconds = (list: number[]) => list.map((s) => s.toFixed(1)).join(", ");
  const lines = [
    `Machine: ${m.cpuModel}, ${m.logicalCores} logical cores; ${m.runtime}, V8 ${m.v8}; load average at start ${m.loadAverage.join(" / ")}`,
    `fit ${JSON.stringify(options.config)} on ${options.data} (${train.nnz.toLocaleString("en-US")} interactions), 1 thread, ${options.rounds} round${options.rounds === 1 ? "" : "s"}:`,
  ];
  options.files.forEach((file, j) => {
    lines.push(
      `  ${file}: median ${median(wall[j]).toFixed(1)} s wall, ${median(cpu[j]).toFixed(1)} s CPU (rounds: ${seconds(wall[j])} s); ${(median(wall[0]) / median(wall[j])).toFixed(2)}× the first`,
    );
  });
  const all = new Set(hashes.flatMap((h) => [...h]));
  lines.push(
    all.size === 1 ? `every build trained the same model (tables ${[...all][0]})` : `the models differ: ${hashes.map((h) => [...h].join("/")).join(" | ")}`,
  );
  process.stdout.write(`${lines.join("\n")}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}

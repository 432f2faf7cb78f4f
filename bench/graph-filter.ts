/**
 * The graph filter on a train/test folder (default Gowalla), side by side in alternating rounds:
 * longtail's GraphFilter on 1 thread and on every core, and the same algorithm in numpy/scipy
 * (bench/graph_filter_reference.py with 4 randomised subspace iterations: scipy's sparse products
 * run on one thread, numpy's GEMMs on all). Each side fits (the eigenvectors) and then scores and
 * ranks every test user for Recall@20. Prints medians and the machine; `--rounds N` (default 1),
 * `--data <folder>`, `--rank`, `--alpha`, `--beta` as GraphFilterOptions.
 *   npm run build && node dist/bench/graph-filter.js --rounds 3
 */
import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { evaluateRanking } from "../ts/eval/evaluate.js";
import { GraphFilter } from "../ts/graph-filter/graph-filter.js";
import { loadKernels, loadTrainTest } from "../ts/node.js";
import { describeMachine } from "./machine.js";
import { median } from "./stats.js";

const { values } = parseArgs({
  options: {
    data: { type: "string", default: fileURLToPath(new URL("../../../shared/data/gowalla", import.meta.url)) },
    rounds: { type: "string", default: "1" },
    rank: { type: "string", default: "448" },
    alpha: { type: "string", default: "0.3" },
    beta: { type: "string", default: "0.6" },
  },
});
const rounds = Number(values.rounds);
const options = { rank: Number(values.rank), lowPassWeight: Number(values.alpha), sharpening: Number(values.beta), iterations: 4 };
for (const [name, value] of [
  ["rounds", rounds],
  ["rank", options.rank],
] as const) {
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`graph-filter bench: --${name} must be a positive integer, got ${value}\n`);
    process.exit(2);
  }
}

interface Run {
  fit: number;
  rank: number;
  recall: number;
}
const threads = Math.max(2, availableParallelism());
const sides: Record<string, Run[]> = { "longtail, 1 thread": [], [`longtail, ${threads} threads`]: [], "numpy/scipy": [] };

const { train, test } = await loadTrainTest(values.data, { unknownInTest: "extend" });
if (!test) {
  process.stderr.write(`graph-filter bench: ${values.data} has no test part (train.txt + test.txt)\n`);
  process.exit(2);
}

async function engine(count: number): Promise<Run> {
  const kernels = await loadKernels({ threads: count });
  try {
    let t = performance.now();
    using model = GraphFilter.fit(kernels, train, options);
    const fit = (performance.now() - t) / 1000;
    t = performance.now();
    const { metrics } = evaluateRanking(model, train, test!, { k: 20 });
    return { fit, rank: (performance.now() - t) / 1000, recall: metrics["recall@20"] };
  } finally {
    kernels.dispose();
  }
}

function numpy(): Run | string {
  const script = fileURLToPath(new URL("../../bench/graph_filter_reference.py", import.meta.url));
  const args = [script, values.data, String(options.rank), String(options.lowPassWeight), String(options.sharpening), "4"];
  const run = spawnSync("python3", args, { encoding: "utf8" });
  if (run.error || run.status !== 0) return `python3 ${args.join(" ")} failed: ${run.error?.message ?? run.stderr.trim().split("\n").pop()}`;
  const m = /Recall@20 ([\d.]+) .* fit ([\d.]+) s, score and rank \d+ users ([\d.]+) s/.exec(run.stdout);
  return m ? { recall: Number(m[1]), fit: Number(m[2]), rank: Number(m[3]) } : `unexpected output: ${run.stdout.trim()}`;
}

const machine = describeMachine();
console.log(`Graph filter on ${values.data}: ${train.nUsers} users × ${train.nItems} items, ${train.nnz} training interactions; ${JSON.stringify(options)}`);
console.log(
  `Machine: ${machine.cpuModel}, ${machine.logicalCores} logical cores; ${machine.runtime}; load average at start ${machine.loadAverage.join(" / ")}`,
);
let numpyMissing: string | null = null;
for (let round = 0; round < rounds; round++) {
  sides["longtail, 1 thread"]!.push(await engine(1));
  sides[`longtail, ${threads} threads`]!.push(await engine(threads));
  const outcome = numpy();
  if (typeof outcome === "string") numpyMissing = outcome;
  else sides["numpy/scipy"]!.push(outcome);
  console.log(`round ${round + 1} of ${rounds} done`);
}
const reference = sides["numpy/scipy"]!;
const referenceTotal = reference.length > 0 ? median(reference.map((r) => r.fit + r.rank)) : null;
console.log(`\nmedians over ${rounds} round(s): fit, score and rank every test user, Recall@20`);
for (const [side, runs] of Object.entries(sides)) {
  if (runs.length === 0) continue;
  const total = median(runs.map((r) => r.fit + r.rank));
  const ratio = referenceTotal !== null ? `  ${(referenceTotal / total).toFixed(2)}× numpy/scipy's speed` : "";
  console.log(
    `${side.padEnd(22)} fit ${median(runs.map((r) => r.fit)).toFixed(1)} s  rank ${median(runs.map((r) => r.rank)).toFixed(1)} s  total ${total.toFixed(1)} s  Recall@20 ${runs[0]!.recall.toFixed(4)}${ratio}`,
  );
}
if (numpyMissing) console.log(`numpy/scipy side not run: ${numpyMissing}`);

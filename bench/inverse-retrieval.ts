/**
 * The item → top-N users pass of inverse retrieval (ts/inverse-retrieval/item-top-users.ts) in items per second,
 * on each kernel build side by side: wasm relaxed SIMD (FMA), wasm SIMD and wasm scalar. The shape
 * and the exclusion lists are Gowalla's training part (29,858 users, 40,981 items; each item's
 * training users excluded) when ../shared/data/gowalla is there, else a synthetic catalog of that
 * size; the embeddings are seeded random (d = 64), since the time does not depend on what they
 * learned. Each build scores a slice of the items (the slower builds a smaller one: the pass is
 * linear in items, so the rates compare), median of the timed runs after one warm-up run.
 *
 *   node dist/bench/inverse-retrieval.js [--top-n 100] [--items 4096] [--scalar-items 1024] [--runs 3] [--data ../shared/data/gowalla]
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { Csr } from "../ts/data/csr.js";
import { IdMap } from "../ts/data/id-map.js";
import type { KernelVariant } from "../ts/kernels/capabilities.js";
import { Kernels } from "../ts/kernels/kernels.js";
import { formatColumns } from "../ts/experiments/text-table.js";
import { itemTopUsers } from "../ts/inverse-retrieval/item-top-users.js";
import { loadWasmInstance, loadTrainTest } from "../ts/node.js";
import { Rng } from "../ts/util/rng.js";
import { describeMachine } from "./machine.js";

const GOWALLA = fileURLToPath(new URL("../../../shared/data/gowalla", import.meta.url));
const { values } = parseArgs({
  options: {
    "top-n": { type: "string", default: "100" },
    items: { type: "string", default: "4096" },
    "scalar-items": { type: "string", default: "1024" },
    runs: { type: "string", default: "3" },
    data: { type: "string", default: GOWALLA },
    dim: { type: "string", default: "64" },
  },
});
const topN = Number(values["top-n"]),
  runs = Number(values.runs),
  d = Number(values.dim);

let nUsers = 29_858,
  nItems = 40_981;
let exclude: Csr;
let source: string;
if (existsSync(values.data)) {
  const { train } = await loadTrainTest(values.data);
  nUsers = train.nUsers;
  nItems = train.nItems;
  exclude = train.byItem();
  source = `${values.data} (training users excluded)`;
} else {
  // Gowalla's density: ~25 training users per item, drawn at random.
  const rng = new Rng(3);
  const indptr = new Int32Array(nItems + 1),
    indices: number[] = [];
  for (let i = 0; i < nItems; i++) {
    const seen = new Set<number>();
    for (let j = 0; j < 25; j++) seen.add(rng.int(nUsers));
    indices.push(...[...seen].sort((a, b) => a - b));
    indptr[i + 1] = indices.length;
  }
  exclude = { indptr, indices: Int32Array.from(indices) };
  source = `synthetic (${values.data} not found)`;
}

const rng = new Rng(20240611);
const userTable = Float32Array.from({ length: nUsers * d }, () => rng.normal() * 0.1);
const itemTable = Float32Array.from({ length: nItems * d }, () => rng.normal() * 0.1);
const users = IdMap.from(Array.from({ length: nUsers }, (_, u) => `u${u}`));
const items = IdMap.from(Array.from({ length: nItems }, (_, i) => `i${i}`));

const m = describeMachine();
console.log(`Machine: ${m.cpuModel}, ${m.logicalCores} logical cores, ${m.runtime}; load average at start ${m.loadAverage.join(" / ")}`);
console.log(`item → top-${topN} users over ${nUsers} users × ${nItems} items, d = ${d}; exclusion: ${source}; median of ${runs} runs after a warm-up run`);
console.log("");
const rows: string[][] = [["build", "items", "median s", "items/s", "GFLOP/s", "whole catalog (est.)"]];
const builds: Array<[KernelVariant, string, number]> = [
  ["relaxed", "wasm relaxed SIMD (FMA)", Number(values.items)],
  ["simd", "wasm SIMD", Number(values.items)],
  ["scalar", "wasm scalar", Number(values["scalar-items"])],
];
for (const [variant, name, count] of builds) {
  let kernels: Kernels;
  try {
    kernels = new Kernels(await loadWasmInstance({ variant, threads: 1 }));
  } catch (e) {
    rows.push([name, "-", "-", `not measured: ${(e as Error).message}`, "", ""]);
    continue;
  }
  const e = kernels.wasm;
  const embeddings = { kernels, dim: d, users, items, userTable: e.f32From(userTable), itemTable: e.f32From(itemTable) };
  const slice = Int32Array.from({ length: Math.min(count, nItems) }, (_, i) => i);
  const times: number[] = [];
  for (let r = 0; r <= runs; r++) {
    const t0 = performance.now();
    itemTopUsers(embeddings, { topN, items: slice, exclude });
    if (r > 0) times.push((performance.now() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  const median = times[times.length >> 1];
  const rate = slice.length / median;
  rows.push([
    name,
    String(slice.length),
    median.toFixed(3),
    rate.toFixed(0),
    ((2 * slice.length * nUsers * d) / median / 1e9).toFixed(2),
    `${(nItems / rate).toFixed(1)} s`,
  ]);
  embeddings.userTable.free();
  embeddings.itemTable.free();
}
process.stdout.write(formatColumns(rows));

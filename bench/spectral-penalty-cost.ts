/**
 * The per-step cost of ReSN's spectral penalty at a given shape (default: a full-softmax step on
 * ml-1m-resn, 128 users × 3,706 items, d = 64), against one exact full-softmax step's scoring
 * kernel on the same shape: the penalty's O((n+m)·d) vector work next to the O(n·m·d) step.
 * Medians of timed runs after warm-up, so a loaded machine inflates both sides alike.
 *
 *   node dist/bench/spectral-penalty-cost.js [--users 128] [--items 3706] [--dim 64] [--runs 200]
 */
import { parseArgs } from "node:util";
import { loadKernels } from "../ts/node.js";
import { SpectralPenalty } from "../ts/mf/resn.js";
import { Rng } from "../ts/util/rng.js";

const { values } = parseArgs({
  options: {
    users: { type: "string", default: "128" },
    items: { type: "string", default: "3706" },
    dim: { type: "string", default: "64" },
    runs: { type: "string", default: "200" },
  },
});
const n = Number(values.users),
  m = Number(values.items),
  d = Number(values.dim),
  runs = Number(values.runs);
const kernels = await loadKernels();
const e = kernels.wasm;
const rng = new Rng(1);
const fill = (a: Float32Array) => a.forEach((_, i) => (a[i] = rng.normal() * 0.1));
const users = e.f32(n * d),
  items = e.f32(m * d),
  gradUsers = e.f32(n * d),
  gradItems = e.f32(m * d);
fill(users.view);
fill(items.view);
gradUsers.view.fill(0);
gradItems.view.fill(0);
const packed = e.f32(kernels.packedItemsLength(m, d));
const scores = e.f32(n * m);
const penalty = new SpectralPenalty(kernels, d, n, m, 0.01);

function median(body: () => void): number {
  for (let i = 0; i < 5; i++) body();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    body();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

const penaltyMs = median(() => penalty.addGradients(users, n, items, gradUsers, gradItems));
const scoringMs = median(() => {
  kernels.packItems(items, m, d, packed);
  kernels.scorePacked(users, n, d, packed, m, scores, m);
});
console.log(`shape ${n} users × ${m} items, d = ${d}; medians of ${runs} runs`);
console.log(`  spectral penalty (value + both gradients): ${penaltyMs.toFixed(3)} ms per step`);
console.log(`  scoring S = U·Vᵀ (one of the full-softmax step's three GEMM-shaped kernels): ${scoringMs.toFixed(3)} ms`);
console.log(`  penalty / scoring: ${(penaltyMs / scoringMs).toFixed(3)}`);
penalty.dispose();
for (const a of [users, items, gradUsers, gradItems, packed, scores]) a.free();

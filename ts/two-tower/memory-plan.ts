/** What training a two-tower model allocates, for the size checks of ts/train/memory-plan.ts. */
import { TWO_TOWER_DEFAULTS, type TwoTowerConfig } from "./config.js";
import type { MemoryLimits } from "../kernels/memory-limits.js";
import {
  addEvaluation,
  builder,
  checkMemoryPlan,
  KERNEL_SCRATCH_BYTES_PER_DIM,
  type MfPlanOptions,
  type DataShape,
  type MemoryPlan,
  type SettingNames,
} from "../train/memory-plan.js";

export interface TwoTowerShape extends DataShape {
  /** Genres of the item tower (0 without). */
  readonly genres?: number;
  /** The most genres an item has. */
  readonly maxGenres?: number;
}

/** What training the two-tower model allocates: the towers and their optimizer state, the step's buffers, the history tower's batch. */
export function planTwoTowerTraining(config: TwoTowerConfig, shape: TwoTowerShape, options: MfPlanOptions = {}): MemoryPlan {
  const I = shape.items,
    nnz = shape.interactions,
    d = config.dim,
    B = config.batchSize,
    N = config.negatives,
    L = config.maxHistory;
  const G = shape.genres ?? 0,
    maxGenres = Math.max(1, shape.maxGenres ?? 3);
  const threads = Math.max(1, Math.floor(options.threads ?? 1));
  const b = builder();
  const f = (...x: number[]) => x.join(" × ");
  const states = 1 + (config.optimizer === "adam" ? 2 : 1);
  b.add("the item input and output embeddings", "wasm", I * d * 4, `items × dim × 4 B = ${f(I, d, 4)} B`, ["dim"], 2 * states);
  b.add("the genre embeddings", "wasm", G * d * 4, `genres × dim × 4 B`, ["dim"], states);
  b.add("the projection", "wasm", d * d * 4, `dim × dim × 4 B = ${f(d, d, 4)} B`, ["dim"], states + 1);
  b.add("the served item vectors and their packing", "wasm", I * d * 4, `items × dim × 4 B = ${f(I, d, 4)} B`, ["dim"], 2);
  b.add("the kernels' scratch", "wasm", KERNEL_SCRATCH_BYTES_PER_DIM * d, `480 rows × dim × 16 B per thread = ${f(480, d, 16)} B`, ["dim"], threads);
  b.add("the history tower's item gradients", "wasm", B * L * d * 4, `batch × max history × dim × 4 B = ${f(B, L, d, 4)} B`, [
    "maxHistory",
    "batchSize",
    "dim",
  ]);
  b.add("the history tower's batch rows", "wasm", B * d * 4, `batch × dim × 4 B = ${f(B, d, 4)} B`, ["batchSize", "dim"], 4);
  b.add(
    "the contexts' items",
    "wasm",
    B * L * 4,
    `batch × max history × 4 B = ${f(B, L, 4)} B`,
    ["maxHistory", "batchSize"],
    config.historyWeighting === "recency" ? 4 : 3,
  );
  if (config.loss === "softmax") {
    b.add("the step's scores", "wasm", B * I * 4, `batch × items × 4 B = ${f(B, I, 4)} B`, ["batchSize"]);
    b.add("the item gradient", "wasm", (I + G) * d * 4, `(items + genres) × dim × 4 B`, ["dim"]);
  } else {
    b.add("the step's logits", "wasm", B * (N + 1) * 4, `batch × (negatives + 1) × 4 B = ${f(B, N + 1, 4)} B`, ["negatives", "batchSize"]);
    b.add(
      "the step's item rows and gradients",
      "wasm",
      (B + N) * d * 4,
      `(batch + negatives) × dim × 4 B = ${f(B + N, d, 4)} B`,
      ["negatives", "batchSize", "dim"],
      3,
    );
    b.add("the negatives' packing", "wasm", N * d * 4, `negatives × dim × 4 B = ${f(N, d, 4)} B`, ["negatives", "dim"]);
    b.add("the step's item and genre indices", "wasm", (B + N) * (3 + maxGenres) * 4, `(batch + negatives) × (3 + genres per item) × 4 B`, [
      "negatives",
      "batchSize",
    ]);
    b.add("the proposal", "js", I * 40, `items × 40 B`, []);
  }
  b.add(
    "the parameter snapshots",
    "js",
    (2 * I + G) * d * 4 + d * d * 4,
    `(2 × items + genres) × dim × 4 B + dim² × 4 B`,
    ["dim"],
    options.validationK !== undefined ? 2 : 1,
  );
  b.add("the examples and their order", "js", nnz * 12, `interactions × 12 B`, []);
  if (options.validationK !== undefined) addEvaluation(b, shape.users, I, options.validationK, "validationK");
  return {
    what: `training the two-tower model (${config.loss})`,
    entries: b.entries,
    values: { dim: d, batchSize: B, negatives: N, maxHistory: L, ...(options.validationK !== undefined && { validationK: options.validationK }) },
    defaults: {
      dim: TWO_TOWER_DEFAULTS.dim,
      batchSize: TWO_TOWER_DEFAULTS.batchSize,
      negatives: TWO_TOWER_DEFAULTS.negatives,
      maxHistory: TWO_TOWER_DEFAULTS.maxHistory,
      validationK: 20,
    },
    data: `${shape.users} users × ${I} items, ${nnz} interactions`,
  };
}

export function checkTwoTowerTraining(
  config: TwoTowerConfig,
  shape: TwoTowerShape,
  options: MfPlanOptions & { names?: SettingNames; limits?: MemoryLimits } = {},
): void {
  checkMemoryPlan(planTwoTowerTraining(config, shape, options), options);
}

/** What training a matrix factorisation model allocates, for the size checks of ts/train/memory-plan.ts. */
import { checkGraphFilterSize } from "../graph-filter/graph-filter.js";
import { LOSS_DEFAULTS, type MfConfig } from "./config.js";
import { adamHorizon, BETA1, BETA2 } from "../train/optimizer.js";
import { SizeLimitError, type MemoryLimits } from "../kernels/memory-limits.js";
import {
  addEvaluation,
  builder,
  checkMemoryPlan,
  CONFIG_NAMES,
  KERNEL_SCRATCH_BYTES_PER_DIM,
  MIN_BATCHES_PER_THREAD,
  OPTIMIZER_STATES,
  packedFloats,
  type MfPlanOptions,
  type DataShape,
  type MemoryPlan,
  type SettingNames,
} from "../train/memory-plan.js";

/**
 * Everything training `config` on data of `shape` allocates: the factor tables, the optimizer
 * state, the loss's batch buffers (per Hogwild thread for BPR/BCE), the kernels' per-thread
 * scratch, the scoring layout and evaluation blocks, and the JavaScript side (the epoch order,
 * the snapshots kept for divergence and early stopping).
 */
export function planMfTraining(config: MfConfig, shape: DataShape, options: MfPlanOptions = {}): MemoryPlan {
  const U = shape.users,
    I = shape.items,
    nnz = shape.interactions,
    d = config.dim,
    B = config.batchSize,
    N = config.negatives;
  const threads = Math.max(1, Math.floor(options.threads ?? 1));
  const longest = shape.longestRows ?? ((n: number) => Math.min(nnz, n * I));
  const b = builder();
  const f = (...x: number[]) => x.join(" × ");
  b.add("the user factors", "wasm", U * d * 4, `users × dim × 4 B = ${f(U, d, 4)} B`, ["dim"]);
  b.add("the item factors", "wasm", I * d * 4, `items × dim × 4 B = ${f(I, d, 4)} B`, ["dim"]);
  const states = OPTIMIZER_STATES[config.optimizer];
  b.add(`the ${config.optimizer} state of the user factors`, "wasm", U * d * 4, `users × dim × 4 B`, ["dim"], states);
  b.add(`the ${config.optimizer} state of the item factors`, "wasm", I * d * 4, `items × dim × 4 B`, ["dim"], states);
  if (config.adamUpdates === "dense") {
    b.add("dense Adam's row stamps", "wasm", (U + I) * 4, `(users + items) × 4 B`, []);
    b.add("dense Adam's step table", "wasm", adamHorizon(BETA1, BETA2).length * 4, `about 20,000 steps × 4 B`, [], 2);
  }
  if (config.gradientAdjustment) b.add("the accumulated gradients (Algorithm 1)", "wasm", (U + I) * d * 4, `(users + items) × dim × 4 B`, ["dim"]);
  b.add("the packed items of scoring", "wasm", packedFloats(I, d) * 4, `items × dim × 4 B = ${f(I, d, 4)} B`, ["dim"]);
  b.add("the kernels' scratch", "wasm", KERNEL_SCRATCH_BYTES_PER_DIM * d, `480 rows × dim × 16 B per thread = ${f(480, d, 16)} B`, ["dim"], threads);
  // The snapshots of the last finite parameters, and of the best epoch with validation.
  b.add(
    "the parameter snapshots",
    "js",
    (U + I) * d * 4,
    `(users + items) × dim × 4 B = (${U} + ${I}) × ${d} × 4 B`,
    ["dim"],
    options.validationK !== undefined ? 2 : 1,
  );
  b.add("the epoch's order", "js", nnz * 4, `interactions × 4 B`, [], 2);
  const resn = config.spectralPenalty > 0;
  const rowStep = (maxUsers: number) => {
    if (!resn) return;
    b.add("ReSN's dense item gradient", "wasm", I * d * 4, `items × dim × 4 B = ${f(I, d, 4)} B`, ["dim"]);
    b.add("ReSN's user block", "wasm", maxUsers * d * 4, `batch × dim × 4 B = ${f(maxUsers, d, 4)} B`, ["batchSize", "dim"]);
    b.add("ReSN's vectors", "wasm", (2 * maxUsers + I + 3 * d) * 4, `(2 × batch + items + 3 × dim) × 4 B`, ["batchSize"]);
  };
  // CCL with per-positive negatives trains in BPR's Hogwild kernel, with its buffers.
  const hogwild = config.loss === "bpr" || config.loss === "bce" || config.negativeDraws === "per-positive";
  switch (hogwild ? "bpr" : config.loss) {
    case "bpr":
    case "bce": {
      const T = resn ? 1 : Math.max(1, Math.min(threads, Math.floor(nnz / (MIN_BATCHES_PER_THREAD * B))));
      const C = config.hardNegatives;
      b.add("the epoch's interactions", "wasm", nnz * 4, `interactions × 4 B = ${f(nnz, 4)} B`, [], 3);
      b.add("the per-thread row stamps", "wasm", (U + I) * 4, `(users + items) × 4 B`, [], 2 * T);
      // A batch touches at most batch × (1 + negatives) distinct items, and never more than the catalog.
      const touched = Math.min(I, B * (1 + N));
      b.add(
        "the batch's item gradients",
        "wasm",
        touched * d * 4,
        `min(items, batch × (1 + negatives)) × dim × 4 B = ${f(touched, d, 4)} B`,
        ["batchSize", "negatives", "dim"],
        T,
      );
      b.add("the batch's user gradients", "wasm", B * d * 4, `batch × dim × 4 B = ${f(B, d, 4)} B`, ["batchSize", "dim"], T);
      b.add("the batch's item rows", "wasm", touched * 4, `min(items, batch × (1 + negatives)) × 4 B = ${f(touched, 4)} B`, ["batchSize", "negatives"], T);
      b.add("the batch's negatives", "wasm", B * N * 4, `batch × negatives × 4 B = ${f(B, N, 4)} B`, ["negatives", "batchSize"], T);
      if (C > 1)
        b.add(
          "the hard-negative candidates",
          "wasm",
          B * N * C * 4,
          `batch × negatives × hard negatives × 4 B = ${f(B, N, C, 4)} B`,
          ["hardNegatives", "negatives", "batchSize"],
          T,
        );
      b.add("the sorted rows and positions", "js", nnz * 4, `interactions × 4 B`, [], 2);
      rowStep(B);
      break;
    }
    case "softmax": {
      const targets = longest(B);
      b.add("the block's scores", "wasm", B * I * 4, `batch × items × 4 B = ${f(B, I, 4)} B`, ["batchSize"]);
      b.add("the block's user rows and gradients", "wasm", B * d * 4, `batch × dim × 4 B = ${f(B, d, 4)} B`, ["batchSize", "dim"], 2);
      b.add("the item gradient and packed items", "wasm", I * d * 4, `items × dim × 4 B = ${f(I, d, 4)} B`, ["dim"], 2);
      b.add("the block's targets", "wasm", (targets + 2 * B) * 4, `(targets of batch users + 2 × batch) × 4 B`, ["batchSize"], config.ips ? 2 : 1);
      if (resn) b.add("ReSN's vectors", "wasm", (2 * B + I + 3 * d) * 4, `(2 × batch + items + 3 × dim) × 4 B`, ["batchSize"]);
      b.add("the active users", "js", U * 4, `users × 4 B`, [], 2);
      break;
    }
    case "sampled-softmax":
    case "ccl": {
      const stride = Math.ceil((N + 1) / 4) * 4;
      b.add("the batch's logits", "wasm", B * stride * 4, `batch × (negatives + 1) × 4 B = ${f(B, N + 1, 4)} B`, ["negatives", "batchSize"]);
      b.add("the negatives' rows, packing and gradients", "wasm", N * d * 4, `negatives × dim × 4 B = ${f(N, d, 4)} B`, ["negatives", "dim"], 3);
      b.add("the per-item proposal", "wasm", I * 4, `items × 4 B`, []);
      b.add("the proposal and slot maps", "js", (2 * U + 8 * I) * 4, `(2 × users + 8 × items) × 4 B`, []);
      if (config.sampling === "users") {
        const P = Math.max(1, Math.min(longest(B), config.positivesPerRow > 0 ? B * config.positivesPerRow : Infinity));
        b.add("the block's user rows and gradients", "wasm", B * d * 4, `batch × dim × 4 B = ${f(B, d, 4)} B`, ["batchSize", "dim"], 3);
        b.add(
          "the block's positives' rows and gradients",
          "wasm",
          P * d * 4,
          `positives of batch rows × dim × 4 B = ${f(P, d, 4)} B`,
          ["batchSize", "positivesPerRow", "dim"],
          3,
        );
        b.add("the block's item gradients", "wasm", (P + N) * d * 4, `(positives + negatives) × dim × 4 B = ${f(P + N, d, 4)} B`, [
          "negatives",
          "batchSize",
          "dim",
        ]);
        b.add("the block's row indices", "wasm", (8 * B + 6 * P + 3 * N) * 4, `(8 × batch + 6 × positives + 3 × negatives) × 4 B`, ["batchSize", "negatives"]);
        b.add("the epoch's rows", "js", Math.min(nnz, U + (config.positivesPerRow > 0 ? Math.ceil(nnz / config.positivesPerRow) : 0)) * 44, `rows × 44 B`, []);
      } else {
        b.add("the batch's user and positive rows and gradients", "wasm", B * d * 4, `batch × dim × 4 B = ${f(B, d, 4)} B`, ["batchSize", "dim"], 5);
        // The history tower's steps also touch every history item they read: batch × window of them.
        const longestRow = longest(1);
        const window = config.historyWeight > 0 ? Math.min(config.historyLength, longestRow) : 0;
        const touched = Math.min(I, B + N + B * window);
        const tower = window > 0 ? (["historyLength"] as const) : [];
        b.add(
          "the batch's item gradients",
          "wasm",
          touched * d * 4,
          `min(items, batch + negatives${window > 0 ? " + batch × history length" : ""}) × dim × 4 B = ${f(touched, d, 4)} B`,
          ["negatives", "batchSize", ...tower, "dim"],
        );
        // 7 × batch + 3 × negatives of slots and ids, and one item row id per item touched.
        b.add("the batch's row indices", "wasm", (7 * B + 3 * N + touched) * 4, `(7 × batch + 3 × negatives + items touched) × 4 B`, [
          "batchSize",
          "negatives",
          ...tower,
        ]);
        b.add("the interactions' users", "js", nnz * 4, `interactions × 4 B`, []);
        if (config.historyWeight > 0) {
          const entries = Math.max(1, B * window, longestRow);
          b.add(
            "the history tower's entries",
            "wasm",
            entries * 4,
            `max(batch × history length, longest user row) × 4 B = ${f(entries, 4)} B`,
            ["batchSize", "historyLength"],
            3,
          );
          b.add("the history tower's rows", "wasm", (4 * B * d + 2 * B) * 4, `(4 × batch × dim + 2 × batch) × 4 B`, ["batchSize", "dim"]);
          b.add("the history tower's map", "wasm", d * d * 4, `dim × dim × 4 B = ${f(d, d, 4)} B`, ["dim"], 2 + states);
          b.add("the users' id embeddings set aside", "js", U * d * 4, `users × dim × 4 B = ${f(U, d, 4)} B`, ["dim"]);
        }
      }
      rowStep(B);
      break;
    }
  }
  if (options.validationK !== undefined) addEvaluation(b, U, I, options.validationK, "validationK");
  const defaults = LOSS_DEFAULTS[config.loss];
  return {
    what: `training ${config.loss}`,
    entries: b.entries,
    values: {
      dim: d,
      batchSize: B,
      negatives: N,
      hardNegatives: config.hardNegatives,
      positivesPerRow: config.positivesPerRow,
      historyLength: config.historyLength,
      ...(options.validationK !== undefined && { validationK: options.validationK }),
    },
    defaults: {
      dim: defaults.dim,
      batchSize: defaults.batchSize,
      negatives: Math.max(1, defaults.negatives),
      hardNegatives: defaults.hardNegatives,
      positivesPerRow: 8,
      historyLength: defaults.historyLength,
      validationK: 20,
    },
    data: `${U} users × ${I} items, ${nnz} interactions`,
  };
}

/** {@link planMfTraining}, checked: refuses with a {@link SizeLimitError} before anything is allocated. */
export function checkMfTraining(config: MfConfig, shape: DataShape, options: MfPlanOptions & { names?: SettingNames; limits?: MemoryLimits } = {}): void {
  const names = options.names ?? CONFIG_NAMES;
  checkNegativesFitCatalog(config, shape.items, names);
  checkMemoryPlan(planMfTraining(config, shape, options), options);
  // Distillation's teacher runs (and is freed) before the tables are allocated: it must fit on its own.
  if (config.distillPositives > 0) {
    checkGraphFilterSize(
      shape,
      config.distillRank,
      names("distillRank"),
      `lower ${names("distillRank")}, or train without distillation (${names("distillPositives")} 0)`,
    );
  }
}

/**
 * BPR/BCE draw each negative as the best of `hardNegatives` candidates among the items a user has
 * not interacted with: more candidates (or more negatives per positive) than the catalog has
 * items cannot find more than every item, and only cost time. The losses' defaults (8 and 2-4)
 * stay allowed on tiny catalogs. (The sampled softmax's shared negatives are drawn with
 * replacement and logQ-corrected: more than the catalog is valid there, and only memory is checked.)
 */
export function checkNegativesFitCatalog(config: MfConfig, items: number, names: SettingNames = CONFIG_NAMES): void {
  if (config.loss !== "bpr" && config.loss !== "bce") return;
  const defaults = LOSS_DEFAULTS[config.loss];
  for (const [key, what] of [
    ["hardNegatives", "candidates per negative"],
    ["negatives", "negatives per positive"],
  ] as const) {
    const value = config[key];
    if (value > items && value > defaults[key]) {
      throw new SizeLimitError(
        `${names(key)} ${value} asks for more ${what} than the ${items} items of the catalog (a user's negatives are drawn from the items the user has not interacted with); give at most ${items}`,
        names(key),
      );
    }
  }
}

/**
 * What a run will allocate, estimated from its configuration and the shape of its data before
 * anything is allocated, and checked against what the runtime can hold: a request that cannot fit
 * is refused at once with an error that names the setting, the bytes and the limit, instead of
 * ending in `RuntimeError: unreachable` or a heap crash a minute later.
 *
 * Limits:
 * - wasm memory: 65536 pages of 64 KiB = 4 GiB (wasm32; the threads builds' shared memory has the
 *   same maximum);
 * - one wasm buffer: the kernels' allocator (AssemblyScript's TLSF) hands out blocks of at most
 *   2^30 − 4 bytes, so no single table or scratch buffer may reach 1 GiB;
 * - JavaScript memory: the JS heap limit of the runtime, when the runtime entry registered one
 *   ({@link setJsHeapLimit}; the Node entry passes v8's heap_size_limit). Typed arrays count too:
 *   the estimate is deliberately on the safe side.
 *
 * The estimates follow the buffers the runners allocate (ts/mf/*-runner.ts, two-tower steps,
 * the evaluation blocks); they are sums of the dominant terms, not byte-exact.
 *
 * Runtime-neutral: the JS heap limit is injected by the runtime entry, never looked up here.
 */
import { formatBytes, MAX_STRING_LENGTH, memoryLimits, SizeLimitError, type MemoryLimits } from "../kernels/memory-limits.js";

/** One or more buffers of the same size a run allocates. */
export interface MemoryEntry {
  /** "the item factors". */
  readonly what: string;
  readonly memory: "wasm" | "js";
  /** Buffers of `each` bytes (e.g. one per thread). */
  readonly count: number;
  readonly each: number;
  /** How the size comes about: "items × dim × 4 B = 284 × 100000 × 4 B". */
  readonly formula: string;
  /** The settings that drive it (keys of the plan's values); empty when only the data does. */
  readonly settings: readonly string[];
}

export interface MemoryPlan {
  /** "training", "the synthetic world". */
  readonly what: string;
  readonly entries: MemoryEntry[];
  /** Current value of every setting an entry names. */
  readonly values: Readonly<Record<string, number>>;
  /** Default value of the settings (the one furthest above its default is blamed). */
  readonly defaults: Readonly<Record<string, number>>;
  /** How to describe the data when no setting can be blamed: "943 users × 1682 items, 100000 interactions". */
  readonly data: string;
}

/** How a setting is shown: a config key as is (library), or a CLI flag ("--dim"). */
export type SettingNames = (setting: string) => string;
export const CONFIG_NAMES: SettingNames = (s) => s;

/** The CLI's flag for each configuration key the plans use. */
export const FLAG_NAMES: SettingNames = (s) => FLAGS[s] ?? s;
const FLAGS: Record<string, string> = {
  dim: "--dim",
  batchSize: "--batch",
  negatives: "--negatives",
  hardNegatives: "--hard-negatives",
  positivesPerRow: "--positives-per-row",
  maxHistory: "--max-history",
  historyLength: "--history-length",
  distillRank: "--distill-rank",
  distillPositives: "--distill",
  nUsers: "--users",
  nItems: "--items",
  k: "--k",
  validationK: "--k",
  threads: "--threads",
};

export function totalBytes(plan: MemoryPlan, memory: "wasm" | "js"): number {
  return plan.entries.reduce((s, e) => s + (e.memory === memory ? e.count * e.each : 0), 0);
}

/**
 * Refuse `plan` when it does not fit: a wasm buffer over the allocator's block limit, a wasm total
 * over 4 GiB, or a JavaScript total over the registered heap limit. The error names the setting
 * furthest above its default among those driving the largest offending entry.
 */
export function checkMemoryPlan(plan: MemoryPlan, options: { limits?: MemoryLimits; names?: SettingNames } = {}): void {
  const limits = options.limits ?? memoryLimits();
  const names = options.names ?? CONFIG_NAMES;
  const wasm = totalBytes(plan, "wasm");
  if (wasm > limits.wasmBytes) {
    fail(plan, names, "wasm", wasm, limits.wasmBytes, `the ${formatBytes(limits.wasmBytes)} a WebAssembly memory can hold`);
  }
  const big = largest(
    plan.entries.filter((e) => e.memory === "wasm" && e.each > limits.wasmBufferBytes),
    (e) => e.each,
  );
  if (big) {
    const subject = blame(plan, big, names);
    throw new SizeLimitError(
      `${subject.text} needs a single wasm buffer of ${formatBytes(big.each)} for ${big.what} (${big.formula}), more than the ${formatBytes(2 ** 30)} one allocation of the kernels' memory can hold; ${subject.remedy}`,
      subject.setting,
      big.each,
      limits.wasmBufferBytes,
    );
  }
  const js = totalBytes(plan, "js");
  if (limits.jsBytes !== null && js > limits.jsBytes) {
    fail(plan, names, "js", js, limits.jsBytes, `the JS heap limit of ${formatBytes(limits.jsBytes)} (node --max-old-space-size raises it)`);
  }
}

function fail(plan: MemoryPlan, names: SettingNames, memory: "wasm" | "js", needed: number, limit: number, limitText: string): never {
  const entries = plan.entries.filter((e) => e.memory === memory).sort((a, b) => b.count * b.each - a.count * a.each);
  const subject = blame(plan, entries[0], names);
  const parts = entries.slice(0, 2).map((e) => `${formatBytes(e.count * e.each)} for ${e.what} (${e.formula}${e.count > 1 ? `, ${e.count} buffers` : ""})`);
  throw new SizeLimitError(
    `${subject.text} needs ${formatBytes(needed)} of ${memory === "wasm" ? "wasm" : "JavaScript"} memory for ${plan.what}, more than ${limitText}: ${parts.join(", ")}; ${subject.remedy}`,
    subject.setting,
    needed,
    limit,
  );
}

/** The setting furthest above its default among those driving `entry` (ties: the first listed). */
function blame(plan: MemoryPlan, entry: MemoryEntry, names: SettingNames): { text: string; remedy: string; setting: string | null } {
  let best: string | null = null,
    bestRatio = -Infinity;
  for (const s of entry.settings) {
    const value = plan.values[s];
    if (value === undefined) continue;
    const ratio = value / Math.max(1, plan.defaults[s] ?? 1);
    if (ratio > bestRatio) {
      best = s;
      bestRatio = ratio;
    }
  }
  if (best === null) return { text: `the data (${plan.data})`, remedy: "it is too large for this runtime: use a sample of it", setting: null };
  const shown = names(best);
  return { text: `${shown} ${plan.values[best]}`, remedy: `lower ${shown}`, setting: shown };
}

function largest<T>(items: readonly T[], size: (t: T) => number): T | undefined {
  let best: T | undefined;
  for (const t of items) if (best === undefined || size(t) > size(best)) best = t;
  return best;
}

/** The shape of the training data a plan is made for. */
export interface DataShape {
  readonly users: number;
  readonly items: number;
  readonly interactions: number;
  /** The most interactions any `n` users hold together (default: min(interactions, n × items)). */
  readonly longestRows?: (n: number) => number;
}

/** longestRows of a user-count table: the sum of the n largest counts. */
export function longestRowsOf(userCounts: ArrayLike<number>): (n: number) => number {
  const sorted = Float64Array.from(userCounts).sort().reverse();
  const prefix = new Float64Array(sorted.length + 1);
  for (let i = 0; i < sorted.length; i++) prefix[i + 1] = prefix[i] + sorted[i];
  return (n) => prefix[Math.max(0, Math.min(sorted.length, Math.floor(n)))];
}

/** Scratch the scoring and GEMM kernels keep per thread: up to 480 packed user rows of d pre-broadcast f32x4 (16 B each). */
export const KERNEL_SCRATCH_BYTES_PER_DIM = 480 * 16;

/** The packed item layout's length (whole panels of 8 items; the relaxed build's panels are as wide or narrower). */
export function packedFloats(m: number, d: number): number {
  return Math.ceil(m / 8) * 8 * d;
}

export interface Builder {
  add(what: string, memory: "wasm" | "js", each: number, formula: string, settings: readonly string[], count?: number): void;
  entries: MemoryEntry[];
}
export function builder(): Builder {
  const entries: MemoryEntry[] = [];
  return {
    entries,
    add(what, memory, each, formula, settings, count = 1) {
      if (count > 0 && each > 0) entries.push({ what, memory, count, each, formula, settings });
    },
  };
}

export const OPTIMIZER_STATES = { sgd: 0, adagrad: 1, adam: 2 } as const;

/** BPR/BCE Hogwild: each thread needs at least this many batches of an epoch (pairwise-runner.ts). */
export const MIN_BATCHES_PER_THREAD = 64;

export interface MfPlanOptions {
  /** Threads the kernels run on (default 1). */
  threads?: number;
  /** Validation Recall@K after every epoch (evaluation blocks over the catalog). */
  validationK?: number;
}

/** Full-ranking evaluation in blocks of users (ranked-blocks.ts): the block's scores and top-K lists, and the per-item tallies. */
export function addEvaluation(b: Builder, users: number, items: number, k: number, kSetting: string): void {
  const block = Math.max(16, Math.min(512, Math.floor((8 << 20) / Math.max(1, items))));
  const kk = Math.min(k, Math.max(1, items));
  b.add("the evaluation block's scores", "wasm", block * items * 4, `${block} users × items × 4 B`, []);
  b.add("the evaluation block's top-K lists", "wasm", block * kk * 8, `${block} users × K × 8 B = ${block} × ${kk} × 8 B`, [kSetting]);
  b.add("the evaluation's per-item and per-user tallies", "js", items * 32 + users * 8 + kk * 24, `items × 32 B + users × 8 B + K × 24 B`, []);
}

/** The synthetic world's per-user interactions before clamping (world.ts defaults), and its floor. */
const WORLD_MEAN_INTERACTIONS = 50,
  WORLD_MIN_INTERACTIONS = 5,
  WORLD_GENRES = 12;

/** Interactions a synthetic world of this size logs, about: each user between 5 and half the catalog, 50 on average. */
export function syntheticWorldInteractions(nUsers: number, nItems: number): number {
  const perUser = Math.max(WORLD_MIN_INTERACTIONS, Math.min(WORLD_MEAN_INTERACTIONS, Math.floor(nItems / 2)));
  return nUsers * perUser;
}

/**
 * What generating the synthetic world of `nUsers` × `nItems` (world.ts) and reading it as
 * interactions (to-interactions.ts) holds in JavaScript memory: ids, titles and genres per item,
 * tastes and ids per user, and the log; `csv`: also written as a MovieLens ratings.csv text (serve).
 */
export function planSyntheticWorld(nUsers: number, nItems: number, options: { csv?: boolean; extra?: (b: Builder) => void } = {}): MemoryPlan {
  const nnz = syntheticWorldInteractions(nUsers, nItems);
  const b = builder();
  b.add(
    "the users' ids, tastes and id map",
    "js",
    nUsers * (120 + WORLD_GENRES * 4),
    `users × ${120 + WORLD_GENRES * 4} B = ${nUsers} × ${120 + WORLD_GENRES * 4} B`,
    ["nUsers"],
  );
  b.add("the items' ids, titles, genres and sampling weights", "js", nItems * 400, `items × 400 B = ${nItems} × 400 B`, ["nItems"]);
  b.add("the log of about 50 interactions per user", "js", nnz * 56, `interactions × 56 B = ${nnz} × 56 B`, ["nUsers", "nItems"]);
  if (options.csv) b.add("the ratings.csv text", "js", nnz * 80, `interactions × 80 B`, ["nUsers", "nItems"]);
  options.extra?.(b);
  return {
    what: "the synthetic world",
    entries: b.entries,
    values: { nUsers, nItems },
    defaults: { nUsers: 2000, nItems: 3000 },
    data: `${nUsers} users × ${nItems} items`,
  };
}

/** {@link planSyntheticWorld}, checked; with `csv`, the ratings text must also fit one JavaScript string. */
export function checkSyntheticWorld(nUsers: number, nItems: number, options: { csv?: boolean; names?: SettingNames; limits?: MemoryLimits } = {}): void {
  const names = options.names ?? CONFIG_NAMES;
  checkMemoryPlan(planSyntheticWorld(nUsers, nItems, options), options);
  if (options.csv) {
    // "u0001,i0002,5,1700000000": about 30 characters per interaction.
    const chars = syntheticWorldInteractions(nUsers, nItems) * (20 + String(nUsers).length + String(nItems).length);
    if (chars > MAX_STRING_LENGTH) {
      const blamed = nUsers / 2000 >= nItems / 3000 ? "nUsers" : "nItems";
      throw new SizeLimitError(
        `${names(blamed)} ${blamed === "nUsers" ? nUsers : nItems}: the synthetic world's ratings.csv would hold about ${chars.toExponential(1)} characters, more than the ${MAX_STRING_LENGTH} of the longest JavaScript string; lower ${names(blamed)}`,
        names(blamed),
      );
    }
  }
}

/** Lists of `k` items for `users` users, held in JavaScript (top-K lists, slates): refused when they cannot fit. */
export function checkListMemory(
  users: number,
  k: number,
  lists: number,
  options: { setting?: string; names?: SettingNames; limits?: MemoryLimits } = {},
): void {
  const setting = options.setting ?? "k";
  const b = builder();
  b.add("the top-K lists", "js", users * k * 4, `users × K × 4 B = ${users} × ${k} × 4 B`, [setting], lists);
  checkMemoryPlan(
    {
      what: `${lists > 1 ? `${lists} sets of ` : ""}top-K lists`,
      entries: b.entries,
      values: { [setting]: k },
      defaults: { [setting]: 20 },
      data: `${users} users`,
    },
    options,
  );
}

/** A list of `k` items cannot be longer than the catalog: refused (rather than padded with empty slots) where the list length is the user's choice. */
export function checkListLength(k: number, items: number, options: { setting?: string; names?: SettingNames; what?: string } = {}): void {
  const shown = (options.names ?? CONFIG_NAMES)(options.setting ?? "k");
  if (k > items) {
    throw new SizeLimitError(
      `${shown} ${k} is longer than the catalog: ${options.what ?? "a list"} holds at most its ${items} items; give ${shown} ${items} or less`,
      shown,
    );
  }
}

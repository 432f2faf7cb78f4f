import { DEFAULT_SEED } from "../../util/rng.js";
import { DEFAULT_K } from "../../eval/default-k.js";
import { ArgsError, defineCommand, type ParsedArgs } from "../args.js";
import { FORMAT, JSON_OUTPUT, MIN_RATING, QUIET, THREADS, VARIANT, COLUMNS, SEPARATOR, dataReadFlags } from "../common-flags.js";
import { cliKernels } from "../kernels.js";
import { checkListLength, checkListMemory, FLAG_NAMES } from "../../train/memory-plan.js";
import { EVALUATION_FLAGS, UNKNOWN_FLAG, headRuleFromFlags } from "../evaluation-flags.js";
import { readAnyModel } from "../model-io.js";
import { readPartsForModel } from "../model-data.js";
import { createProgress } from "../progress.js";
import { checkWritableTarget, writeFileAtomic } from "../../node/atomic-write.js";
import { compareMetricRecords, formatComparison } from "../../experiments/comparison.js";
import { DEFAULT_SLOTS, DEFAULT_TOP_N, evaluateInverseRetrieval, type InverseRetrievalRun } from "../../inverse-retrieval/invr-evaluation.js";
import { selectItems, type ItemSelection } from "../../inverse-retrieval/item-selection.js";
import { mfServingEmbeddings } from "../../inverse-retrieval/mf-embeddings.js";
import { twoTowerServingEmbeddings } from "../../inverse-retrieval/two-tower-embeddings.js";
import { TwoTower } from "../../two-tower/two-tower.js";
import type { OwnedServingEmbeddings } from "../../inverse-retrieval/embeddings.js";
import { checkSlots, SLATE_ORDERINGS, type SlateOrdering } from "../../inverse-retrieval/slates.js";
import type { IdMap } from "../../data/id-map.js";

export const INVR = defineCommand({
  name: "invr",
  summary: "Inverse retrieval (InvR): each item's top-N users, slates with InvR items at fixed slots, and what the slates serve against the main ranking.",
  description:
    "For every selected item, its N best users by the model's score (exact, over all users; users who had the item in training " +
    "are left out). A user's InvR candidates are the items that have the user among their N; the user's slate is the main top-K " +
    "list with candidates inserted at --slots (1-based): the main items after an inserted one move down a place and the slate is " +
    "cut at K, candidates already in the slate or among the user's training items are skipped, and a slot without a candidate keeps " +
    "the next main item. Candidates are ordered at random (seeded), by score, or by the user's rank among the item's users (user-rank).\n" +
    "The slates of every test user are measured like `longtail evaluate` measures top-K lists (Recall, NDCG, HitRate, Precision, " +
    "head/tail accuracy; coverage, Gini, median and mean popularity, long-tail share, B50PS, T1PS, PSEI, the five groups; no MRR, " +
    "which needs a full ranking) against the main lists alone: the table shows each ordering's value and its relative change (with its size in percentage points for shares).",
  flags: [
    {
      name: "model",
      type: "path",
      required: true,
      help: "Model file written by longtail train: matrix factorisation (served as trained, popularity projection included) or two-tower (user rows = the user tower over each training user's training row, item rows = the item tower).",
    },
    { name: "data", type: "path", required: true, help: "The training part (excluded from retrieval and slates), or a folder with train.txt and test.txt." },
    { name: "test", type: "path", help: "The held-out part (default: test.txt in the --data folder)." },
    {
      name: "items",
      type: "string",
      default: "all",
      placeholder: "all|tail|<ids>",
      help: "Items that get users: all, tail (the items outside the head, see --head-share), or comma-separated item ids.",
    },
    { name: "top-n", type: "int", positive: true, default: DEFAULT_TOP_N, placeholder: "N", help: "Users retrieved per item." },
    {
      name: "slots",
      type: "string",
      default: DEFAULT_SLOTS.join(","),
      placeholder: "s1,s2,..",
      help: "1-based slate positions of the InvR items, each in 1..K.",
    },
    {
      name: "ordering",
      type: "enum",
      choices: [...SLATE_ORDERINGS, "all"],
      default: "all",
      help: "How a user's candidates compete for the slots (all: measure the three).",
    },
    { name: "k", type: "int", positive: true, default: DEFAULT_K, help: "Length K of the main lists and the slates." },
    { name: "seed", type: "int", min: 0, default: DEFAULT_SEED, help: "Seed of the random ordering." },
    UNKNOWN_FLAG,
    ...EVALUATION_FLAGS,
    { name: "out", type: "path", help: "Also write every test user's slates (item ids, InvR positions) as JSON to this file (atomically)." },
    FORMAT,
    COLUMNS,
    SEPARATOR,
    MIN_RATING,
    QUIET,
    JSON_OUTPUT,
    VARIANT,
    THREADS,
  ],
  examples: [
    "longtail invr --model ml1m.ltm --data ../shared/data/ml-1m-resn",
    "longtail invr --model gowalla.ltm --data ../shared/data/gowalla --items tail --top-n 50 --slots 3,8 --ordering user-rank --json",
    "longtail invr --model ml1m.ltm --data ../shared/data/ml-1m-resn --k 10 --slots 5 --out slates.json",
    "longtail invr --model tt-random.ltm --data ml-random --k 10   # a two-tower model on a longtail split folder",
  ],
});

/** The rows of the text table: accuracy cost, then what the slates serve. */
const TABLE_METRICS = [
  "recall@K",
  "ndcg@K",
  "hitrate@K",
  "precision@K",
  "recall@K.tail",
  "ndcg@K.tail",
  "coverage@K",
  "gini@K",
  "medianPopularity@K",
  "meanPopularity@K",
  "longTailShare@K",
  "b50ps@K",
  "t1ps@K",
  "psei@K",
];

export async function runInvr(args: ParsedArgs<typeof INVR>): Promise<number> {
  const v = args.values;
  if (v.out) await checkWritableTarget(v.out, "--out");
  const fail = (message: string): never => {
    throw new ArgsError(message, INVR.name, 'Run "longtail invr --help".');
  };
  const slots = parseSlots(v.slots, v.k, fail);
  const orderings: SlateOrdering[] = v.ordering === "all" ? [...SLATE_ORDERINGS] : [v.ordering];
  const head = headRuleFromFlags(v, args.given, INVR.name);
  const selection = parseSelection(v.items, fail);
  const progress = createProgress({ quiet: v.quiet });
  const kernels = await cliKernels(v.kernels, v.threads);
  const model = await readAnyModel(v.model, kernels);
  let embeddings: OwnedServingEmbeddings | null = null;
  try {
    // The main lists and slates (users × K) and the item → users lists (items × N) are held in memory: sizes that cannot fit are refused first.
    checkListLength(v.k, model.nItems, { names: FLAG_NAMES, what: "a main list or slate" });
    checkListMemory(model.nUsers, v.k, 3, { names: FLAG_NAMES });
    checkListMemory(model.nItems, Math.min(v["top-n"], model.nUsers), 2, { setting: "--top-n" });
    embeddings = model instanceof TwoTower ? twoTowerServingEmbeddings(model) : mfServingEmbeddings(model);
    const { train, test } = await readPartsForModel(model, v.data, v.test, {
      ...dataReadFlags(v, INVR.name),
      onUnknown: v.unknown,
    });
    progress.log(`train: ${train.describe()}\ntest: ${test.describe()}`);
    const items = selectItems(selection, model.items, model.itemCounts, head);
    // One bar at a time: the item → users pass runs first, then the main ranking.
    const itemBar = progress.start("item → users", items.length, "items");
    let rankBar: ReturnType<typeof progress.start> | null = null;
    const run = evaluateInverseRetrieval(model, embeddings, train, test, {
      k: v.k,
      topN: v["top-n"],
      slots,
      orderings,
      items,
      seed: v.seed,
      head,
      exposureThreshold: v["exposure-threshold"],
      itemPopularity: model.itemCounts,
      onProgress: (stage, done, total) => {
        if (stage === "item-users") return itemBar.update(done);
        if (!rankBar) {
          itemBar.finish(`${items.length} items`);
          rankBar = progress.start("main ranking", total, "users");
        }
        rankBar.update(done);
      },
    });
    progress.log(
      `item → top-${run.topN} users: ${items.length} items in ${run.itemUsersSeconds.toFixed(1)} s; main ranking of ${run.main.users} users in ${run.mainSeconds.toFixed(1)} s`,
    );
    const report = jsonReport(run, v, model.items, model.users.size);
    if (v.out) await writeFileAtomic(v.out, JSON.stringify(slatesFile(run, model.items, model.users)) + "\n");
    process.stdout.write(v.json ? JSON.stringify(report) + "\n" : formatReport(run, v, model.users.size));
    if (v.out && !v.json) process.stdout.write(`wrote ${v.out}\n`);
  } finally {
    embeddings?.dispose();
    model.dispose();
  }
  return 0;
}

function parseSlots(text: string, k: number, fail: (message: string) => never): number[] {
  const slots = text
    .split(",")
    .map((s) => s.trim())
    .map((s) => (/^\d+$/.test(s) ? Number(s) : fail(`--slots "${text}": "${s}" is not a slot number; give 1-based positions such as 3,8`)));
  try {
    return checkSlots(slots, k);
  } catch (e) {
    return fail(`--slots "${text}": ${(e as Error).message}`);
  }
}

function parseSelection(text: string, fail: (message: string) => never): ItemSelection {
  if (text === "all" || text === "tail") return text;
  const ids = text.split(",").map((s) => s.trim());
  if (ids.some((id) => id === "")) fail(`--items "${text}": an empty item id; give all, tail, or comma-separated item ids`);
  return ids;
}

function selectionLabel(text: string, n: number): string {
  return text === "all" ? `all ${n} items` : text === "tail" ? `the ${n} tail items` : `${n} listed items`;
}

function jsonReport(run: InverseRetrievalRun, v: ParsedArgs<typeof INVR>["values"], items: IdMap, nUsers: number) {
  const comparison = compareMetricRecords([
    { label: "main", metrics: run.main.metrics },
    ...run.orderings.map((o) => ({ label: o.ordering, metrics: o.evaluation.metrics })),
  ]);
  const selected = run.itemUsers.items.length;
  return {
    model: v.model,
    data: v.data,
    k: run.k,
    topN: run.topN,
    slots: run.slots,
    items: v.items === "all" || v.items === "tail" ? v.items : "list",
    selectedItems: selected,
    catalogItems: items.size,
    modelUsers: nUsers,
    itemUsers: { seconds: run.itemUsersSeconds, itemsPerSecond: selected / Math.max(run.itemUsersSeconds, 1e-9), retrievedPairs: run.itemUsers.users.length },
    users: run.main.users,
    testInteractions: run.main.testInteractions,
    exposureThreshold: run.main.exposureThreshold,
    headTail: run.main.headTail,
    main: { metrics: run.main.metrics, groups: run.main.groups },
    orderings: run.orderings.map((o) => ({
      ordering: o.ordering,
      invrItems: o.slates.invrItems,
      usersWithInvr: o.slates.usersWithInvr,
      distinctInvrItems: o.distinctInvrItems,
      metrics: o.evaluation.metrics,
      changes: comparison.changes[o.ordering],
      differences: comparison.differences[o.ordering],
      groups: o.evaluation.groups,
    })),
  };
}

function formatReport(run: InverseRetrievalRun, v: ParsedArgs<typeof INVR>["values"], nUsers: number): string {
  const k = run.k;
  const selected = run.itemUsers.items.length;
  const names = TABLE_METRICS.map((name) => name.replace("@K", `@${k}`));
  const pick = (metrics: Record<string, number>) => Object.fromEntries(names.map((n) => [n, metrics[n]]));
  const comparison = compareMetricRecords([
    { label: "main", metrics: pick(run.main.metrics) },
    ...run.orderings.map((o) => ({ label: o.ordering, metrics: pick(o.evaluation.metrics) })),
  ]);
  const lines = [
    `InvR on ${v.data} with ${v.model}: ${run.main.users} test users, K = ${k}, InvR slots ${run.slots.join(", ")}, E of PSEI = ${run.main.exposureThreshold}`,
    `item → top-${run.topN} users: ${selectionLabel(v.items, selected)} × ${nUsers} users in ${run.itemUsersSeconds.toFixed(2)} s (${Math.round(selected / Math.max(run.itemUsersSeconds, 1e-9))} items/s), ${run.itemUsers.users.length} (item, user) pairs`,
    "",
    // Shares near zero make relative changes loud (0.6% → 5.8% is +872%): the points say how much.
    formatComparison(comparison, { points: true }).trimEnd(),
    "",
    ...run.orderings.map(
      (o) =>
        `${o.ordering}: ${o.slates.invrItems} InvR slots filled (${((100 * o.slates.invrItems) / Math.max(1, run.main.users * run.slots.length)).toFixed(1)}% of ${run.slots.length} per slate), ${o.slates.usersWithInvr} slates with InvR items, ${o.distinctInvrItems} distinct InvR items`,
    ),
  ];
  return lines.join("\n") + "\n";
}

/** Every test user's slate per ordering, in external ids, with the 1-based positions InvR filled. */
function slatesFile(run: InverseRetrievalRun, items: IdMap, users: IdMap) {
  const k = run.k;
  return {
    k,
    topN: run.topN,
    slots: run.slots,
    orderings: Object.fromEntries(
      run.orderings.map((o) => [
        o.ordering,
        Array.from(o.slates.users, (user, r) => {
          const row = o.slates.items.subarray(r * k, r * k + k);
          const slate: string[] = [];
          const invr: number[] = [];
          row.forEach((item, p) => {
            if (item < 0) return;
            slate.push(items.id(item));
            if (o.slates.fromInvr[r * k + p] === 1) invr.push(p + 1);
          });
          return { user: users.id(user), slate, invr };
        }),
      ]),
    ),
  };
}

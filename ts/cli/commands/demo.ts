import { SYNTHETIC_WORLD_DEFAULTS } from "../../synthetic/world.js";
import { join, resolve } from "node:path";
import { ArgsError, defineCommand, type ParsedArgs } from "../args.js";
import { JSON_OUTPUT, QUIET, THREADS, VARIANT } from "../common-flags.js";
import { parseConfiguration } from "../configuration-spec.js";
import { cliKernels } from "../kernels.js";
import { loadExperimentData } from "../experiment-data.js";
import { createProgress, type Progress } from "../progress.js";
import { trainingProgress } from "../training-progress.js";
import { movieLabel } from "../watchlist-input.js";
import { checkWorldFlags, syntheticWorldFromFlags } from "./simulate.js";
import { checkMfTrainingFlags } from "../size-limits.js";
import { syntheticWorldInteractions } from "../../train/memory-plan.js";
import type { Interactions } from "../../data/interactions.js";
import { randomHoldout } from "../../data/splits.js";
import { TitleIndex } from "../../data/titles/title-index.js";
import { resolveWatchlist, WatchlistError } from "../../data/titles/watchlist.js";
import type { Kernels } from "../../kernels/kernels.js";
import { evaluateRanking, type EvaluationResult } from "../../eval/evaluate.js";
import { gini } from "../../eval/gini.js";
import { DEFAULT_HEAD_RULE, headTailBoundary } from "../../eval/head-tail.js";
import { PERSONA_NAMES, PERSONAS } from "../../eval/personas.js";
import { PopularityRanking } from "../../eval/popularity-ranking.js";
import { rankTopLists } from "../../eval/ranked-blocks.js";
import type { UserBlockScorer } from "../../eval/scorer.js";
import { buildWall, wallStatistics } from "../../eval/wall.js";
import { compareMetricRecords, formatComparison, formatValue } from "../../experiments/comparison.js";
import { MatrixFactorization } from "../../mf/matrix-factorization.js";
import { MostPopular } from "../../model/most-popular.js";
import { pathKind, readMovies } from "../../node/dataset-files.js";
import { checkWritableTarget, writeFileAtomic } from "../../node/atomic-write.js";
import { exposureCounts } from "../../report/lorenz-curve.js";
import type { AlphaSweep, DemoReport, PersonaWalls, Section } from "../../report/report-data.js";
import { renderReport } from "../../report/report-document.js";
import { simulateFeedbackLoops, type SimulationResult } from "../../simulation/feedback-loop.js";
import { trulyRelevantItems } from "../../synthetic/relevant-items.js";
import { tastePersonas } from "../../synthetic/taste-personas.js";
import { measureTrueRelevance } from "../../synthetic/true-relevance.js";
import { worldToInteractions } from "../../synthetic/to-interactions.js";
import type { SyntheticWorld } from "../../synthetic/world.js";
import type { MfConfig } from "../../mf/config.js";
import { DEFAULT_SEED, Rng } from "../../util/rng.js";
import { quoteFound } from "../../data/errors.js";

/** The feedback loop's configurations besides the plain and the debiased model (which the demo's flags set). */
const LOOP_EXTRA_CONFIGURATIONS = [
  "ReSN 5: --resn 5",
  "IPS: --ips",
  "re-rank 0.05: --rerank 0.05",
  // The gradient-perspective adjustment is defined for BPR/BCE, so it brings its own loss; α fixed
  // (the grid search needs a validation part the loop does not hold out): α1 = 1, α2 = 0 is what
  // the grid picked on ML-1M (docs/reproducing.md, b).
  "gradient adj. (BPR): --loss bpr --epochs 10 --gradient-adjust --alpha-items 1 --alpha-users 0",
  "most popular: most-popular",
] as const;
const DEFAULT_ALPHAS = "0,0.25,0.5,0.75,1,2";
const SYNTHETIC_PERSONAS = 3;
const SOFTMAX_LOSSES = ["softmax", "sampled-softmax"] as const;

export const DEMO = defineCommand({
  name: "demo",
  summary: "Plain against debiased on the built-in synthetic world (or MovieLens), with an HTML report.",
  description:
    "Generates a catalog with genres, users with known tastes and popularity-biased exposure (or reads --data, a MovieLens folder), " +
    "holds out 20% of each user's interactions, trains a plain matrix factorisation model and one with logit adjustment (--alpha), " +
    "and compares them with the Most Popular shelf: held-out accuracy with full ranking, the popularity of what each serves, and in " +
    "the synthetic world the share of served items that truly fit the user (the world's ground truth). Then it sweeps α (--alphas), " +
    "runs a short feedback-loop simulation (--rounds; synthetic world only), and writes one self-contained HTML report (--out): the " +
    "before/after table, true relevance, persona walls, the α frontier, exposure Lorenz curves, the five popularity groups and the " +
    "feedback-loop plots.",
  flags: [
    { name: "data", type: "path", help: "A MovieLens folder (ratings.csv + movies.csv, or ratings.dat + movies.dat) instead of the synthetic world." },
    { name: "out", type: "path", default: "longtail-report.html", help: "Where to write the HTML report (replaced atomically)." },
    {
      name: "loss",
      type: "enum",
      choices: SOFTMAX_LOSSES,
      default: "softmax",
      help: "Training objective: a softmax, since the debiased model's logit adjustment adjusts softmax logits.",
    },
    { name: "epochs", type: "int", positive: true, default: 10, help: "Training epochs." },
    { name: "alpha", type: "number", min: 0, default: 0.5, help: "Logit-adjustment strength α of the debiased model." },
    { name: "alphas", type: "string", default: DEFAULT_ALPHAS, help: 'The α sweep of the frontier plot, comma-separated; "none" skips it.' },
    { name: "rounds", type: "int", min: 0, default: 5, help: "Feedback-loop rounds (synthetic world only); 0 skips the simulation." },
    {
      name: "loop-users",
      type: "int",
      positive: true,
      default: 1000,
      help: "Users of the feedback loop's world (same seed; smaller than the demo's world, so the loop stays quick).",
    },
    { name: "loop-items", type: "int", positive: true, default: 1500, help: "Items of the feedback loop's world." },
    { name: "users", type: "int", positive: true, default: SYNTHETIC_WORLD_DEFAULTS.nUsers, help: "Users in the synthetic world." },
    {
      name: "items",
      type: "int",
      positive: true,
      default: SYNTHETIC_WORLD_DEFAULTS.nItems,
      help: "Items in the synthetic world (at least 10: every user logs 5 or more, at most half the catalog).",
    },
    { name: "k", type: "int", positive: true, default: 10, help: "Cut-off K of the top-K lists." },
    { name: "seed", type: "int", default: DEFAULT_SEED, help: "Seed of the world, the split and training." },
    QUIET,
    JSON_OUTPUT,
    VARIANT,
    THREADS,
  ],
  examples: [
    "npx longtail demo",
    "npx longtail demo --out report.html --alphas 0,0.5,1 --rounds 3",
    "npx longtail demo --data ../shared/data/ml-latest-small --epochs 20 --out ml-report.html",
  ],
});

type DemoFlags = ParsedArgs<typeof DEMO>["values"];

/** The data the demo runs on: a split, and the synthetic world's ground truth when there is one. */
interface DemoData {
  train: Interactions;
  test: Interactions;
  about: string[];
  world: SyntheticWorld | null;
  /** MovieLens titles and genres (the walls' personas resolve against them). */
  titles: TitleIndex | null;
}

/** One served model: its held-out evaluation, every user's top-K list, and the ground truth of those lists. */
interface ServedModel {
  label: string;
  evaluation: EvaluationResult;
  lists: Int32Array;
  /** Held-out metrics plus, in the synthetic world, truePrecision@K (.head, .tail). */
  metrics: Record<string, number>;
  tailSlotShare: number;
}

export async function runDemo(args: ParsedArgs<typeof DEMO>): Promise<number> {
  const v = args.values;
  if (v.out) await checkWritableTarget(v.out, "--out");
  const started = performance.now();
  const alphas = parseAlphas(v.alphas);
  const progress = createProgress({ quiet: v.quiet });
  if (v.data === undefined) {
    // Sizes are checked before any world is generated: both worlds, and the models trained on the larger one.
    checkWorldFlags(v.users, v.items, { command: DEMO.name });
    if (v.rounds > 0) checkWorldFlags(v["loop-users"], v["loop-items"], { flags: ["--loop-users", "--loop-items"], command: DEMO.name });
    checkMfTrainingFlags(
      { loss: v.loss, epochs: v.epochs },
      { users: v.users, items: v.items, interactions: syntheticWorldInteractions(v.users, v.items) },
      v.threads,
    );
  }
  const data = v.data !== undefined ? await movieLensData(v.data, v.seed, progress) : syntheticData(v, progress);
  const { train, test, world } = data;
  const k = v.k;
  if (k >= train.nItems) throw new ArgsError(`--k ${k}: the catalog has ${train.nItems} items; give a K below that`, DEMO.name, 'Run "longtail demo --help".');
  const kernels = await cliKernels(v.kernels, v.threads);
  const relevant = world ? trulyRelevantItems(world) : null;
  const { isHead } = headTailBoundary(new PopularityRanking(train.itemCounts()), DEFAULT_HEAD_RULE);
  const allUsers = Int32Array.from({ length: train.nUsers }, (_, u) => u);
  const serve = (label: string, scorer: UserBlockScorer): ServedModel => {
    // One bar over both passes: the held-out evaluation of the test users, then every user's list.
    const testUsers = test.usersWithInteractions().length;
    const bar = progress.start(`${label}: evaluating`, testUsers + allUsers.length, "users");
    const evaluation = evaluateRanking(scorer, train, test, { k, onProgress: (done) => bar.update(done) });
    const lists = rankTopLists(scorer, train, allUsers, k, { onProgress: (done) => bar.update(testUsers + done) });
    bar.finish();
    const metrics = { ...evaluation.metrics };
    let tailSlots = 0,
      slots = 0;
    for (const i of lists)
      if (i >= 0) {
        slots++;
        if (!isHead[i]) tailSlots++;
      }
    if (relevant) {
      const truth = measureTrueRelevance({ users: allUsers, k, items: lists }, relevant, { isHead, exclude: train.byUser });
      Object.assign(metrics, {
        [`truePrecision@${k}`]: truth.precision,
        [`truePrecision@${k}.head`]: truth.head.precision,
        [`truePrecision@${k}.tail`]: truth.tail.precision,
      });
    }
    return { label, evaluation, lists, metrics, tailSlotShare: slots > 0 ? tailSlots / slots : 0 };
  };
  const base: Partial<MfConfig> = { loss: v.loss, epochs: v.epochs, seed: v.seed };
  const plainLabel = `plain MF (${v.loss})`,
    debiasedLabel = `logit adjustment α = ${v.alpha}`;
  const plain = await trainMf(kernels, { ...base, logitAdjustment: 0 }, train, progress, plainLabel, k);
  let debiased: MatrixFactorization | undefined;
  try {
    debiased = await trainMf(kernels, { ...base, logitAdjustment: v.alpha }, train, progress, debiasedLabel, k);
    const served = [
      serve(plainLabel, plain),
      serve(debiasedLabel, debiased),
      serve("Most Popular", new MostPopular(kernels, train.nUsers, train.itemCounts())),
    ];
    const comparison = compareMetricRecords(served.map((s) => ({ label: s.label, metrics: s.metrics })));
    const tableMetrics = [
      `recall@${k}`,
      `ndcg@${k}`,
      "mrr",
      `hitrate@${k}`,
      `recall@${k}.head`,
      `recall@${k}.tail`,
      `coverage@${k}`,
      `gini@${k}`,
      `medianPopularity@${k}`,
      `longTailShare@${k}`,
      ...(relevant ? [`truePrecision@${k}`, `truePrecision@${k}.head`, `truePrecision@${k}.tail`] : []),
    ];
    const sweep =
      alphas === null
        ? { skipped: "The α sweep was skipped (--alphas none)." }
        : {
            data: await alphaSweep(
              alphas,
              [
                [0, served[0]!],
                [v.alpha, served[1]!],
              ],
              async (alpha) => {
                const model = await trainMf(kernels, { ...base, logitAdjustment: alpha }, train, progress, `α = ${alpha}`, k);
                try {
                  return serve(`α = ${alpha}`, model);
                } finally {
                  model.dispose();
                }
              },
              k,
              relevant !== null,
            ),
          };
    const sides = [
      { label: plainLabel, model: plain, lists: served[0]!.lists },
      { label: debiasedLabel, model: debiased, lists: served[1]!.lists },
    ];
    const walls = world ? syntheticWalls(world, train, sides, k) : movieLensWalls(data.titles, sides, k);
    const loop = await feedbackLoop(v, kernels, progress);
    const seconds = (performance.now() - started) / 1000;
    const report: DemoReport = {
      title: world ? "longtail demo: popularity bias in a synthetic world" : `longtail demo: popularity bias on ${v.data}`,
      about: data.about,
      k,
      plainLabel,
      debiasedLabel,
      comparison,
      tableMetrics,
      trueRelevance: relevant
        ? {
            data: served.map((s) => ({
              label: s.label,
              precision: s.metrics[`truePrecision@${k}`]!,
              head: s.metrics[`truePrecision@${k}.head`]!,
              tail: s.metrics[`truePrecision@${k}.tail`]!,
              tailSlotShare: s.tailSlotShare,
            })),
          }
        : {
            skipped:
              "Real data has no ground truth: nobody knows which unseen movies each user would truly like, so true precision cannot be measured here. The held-out accuracy above rewards what the popularity-biased log rewards; run longtail demo without --data to see the synthetic world's ground truth.",
          },
      walls,
      alphaSweep: sweep,
      exposure: served.map((s) => {
        const exposure = exposureCounts(s.lists, train.nItems);
        return { label: s.label, exposure, gini: gini(exposure) };
      }),
      popularityGroups: {
        names: served[0]!.evaluation.groups.map((g) => g.name),
        series: served.map((s) => ({
          label: s.label,
          slotShare: s.evaluation.groups.map((g) => g.slotShare),
          recall: s.evaluation.groups.map((g) => g.recall),
        })),
      },
      feedbackLoop: loop,
      seconds,
    };
    const out = resolve(v.out);
    await writeFileAtomic(out, renderReport(report));
    printResults(v, report, served, out);
    return 0;
  } finally {
    plain.dispose();
    debiased?.dispose();
  }
}

function parseAlphas(text: string): number[] | null {
  if (text.trim().toLowerCase() === "none") return null;
  const values = text.split(",").map((s) => s.trim());
  const alphas = values.map(Number);
  const bad = values.find((s, i) => s === "" || !Number.isFinite(alphas[i]) || alphas[i]! < 0);
  if (bad !== undefined)
    throw new ArgsError(
      `--alphas ${quoteFound(text)}: ${quoteFound(bad)} is not a number >= 0; give comma-separated values such as ${DEFAULT_ALPHAS}, or none`,
      DEMO.name,
      'Run "longtail demo --help".',
    );
  return [...new Set(alphas)].sort((a, b) => a - b);
}

function syntheticData(v: DemoFlags, progress: Progress): DemoData {
  const world = syntheticWorldFromFlags(v.seed, v.users, v.items, DEMO.name);
  const { train, test } = randomHoldout(worldToInteractions(world), { testFraction: 0.2, rng: new Rng(v.seed) });
  progress.log(`synthetic world: ${train.describe()}; held out ${test.nnz} interactions`);
  const o = world.options;
  return {
    train,
    test,
    world,
    titles: null,
    about: [
      `A synthetic world (seed ${o.seed}): ${o.nUsers} users with known tastes over ${o.nGenres} genres, ${o.nItems} items, ${world.interactions.user.length.toLocaleString("en-US")} logged interactions under popularity-biased exposure (Zipf exponent ${o.popularityExponent}; popularity–quality correlation ${o.popularityQualityCorrelation}).`,
      `Random per-user holdout: 20% of each user's interactions are the test part (${test.nnz.toLocaleString("en-US")} interactions), seed ${o.seed}.`,
    ],
  };
}

async function movieLensData(folder: string, seed: number, progress: Progress): Promise<DemoData> {
  if ((await pathKind(folder)) !== "folder")
    throw new ArgsError(
      `--data ${folder}: not a folder; give a MovieLens folder holding ratings.csv and movies.csv (or ratings.dat and movies.dat)`,
      DEMO.name,
      'Run "longtail demo --help".',
    );
  let moviesPath: string | undefined;
  for (const name of ["movies.csv", "movies.dat"]) if ((await pathKind(join(folder, name))) === "file") moviesPath ??= join(folder, name);
  if (moviesPath === undefined)
    throw new ArgsError(
      `--data ${folder}: no movies.csv or movies.dat there; the demo shows titles and genres, so give a MovieLens folder`,
      DEMO.name,
      'Run "longtail demo --help".',
    );
  const { train, test, split } = await loadExperimentData(folder, { format: "auto", testFraction: 0.2, splitSeed: seed }, progress);
  const titles = new TitleIndex(await readMovies(moviesPath), moviesPath);
  return {
    train,
    test,
    world: null,
    titles,
    about: [
      `${folder}: ${train.nUsers.toLocaleString("en-US")} users, ${train.nItems.toLocaleString("en-US")} movies, ${(train.nnz + test.nnz).toLocaleString("en-US")} interactions; titles and genres from ${moviesPath}.`,
      `Split: ${split}.`,
    ],
  };
}

async function trainMf(
  kernels: Kernels,
  config: Partial<MfConfig>,
  train: Interactions,
  progress: Progress,
  label: string,
  k: number,
): Promise<MatrixFactorization> {
  const model = new MatrixFactorization(kernels, config);
  try {
    await model.fit(train, { onProgress: trainingProgress(progress, train.nnz, k, label) });
    return model;
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** Every α of the sweep measured; the ones already trained (the plain and the debiased model) are reused. */
async function alphaSweep(
  alphas: number[],
  known: readonly [number, ServedModel][],
  measure: (alpha: number) => Promise<ServedModel>,
  k: number,
  truth: boolean,
): Promise<AlphaSweep> {
  const points: AlphaSweep["points"][number][] = [];
  for (const alpha of alphas) {
    const served = known.find(([a]) => a === alpha)?.[1] ?? (await measure(alpha));
    points.push({ alpha, metrics: served.metrics });
  }
  return { points, accuracyMetric: `ndcg@${k}`, popularityMetric: `medianPopularity@${k}`, ...(truth && { truthMetric: `truePrecision@${k}` }) };
}

interface WallSource {
  label: string;
  model: MatrixFactorization;
  /** Every user's top-K list (the model's own, training items excluded). */
  lists: Int32Array;
}

/** Walls of users with a clear favourite genre: each model's top-K for them, with the ground truth of every pick. */
function syntheticWalls(world: SyntheticWorld, train: Interactions, sides: readonly WallSource[], k: number): Section<PersonaWalls[]> {
  const { indptr } = train.byUser;
  const counts = train.itemCounts();
  const personas = tastePersonas(world, SYNTHETIC_PERSONAS, (u) => indptr[u + 1]! - indptr[u]!);
  if (personas.length === 0)
    return { skipped: "No user of this world has a clear favourite genre and 10 training interactions: generate a larger world (--users, --items)." };
  const genre = (g: number) => world.genreNames[g]!;
  return {
    data: personas.map((p) => ({
      persona: `${genre(p.genre)} fan (user ${world.users[p.user]})`,
      description: `Loves ${genre(p.genre)} (taste ${p.taste.toFixed(2)}; next ${genre(p.runnerUpGenre)}, ${p.runnerUpTaste.toFixed(2)}); ${indptr[p.user + 1]! - indptr[p.user]!} training interactions.`,
      sides: sides.map((side) => {
        const items = [...side.lists.subarray(p.user * k, p.user * k + k)].filter((i) => i >= 0);
        const picks = items.map((i, r) => ({
          rank: r + 1,
          title: world.itemTitles[i]!,
          genres: world.itemGenres[i]!.map(genre),
          popularity: counts[i]!,
          fits: world.isRelevant(p.user, i),
        }));
        return { label: side.label, picks, statistics: wallStatistics(picks, [{ genres: [genre(p.genre)] }]) };
      }),
    })),
  };
}

/**
 * The built-in personas' walls (ts/eval/personas.ts). A watchlist movie the split left without
 * training interactions (Stalingrad (1993) has 2 ratings in ml-latest-small) is left out of that
 * watchlist, and the wall says so; a persona none of whose movies resolve is shown with the reasons.
 */
function movieLensWalls(titles: TitleIndex | null, sides: readonly WallSource[], k: number): Section<PersonaWalls[]> {
  return {
    data: PERSONA_NAMES.map((name): PersonaWalls => {
      const persona = PERSONAS[name];
      const notes: string[] = [];
      const watchlist = persona.watchlist.flatMap((entry) => {
        try {
          return resolveWatchlist([entry], sides[0]!.model, titles);
        } catch (e) {
          if (!(e instanceof WatchlistError)) throw e;
          notes.push(`Left out of the watchlist: ${e.message}`);
          return [];
        }
      });
      notes.push(...watchlist.flatMap((w) => (w.note ? [w.note] : [])));
      if (watchlist.length === 0)
        return { persona: persona.label, description: `None of ${persona.watchlist.join("; ")} can be used with this data.`, notes, sides: [] };
      return {
        persona: persona.label,
        description: `Watched ${watchlist.map(movieLabel).join("; ")}.`,
        notes,
        sides: sides.map((side) => {
          const wall = buildWall(side.model, watchlist, k, titles);
          return { label: side.label, statistics: wall.statistics, picks: wall.picks.map((p) => ({ ...p, title: movieLabel(p) })) };
        }),
      };
    }),
  };
}

/** The feedback loop on a smaller world of the same seed: plain, the debiased model, every other debiasing method and Most Popular. */
async function feedbackLoop(v: DemoFlags, kernels: Kernels, progress: Progress): Promise<Section<SimulationResult>> {
  if (v.data !== undefined)
    return {
      skipped:
        "The feedback loop needs users whose true tastes are known, to simulate what they accept: it runs in the synthetic world only (longtail demo without --data, or longtail simulate).",
    };
  if (v.rounds === 0) return { skipped: "The feedback-loop simulation was skipped (--rounds 0)." };
  const world = syntheticWorldFromFlags(v.seed, v["loop-users"], v["loop-items"], DEMO.name, ["--loop-users", "--loop-items"]);
  const model = `--loss ${v.loss} --epochs ${v.epochs}`;
  const texts = [
    `plain: ${model}`,
    `logit-adj ${v.alpha}: ${model} --logit-adjustment ${v.alpha}`,
    ...LOOP_EXTRA_CONFIGURATIONS.map((c) => (c.endsWith("most-popular") || c.includes("--loss") ? c : `${c} ${model}`)),
  ];
  const specs = texts.map((text, i) => parseConfiguration(text, i, ["--seed", String(v.seed)], DEMO.name));
  const bar = progress.start(`feedback loop (${world.users.length} users × ${world.items.length} items)`, specs.length * v.rounds, "rounds");
  let done = 0;
  const result = await simulateFeedbackLoops(kernels, world, specs, {
    rounds: v.rounds,
    k: v.k,
    seed: v.seed,
    onRound: (label, r) => bar.update(++done, `${label} round ${r.round}: Gini ${r.gini.toFixed(3)}, true precision ${r.truePrecision.toFixed(3)}`),
  });
  bar.finish();
  return { data: result };
}

function printResults(v: DemoFlags, report: DemoReport, served: readonly ServedModel[], out: string): void {
  if (v.json) {
    const section = <T>(s: Section<T>) => ("data" in s ? s.data : null);
    process.stdout.write(
      JSON.stringify({
        report: out,
        seconds: report.seconds,
        k: report.k,
        about: report.about,
        models: served.map((s) => ({ name: s.label, metrics: s.metrics })),
        alphaSweep: section(report.alphaSweep),
        feedbackLoop: section(report.feedbackLoop),
      }) + "\n",
    );
    return;
  }
  const c = report.comparison;
  const shown = { ...c, metrics: report.tableMetrics.filter((m) => c.metrics.includes(m)) };
  process.stdout.write(
    `\n${report.about.join("\n")}\n\nBefore (${report.plainLabel}) and after (${report.debiasedLabel}), top ${report.k}; Most Popular for reference:\n`,
  );
  process.stdout.write(formatComparison(shown) + "\n");
  if ("data" in report.trueRelevance) {
    process.stdout.write(`\nTrue relevance of the top ${report.k} (share of served items the user truly likes; the world's ground truth):\n`);
    for (const row of report.trueRelevance.data) {
      process.stdout.write(
        `  ${row.label.padEnd(28)} overall ${row.precision.toFixed(3)}   head ${row.head.toFixed(3)}   tail ${row.tail.toFixed(3)}   (tail share of slots ${row.tailSlotShare.toFixed(3)})\n`,
      );
    }
  } else {
    process.stdout.write("\nNo ground truth on real data: true relevance is measured in the synthetic world only.\n");
  }
  if ("data" in report.alphaSweep) {
    const sweep = report.alphaSweep.data;
    const metrics = [sweep.accuracyMetric, sweep.popularityMetric, ...(sweep.truthMetric ? [sweep.truthMetric] : [])];
    process.stdout.write(`\nThe α sweep (logit adjustment): ${metrics.join(", ")}\n`);
    for (const p of sweep.points)
      process.stdout.write(
        `  α = ${String(p.alpha).padEnd(6)}${metrics.map((m) => (Number.isInteger(p.metrics[m]) ? String(p.metrics[m]) : formatValue(p.metrics[m])).padStart(12)).join("")}\n`,
      );
  }
  if ("data" in report.feedbackLoop) {
    const sim = report.feedbackLoop.data;
    process.stdout.write(
      `\nFeedback loop, round 1 → ${sim.rounds} (${sim.world.users} users × ${sim.world.items} items): served Gini, true precision, log Gini\n`,
    );
    for (const cfg of sim.configurations) {
      const a = cfg.rounds[0]!,
        b = cfg.rounds[cfg.rounds.length - 1]!;
      process.stdout.write(
        `  ${cfg.label.padEnd(20)} ${a.gini.toFixed(3)} → ${b.gini.toFixed(3)}   ${a.truePrecision.toFixed(3)} → ${b.truePrecision.toFixed(3)}   ${sim.initialLog.gini.toFixed(4)} → ${b.logGini.toFixed(4)}\n`,
      );
    }
  }
  process.stdout.write(`\nReport: ${out} (${report.seconds.toFixed(1)} s)\n`);
}

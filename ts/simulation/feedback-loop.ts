/**
 * The feedback-loop simulator: what a recommender does to its own training data over time, in the
 * synthetic world where the users' true tastes are known. Each configuration runs its own loop:
 *
 *   log₀ = the world's exposure-biased log
 *   round t = 1..R: train on log_{t−1} (from scratch, same seed) → serve every user a top-K slate
 *   (the user's log items excluded) → each user accepts items by true relevance
 *   ({@link ChoiceModel}) → log_t = log_{t−1} + the accepted items, timestamped after everything before.
 *
 * Why retrain from scratch rather than warm-start: a production model is retrained on the grown
 * log; starting each round from the same seeded initialisation makes the change between rounds
 * the data's doing alone (a warm start would also carry optimizer state and extra epochs, and
 * MatrixFactorization.fit re-initialises by design).
 *
 * Every served-popularity number is read against the INITIAL log (its counts and its head/tail
 * boundary), so rounds and configurations are measured with one yardstick; the log's own
 * concentration is reported separately as `logGini`.
 */
import type { Csr } from "../data/csr.js";
import { IdMap } from "../data/id-map.js";
import type { Kernels } from "../kernels/kernels.js";
import { DEFAULT_EXPOSURE_THRESHOLD } from "../eval/evaluate.js";
import { gini } from "../eval/gini.js";
import { DEFAULT_HEAD_RULE, headTailBoundary, type HeadRule, type HeadTailBoundary } from "../eval/head-tail.js";
import { PopularityRanking } from "../eval/popularity-ranking.js";
import { rankTopLists } from "../eval/ranked-blocks.js";
import { servedPopularityMetrics } from "../eval/served-popularity.js";
import type { ExperimentModel, ExperimentSpec } from "../experiments/experiment-spec.js";
import { trainScorer } from "../experiments/trained-scorer.js";
import { trulyRelevantItems } from "../synthetic/relevant-items.js";
import { measureTrueRelevance } from "../synthetic/true-relevance.js";
import type { SyntheticWorld, ResolvedSyntheticWorldOptions } from "../synthetic/world.js";
import type { MfConfig } from "../mf/config.js";
import type { MfServing } from "../mf/serving.js";
import type { FitOptions } from "../train/fit-report.js";
import { DEFAULT_SEED, Rng } from "../util/rng.js";
import { ChoiceModel, type ChoiceModelOptions, type ResolvedChoiceModelOptions } from "./choice-model.js";
import { GrowingLog } from "./growing-log.js";

export interface SimulationOptions {
  /** Rounds of recommend → choose → retrain per configuration. Default 5. */
  rounds?: number;
  /** Slate length K. Default 10. */
  k?: number;
  /** Seed of the users' choices (training seeds are the configurations' own). Default 42. */
  seed?: number;
  /** The users' choice model; τ defaults to the world's relevance threshold. */
  choice?: ChoiceModelOptions;
  /** Head/tail boundary, resolved on the initial log. Default: the items holding 80% of it. */
  head?: HeadRule;
  /** Seconds between two rounds in the log's timestamps. Default one day. */
  roundSeconds?: number;
  /** Training options per configuration and round (progress bars, cancellation). */
  fit?: (spec: ExperimentSpec, round: number) => FitOptions;
  /** Called after every round of every configuration, with what was recorded. */
  onRound?: (label: string, record: SimulationRound) => void;
}

/** What one round of one configuration served and what came of it (K = the simulation's k). */
export interface SimulationRound {
  /** 1 = the model trained on the world's log alone. */
  round: number;
  /** Epochs trained this round (0 for Most Popular). No timings: the same seed gives byte-identical records. */
  epochs: number;
  /** Served slates' popularity, against the initial log (see servedPopularityMetrics; gini@K, coverage@K ...). */
  gini: number;
  coverage: number;
  longTailShare: number;
  medianPopularity: number;
  meanPopularity: number;
  /** Share of the served slots the user truly likes: over all, head and tail slots. */
  truePrecision: number;
  truePrecisionHead: number;
  truePrecisionTail: number;
  /** Mean over users of truly relevant items served / truly relevant items not yet in the user's log. */
  trueRecall: number;
  /** Share of all slots holding a tail item the user truly likes. */
  relevantTailShare: number;
  /** Items the users accepted this round (they join the log), and accepted / served slots. */
  accepted: number;
  acceptRate: number;
  /** Share of this round's accepted items that are tail items. */
  acceptedTailShare: number;
  /** The log after this round's picks: interactions and the Gini of its per-item counts. */
  logInteractions: number;
  logGini: number;
}

export interface SimulatedConfiguration {
  label: string;
  model: ExperimentModel;
  config: MfConfig | null;
  /** How the model served (the gradient adjustment's α1/α2); null for the Most Popular shelf. */
  serving: MfServing | null;
  popularityPenalty: number | null;
  rounds: SimulationRound[];
}

/** Plain data (JSON as is; the same for the same inputs, byte for byte): the settings, the world, and per configuration one record per round. */
export interface SimulationResult {
  rounds: number;
  k: number;
  seed: number;
  choice: ResolvedChoiceModelOptions;
  world: { users: number; items: number; interactions: number; relevantPairShare: number; options: ResolvedSyntheticWorldOptions };
  /** The boundary every round's head/tail numbers use (on the initial log). */
  headTail: HeadTailBoundary;
  /** The world's log before any round. */
  initialLog: { interactions: number; gini: number; itemsWithInteractions: number };
  configurations: SimulatedConfiguration[];
}

const DAY_SECONDS = 86_400;

/** What every configuration's loop shares: the settings, and the initial log's yardsticks. */
interface LoopContext {
  kernels: Kernels;
  world: SyntheticWorld;
  rounds: number;
  k: number;
  roundSeconds: number;
  choice: ChoiceModel;
  maps: { users: IdMap; items: IdMap };
  /** The initial log's popularity order and head/tail split (every round's yardstick). */
  ranking: PopularityRanking;
  isHead: Uint8Array;
  relevant: Csr;
  /** The initial log's last timestamp: round t's picks are logged at startTime + t · roundSeconds. */
  startTime: number;
  allUsers: Int32Array;
  options: SimulationOptions;
}

/** Run every configuration's feedback loop on `world` (see the file's comment). */
export async function simulateFeedbackLoops(
  kernels: Kernels,
  world: SyntheticWorld,
  specs: readonly ExperimentSpec[],
  options: SimulationOptions = {},
): Promise<SimulationResult> {
  const rounds = options.rounds ?? 5,
    k = options.k ?? 10,
    seed = options.seed ?? DEFAULT_SEED;
  const roundSeconds = options.roundSeconds ?? DAY_SECONDS;
  if (!(Number.isSafeInteger(rounds) && rounds > 0)) throw new RangeError(`simulation: rounds must be a positive integer, got ${rounds}`);
  if (!(Number.isSafeInteger(k) && k > 0)) throw new RangeError(`simulation: k must be a positive integer, got ${k}`);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`simulation: seed must be an integer, got ${seed}`);
  if (!(Number.isFinite(roundSeconds) && roundSeconds > 0)) throw new RangeError(`simulation: roundSeconds must be a positive number, got ${roundSeconds}`);
  if (specs.length === 0) throw new RangeError("simulation: give at least one configuration to simulate");
  const labels = new Set<string>();
  for (const s of specs) {
    if (labels.has(s.label)) throw new RangeError(`two configurations are labelled "${s.label}": give each a distinct label`);
    labels.add(s.label);
  }
  const choice = new ChoiceModel({ ...options.choice, acceptanceThreshold: options.choice?.acceptanceThreshold ?? world.options.relevanceThreshold });
  const maps = { users: IdMap.from(world.users), items: IdMap.from(world.items) };
  const initial = new GrowingLog(world, maps);
  const initialCounts = initial.itemCounts.slice();
  const ranking = new PopularityRanking(initialCounts);
  const { boundary, isHead } = headTailBoundary(ranking, options.head ?? DEFAULT_HEAD_RULE);
  const relevant = trulyRelevantItems(world);
  const ctx: LoopContext = {
    kernels,
    world,
    rounds,
    k,
    roundSeconds,
    choice,
    maps,
    ranking,
    isHead,
    relevant,
    startTime: initial.lastTime(),
    allUsers: Int32Array.from(world.users, (_, u) => u),
    options,
  };
  const root = new Rng(seed);
  const configurations: SimulatedConfiguration[] = [];
  // One stream per configuration, forked in order: a configuration's choices do not depend on the ones after it.
  for (const spec of specs) configurations.push(await runLoop(ctx, spec, root.fork()));
  return {
    rounds,
    k,
    seed,
    choice: choice.options,
    world: {
      users: world.users.length,
      items: world.items.length,
      interactions: initial.size,
      relevantPairShare: relevant.indices.length / (world.users.length * world.items.length),
      options: world.options,
    },
    headTail: boundary,
    initialLog: { interactions: initial.size, gini: gini(initialCounts), itemsWithInteractions: initialCounts.filter((c) => c > 0).length },
    configurations,
  };
}

/** One configuration's loop: `rounds` times train → serve → choose → log. */
async function runLoop(ctx: LoopContext, spec: ExperimentSpec, rng: Rng): Promise<SimulatedConfiguration> {
  const { world, k, allUsers, isHead } = ctx;
  const log = new GrowingLog(world, ctx.maps);
  const records: SimulationRound[] = [];
  let resolvedConfig: MfConfig | null = null;
  let resolvedServing: MfServing | null = null;
  for (let round = 1; round <= ctx.rounds; round++) {
    const train = log.toInteractions(`${spec.label}, round ${round}`);
    const trained = await trainScorer(ctx.kernels, spec, train, ctx.options.fit?.(spec, round) ?? {});
    let slates: Int32Array;
    try {
      slates = rankTopLists(trained.scorer, train, allUsers, k);
      resolvedConfig = trained.config ?? null;
      resolvedServing = trained.serving ?? null;
    } finally {
      trained.dispose();
    }
    const exposure = new Int32Array(world.items.length);
    for (const i of slates) if (i >= 0) exposure[i]++;
    const served = servedPopularityMetrics(exposure, ctx.ranking, { k, isHead, exposureThreshold: DEFAULT_EXPOSURE_THRESHOLD });
    const truth = measureTrueRelevance({ users: allUsers, k, items: slates }, ctx.relevant, { isHead, exclude: train.byUser });

    const roundStart = ctx.startTime + round * ctx.roundSeconds;
    let accepted = 0,
      acceptedTail = 0;
    for (let u = 0; u < allUsers.length; u++) {
      const slate = slates.subarray(u * k, u * k + k);
      const picks = ctx.choice.choose(slate, (i) => world.trueRelevance(u, i), rng);
      for (const item of picks) {
        // Slate position orders one user's picks within the round.
        log.add(u, item, roundStart + slate.indexOf(item));
        if (!isHead[item]) acceptedTail++;
      }
      accepted += picks.length;
    }
    const record: SimulationRound = {
      round,
      epochs: trained.epochs,
      gini: served[`gini@${k}`],
      coverage: served[`coverage@${k}`],
      longTailShare: served[`longTailShare@${k}`],
      medianPopularity: served[`medianPopularity@${k}`],
      meanPopularity: served[`meanPopularity@${k}`],
      truePrecision: truth.precision,
      truePrecisionHead: truth.head.precision,
      truePrecisionTail: truth.tail.precision,
      trueRecall: truth.recall,
      relevantTailShare: truth.relevantTailShare,
      accepted,
      acceptRate: truth.slots > 0 ? accepted / truth.slots : 0,
      acceptedTailShare: accepted > 0 ? acceptedTail / accepted : 0,
      logInteractions: log.size,
      logGini: gini(log.itemCounts),
    };
    records.push(record);
    ctx.options.onRound?.(spec.label, record);
  }
  return {
    label: spec.label,
    model: spec.model ?? "mf",
    config: resolvedConfig,
    serving: resolvedServing,
    popularityPenalty: spec.popularityPenalty ?? null,
    rounds: records,
  };
}

/**
 * A synthetic recommendation world with known ground truth: the built-in data set of
 * `longtail demo` (no download, no files), and a test bed where popularity bias can be measured
 * against what users truly like, which real logs never reveal.
 *
 * Generative story (all randomness from one seeded {@link Rng}):
 * - genres with uneven sizes; each item has 1-3 genres (primary first), a quality q_i ~ N(0,1)
 *   and a title built from its genres' words;
 * - exposure: a Zipf-like propensity exposure_i ∝ 1 / rank_i^popularityExponent, where the rank
 *   order is only weakly related to quality (popularityQualityCorrelation): popularity is mostly
 *   marketing, not merit;
 * - users have a taste vector over genres: a few favourite genres near 1, the rest near 0;
 * - true relevance r(u,i) = mean over the item's genres of taste_u,g + qualityWeight · q_i, and
 *   (u,i) is relevant when r(u,i) > relevanceThreshold;
 * - the log: each user draws a number of interactions (log-normal around the mean, at least the
 *   minimum), then picks distinct items one after another with probability ∝
 *   exposure_i · exp(relevanceStrength · r(u,i)): what a user consumes depends on what the user
 *   likes AND on what the platform shows. Picks are spread over the user's active period in
 *   pick order, so heavy-exposure items tend to come first, as in real logs.
 */
import { DEFAULT_SEED, Rng } from "../util/rng.js";
import { generateTitles } from "./titles.js";
import { GENRES } from "./vocabulary.js";

export interface SyntheticWorldOptions {
  /** Default 42. */
  seed?: number;
  /** Default 2,000. */
  nUsers?: number;
  /** Default 3,000. */
  nItems?: number;
  /** Number of genres, at most {@link MAX_GENRES}. Default 12. */
  nGenres?: number;
  /** Mean interactions per user before clamping. Default 50 (≈100k interactions at the defaults). */
  meanInteractionsPerUser?: number;
  /** Every user gets at least this many interactions. Default 5. */
  minInteractionsPerUser?: number;
  /** Zipf exponent of exposure: 0 is uniform, larger is a longer tail. Default 1. */
  popularityExponent?: number;
  /** Correlation in [0, 1] between item quality and popularity rank. Default 0.3. */
  popularityQualityCorrelation?: number;
  /** How strongly true relevance drives interactions (β in exp(β·r)). Default 5. */
  relevanceStrength?: number;
  /** Weight of item quality in true relevance. Default 0.15. */
  qualityWeight?: number;
  /** r(u,i) above this is relevant. Default 0.6 (about 15% of pairs at the defaults). */
  relevanceThreshold?: number;
  /** Unix time (seconds) where the log starts. Default 2024-01-01T00:00:00Z. */
  startTime?: number;
  /** Length of the log in days. Default 365. */
  durationDays?: number;
}

export type ResolvedSyntheticWorldOptions = Required<SyntheticWorldOptions>;

export interface SyntheticWorld {
  /** User ids "u0000", "u0001", ... (position = user index). */
  users: string[];
  /** Item ids "i0000", ... (position = item index). */
  items: string[];
  itemTitles: string[];
  /** Genre indices of every item, primary genre first. */
  itemGenres: number[][];
  genreNames: string[];
  /** nUsers × nGenres, row-major: how much user u likes genre g (favourites near 1). */
  userTastes: Float32Array;
  /** Item quality q_i (standard normal). */
  itemQuality: Float32Array;
  /** Observed log, grouped by user, in time order within each user; one row per (user, item). */
  interactions: { user: Int32Array; item: Int32Array; timestamp: Float64Array };
  /** The ground-truth affinity r(u,i) by user and item index. */
  trueRelevance(u: number, i: number): number;
  /** r(u,i) > options.relevanceThreshold. */
  isRelevant(u: number, i: number): boolean;
  /** Exposure propensity of each item (sums to 1): the popularity the platform imposes. */
  exposure: Float64Array;
  options: ResolvedSyntheticWorldOptions;
}

export const MAX_GENRES = GENRES.length;

/** The built-in world's settings when none are given (the CLI's --users and --items default to these). */
export const SYNTHETIC_WORLD_DEFAULTS: Readonly<ResolvedSyntheticWorldOptions> = {
  seed: DEFAULT_SEED,
  nUsers: 2000,
  nItems: 3000,
  nGenres: 12,
  meanInteractionsPerUser: 50,
  minInteractionsPerUser: 5,
  popularityExponent: 1,
  popularityQualityCorrelation: 0.3,
  relevanceStrength: 5,
  qualityWeight: 0.15,
  relevanceThreshold: 0.6,
  startTime: Date.UTC(2024, 0, 1) / 1000,
  durationDays: 365,
};

const SECONDS_PER_DAY = 86_400;
// Per-user activity is log-normal: most users are light, a few are heavy, as in real logs.
const ACTIVITY_SIGMA = 0.8;
// No user consumes more than this share of the catalog, which keeps sampling cheap and leaves
// room for held-out items.
const MAX_CATALOG_SHARE_PER_USER = 0.5;

export function generateSyntheticWorld(options: SyntheticWorldOptions = {}): SyntheticWorld {
  const o = resolveOptions(options);
  const root = new Rng(o.seed);
  // Independent streams, so that e.g. more users do not change the items.
  const itemRng = root.fork();
  const userRng = root.fork();
  const logRng = root.fork();
  const { nUsers, nItems, nGenres } = o;

  // Genre sizes: Zipf-like weights over a shuffled genre order.
  const genreWeights = itemRng.shuffle(Array.from({ length: nGenres }, (_, g) => 1 / Math.pow(g + 1, 0.7)));
  const itemGenres: number[][] = [];
  const itemQuality = new Float32Array(nItems);
  for (let i = 0; i < nItems; i++) {
    const u = itemRng.next();
    const count = Math.min(nGenres, u < 0.5 ? 1 : u < 0.85 ? 2 : 3);
    itemGenres.push(drawDistinct(itemRng, genreWeights, count));
    itemQuality[i] = itemRng.normal();
  }
  const itemTitles = generateTitles(itemRng, itemGenres);

  // Popularity rank: mostly noise, partly quality.
  const c = o.popularityQualityCorrelation;
  const latent = Array.from({ length: nItems }, (_, i) => c * itemQuality[i]! + Math.sqrt(1 - c * c) * itemRng.normal());
  const byLatent = Array.from({ length: nItems }, (_, i) => i).sort((a, b) => latent[b]! - latent[a]! || a - b);
  const exposure = new Float64Array(nItems);
  let exposureSum = 0;
  for (let rank = 0; rank < nItems; rank++) {
    const e = 1 / Math.pow(rank + 1, o.popularityExponent);
    exposure[byLatent[rank]!] = e;
    exposureSum += e;
  }
  for (let i = 0; i < nItems; i++) exposure[i]! /= exposureSum;

  const userTastes = new Float32Array(nUsers * nGenres);
  for (let u = 0; u < nUsers; u++) {
    const row = userTastes.subarray(u * nGenres, (u + 1) * nGenres);
    for (let g = 0; g < nGenres; g++) row[g] = 0.15 * userRng.next();
    const r = userRng.next();
    const favourites = drawDistinct(userRng, genreWeights, Math.min(nGenres, r < 0.3 ? 1 : r < 0.75 ? 2 : 3));
    for (const g of favourites) row[g] = 0.7 + 0.3 * userRng.next();
  }

  const relevance = new RelevanceModel(userTastes, nGenres, itemGenres, itemQuality, o.qualityWeight);
  const trueRelevance = (u: number, i: number): number => {
    if (!(u >= 0 && u < nUsers && i >= 0 && i < nItems) || !Number.isInteger(u) || !Number.isInteger(i)) {
      throw new RangeError(`trueRelevance(${u}, ${i}): user must be an integer in [0, ${nUsers}) and item in [0, ${nItems})`);
    }
    return relevance.pair(u, i);
  };

  const interactions = generateLog(o, logRng, exposure, relevance);
  const idWidth = (n: number) => String(Math.max(0, n - 1)).length;
  return {
    users: Array.from({ length: nUsers }, (_, u) => `u${String(u).padStart(idWidth(nUsers), "0")}`),
    items: Array.from({ length: nItems }, (_, i) => `i${String(i).padStart(idWidth(nItems), "0")}`),
    itemTitles,
    itemGenres,
    genreNames: GENRES.slice(0, nGenres).map((g) => g.name),
    userTastes,
    itemQuality,
    interactions,
    trueRelevance,
    isRelevant: (u, i) => trueRelevance(u, i) > o.relevanceThreshold,
    exposure,
    options: o,
  };
}

function generateLog(o: ResolvedSyntheticWorldOptions, rng: Rng, exposure: Float64Array, relevance: RelevanceModel): SyntheticWorld["interactions"] {
  const { nUsers, nItems } = o;
  const maxPerUser = Math.max(o.minInteractionsPerUser, Math.floor(MAX_CATALOG_SHARE_PER_USER * nItems));
  const counts = new Int32Array(nUsers);
  let total = 0;
  for (let u = 0; u < nUsers; u++) {
    const activity = Math.exp(ACTIVITY_SIGMA * rng.normal() - (ACTIVITY_SIGMA * ACTIVITY_SIGMA) / 2);
    const n = Math.round(o.minInteractionsPerUser + (o.meanInteractionsPerUser - o.minInteractionsPerUser) * activity);
    counts[u] = Math.min(maxPerUser, Math.max(o.minInteractionsPerUser, n));
    total += counts[u]!;
  }
  const user = new Int32Array(total);
  const item = new Int32Array(total);
  const timestamp = new Float64Array(total);

  const weights = new Float64Array(nItems);
  const cumulative = new Float64Array(nItems);
  const pickedBy = new Int32Array(nItems).fill(-1);
  const span = o.durationDays * SECONDS_PER_DAY;
  let k = 0;
  for (let u = 0; u < nUsers; u++) {
    relevance.row(u, weights);
    // Weights relative to a relevance of 1 keep exp() in a comfortable range.
    for (let i = 0; i < nItems; i++) weights[i] = exposure[i]! * Math.exp(o.relevanceStrength * (weights[i]! - 1));
    let weightSum = prefixSums(weights, cumulative);
    const n = counts[u]!;
    const first = k;
    let rejected = 0;
    while (k - first < n) {
      const i = upperBound(cumulative, rng.next() * weightSum);
      if (pickedBy[i] === u) {
        // Drawing again after a repeat samples exactly from the remaining items; once repeats
        // dominate (a user with many picks among few heavy items), drop the picked weights.
        if (++rejected > 4 * n + 32) {
          for (let p = first; p < k; p++) weights[item[p]!] = 0;
          weightSum = prefixSums(weights, cumulative);
          rejected = 0;
        }
        continue;
      }
      pickedBy[i] = u;
      user[k] = u;
      item[k] = i;
      k++;
    }
    // The user's active period lies inside the log; picks are spread over it in pick order.
    const start = o.startTime + rng.next() * 0.8 * span;
    const length = (0.05 + 0.95 * rng.next()) * (o.startTime + span - start);
    const times = Array.from({ length: n }, () => Math.floor(start + rng.next() * length)).sort((a, b) => a - b);
    for (let p = 0; p < n; p++) timestamp[first + p] = times[p]!;
  }
  return { user, item, timestamp };
}

/** r(u,i) = mean taste of u over the genres of i + qualityWeight · quality_i, on flat arrays. */
class RelevanceModel {
  private readonly genreStart: Int32Array;
  private readonly genreList: Int32Array;

  constructor(
    private readonly tastes: Float32Array,
    private readonly nGenres: number,
    itemGenres: readonly (readonly number[])[],
    private readonly quality: Float32Array,
    private readonly qualityWeight: number,
  ) {
    this.genreStart = new Int32Array(itemGenres.length + 1);
    for (let i = 0; i < itemGenres.length; i++) this.genreStart[i + 1] = this.genreStart[i]! + itemGenres[i]!.length;
    this.genreList = Int32Array.from(itemGenres.flat());
  }

  pair(u: number, i: number): number {
    const start = this.genreStart[i]!;
    const end = this.genreStart[i + 1]!;
    const base = u * this.nGenres;
    let taste = 0;
    for (let k = start; k < end; k++) taste += this.tastes[base + this.genreList[k]!]!;
    return taste / (end - start) + this.qualityWeight * this.quality[i]!;
  }

  /** r(u, ·) for every item, into `out`. */
  row(u: number, out: Float64Array): void {
    for (let i = 0; i < out.length; i++) out[i] = this.pair(u, i);
  }
}

/** Writes the running sums of `w` into `out` and returns the total. */
function prefixSums(w: Float64Array, out: Float64Array): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) {
    s += w[i]!;
    out[i] = s;
  }
  return s;
}

/** First index whose running sum exceeds x, skipping zero-weight entries. */
function upperBound(cumulative: Float64Array, x: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** `count` distinct indices drawn with probability ∝ weights (count ≤ weights.length). */
function drawDistinct(rng: Rng, weights: readonly number[], count: number): number[] {
  const remaining = weights.slice();
  const out: number[] = [];
  while (out.length < count) {
    let total = 0;
    for (const w of remaining) total += w;
    let x = rng.next() * total;
    let g = 0;
    while (g < remaining.length - 1 && (x -= remaining[g]!) >= 0) g++;
    if (remaining[g] === 0) g = remaining.findIndex((w) => w > 0);
    out.push(g);
    remaining[g] = 0;
  }
  return out;
}

/** Throws the RangeError generateSyntheticWorld would for these options, without generating anything. */
export function checkSyntheticWorldOptions(options: SyntheticWorldOptions): void {
  resolveOptions(options);
}

function resolveOptions(options: SyntheticWorldOptions): ResolvedSyntheticWorldOptions {
  const o: ResolvedSyntheticWorldOptions = { ...SYNTHETIC_WORLD_DEFAULTS };
  for (const key of Object.keys(options) as (keyof SyntheticWorldOptions)[]) {
    if (!(key in SYNTHETIC_WORLD_DEFAULTS)) throw new RangeError(`generateSyntheticWorld: unknown option "${key}"`);
    if (options[key] !== undefined) o[key] = options[key]!;
  }
  const check = (key: keyof SyntheticWorldOptions, ok: boolean, rule: string) => {
    if (!ok) throw new RangeError(`generateSyntheticWorld: options.${key} must be ${rule}, got ${String(o[key])}`);
  };
  const isInt = (v: number) => Number.isSafeInteger(v);
  check("seed", isInt(o.seed), "an integer");
  check("nUsers", isInt(o.nUsers) && o.nUsers >= 1, "a positive integer");
  check("nItems", isInt(o.nItems) && o.nItems >= 1, "a positive integer");
  check("nGenres", isInt(o.nGenres) && o.nGenres >= 1 && o.nGenres <= MAX_GENRES, `an integer from 1 to ${MAX_GENRES}`);
  const maxPerUser = Math.floor(MAX_CATALOG_SHARE_PER_USER * o.nItems);
  check(
    "minInteractionsPerUser",
    isInt(o.minInteractionsPerUser) && o.minInteractionsPerUser >= 0 && o.minInteractionsPerUser <= maxPerUser,
    `an integer from 0 to half the catalog (${maxPerUser})`,
  );
  check(
    "meanInteractionsPerUser",
    Number.isFinite(o.meanInteractionsPerUser) && o.meanInteractionsPerUser >= o.minInteractionsPerUser,
    `a number >= minInteractionsPerUser (${o.minInteractionsPerUser})`,
  );
  check("popularityExponent", Number.isFinite(o.popularityExponent) && o.popularityExponent >= 0, "a number >= 0");
  check("popularityQualityCorrelation", o.popularityQualityCorrelation >= 0 && o.popularityQualityCorrelation <= 1, "a number from 0 to 1");
  check("relevanceStrength", Number.isFinite(o.relevanceStrength) && o.relevanceStrength >= 0, "a number >= 0");
  check("qualityWeight", Number.isFinite(o.qualityWeight) && o.qualityWeight >= 0, "a number >= 0");
  check("relevanceThreshold", Number.isFinite(o.relevanceThreshold), "a finite number");
  check("startTime", Number.isFinite(o.startTime), "a finite number of seconds");
  check("durationDays", Number.isFinite(o.durationDays) && o.durationDays > 0, "a positive number");
  return o;
}

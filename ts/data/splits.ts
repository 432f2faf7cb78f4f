import { DEFAULT_SEED, Rng } from "../util/rng.js";
import type { Interactions } from "./interactions.js";
import { selectEntries } from "./splits/parts.js";

export interface HoldoutOptions {
  /** Share of each user's interactions moved to the test part, in [0, 1). Default 0.2. */
  readonly testFraction?: number;
  /** The split's seed (default 42, DEFAULT_SEED): the same seed gives the same split. */
  readonly seed?: number;
  /** The generator to draw from instead of a new one of `seed` (to chain several random choices). */
  readonly rng?: Rng;
  /** A user keeps at least this many interactions in train (users with fewer keep all). Default 1. */
  readonly minTrainPerUser?: number;
}

/**
 * Random per-user holdout: a user with n interactions gets round(n · testFraction) of them,
 * chosen uniformly, in the test part, capped so that at least minTrainPerUser stay in train.
 * Every interaction lands in exactly one part; both parts keep each row's order (time order when
 * timestamps exist), its ratings and timestamps, and share the id maps of `data` (same nUsers,
 * nItems). The choice depends only on the data and the rng's state: same seed, same split.
 */
export function randomHoldout(input: Interactions, options: HoldoutOptions): { train: Interactions; test: Interactions } {
  const data = input.resizedToMaps();
  const testFraction = options.testFraction ?? 0.2;
  const minTrainPerUser = options.minTrainPerUser ?? 1;
  if (options.rng !== undefined && options.seed !== undefined) throw new RangeError("randomHoldout takes a seed or an rng, not both");
  if (options.seed !== undefined && !Number.isSafeInteger(options.seed)) throw new RangeError(`seed must be an integer, got ${options.seed}`);
  const rng = options.rng ?? new Rng(options.seed ?? DEFAULT_SEED);
  if (!(testFraction >= 0 && testFraction < 1)) throw new RangeError(`testFraction must be in [0, 1), got ${testFraction}`);
  if (!Number.isInteger(minTrainPerUser) || minTrainPerUser < 0) {
    throw new RangeError(`minTrainPerUser must be a non-negative integer, got ${minTrainPerUser}`);
  }
  const { indptr } = data.byUser;
  const inTest = new Uint8Array(data.nnz);
  let scratch = new Int32Array(64);
  for (let u = 0; u < data.nUsers; u++) {
    const start = indptr[u]!;
    const n = indptr[u + 1]! - start;
    const nTest = Math.max(0, Math.min(Math.round(n * testFraction), n - minTrainPerUser));
    if (nTest === 0) continue;
    if (scratch.length < n) scratch = new Int32Array(n * 2);
    for (let k = 0; k < n; k++) scratch[k] = k;
    // Partial Fisher-Yates: the first nTest slots become a uniform sample without replacement.
    for (let k = 0; k < nTest; k++) {
      const j = k + rng.int(n - k);
      const t = scratch[k]!;
      scratch[k] = scratch[j]!;
      scratch[j] = t;
      inTest[start + scratch[k]!] = 1;
    }
  }
  return {
    train: selectEntries(data, inTest, 0, `${data.name} (train part)`),
    test: selectEntries(data, inTest, 1, `${data.name} (test part)`),
  };
}

/**
 * A validation split is a holdout of a train part: `validationSplit(train, ...)` returns
 * { train: the smaller train part, test: the validation part }, all three sharing the id maps.
 */
export const validationSplit = randomHoldout;

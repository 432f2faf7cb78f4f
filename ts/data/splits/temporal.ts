import { DataError } from "../errors.js";
import type { Interactions } from "../interactions.js";
import { checkCount, checkShare, partsFromAssignment, PART, type SplitParts } from "./parts.js";

/** Where temporal splits send a user who asks for one on data without times. */
const FORMATS_WITH_TIME =
  "formats that carry a time per interaction: MovieLens ratings.csv (userId,movieId,rating,timestamp), " +
  "ratings.dat (user::item::rating::timestamp), and CSV/TSV with a timestamp column; the lines format (train.txt) has none";

/** The data's timestamps, or a DataError naming the data and the formats that have them. */
export function timestampsOf(data: Interactions, method: string): Float64Array {
  if (data.timestamps === undefined) {
    throw new DataError({ file: data.name }, `has no timestamps, and the ${method} split orders interactions by time; ${FORMATS_WITH_TIME}`);
  }
  return data.timestamps;
}

export interface TemporalSplitOptions {
  /** Test = interactions with timestamp ≥ cutoff (in the data's own time unit). Give this or testShare. */
  readonly cutoff?: number;
  /** Test = the latest share of all interactions (a quantile of their times). Give this or cutoff. */
  readonly testShare?: number;
  /** Validation = interactions with validCutoff ≤ timestamp < the test cutoff. */
  readonly validCutoff?: number;
  /** Validation = the latest share of all interactions before the test cutoff. */
  readonly validShare?: number;
}

/**
 * Global time cutoff: every test interaction is at or after time t, every train interaction before
 * it. t is given (`cutoff`) or is the time of the interaction at rank N − round(testShare · N) in
 * time order; interactions tied with t all go to test, so ties never straddle the cutoff and the
 * test part may hold slightly more than testShare. A validation part is cut the same way from the
 * interactions before t. Users and items first seen after a cutoff have no training data; the
 * split's summary counts them.
 */
export function temporalSplit(data: Interactions, options: TemporalSplitOptions): SplitParts {
  const timestamps = timestampsOf(data, "temporal");
  if ((options.cutoff === undefined) === (options.testShare === undefined)) {
    throw new RangeError("temporalSplit: give exactly one of cutoff (a time) and testShare (a share of the interactions)");
  }
  if (options.validCutoff !== undefined && options.validShare !== undefined) {
    throw new RangeError("temporalSplit: give at most one of validCutoff and validShare");
  }
  const n = timestamps.length;
  const sorted = Float64Array.from(timestamps).sort();
  const span = n === 0 ? "the data is empty" : `its times run from ${sorted[0]} to ${sorted[n - 1]}`;
  if (options.testShare !== undefined && Math.round(checkShare("testShare", options.testShare) * n) === 0) {
    throw new DataError({ file: data.name }, `testShare ${options.testShare} of ${n} interactions rounds to an empty test part; raise it`);
  }
  const testCutoff = options.cutoff ?? cutoffForShare(sorted, n, options.testShare!);
  if (!Number.isFinite(testCutoff) && options.cutoff !== undefined) throw new RangeError(`cutoff must be a finite time, got ${testCutoff}`);
  const beforeTest = lowerBound(sorted, testCutoff);
  if (beforeTest === 0)
    throw new DataError({ file: data.name }, `no interaction is before the test cutoff ${testCutoff} (${span}); nothing would stay in train`);
  if (beforeTest === n)
    throw new DataError({ file: data.name }, `no interaction is at or after the test cutoff ${testCutoff} (${span}); the test part would be empty`);

  let validCutoff = testCutoff;
  if (options.validShare !== undefined && checkShare("validShare", options.validShare) > 0) {
    const wanted = Math.round(options.validShare * n);
    if (wanted >= beforeTest) {
      throw new DataError(
        { file: data.name },
        `validShare ${options.validShare} asks for ${wanted} interactions but only ${beforeTest} are before the test cutoff; nothing would stay in train`,
      );
    }
    validCutoff = wanted === 0 ? testCutoff : sorted[beforeTest - wanted]!;
  } else if (options.validCutoff !== undefined) {
    validCutoff = options.validCutoff;
    if (!(validCutoff <= testCutoff)) throw new RangeError(`validCutoff (${validCutoff}) must not be after the test cutoff (${testCutoff})`);
  }
  const beforeValid = lowerBound(sorted, validCutoff);
  if (beforeValid === 0)
    throw new DataError({ file: data.name }, `no interaction is before the validation cutoff ${validCutoff} (${span}); nothing would stay in train`);

  const assignment = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const t = timestamps[k]!;
    assignment[k] = t >= testCutoff ? PART.test : t >= validCutoff ? PART.valid : PART.train;
  }
  const withValid = validCutoff < testCutoff;
  const notes = [`temporal: test = the ${n - beforeTest} interactions at or after time ${testCutoff}, train = those before ${validCutoff}`];
  if (withValid) notes.push(`validation = the ${beforeTest - beforeValid} interactions from time ${validCutoff} up to (not including) ${testCutoff}`);
  return partsFromAssignment(data, assignment, withValid, notes);
}

/** The time t such that the round(share · n) ≥ 1 latest interactions (and any tied with the earliest of them) are at or after t. */
function cutoffForShare(sorted: Float64Array, n: number, share: number): number {
  return sorted[n - Math.round(share * n)]!;
}

/** The number of sorted values strictly below t. */
function lowerBound(sorted: Float64Array, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface LeaveLastOptions {
  /** The last n interactions of each user (in time order) go to test. Default 1. */
  readonly n?: number;
  /** The validN interactions before those go to validation. Default 0: no validation part. */
  readonly validN?: number;
  /** A user keeps at least this many interactions in train (test is filled first, then validation). Default 1. */
  readonly minTrainPerUser?: number;
}

/**
 * Per-user leave-last-n: each user's n latest interactions are the test part, the validN before
 * them the validation part, the rest train; a user with too few interactions keeps
 * minTrainPerUser in train (test is served first). Rows are in time order with ties in the order
 * the input listed them (see Interactions), so among interactions with the same time the one that
 * came later in the file counts as later: the same data always gives the same split.
 */
export function leaveLastSplit(data: Interactions, options: LeaveLastOptions = {}): SplitParts {
  timestampsOf(data, "leave-last");
  const n = checkCount("n", options.n ?? 1);
  const validN = checkCount("validN", options.validN ?? 0);
  const minTrain = checkCount("minTrainPerUser", options.minTrainPerUser ?? 1);
  if (n === 0) throw new RangeError("n must be at least 1 (the test part would be empty)");
  const { indptr } = data.byUser;
  const assignment = new Uint8Array(data.nnz);
  let shortUsers = 0;
  for (let u = 0; u < data.nUsers; u++) {
    const start = indptr[u]!;
    const end = indptr[u + 1]!;
    const spare = Math.max(0, end - start - minTrain);
    const nTest = Math.min(n, spare);
    const nValid = Math.min(validN, spare - nTest);
    if (end > start && nTest + nValid < n + validN) shortUsers++;
    assignment.fill(PART.test, end - nTest, end);
    assignment.fill(PART.valid, end - nTest - nValid, end - nTest);
  }
  const notes = [`leave-last: each user's last ${n} interaction${n === 1 ? "" : "s"} (time order, ties in input order) to test`];
  if (validN > 0) notes.push(`the ${validN} before ${n === 1 ? "it" : "them"} to validation`);
  if (shortUsers > 0) notes.push(`${shortUsers} users have too few interactions for that and keep ${minTrain} in train (test is filled first)`);
  return partsFromAssignment(data, assignment, validN > 0, notes);
}

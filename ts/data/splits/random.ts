import type { Rng } from "../../util/rng.js";
import type { Interactions } from "../interactions.js";
import { randomHoldout, validationSplit } from "../splits.js";
import { checkShares, pct, type SplitParts } from "./parts.js";

export interface RandomSplitOptions {
  /** Share of each user's interactions in the test part. Default 0.2. */
  readonly testShare?: number;
  /** Share of each user's interactions in the validation part (taken from what test leaves). Default 0: no validation part. */
  readonly validShare?: number;
  /** A user keeps at least this many interactions in train. Default 1. */
  readonly minTrainPerUser?: number;
  readonly rng: Rng;
}

/**
 * Random per-user holdout ({@link randomHoldout}) as a {@link SplitParts}: round(n · testShare)
 * of a user's n interactions go to test, then round(n_train · validShare / (1 − testShare)) of
 * the rest to validation, so both shares are shares of the whole user history.
 */
export function randomSplit(data: Interactions, options: RandomSplitOptions): SplitParts {
  const testShare = options.testShare ?? 0.2;
  const validShare = options.validShare ?? 0;
  checkShares(testShare, validShare);
  const minTrainPerUser = options.minTrainPerUser ?? 1;
  const outer = randomHoldout(data, { testFraction: testShare, minTrainPerUser, rng: options.rng });
  const notes = [`random per-user holdout: ${pct(testShare)} of each user's interactions to test`];
  if (validShare === 0) return { train: outer.train, test: outer.test, notes };
  const inner = validationSplit(outer.train, { testFraction: validShare / (1 - testShare), minTrainPerUser, rng: options.rng });
  notes.push(`then ${pct(validShare)} of each user's interactions to validation`);
  return { train: inner.train, valid: inner.test, test: outer.test, notes };
}

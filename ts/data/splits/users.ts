import type { Rng } from "../../util/rng.js";
import { DataError } from "../errors.js";
import type { Interactions } from "../interactions.js";
import { checkShares, partsFromAssignment, pct, PART, type SplitParts } from "./parts.js";

export interface UsersSplitOptions {
  /** Share of the users (with at least one interaction) whose whole rows go to test. Default 0.1. */
  readonly testShare?: number;
  /** Share of the users whose whole rows go to validation. Default 0: no validation part. */
  readonly validShare?: number;
  readonly rng: Rng;
}

/**
 * Held-out users: round(share · U) users (of the U with interactions), drawn uniformly, give their
 * whole rows to test (validation likewise); every other user's row stays in train. Rows keep their
 * order, so with timestamps a test row is the user's history in time order: what sequential
 * evaluation reads (every prefix → the next item).
 */
export function usersSplit(data: Interactions, options: UsersSplitOptions): SplitParts {
  const testShare = options.testShare ?? 0.1;
  const validShare = options.validShare ?? 0;
  checkShares(testShare, validShare);
  const active = data.usersWithInteractions();
  const nTest = Math.round(testShare * active.length);
  const nValid = Math.round(validShare * active.length);
  if (nTest === 0) throw new DataError({ file: data.name }, `a test share of ${testShare} of ${active.length} users rounds to no test user; raise it`);
  if (nTest + nValid >= active.length)
    throw new DataError(
      { file: data.name },
      `${nTest} test and ${nValid} validation users leave none of the ${active.length} users to train on; lower the shares`,
    );
  const order = options.rng.shuffle(Int32Array.from(active));
  const assignment = new Uint8Array(data.nnz);
  const { indptr } = data.byUser;
  for (let k = 0; k < nTest + nValid; k++) {
    const u = order[k];
    assignment.fill(k < nTest ? PART.test : PART.valid, indptr[u], indptr[u + 1]);
  }
  const notes = [`held-out users: ${nTest} users (${pct(testShare)}) with their whole rows to test`];
  if (nValid > 0) notes.push(`${nValid} users (${pct(validShare)}) with their whole rows to validation`);
  return partsFromAssignment(data, assignment, nValid > 0, notes);
}

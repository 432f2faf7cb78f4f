import { Interactions } from "../interactions.js";

/** The part an interaction is assigned to, one byte per entry of `byUser.indices`. */
export const PART = { train: 0, valid: 1, test: 2 } as const;
export type PartCode = (typeof PART)[keyof typeof PART];

/**
 * A data set cut into parts over the same id maps (index i is the same item in every part, and
 * nUsers / nItems are those of the data that was split). `valid` is present when one was asked for.
 */
export interface SplitParts {
  readonly train: Interactions;
  readonly valid?: Interactions;
  readonly test: Interactions;
  /** How the split was made and where it fell short of what was asked, one sentence each. */
  readonly notes: readonly string[];
}

/** The parts named by a per-entry assignment (codes from {@link PART}); `valid` only when `withValid`. */
export function partsFromAssignment(data: Interactions, assignment: Uint8Array, withValid: boolean, notes: readonly string[]): SplitParts {
  return {
    train: selectEntries(data, assignment, PART.train, `${data.name} (train part)`),
    ...(withValid && { valid: selectEntries(data, assignment, PART.valid, `${data.name} (validation part)`) }),
    test: selectEntries(data, assignment, PART.test, `${data.name} (test part)`),
    notes,
  };
}

/** The entries whose flag equals `keep`, in their original order, as a new part over the same maps. */
export function selectEntries(data: Interactions, flags: Uint8Array, keep: number, name: string): Interactions {
  let count = 0;
  for (let k = 0; k < flags.length; k++) if (flags[k] === keep) count++;
  const { indptr, indices } = data.byUser;
  const outIndptr = new Int32Array(data.nUsers + 1);
  const outIndices = new Int32Array(count);
  const outTimestamps = data.timestamps === undefined ? undefined : new Float64Array(count);
  const outRatings = data.ratings === undefined ? undefined : new Float32Array(count);
  let w = 0;
  for (let u = 0; u < data.nUsers; u++) {
    const end = indptr[u + 1]!;
    for (let k = indptr[u]!; k < end; k++) {
      if (flags[k] !== keep) continue;
      outIndices[w] = indices[k]!;
      if (outTimestamps !== undefined) outTimestamps[w] = data.timestamps![k]!;
      if (outRatings !== undefined) outRatings[w] = data.ratings![k]!;
      w++;
    }
    outIndptr[u + 1] = w;
  }
  return new Interactions({
    users: data.users,
    items: data.items,
    byUser: { indptr: outIndptr, indices: outIndices },
    name,
    ...(outTimestamps !== undefined && { timestamps: outTimestamps }),
    ...(outRatings !== undefined && { ratings: outRatings }),
  });
}

/** A share option, checked: a programming error (not bad data) when outside [0, 1) or not a number. */
export function checkShare(name: string, value: number): number {
  if (!(value >= 0 && value < 1)) throw new RangeError(`${name} must be a number in [0, 1), got ${value}`);
  return value;
}

/** A count option, checked: a non-negative integer. */
export function checkCount(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  return value;
}

/** Test and validation shares together must leave something to train on. */
export function checkShares(testShare: number, validShare: number): void {
  checkShare("testShare", testShare);
  checkShare("validShare", validShare);
  if (!(testShare + validShare < 1)) {
    throw new RangeError(`testShare + validShare must be below 1 (something must stay in train), got ${testShare} + ${validShare}`);
  }
}

/** A share as a percentage for notes: 0.3 → "30%". */
export function pct(share: number): string {
  return `${+(share * 100).toFixed(2)}%`;
}

import { DataError } from "../errors.js";
import type { Interactions } from "../interactions.js";
import { ItemPools, type ItemSamplingOptions } from "./item-pools.js";
import { checkShares, partsFromAssignment, pct, PART, type SplitParts } from "./parts.js";

export interface ItemEqualCountOptions extends ItemSamplingOptions {
  /** The test part holds about this share of all interactions, the same number from every item. Default 0.2. */
  readonly testShare?: number;
  /** The same for a validation part. Default 0: none. */
  readonly validShare?: number;
  /** An item gives at most floor(maxItemShare · n) of its n interactions to test and validation together. Default 0.9. */
  readonly maxItemShare?: number;
}

/**
 * The equal-count unbiased test set of the ReSN / MACR preprocessing: every item gives the same
 * number of test interactions, c = round(testShare · N / M) (the average number of test
 * interactions per item, over the M items with interactions), chosen uniformly among the item's
 * interactions. An item with n interactions that cannot spare c gives
 * min(c, floor(maxItemShare · n), n − minTrainPerItem): with the defaults an item of 10 or fewer
 * interactions keeps 1 in train, a larger one keeps 10%, and an item with a single interaction
 * gives none. Validation takes the same way c_v = round(validShare · N / M) per item from what is
 * left. Items are visited in a seeded random order; an interaction whose user is down to
 * minTrainPerUser training interactions is never taken, so an item can end short of c (counted in
 * a note).
 */
export function itemEqualCountSplit(data: Interactions, options: ItemEqualCountOptions): SplitParts {
  const testShare = options.testShare ?? 0.2;
  const validShare = options.validShare ?? 0;
  checkShares(testShare, validShare);
  const maxItemShare = options.maxItemShare ?? 0.9;
  if (!(maxItemShare > 0 && maxItemShare <= 1)) throw new RangeError(`maxItemShare must be in (0, 1], got ${maxItemShare}`);
  const pools = ItemPools.of(data, options);
  const { minTrainPerItem } = pools;
  const counts = data.itemCounts();
  let itemsWithData = 0;
  for (let i = 0; i < data.nItems; i++) if (counts[i]! > 0) itemsWithData++;
  const perItemTest = Math.round((testShare * data.nnz) / Math.max(1, itemsWithData));
  const perItemValid = Math.round((validShare * data.nnz) / Math.max(1, itemsWithData));
  if (perItemTest === 0) {
    throw new DataError(
      { file: data.name },
      `testShare ${testShare} of ${data.nnz} interactions over ${itemsWithData} items rounds to 0 test interactions per item; raise testShare`,
    );
  }
  if (validShare > 0 && perItemValid === 0) {
    throw new DataError(
      { file: data.name },
      `validShare ${validShare} of ${data.nnz} interactions over ${itemsWithData} items rounds to 0 validation interactions per item; raise validShare or leave it out`,
    );
  }
  const order = options.rng.shuffle(Int32Array.from({ length: data.nItems }, (_, i) => i));
  const assignment = new Uint8Array(data.nnz);
  let shortTest = 0;
  let shortValid = 0;
  for (const item of order) {
    const n = counts[item]!;
    if (n === 0) continue;
    const room = Math.max(0, Math.min(Math.floor(maxItemShare * n), n - minTrainPerItem));
    const wantTest = Math.min(perItemTest, room);
    const wantValid = Math.min(perItemValid, room - wantTest);
    if (takeInto(pools, item, wantTest, PART.test, assignment) < perItemTest) shortTest++;
    if (perItemValid > 0 && takeInto(pools, item, wantValid, PART.valid, assignment) < perItemValid) shortValid++;
  }
  const notes = [
    `item-equal-count (ReSN/MACR): ${perItemTest} test interactions from every item (${pct(testShare)} of ${data.nnz} over ${itemsWithData} items)`,
  ];
  if (perItemValid > 0) notes.push(`${perItemValid} validation interactions from every item`);
  if (shortTest > 0)
    notes.push(
      `${shortTest} items have fewer than ${perItemTest} test interactions (too few interactions, or their users are down to their last training interactions)`,
    );
  if (shortValid > 0) notes.push(`${shortValid} items have fewer than ${perItemValid} validation interactions`);
  return partsFromAssignment(data, assignment, perItemValid > 0, notes);
}

/** Take up to `wanted` entries of `item` into `part`; returns how many were taken. */
function takeInto(pools: ItemPools, item: number, wanted: number, part: number, assignment: Uint8Array): number {
  let taken = 0;
  while (taken < wanted) {
    const entry = pools.take(item);
    if (entry < 0) break;
    assignment[entry] = part;
    taken++;
  }
  return taken;
}

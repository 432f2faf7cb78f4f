import type { Interactions } from "../interactions.js";
import { ItemPools, type ItemSamplingOptions } from "./item-pools.js";
import { checkShares, partsFromAssignment, pct, PART, type SplitParts } from "./parts.js";

export interface ItemBalancedOptions extends ItemSamplingOptions {
  /** Share of all interactions sampled into the test part. Default 0.3 (Ren et al. on ML-10M and Netflix). */
  readonly testShare?: number;
  /** Share of all interactions sampled, the same way, into the validation part. Default 0 (Ren et al.: 0.1). */
  readonly validShare?: number;
}

/**
 * Ren et al.'s unbiased test set: "we randomly sample interactions with equal probability given
 * to all items to construct the test and validation data", 30% test, 10% validation, the
 * popularity-biased rest for training. Each draw picks an item uniformly among the items that can
 * still give an interaction, then one of that item's interactions uniformly; draws go on until
 * round(testShare · N) + round(validShare · N) interactions are drawn, and a uniformly chosen
 * round(validShare · N) of them form the validation part, the rest the test part (one sample, so
 * validation and test spread over the items alike, as the paper builds both). So every item
 * has the same chance at every draw, and an item's expected number of test interactions is the
 * same for all items until an item runs out. An item runs out when it is down to minTrainPerItem
 * training interactions (default 1: an item never loses its last one, so every test item can be
 * scored from training data); an interaction whose user is down to minTrainPerUser is never drawn.
 * When every item has run out before the target is reached, both parts shrink in proportion and a
 * note says so.
 */
export function itemBalancedSplit(data: Interactions, options: ItemBalancedOptions): SplitParts {
  const testShare = options.testShare ?? 0.3;
  const validShare = options.validShare ?? 0;
  checkShares(testShare, validShare);
  const pools = ItemPools.of(data, options);
  const active = new Int32Array(data.nItems);
  let nActive = 0;
  for (let i = 0; i < data.nItems; i++) if (pools.canGive(i)) active[nActive++] = i;

  // Test and validation are one sample (so both spread over items alike), labelled afterwards.
  const testTarget = Math.round(testShare * data.nnz);
  const validTarget = Math.round(validShare * data.nnz);
  const target = testTarget + validTarget;
  const drawn = new Int32Array(target);
  let nDrawn = 0;
  while (nDrawn < target && nActive > 0) {
    const slot = options.rng.int(nActive);
    const item = active[slot]!;
    const entry = pools.take(item);
    if (entry >= 0) drawn[nDrawn++] = entry;
    if (entry < 0 || !pools.canGive(item)) active[slot] = active[--nActive]!;
  }
  const sample = options.rng.shuffle(drawn.subarray(0, nDrawn));
  const nValid = nDrawn === target ? validTarget : Math.round((nDrawn * validTarget) / Math.max(1, target));
  const assignment = new Uint8Array(data.nnz);
  for (let k = 0; k < nDrawn; k++) assignment[sample[k]!] = k < nValid ? PART.valid : PART.test;
  const notes = [`item-balanced (Ren et al.): interactions drawn with equal probability per item, ${pct(testShare)} to test`];
  if (validShare > 0) notes[0] += ` and ${pct(validShare)} to validation (one sample, labelled at random)`;
  if (nDrawn < target) {
    notes.push(
      `${nDrawn} of the ${target} held-out interactions asked for (test ${nDrawn - nValid}, validation ${nValid}): every item is down to its last training interactions`,
    );
  }
  return partsFromAssignment(data, assignment, validShare > 0, notes);
}

// Negative sampling for BPR and BCE inside wasm: draws from the thread's own xoshiro128** stream,
// uniform over the catalog or from a popularity alias table, rejected while they hit one of the
// user's own items (a binary search in the user's sorted row), and optionally the best-scored of
// several draws (dynamic negative sampling, Zhang et al. SIGIR 2013).

import { dotProduct } from "./rows";
import { nextBelow, nextUnitF32 } from "./random";
import { AHEAD, Plan, ThreadState, touch } from "./pairwise-plan";

// Positives ahead whose candidate rows the scoring loop loads early (negatives × candidates rows each).
const CANDIDATES_AHEAD: i32 = 4;

/**
 * Fills state.batchNegatives with the negatives of the batch's positives from .. to (negatives per
 * positive, in order). Returns the xor of its early loads (see touch).
 */
export function sampleBatch(plan: Plan, state: ThreadState, rng: usize, from: i32, to: i32): i32 {
  const negatives = plan.negatives, candidates = plan.candidates;
  const users = plan.epochUsers, indptr = plan.indptr, sorted = plan.sortedItems;
  const out = state.batchNegatives;
  let sink = 0;
  // Draw every candidate of the batch (the user's sorted row loaded a few positives ahead).
  const draws = candidates > 1 ? state.batchCandidates : out;
  const perPositive = negatives * max<i32>(candidates, 1);
  for (let p = from; p < to; p++) {
    if (p + AHEAD < to) {
      const ahead = load<i32>(users + (<usize>(p + AHEAD) << 2));
      sink ^= load<i32>(sorted + (<usize>load<i32>(indptr + (<usize>ahead << 2)) << 2));
    }
    const u = load<i32>(users + (<usize>p << 2));
    const row = draws + (<usize>((p - from) * perPositive) << 2);
    for (let c = 0; c < perPositive; c++) store<i32>(row + (<usize>c << 2), drawNegative(plan, rng, u));
  }
  if (candidates <= 1) return sink;
  // Keep the best-scored of each negative's candidates.
  const P = plan.userTable, Q = plan.itemTable, d = plan.dim, rowBytes = <usize>d << 2;
  for (let p = from; p < to; p++) {
    const pu = P + <usize>load<i32>(users + (<usize>p << 2)) * rowBytes;
    const row = draws + (<usize>((p - from) * perPositive) << 2);
    // Load every candidate row before scoring any: their cache misses overlap instead of coming one
    // dot product at a time (loading the next positive's rows as well measured slower: 16-32 rows
    // in flight is what the core keeps).
    sink ^= touch(pu, rowBytes);
    for (let c = 0; c < perPositive; c++) sink ^= touch(Q + <usize>load<i32>(row + (<usize>c << 2)) * rowBytes, rowBytes);
    for (let n = 0; n < negatives; n++) {
      const first = row + (<usize>(n * candidates) << 2);
      let best = load<i32>(first);
      let bestScore = dotProduct(pu, Q + <usize>best * rowBytes, d);
      for (let c = 1; c < candidates; c++) {
        const j = load<i32>(first + (<usize>c << 2));
        const s = dotProduct(pu, Q + <usize>j * rowBytes, d);
        if (s > bestScore) {
          bestScore = s;
          best = j;
        }
      }
      store<i32>(out + (<usize>((p - from) * negatives + n) << 2), best);
    }
  }
  return sink;
}

/** A draw (uniform, or from the popularity alias table) that is not one of user u's items, within maxTries draws. */
function drawNegative(plan: Plan, rng: usize, u: i32): i32 {
  const m = plan.nItems;
  const lo = load<i32>(plan.indptr + (<usize>u << 2));
  const hi = load<i32>(plan.indptr + (<usize>u << 2), 4);
  const sorted = plan.sortedItems;
  const prob = plan.aliasProb;
  let j = draw(rng, m, prob, plan.aliasIndex);
  for (let t = 0; t < plan.maxTries && contains(sorted, lo, hi, j); t++) j = draw(rng, m, prob, plan.aliasIndex);
  return j;
}

// @ts-ignore: decorator
@inline function draw(rng: usize, m: i32, prob: usize, alias: usize): i32 {
  const i = nextBelow(rng, m);
  if (prob == 0) return i;
  return nextUnitF32(rng) < load<f32>(prob + (<usize>i << 2)) ? i : load<i32>(alias + (<usize>i << 2));
}

/** Whether the sorted run sorted[lo .. hi) holds `item` (binary search). */
// @ts-ignore: decorator
@inline function contains(sorted: usize, lo: i32, hi: i32, item: i32): bool {
  let a = lo, b = hi - 1;
  while (a <= b) {
    const mid = (a + b) >>> 1;
    const v = load<i32>(sorted + (<usize>mid << 2));
    if (v == item) return true;
    if (v < item) a = mid + 1;
    else b = mid - 1;
  }
  return false;
}


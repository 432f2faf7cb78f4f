import { accumulate_pair_gradients, accumulate_pointwise_gradients } from "../popularity-gradients";
import { f32At, filledF32, hashIndex, i32At, newI32, release, setF32, setI32, within } from "./support/kernel-spec-data";

const USERS = 5;
const ITEMS = 8;

/**
 * One batch of B rows over small tables with accumulators that start non-zero; `pairs` picks BPR
 * triples (neg = pos at row 2) or BCE rows (labels alternate 0/1). Checks both accumulators
 * against an f64 replay of Algorithm 1.
 */
function check(pairs: bool, d: i32, B: i32, seed: i32): void {
  const P = filledF32(USERS * d, seed, 0.7);
  const Q = filledF32(ITEMS * d, seed + 1, 0.7);
  const accP = filledF32(USERS * d, seed + 2);
  const accQ = filledF32(ITEMS * d, seed + 3);
  const users = newI32(B);
  const pos = newI32(B);
  const neg = newI32(B);
  const labels = filledF32(B, seed + 4);
  for (let b = 0; b < B; b++) {
    setI32(users, b, hashIndex(seed + 5, b, USERS));
    setI32(pos, b, hashIndex(seed + 6, b, ITEMS));
    setI32(neg, b, b == 2 ? i32At(pos, b) : hashIndex(seed + 7, b, ITEMS));
    setF32(labels, b, <f32>(b & 1));
  }
  const scale: f32 = -0.3;
  const eu = new Array<f64>(USERS * d);
  const ei = new Array<f64>(ITEMS * d);
  for (let x = 0; x < USERS * d; x++) eu[x] = <f64>f32At(accP, x);
  for (let x = 0; x < ITEMS * d; x++) ei[x] = <f64>f32At(accQ, x);
  for (let b = 0; b < B; b++) {
    const u = i32At(users, b);
    const i = i32At(pos, b);
    const j = i32At(neg, b);
    const positive = pairs || f32At(labels, b) > 0;
    for (let c = 0; c < d; c++) {
      const qi = <f64>f32At(Q, i * d + c);
      const qj = pairs ? <f64>f32At(Q, j * d + c) : 0;
      eu[u * d + c] += <f64>scale * (positive ? qi - qj : -qi);
      if (positive) ei[i * d + c] += <f64>scale * <f64>f32At(P, u * d + c);
    }
  }
  if (pairs) accumulate_pair_gradients(P, Q, d, users, pos, neg, B, scale, accP, accQ);
  else accumulate_pointwise_gradients(P, Q, d, users, pos, labels, B, scale, accP, accQ);
  const tol = 1e-5 * Math.sqrt(<f64>B + 1);
  for (let x = 0; x < USERS * d; x++) expect<bool>(within(<f64>f32At(accP, x), eu[x], tol * (1 + Math.abs(eu[x])))).toBe(true, "accP");
  for (let x = 0; x < ITEMS * d; x++) expect<bool>(within(<f64>f32At(accQ, x), ei[x], tol * (1 + Math.abs(ei[x])))).toBe(true, "accQ");
  release(P);
  release(Q);
  release(accP);
  release(accQ);
  release(users);
  release(pos);
  release(neg);
  release(labels);
}

const SHAPES: i32[] = [1, 5, 3, 7, 4, 0, 7, 12, 16, 30, 33, 9, 64, 40];

describe("accumulate_pair_gradients", () => {
  it("matches the f64 replay of Algorithm 1 for BPR triples (d = 1, tails, repeated ids, neg = pos)", () => {
    for (let s = 0; s < SHAPES.length; s += 2) check(true, SHAPES[s], SHAPES[s + 1], s);
  });
});

describe("accumulate_pointwise_gradients", () => {
  it("matches the f64 replay for BCE rows (positives add to both tables, negatives to the user's only)", () => {
    for (let s = 0; s < SHAPES.length; s += 2) check(false, SHAPES[s], SHAPES[s + 1], s + 50);
  });
});

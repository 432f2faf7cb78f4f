import { bce_batch, bpr_batch } from "../pairwise";
import { F32_EPS, f32At, filledF32, hashIndex, i32At, newI32, release, setF32, setI32, within, zeroF32 } from "./support/kernel-spec-data";

const USERS = 5;
const ITEMS = 8;

function softplus(x: f64): f64 {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

function sigmoid(x: f64): f64 {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

function rowDot(a: usize, ra: i32, b: usize, rb: i32, d: i32): f64 {
  let s: f64 = 0;
  for (let c = 0; c < d; c++) s += <f64>f32At(a, ra * d + c) * <f64>f32At(b, rb * d + c);
  return s;
}

/**
 * One batch of B examples over small tables; slots are the ids themselves (gradient tables as large
 * as P and Q), and triple 2 has neg = pos. `bpr` picks the loss; checks loss and both gradients.
 */
function check(bpr: bool, d: i32, B: i32, withWeights: bool, seed: i32): void {
  const P = filledF32(USERS * d, seed, 0.7);
  const Q = filledF32(ITEMS * d, seed + 1, 0.7);
  const users = newI32(B);
  const pos = newI32(B);
  const neg = newI32(B);
  const labels = zeroF32(B);
  const weights = withWeights ? filledF32(B, seed + 2) : 0;
  for (let b = 0; b < B; b++) {
    setI32(users, b, hashIndex(seed + 3, b, USERS));
    setI32(pos, b, hashIndex(seed + 4, b, ITEMS));
    setI32(neg, b, b == 2 ? i32At(pos, b) : hashIndex(seed + 5, b, ITEMS));
    setF32(labels, b, <f32>(b & 1));
    if (withWeights) setF32(weights, b, f32At(weights, b) + 1);
  }
  const gradU = zeroF32(USERS * d);
  const gradI = zeroF32(ITEMS * d);
  const eu = new Array<f64>(USERS * d).fill(0);
  const ei = new Array<f64>(ITEMS * d).fill(0);
  let expectedLoss: f64 = 0;
  let lossTol: f64 = 1e-12;
  for (let b = 0; b < B; b++) {
    const u = i32At(users, b);
    const i = i32At(pos, b);
    const j = i32At(neg, b);
    const w: f64 = withWeights ? <f64>f32At(weights, b) : 1;
    let g: f64;
    if (bpr) {
      const s = rowDot(P, u, Q, i, d) - rowDot(P, u, Q, j, d);
      expectedLoss += w * softplus(-s);
      g = -w * sigmoid(-s);
    } else {
      const s = rowDot(P, u, Q, i, d);
      const y = <f64>f32At(labels, b);
      expectedLoss += w * (softplus(s) - y * s);
      g = w * (sigmoid(s) - y);
    }
    lossTol += w * 16 * F32_EPS * Math.sqrt(<f64>d + 1) * <f64>d;
    for (let c = 0; c < d; c++) {
      const qi = <f64>f32At(Q, i * d + c);
      const qj = bpr ? <f64>f32At(Q, j * d + c) : 0;
      const pu = <f64>f32At(P, u * d + c);
      eu[u * d + c] += g * (qi - qj);
      ei[i * d + c] += g * pu;
      if (bpr) ei[j * d + c] -= g * pu;
    }
  }
  const loss = bpr
    ? bpr_batch(P, Q, d, users, pos, neg, B, users, pos, neg, weights, gradU, gradI)
    : bce_batch(P, Q, d, users, pos, labels, B, users, pos, weights, gradU, gradI);
  expect<bool>(within(loss, expectedLoss, lossTol)).toBe(true, "loss");
  const gradTol = 1e-5 * Math.sqrt(<f64>B + 1);
  for (let x = 0; x < USERS * d; x++) expect<bool>(within(<f64>f32At(gradU, x), eu[x], gradTol * (1 + Math.abs(eu[x])))).toBe(true, "gradU");
  for (let x = 0; x < ITEMS * d; x++) expect<bool>(within(<f64>f32At(gradI, x), ei[x], gradTol * (1 + Math.abs(ei[x])))).toBe(true, "gradI");
  release(P);
  release(Q);
  release(users);
  release(pos);
  release(neg);
  release(labels);
  if (weights != 0) release(weights);
  release(gradU);
  release(gradI);
}

describe("bpr_batch", () => {
  it("matches the f64 loss and gradients (d = 1, tails, repeated ids, neg = pos, weights)", () => {
    const shapes: i32[] = [1, 5, 3, 7, 4, 0, 7, 12, 16, 30, 33, 9, 64, 40];
    for (let s = 0; s < shapes.length; s += 2) {
      check(true, shapes[s], shapes[s + 1], false, s);
      check(true, shapes[s], shapes[s + 1], true, s + 100);
    }
  });
});

describe("bce_batch", () => {
  it("matches the f64 loss and gradients (labels 0 and 1, weights)", () => {
    const shapes: i32[] = [1, 5, 3, 7, 4, 0, 7, 12, 16, 30, 33, 9, 64, 40];
    for (let s = 0; s < shapes.length; s += 2) {
      check(false, shapes[s], shapes[s + 1], false, s);
      check(false, shapes[s], shapes[s + 1], true, s + 100);
    }
  });

  it("stays finite far into the tails (s = ±1e4)", () => {
    const d = 4;
    const P = zeroF32(d);
    const Q = zeroF32(2 * d);
    setF32(P, 0, 100);
    setF32(Q, 0, 100);
    setF32(Q, d, -100);
    const ids = newI32(2);
    setI32(ids, 0, 0);
    setI32(ids, 1, 1);
    const zeros = newI32(2);
    setI32(zeros, 0, 0);
    setI32(zeros, 1, 0);
    const labels = zeroF32(2);
    setF32(labels, 1, 1);
    const gradU = zeroF32(d);
    const gradI = zeroF32(2 * d);
    // s = 1e4 with y = 0 and s = −1e4 with y = 1: each costs 1e4.
    const loss = bce_batch(P, Q, d, zeros, ids, labels, 2, zeros, ids, 0, gradU, gradI);
    expect<bool>(within(loss, 2e4, 1e-6)).toBe(true);
    expect<bool>(isFinite(f32At(gradU, 0))).toBe(true);
    release(P);
    release(Q);
    release(ids);
    release(zeros);
    release(labels);
    release(gradU);
    release(gradI);
  });
});

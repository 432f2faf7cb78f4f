/**
 * A plain f64 reference for the BPR/BCE/CCL training kernel (assembly/pairwise.ts): the same batches,
 * the same draws from the same xoshiro128** stream (ts/util/rng.ts continues the kernel's), the
 * losses, Ren et al.'s Algorithm 1 sums and the optimizer steps, written the obvious way.
 */
import type { Rng } from "../../ts/util/rng.js";
import { referenceAdagradRows, referenceAdamRows, referenceSgdRows } from "./optimizers.js";
import { sigmoid, softplus } from "./pairwise.js";

export interface PairwiseReferenceRun {
  d: number;
  nUsers: number;
  nItems: number;
  /** Each user's items, sorted (what rejection tests against). */
  userItems: ReadonlyArray<ReadonlyArray<number>>;
  /** The epoch's interactions in order. */
  epochUsers: ArrayLike<number>;
  epochItems: ArrayLike<number>;
  loss: "bpr" | "bce" | "ccl";
  /** CCL only: the negatives' margin and the weight of their mean hinge. */
  margin?: number;
  negativeWeight?: number;
  negatives: number;
  candidates: number;
  maxTries: number;
  alias: { prob: Float32Array; index: Int32Array } | null;
  ips: ArrayLike<number> | null;
  optimizer: "sgd" | "adagrad" | "adam";
  lr: number;
  l2: number;
  beta1: number;
  beta2: number;
  eps: number;
  normalizeUsers: boolean;
  normalizeItems: boolean;
  /** Adam only: dense Adam, every row of both tables stepped at every step (a zero gradient for the rows the batch did not touch). */
  denseAdam?: boolean;
  accumulate: boolean;
  accScale: number;
  batchSize: number;
}

export interface PairwiseReferenceState {
  P: Float64Array;
  Q: Float64Array;
  userState1: Float64Array;
  userState2: Float64Array;
  itemState1: Float64Array;
  itemState2: Float64Array;
  accUsers: Float64Array;
  accItems: Float64Array;
  step: number;
  /** The stream the kernel's thread state holds. */
  rng: Rng;
}

/** Trains on interactions from .. to of the epoch (batches of batchSize); returns the loss. */
export function referencePairwiseTrain(run: PairwiseReferenceRun, s: PairwiseReferenceState, from: number, to: number): number {
  let loss = 0;
  for (let b0 = from; b0 < to; b0 += run.batchSize) loss += batch(run, s, b0, Math.min(to, b0 + run.batchSize));
  return loss;
}

function below(rng: Rng, n: number): number {
  return Math.floor((rng.nextU32() * n) / 4294967296);
}

function draw(run: PairwiseReferenceRun, rng: Rng): number {
  const i = below(rng, run.nItems);
  if (!run.alias) return i;
  return (rng.nextU32() >>> 8) / 16777216 < run.alias.prob[i] ? i : run.alias.index[i];
}

function drawNegative(run: PairwiseReferenceRun, rng: Rng, u: number): number {
  const own = run.userItems[u];
  let j = draw(run, rng);
  for (let t = 0; t < run.maxTries && own.includes(j); t++) j = draw(run, rng);
  return j;
}

function dot(a: Float64Array, ar: number, b: Float64Array, br: number, d: number): number {
  let x = 0;
  for (let c = 0; c < d; c++) x += a[ar * d + c] * b[br * d + c];
  return x;
}

function batch(run: PairwiseReferenceRun, s: PairwiseReferenceState, from: number, to: number): number {
  const { d, negatives, candidates } = run;
  const perPositive = negatives * Math.max(1, candidates);
  // Sampling: every draw of the batch first, then the best-scored of each negative's candidates.
  const draws: number[][] = [];
  for (let p = from; p < to; p++) draws.push(Array.from({ length: perPositive }, () => drawNegative(run, s.rng, run.epochUsers[p])));
  const negs = draws.map((row, b) => {
    if (candidates <= 1) return row;
    const u = run.epochUsers[from + b];
    return Array.from({ length: negatives }, (_, n) => {
      let best = row[n * candidates];
      let bestScore = dot(s.P, u, s.Q, best, d);
      for (let c = 1; c < candidates; c++) {
        const j = row[n * candidates + c];
        const x = dot(s.P, u, s.Q, j, d);
        if (x > bestScore) {
          bestScore = x;
          best = j;
        }
      }
      return best;
    });
  });
  const gradU = new Map<number, Float64Array>(),
    gradI = new Map<number, Float64Array>();
  const row = (m: Map<number, Float64Array>, r: number) => m.get(r) ?? m.set(r, new Float64Array(d)).get(r)!;
  const add = (target: Float64Array, g: number, table: Float64Array, r: number, minus?: Float64Array, mr?: number) => {
    for (let c = 0; c < d; c++) target[c] += g * (table[r * d + c] - (minus ? minus[mr! * d + c] : 0));
  };
  const addAcc = (acc: Float64Array, r: number, g: number, table: Float64Array, tr: number, minus?: Float64Array, mr?: number) => {
    for (let c = 0; c < d; c++) acc[r * d + c] += g * (table[tr * d + c] - (minus ? minus[mr! * d + c] : 0));
  };
  let loss = 0;
  for (let p = from; p < to; p++) {
    const u = run.epochUsers[p],
      i = run.epochItems[p];
    const w = run.ips ? run.ips[i] : 1;
    const gu = row(gradU, u),
      gi = row(gradI, i);
    if (run.loss === "bce") {
      const x = dot(s.P, u, s.Q, i, d);
      loss += w * (softplus(x) - x);
      const g = w * (sigmoid(x) - 1);
      if (run.accumulate) {
        addAcc(s.accUsers, u, run.accScale, s.Q, i);
        addAcc(s.accItems, i, run.accScale, s.P, u);
      }
      add(gu, g, s.Q, i);
      add(gi, g, s.P, u);
    }
    if (run.loss === "ccl") {
      // w·max(0, 1 − s⁺) + (negativeWeight / N)·Σ max(0, s_j − margin); only negatives above the margin get a gradient row.
      const x = dot(s.P, u, s.Q, i, d);
      if (x < 1) {
        loss += w * (1 - x);
        add(gu, -w, s.Q, i);
        add(gi, -w, s.P, u);
      }
      const perNegative = (w * run.negativeWeight!) / negatives;
      for (const j of negs[p - from]) {
        const y = dot(s.P, u, s.Q, j, d);
        if (y <= run.margin!) continue;
        loss += perNegative * (y - run.margin!);
        add(gu, perNegative, s.Q, j);
        add(row(gradI, j), perNegative, s.P, u);
      }
      continue;
    }
    for (const j of negs[p - from]) {
      const gj = row(gradI, j);
      if (run.loss === "bce") {
        const x = dot(s.P, u, s.Q, j, d);
        loss += softplus(x);
        const g = sigmoid(x);
        if (run.accumulate) addAcc(s.accUsers, u, -run.accScale, s.Q, j);
        add(gu, g, s.Q, j);
        add(gj, g, s.P, u);
      } else {
        const x = dot(s.P, u, s.Q, i, d) - dot(s.P, u, s.Q, j, d);
        loss += (w * softplus(-x)) / negatives;
        const g = -w * sigmoid(-x);
        if (run.accumulate) {
          addAcc(s.accUsers, u, run.accScale, s.Q, i, s.Q, j);
          addAcc(s.accItems, i, run.accScale, s.P, u);
        }
        add(gu, g, s.Q, i, s.Q, j);
        add(gi, g, s.P, u);
        add(gj, -g, s.P, u);
      }
    }
  }
  const t = run.optimizer === "adam" ? ++s.step : 0;
  if (run.denseAdam) {
    for (let u = 0; u < run.nUsers; u++) row(gradU, u);
    for (let i = 0; i < run.nItems; i++) row(gradI, i);
  }
  stepRows(run, s.P, s.userState1, s.userState2, gradU, t, run.normalizeUsers);
  stepRows(run, s.Q, s.itemState1, s.itemState2, gradI, t, run.normalizeItems);
  return loss;
}

function stepRows(
  run: PairwiseReferenceRun,
  table: Float64Array,
  s1: Float64Array,
  s2: Float64Array,
  grads: Map<number, Float64Array>,
  t: number,
  normalize: boolean,
): void {
  const d = run.d;
  const rows = [...grads.keys()];
  const flat = new Float64Array(rows.length * d);
  rows.forEach((r, k) => flat.set(grads.get(r)!, k * d));
  if (run.optimizer === "sgd") referenceSgdRows(table, d, rows, rows.length, flat, run.lr, run.l2);
  else if (run.optimizer === "adagrad") referenceAdagradRows(table, s1, d, rows, rows.length, flat, run.lr, run.eps, run.l2);
  else referenceAdamRows(table, s1, s2, d, rows, rows.length, flat, run.lr, run.beta1, run.beta2, run.eps, t, run.l2);
  if (!normalize) return;
  for (const r of rows) {
    let n = 0;
    for (let c = 0; c < d; c++) n += table[r * d + c] ** 2;
    if (n > 0) for (let c = 0; c < d; c++) table[r * d + c] /= Math.sqrt(n);
  }
}

import { DEFAULT_K } from "../eval/default-k.js";
import type { Interactions } from "../data/interactions.js";
import { freeAll } from "../kernels/wasm-instance.js";
import { loadUserBlock, maxRowLength } from "../eval/exclusions.js";
import type { MatrixFactorization } from "./matrix-factorization.js";
import { Rng } from "../util/rng.js";
import type { PopularDirectionSource } from "./serving.js";
import type { TrainingWarning } from "../train/training-warnings.js";

/** Ren et al.'s search list: 0 to 2 in steps of 0.2. */
export const PAPER_ALPHA_GRID: readonly number[] = Array.from({ length: 11 }, (_, i) => Math.round(i * 2) / 10);

export interface AlphaGridOptions {
  /** K of the validation Recall@K that picks the pair (default 20). */
  k?: number;
  /** Candidate values of α1 (items) and α2 (users) (default {@link PAPER_ALPHA_GRID}). */
  alphas?: readonly number[];
  /** Keep α1 at this value and search α2 only (the "α1 = 0" ablation). */
  fixedAlphaItems?: number;
  /** Keep α2 at this value and search α1 only (the "α2 = 0" ablation). */
  fixedAlphaUsers?: number;
  /** Popular directions to project on (default: the model's configured source). */
  source?: PopularDirectionSource;
  /** Validation users scored at most (default 10,000): beyond that, a sample drawn with `rng`. */
  maxUsers?: number;
  /** Generator of the user sample (default: one seeded with the model's seed). */
  rng?: Rng;
  /** Users scored per block (memory: 2 × block × catalog floats). */
  blockUsers?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface AlphaGridPoint {
  alphaItems: number;
  alphaUsers: number;
  recall: number;
}

export interface AlphaGridResult extends AlphaGridPoint {
  source: PopularDirectionSource;
  k: number;
  /** Recall@K of the raw tables (α1 = α2 = 0) on the same users. */
  baselineRecall: number;
  /**
   * Standard error of the chosen pair's gain over the raw tables (recall − baselineRecall), from
   * the per-user differences on the same users (a paired estimate): a gain within about two of
   * these is what another sample of validation users could undo.
   */
  gainStandardError: number;
  /** Grid pairs whose recall lies within two standard errors of the chosen one: many means a flat grid, where α is noise. */
  pairsNearBest: number;
  /** True when the chosen pair is α1 = α2 = 0: the projection is off and the model serves its raw tables. */
  projectionOff: boolean;
  /** Every pair tried, α1-major. */
  grid: AlphaGridPoint[];
  /** Validation users scored, and how many had a held-out item. */
  users: number;
  validationUsers: number;
  seconds: number;
}

/**
 * Chooses α1 (items) and α2 (users) of the gradient-perspective adjustment by full-ranking
 * Recall@K on a validation part (training items excluded), over the grid of Ren et al.
 *
 * One scoring pass serves the whole grid. With unit directions p̂ = P̄/‖P̄‖ and q̂ = Q̄/‖Q̄‖, the
 * projected score expands into the raw score plus a rank-2 term:
 *   P'_u·Q'_i = P_u·Q_i − α2·(P_u·p̂)(p̂·Q_i) − α1·(P_u·q̂ − α2·(P_u·p̂)(p̂·q̂))·(q̂·Q_i),
 * so each block of users is scored once (the blocked GEMM kernel) and every grid pair costs a
 * copy, a K = 2 GEMM update and a top-K pass. The chosen pair is returned, not applied: pass it to
 * `model.setPopularityAdjustment`. Ties go to the smaller α1, then the smaller α2.
 */
export function searchPopularityAlphas(
  model: MatrixFactorization,
  train: Interactions,
  validation: Interactions,
  options: AlphaGridOptions = {},
): AlphaGridResult {
  const started = typeof performance !== "undefined" ? performance.now() : Date.now();
  const k = options.k ?? DEFAULT_K;
  if (!Number.isInteger(k) || k <= 0) throw new RangeError(`k must be a positive integer, got ${k}`);
  const alphas = options.alphas ?? PAPER_ALPHA_GRID;
  for (const a of [...alphas, options.fixedAlphaItems ?? 0, options.fixedAlphaUsers ?? 0]) {
    if (!(Number.isFinite(a) && a >= 0)) throw new RangeError(`α values must be finite and non-negative, got ${a}`);
  }
  if (alphas.length === 0) throw new RangeError("the α grid is empty");
  const itemAlphas = options.fixedAlphaItems !== undefined ? [options.fixedAlphaItems] : alphas;
  const userAlphas = options.fixedAlphaUsers !== undefined ? [options.fixedAlphaUsers] : alphas;
  const source = options.source ?? model.serving.popularDirection;
  const directions = model.popularDirections(source);
  if (!directions)
    throw new Error(`popular directions from "${source}" are not available: train with gradientAdjustment (--gradient-adjust) or use source "head-mean"`);
  const m = model.nItems,
    d = model.dim;
  if (train.nItems !== m || validation.nItems !== m) {
    throw new RangeError(
      `the model scores ${m} items but the data has ${train.nItems} (train) and ${validation.nItems} (validation): read the data with the model's item ids`,
    );
  }
  if (validation.nUsers > model.nUsers)
    throw new RangeError(`the validation part has users the model does not know (model: ${model.nUsers}, validation: ${validation.nUsers})`);

  const candidates = validation.usersWithInteractions();
  const maxUsers = options.maxUsers ?? 10_000;
  const users =
    candidates.length > maxUsers ? (options.rng ?? new Rng(model.config.seed)).shuffle(candidates.slice()).subarray(0, maxUsers).sort() : candidates;
  const total = users.length;
  const block = Math.max(1, Math.min(options.blockUsers ?? Math.floor((8 << 20) / Math.max(1, m)), total || 1));
  const kk = Math.min(k, m);
  const pairs = itemAlphas.length * userAlphas.length;
  const hitSums = new Float64Array(pairs + 1); // the last slot: the raw tables
  // Per pair, the sums of each user's recall difference to the raw tables and of its square (the paired standard error).
  const gainSums = new Float64Array(pairs);
  const gainSquares = new Float64Array(pairs);
  const userRecall = new Float64Array(block);
  const rawRecall = new Float64Array(block);

  const kernels = model.kernels;
  const e = kernels.wasm;
  const unitDirections = e.f32From([...unit(directions.users), ...unit(directions.items)]);
  const g = dot(unit(directions.users), unit(directions.items));
  const packed = e.f32(kernels.packedItemsLength(m, d));
  const itemTerms = e.f32(2 * m); // row 0: p̂·Q_i, row 1: q̂·Q_i
  const blockUsers = e.i32(block);
  const blockRows = e.f32(block * d);
  const userTerms = e.f32(block * 2); // per user: P_u·p̂, P_u·q̂
  const coefficients = e.f32(block * 2);
  const raw = e.f32(block * m);
  const work = e.f32(block * m);
  const exclOffsets = e.i32(block + 1);
  const exclIndices = e.i32(Math.max(1, block * maxRowLength(train)));
  const topIdx = e.i32(block * kk);
  const topScore = e.f32(block * kk);
  const relevant = new Uint8Array(m);
  try {
    kernels.packItems(model.itemFactors, m, d, packed);
    kernels.scoreRowsDot(unitDirections, 2, d, model.itemFactors, m, itemTerms, m);
    const validP = validation.byUser.indptr,
      validI = validation.byUser.indices;
    const countHits = (n: number, pair: number): void => {
      const top = topIdx.view;
      for (let r = 0; r < n; r++) {
        const user = users[r + blockStart];
        const a = validP[user],
          b = validP[user + 1];
        for (let t = a; t < b; t++) relevant[validI[t]] = 1;
        let hits = 0;
        for (let t = r * kk; t < (r + 1) * kk; t++) if (top[t] >= 0 && relevant[top[t]] === 1) hits++;
        userRecall[r] = hits / (b - a);
        hitSums[pair] += userRecall[r];
        for (let t = a; t < b; t++) relevant[validI[t]] = 0;
      }
      if (pair === pairs) rawRecall.set(userRecall.subarray(0, n));
      else {
        for (let r = 0; r < n; r++) {
          const gain = userRecall[r] - rawRecall[r];
          gainSums[pair] += gain;
          gainSquares[pair] += gain * gain;
        }
      }
    };
    let blockStart = 0;
    for (; blockStart < total; blockStart += block) {
      const n = Math.min(block, total - blockStart);
      loadUserBlock(train, users, blockStart, n, blockUsers, exclOffsets, exclIndices);
      kernels.gatherRows(model.userFactors, d, blockUsers, n, blockRows);
      kernels.scorePacked(blockRows, n, d, packed, m, raw, m);
      kernels.scoreRowsDot(blockRows, n, d, unitDirections, 2, userTerms, 2);
      // The raw top-K also writes -Infinity over the training items, which every pair inherits.
      kernels.topkRows(raw, n, m, m, kk, { offsets: exclOffsets, indices: exclIndices }, topIdx, topScore);
      countHits(n, pairs);
      const rawTop = topIdx.view.slice(0, n * kk);
      for (let a1 = 0; a1 < itemAlphas.length; a1++) {
        for (let a2 = 0; a2 < userAlphas.length; a2++) {
          const alphaItems = itemAlphas[a1],
            alphaUsers = userAlphas[a2];
          if (alphaItems === 0 && alphaUsers === 0) {
            topIdx.view.set(rawTop);
          } else {
            const coef = coefficients.view,
              terms = userTerms.view;
            for (let r = 0; r < n; r++) {
              const along = terms[2 * r],
                alongItems = terms[2 * r + 1];
              coef[2 * r] = -alphaUsers * along;
              coef[2 * r + 1] = -alphaItems * (alongItems - alphaUsers * along * g);
            }
            work.view.set(raw.view.subarray(0, n * m));
            kernels.gemmNN(coefficients, itemTerms, work, n, m, 2, true);
            kernels.topkRows(work, n, m, m, kk, null, topIdx, topScore);
          }
          countHits(n, a1 * userAlphas.length + a2);
        }
      }
      options.onProgress?.(blockStart + n, total);
    }
  } finally {
    freeAll(unitDirections, packed, itemTerms, blockUsers, blockRows, userTerms, coefficients, raw, work, exclOffsets, exclIndices, topIdx, topScore);
  }
  const grid: AlphaGridPoint[] = [];
  let best = 0;
  for (let a1 = 0; a1 < itemAlphas.length; a1++) {
    for (let a2 = 0; a2 < userAlphas.length; a2++) {
      const p = a1 * userAlphas.length + a2;
      grid.push({ alphaItems: itemAlphas[a1], alphaUsers: userAlphas[a2], recall: total ? hitSums[p] / total : 0 });
      if (hitSums[p] > hitSums[best]) best = p;
    }
  }
  const gainStandardError = pairedStandardError(gainSums[best], gainSquares[best], total);
  const margin = 2 * gainStandardError;
  return {
    ...grid[best],
    source,
    k,
    grid,
    baselineRecall: total ? hitSums[pairs] / total : 0,
    gainStandardError,
    pairsNearBest: grid.filter((point) => point.recall >= grid[best].recall - margin).length,
    projectionOff: grid[best].alphaItems === 0 && grid[best].alphaUsers === 0,
    users: total,
    validationUsers: candidates.length,
    seconds: ((typeof performance !== "undefined" ? performance.now() : Date.now()) - started) / 1000,
  };
}

/** Standard error of a mean from the sum and the sum of squares of n values. */
function pairedStandardError(sum: number, squares: number, n: number): number {
  if (n < 2) return 0;
  const mean = sum / n;
  const variance = Math.max(0, (squares - n * mean * mean) / (n - 1));
  return Math.sqrt(variance / n);
}

/**
 * What a user should know about the grid's choice, as training warnings: the projection switched
 * off (the model serves its raw tables, although it was trained with the adjustment), or a gain
 * within the noise of the validation sample.
 */
export function alphaGridWarnings(result: AlphaGridResult): TrainingWarning[] {
  const k = result.k;
  if (result.projectionOff) {
    return [
      {
        kind: "projection-off",
        message:
          `the α grid chose α1 = α2 = 0 (no pair beat the raw tables' validation recall@${k} ${result.baselineRecall.toFixed(4)}): ` +
          "the gradient adjustment's projection is off, and the model serves its raw tables (trained with unit-norm users). " +
          "A validation part from the log this model was trained on rewards popularity; try --validation-data with a randomly exposed part, or fix --alpha-items/--alpha-users",
      },
    ];
  }
  const gain = result.recall - result.baselineRecall;
  if (gain <= 2 * result.gainStandardError) {
    return [
      {
        kind: "alpha-uncertain",
        message:
          `the α grid's choice (α1 ${result.alphaItems}, α2 ${result.alphaUsers}) gains ${gain >= 0 ? "+" : ""}${gain.toFixed(4)} recall@${k} over the raw tables, ` +
          `within two standard errors (±${(2 * result.gainStandardError).toFixed(4)}, ${result.users} users); ${result.pairsNearBest} of ${result.grid.length} pairs are as good: ` +
          "α is noise here — more validation users (--grid-users) or a larger validation part would decide",
      },
    ];
  }
  return [];
}

function unit(v: Float32Array): Float64Array {
  const norm = Math.sqrt(dot(v, v));
  return Float64Array.from(v, (x) => (norm > 0 && Number.isFinite(norm) ? x / norm : 0));
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

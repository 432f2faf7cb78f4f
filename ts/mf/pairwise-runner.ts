import type { WasmF32Array, WasmI32Array } from "../kernels/wasm-instance.js";
import { freeAll } from "../kernels/wasm-instance.js";
import type { Rng } from "../util/rng.js";
import { AliasSampler } from "../train/alias-sampler.js";
import { ipsItemWeights } from "../train/ips.js";
import { ADAGRAD_EPS, ADAM_EPS, BETA1, BETA2 } from "../train/optimizer.js";
import { PLAN_FIELDS, PLAN_FLOAT_FIELDS, StructBlock, THREAD_FIELDS } from "./pairwise-plan.js";
import { RowGradientStep } from "./resn.js";
import {
  checkFinite,
  shuffledRange,
  userOfPosition,
  withRegularizer,
  type BatchCallback,
  type EpochResult,
  type EpochRunner,
  type TrainingContext,
} from "./training-context.js";

/** Draws per negative before one that hits the user's own items is kept anyway (a user holding most of the catalog). */
const MAX_NEGATIVE_TRIES = 32;
/** At most this many positives per thread and round: the kernel runs them between progress reports (tens of milliseconds). */
const POSITIVES_PER_ROUND = 1 << 16;
/** Batches of an epoch each Hogwild thread needs at least: smaller data trains on one thread, reproducibly. */
export const MIN_BATCHES_PER_THREAD = 64;
/** At least this many rounds per epoch, so that progress and cancellation come between steps on small data too. */
const MIN_ROUNDS = 16;
const OPTIMIZER_CODES = { sgd: 0, adagrad: 1, adam: 2 } as const;
/** The kernel's "none" optimizer: it leaves the step to the caller (ReSN's dense item step). */
const CALLER_STEPS = 3;

/** One thread's kernel state and the batch buffers it owns. */
interface ThreadBuffers {
  state: StructBlock<(typeof THREAD_FIELDS)[number]>;
  arrays: Array<WasmF32Array | WasmI32Array>;
  userRows: WasmI32Array;
  itemRows: WasmI32Array;
  gradUsers: WasmF32Array;
  gradItems: WasmF32Array;
}

/**
 * BPR, BCE and CCL with per-positive negatives, every step inside wasm (assembly/pairwise.ts): an epoch visits every training
 * interaction once in a fresh random order, pairs each positive with `negatives` sampled items
 * (uniform among those the user has not interacted with, or popularity-proportional, or the
 * best-scored of `hardNegatives` such draws) and steps the optimizer on the rows each mini-batch
 * touched. With several threads the positions are split between them and every thread trains on
 * the shared tables at once (Hogwild); with ReSN the caller takes each step, on one thread.
 */
export class PairwiseRunner implements EpochRunner {
  private readonly plan: StructBlock<(typeof PLAN_FIELDS)[number]>;
  private readonly data: Array<WasmF32Array | WasmI32Array> = [];
  /** The epoch's interactions in shuffled order: users and items (written each epoch). */
  private readonly epochUsers: WasmI32Array;
  private readonly epochItems: WasmI32Array;
  private readonly userOf: Int32Array;
  private readonly stepCounter: WasmI32Array;
  private readonly threads: ThreadBuffers[] = [];
  private readonly update: RowGradientStep | null;

  constructor(private readonly ctx: TrainingContext) {
    const { config, train, kernels, userFactors, itemFactors, userOptimizer, itemOptimizer, gradientAccumulator } = ctx;
    const e = kernels.wasm;
    const d = config.dim,
      nnz = train.nnz;
    const callerSteps = config.spectralPenalty > 0;
    this.update = callerSteps ? new RowGradientStep(ctx, config.batchSize) : null;
    // Hogwild threads: as many as the kernels have, each with at least MIN_BATCHES_PER_THREAD batches
    // of an epoch (below that, threads buy little and would cost small runs their reproducibility).
    const threads = callerSteps ? 1 : Math.max(1, Math.min(kernels.threads.count, Math.floor(nnz / (MIN_BATCHES_PER_THREAD * config.batchSize))));
    this.plan = new StructBlock(e, PLAN_FIELDS, PLAN_FLOAT_FIELDS, e.exports.pairwise_layout(0), "the BPR/BCE training plan");
    const owned = <T extends WasmF32Array | WasmI32Array>(a: T): T => (this.data.push(a), a);
    const { indptr, indices } = train.byUser;
    const sorted = indices.slice();
    for (let u = 0; u < train.nUsers; u++) sorted.subarray(indptr[u], indptr[u + 1]).sort();
    this.epochUsers = owned(e.i32(Math.max(1, nnz)));
    this.epochItems = owned(e.i32(Math.max(1, nnz)));
    this.userOf = userOfPosition(train);
    this.stepCounter = owned(e.i32(1));
    const p = this.plan;
    p.set("userTable", userFactors.ptr);
    p.set("itemTable", itemFactors.ptr);
    p.set("dim", d);
    p.set("nUsers", train.nUsers);
    p.set("nItems", train.nItems);
    p.set("indptr", owned(e.i32From(indptr)).ptr);
    p.set("sortedItems", owned(e.i32From(sorted)).ptr);
    p.set("epochUsers", this.epochUsers.ptr);
    p.set("epochItems", this.epochItems.ptr);
    p.set("loss", config.loss === "bce" ? 1 : config.loss === "ccl" ? 2 : 0);
    p.set("margin", config.margin);
    p.set("negativeWeight", config.negativeWeight);
    p.set("negatives", config.negatives);
    p.set("candidates", config.hardNegatives);
    p.set("maxTries", MAX_NEGATIVE_TRIES);
    if (config.negativeSampling === "popularity") {
      const counts = train.itemCounts();
      const sampler = new AliasSampler(Float64Array.from(counts, (c) => Math.pow(c + 1, config.samplingExponent)));
      p.set("aliasProb", owned(e.f32From(sampler.prob)).ptr);
      p.set("aliasIndex", owned(e.i32From(sampler.alias)).ptr);
    }
    const ips = ipsItemWeights(config, train);
    if (ips) p.set("ipsWeights", owned(e.f32From(ips)).ptr);
    p.set("optimizer", callerSteps ? CALLER_STEPS : OPTIMIZER_CODES[userOptimizer.kind]);
    p.set("userState1", userOptimizer.first?.ptr ?? 0);
    p.set("userState2", userOptimizer.second?.ptr ?? 0);
    p.set("itemState1", itemOptimizer.first?.ptr ?? 0);
    p.set("itemState2", itemOptimizer.second?.ptr ?? 0);
    p.set("l2", config.l2);
    p.set("beta1", BETA1);
    p.set("beta2", BETA2);
    p.set("eps", userOptimizer.kind === "adam" ? ADAM_EPS : ADAGRAD_EPS);
    p.set("stepCounter", this.stepCounter.ptr);
    if (userOptimizer.stamps && itemOptimizer.stamps && itemOptimizer.horizon) {
      p.set("userStamps", userOptimizer.stamps.ptr);
      p.set("itemStamps", itemOptimizer.stamps.ptr);
      p.set("horizon", itemOptimizer.horizon.ptr);
      p.set("horizonLength", itemOptimizer.horizon.length);
    }
    p.set("normalizeUsers", userOptimizer.unitNorm ? 1 : 0);
    p.set("normalizeItems", itemOptimizer.unitNorm ? 1 : 0);
    if (gradientAccumulator) {
      p.set("accUsers", gradientAccumulator.userSums.ptr);
      p.set("accItems", gradientAccumulator.itemSums.ptr);
      p.set("accScale", gradientAccumulator.scale);
    }
    p.set("batchSize", config.batchSize);
    // One step holds batchSize positives: at most that many users, and 1 + negatives items each (at
    // most the catalog: a slot per distinct item).
    const userCap = config.batchSize,
      itemCap = Math.min(train.nItems, config.batchSize * (1 + config.negatives));
    for (let t = 0; t < threads; t++) this.threads.push(this.threadBuffers(ctx.rng, userCap, itemCap));
  }

  private threadBuffers(rng: Rng, userCap: number, itemCap: number): ThreadBuffers {
    const batch = this.ctx.config.batchSize,
      negatives = this.ctx.config.negatives,
      candidates = this.ctx.config.hardNegatives;
    const { train, config, kernels } = this.ctx;
    const e = kernels.wasm,
      d = config.dim;
    const state = new StructBlock(e, THREAD_FIELDS, new Set(), e.exports.pairwise_layout(1), "a BPR/BCE training thread");
    const zeroed = (n: number) => {
      const a = e.i32(Math.max(1, n));
      a.view.fill(0);
      return a;
    };
    const userStamp = zeroed(train.nUsers),
      userSlot = zeroed(train.nUsers),
      itemStamp = zeroed(train.nItems),
      itemSlot = zeroed(train.nItems);
    const userRows = e.i32(userCap),
      itemRows = e.i32(itemCap),
      gradUsers = e.f32(userCap * d),
      gradItems = e.f32(itemCap * d);
    const batchNegatives = e.i32(batch * negatives),
      batchCandidates = e.i32(candidates > 1 ? batch * negatives * candidates : 1);
    // Every thread draws from its own stream, forked from the training generator.
    rng
      .fork()
      .words()
      .forEach((w, i) => state.set(`rng${i}` as "rng0", w | 0));
    state.set("userStamp", userStamp.ptr);
    state.set("userSlot", userSlot.ptr);
    state.set("itemStamp", itemStamp.ptr);
    state.set("itemSlot", itemSlot.ptr);
    state.set("userRows", userRows.ptr);
    state.set("itemRows", itemRows.ptr);
    state.set("gradUsers", gradUsers.ptr);
    state.set("gradItems", gradItems.ptr);
    state.set("batchNegatives", batchNegatives.ptr);
    state.set("batchCandidates", batchCandidates.ptr);
    return {
      state,
      arrays: [userStamp, userSlot, itemStamp, itemSlot, userRows, itemRows, gradUsers, gradItems, batchNegatives, batchCandidates],
      userRows,
      itemRows,
      gradUsers,
      gradItems,
    };
  }

  runEpoch(onBatch?: BatchCallback): EpochResult {
    const { config, train, rng, kernels, userOptimizer, itemOptimizer } = this.ctx;
    const nnz = train.nnz;
    // The shuffled interactions as (user, item) pairs: the kernel then reads them in sequence.
    const order = shuffledRange(nnz, rng);
    const users = this.epochUsers.view,
      items = this.epochItems.view,
      userOf = this.userOf,
      indices = train.byUser.indices;
    for (let p = 0; p < nnz; p++) {
      const k = order[p];
      users[p] = userOf[k];
      items[p] = indices[k];
    }
    this.plan.set("learningRate", userOptimizer.learningRate);
    this.stepCounter.view[0] = userOptimizer.step;
    const T = this.threads.length;
    // Thread t trains on positions [bounds[t], bounds[t+1]) of the order, a round's worth at a time.
    const bounds = Array.from({ length: T + 1 }, (_, t) => Math.round((t * nnz) / T));
    const cursor = bounds.slice(0, T);
    const batches = Math.max(1, Math.min(Math.floor(POSITIVES_PER_ROUND / config.batchSize), Math.floor(nnz / (MIN_ROUNDS * T * config.batchSize))));
    const perRound = this.update ? config.batchSize : batches * config.batchSize;
    let lossSum = 0,
      penaltySum = 0,
      done = 0,
      round = 0;
    while (done < nnz) {
      // The first round is one batch per thread: its loss, reported to onBatch, is that of (nearly) the
      // epoch's starting parameters (fit() keeps epoch 1's as the untrained model's loss). Batches stay
      // aligned, so the updates are the same as with equal rounds.
      const size = round === 0 ? config.batchSize : perRound;
      const shares = this.threads.map((thread, t) => {
        const start = cursor[t],
          end = Math.min(bounds[t + 1], start + size);
        if (end <= start) return null;
        thread.state.set("start", start);
        thread.state.set("end", end);
        cursor[t] = end;
        done += end - start;
        return [this.plan.ptr, thread.state.ptr];
      });
      round++;
      lossSum += kernels.runShares("pairwise_train", shares).reduce((a, b) => a + b, 0);
      if (this.update) {
        const penalty = this.callerStep(this.threads[0]);
        lossSum += penalty;
        penaltySum += penalty;
      }
      checkFinite(lossSum, config, `at epoch round ${round} (${done} of ${nnz} interactions)`);
      onBatch?.(done, nnz, lossSum / done, penaltySum / done);
    }
    if (!this.update) userOptimizer.step = itemOptimizer.step = this.stepCounter.view[0];
    return withRegularizer({ loss: nnz ? lossSum / nnz : 0, examples: nnz }, config, penaltySum);
  }

  /** ReSN: the kernel left the batch's gradients; the penalty and the optimizers' step are taken here. */
  private callerStep(thread: ThreadBuffers): number {
    const nu = thread.state.get("usedUsers"),
      ni = thread.state.get("usedItems");
    return this.update!.apply(thread.userRows, nu, thread.gradUsers, thread.itemRows, ni, thread.gradItems);
  }

  dispose(): void {
    this.plan.free();
    freeAll(...this.data);
    for (const t of this.threads) {
      t.state.free();
      freeAll(...t.arrays);
    }
    this.update?.dispose();
  }
}

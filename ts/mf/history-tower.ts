import type { WasmF32Array, WasmI32Array } from "../kernels/wasm-instance.js";
import { freeAll } from "../kernels/wasm-instance.js";
import { TableOptimizer } from "../train/optimizer.js";
import { longestRowsOf } from "../train/memory-plan.js";
import type { SlotMap } from "../train/slot-map.js";
import type { TrainingContext } from "./training-context.js";

/**
 * SimpleX's user tower (Mao et al. 2021, "behaviour aggregation") for the losses over shared
 * negatives. In training, user u of a step with positive i is scored as the unit vector
 *
 *   ĥ_u = normalize((1 − w)·e_u + w·mean(v_j : j in a window of u's items, j ≠ i)·W)
 *
 * where e_u is the user table's row (the id embedding), v the item table and W a learned d×d map
 * that starts as the identity. Every item a user has therefore gets a gradient whenever the user
 * is scored, which is what lets the tail items of active users learn. The step's positive is left
 * out of its own history (a training row must not see its target), and a step reads a random
 * window of at most `historyLength` of the user's items.
 *
 * Serving needs no tower: at the end of every epoch the user table is replaced by ĥ_u over each
 * user's whole history (what is evaluated, saved and exported, so a model file is a plain MF
 * model), and e_u is put back before the next epoch.
 */
export class HistoryTower {
  private readonly keep: number;
  private readonly weight: number;
  /** Items a step reads per user: historyLength, or fewer when no user has that many. */
  private readonly window: number;
  /** Distinct items a step can touch beyond its positives and negatives: its history entries. */
  readonly stepItems: number;
  private readonly offsets: WasmI32Array;
  private readonly items: WasmI32Array;
  private readonly slots: WasmI32Array;
  /** 1 per history entry, 0 for the entry that is the row's own positive. */
  private readonly weights: WasmF32Array;
  private readonly pooled: WasmF32Array;
  private readonly mixed: WasmF32Array;
  private readonly gradMixed: WasmF32Array;
  private readonly gradPooled: WasmF32Array;
  private readonly norms: WasmF32Array;
  /** W (d×d, row-major): the map of the mean of a user's items into the user space; starts as the identity. */
  readonly projection: WasmF32Array;
  private readonly gradProjection: WasmF32Array;
  private readonly projectionOptimizer: TableOptimizer;
  /** The id embeddings e_u while the user table holds the served vectors (between epochs). */
  private ids: Float32Array | null = null;

  constructor(
    private readonly ctx: TrainingContext,
    private readonly batchSize: number,
  ) {
    const { config, train, kernels } = ctx;
    const e = kernels.wasm;
    const d = config.dim,
      B = batchSize;
    this.weight = config.historyWeight;
    this.keep = 1 - this.weight;
    const longest = longestRowsOf(train.userCounts())(1);
    this.window = Math.min(config.historyLength, longest);
    this.stepItems = B * this.window;
    // A step's entries, and any one user's whole row (serving reads it in one block).
    const entries = Math.max(1, this.stepItems, longest);
    this.offsets = e.i32(B + 1);
    this.items = e.i32(entries);
    this.slots = e.i32(entries);
    this.weights = e.f32(entries);
    this.pooled = e.f32(B * d);
    this.mixed = e.f32(B * d);
    this.gradMixed = e.f32(B * d);
    this.gradPooled = e.f32(B * d);
    this.norms = e.f32(B);
    this.projection = e.f32(d * d);
    const w = this.projection.view;
    w.fill(0);
    for (let r = 0; r < d; r++) w[r * d + r] = 1;
    this.gradProjection = e.f32(d * d);
    this.projectionOptimizer = new TableOptimizer(kernels, config.optimizer, this.projection, d, config.learningRate, 0, false);
  }

  /** Epoch start: the user table holds the id embeddings again. */
  beginEpoch(): void {
    if (this.ids) this.ctx.userFactors.view.set(this.ids);
  }

  /**
   * The step's history entries: for each row b, a random window of at most `window` of user
   * users[b]'s items, weighted 0 where the item is the row's positive; each entry also gets the
   * item's slot in the step's item gradient (so the step brings those rows up to date and steps them).
   */
  collect(users: Int32Array, positives: Int32Array, nb: number, itemSlots: SlotMap): void {
    const { train, rng } = this.ctx;
    const p = train.byUser.indptr,
      row = train.byUser.indices;
    const offsets = this.offsets.view,
      items = this.items.view,
      slots = this.slots.view,
      weights = this.weights.view;
    let entry = 0;
    for (let b = 0; b < nb; b++) {
      offsets[b] = entry;
      const start = p[users[b]],
        count = p[users[b] + 1] - start;
      const take = Math.min(count, this.window);
      const first = start + (take < count ? rng.int(count - take + 1) : 0);
      for (let t = 0; t < take; t++) {
        const item = row[first + t];
        items[entry] = item;
        slots[entry] = itemSlots.slot(item);
        weights[entry] = item === positives[b] ? 0 : 1;
        entry++;
      }
    }
    offsets[nb] = entry;
  }

  /** userRows (nb × d) holds the rows' e_u on entry and ĥ on return. */
  forward(userRows: WasmF32Array, nb: number): void {
    this.blend(userRows, nb, this.weights);
  }

  /** The tower over the first n contexts of the entry buffers (weights null: a plain mean). */
  private blend(userRows: WasmF32Array, n: number, weights: WasmF32Array | null): void {
    const { kernels, itemFactors, config } = this.ctx;
    const d = config.dim;
    kernels.poolRows(itemFactors, d, this.offsets, this.items, weights, n, this.pooled);
    kernels.gemmNN(this.pooled, this.projection, this.mixed, n, d, d);
    kernels.blendUnitRows(userRows, this.mixed, n, d, this.keep, this.weight, this.norms);
  }

  /**
   * The gradient of forward. `unitRows` = forward's output; `gradUserRows` holds ∂L/∂ĥ on entry
   * and ∂L/∂e_u on return; the history items' gradients are added to their slots of `gradItems`
   * (the step's first `itemRows` rows), and W's gradient is kept for {@link step}.
   */
  backward(unitRows: WasmF32Array, gradUserRows: WasmF32Array, nb: number, gradItems: WasmF32Array, itemRows: number): void {
    const { kernels, config } = this.ctx;
    const d = config.dim;
    kernels.blendUnitRowsBackward(unitRows, gradUserRows, this.gradMixed, this.norms, nb, d, this.keep, this.weight);
    kernels.gemmTN(this.pooled, this.gradMixed, this.gradProjection, d, d, nb);
    kernels.gemmNT(this.gradMixed, this.projection, this.gradPooled, nb, d, d);
    kernels.poolRowsBackward(gradItems, d, this.offsets, this.slots, this.weights, nb, this.gradPooled, itemRows);
  }

  /** W's optimizer step, at the rate the user table's optimizer has now (the schedule's). */
  step(): void {
    this.projectionOptimizer.setLearningRate(this.ctx.userOptimizer.learningRate);
    this.projectionOptimizer.apply(null, this.ctx.config.dim, this.gradProjection);
  }

  /**
   * Epoch end: e_u is set aside (brought up to date first, with dense Adam) and the user table
   * becomes the served vectors, ĥ_u over each user's whole history, in blocks of at most a batch
   * of users and the entry buffer's size.
   */
  finishEpoch(): void {
    const { config, train, userFactors, userOptimizer } = this.ctx;
    const d = config.dim;
    userOptimizer.finishEpoch();
    this.ids = userFactors.view.slice();
    const p = train.byUser.indptr,
      row = train.byUser.indices;
    const capacity = this.items.length;
    const offsets = this.offsets.view,
      items = this.items.view;
    let user = 0;
    while (user < train.nUsers) {
      const first = user;
      let entry = 0;
      // A block ends at a batch of users or when the next row would overflow the entries.
      while (user < train.nUsers && user - first < this.batchSize && entry + (p[user + 1] - p[user]) <= capacity) {
        offsets[user - first] = entry;
        items.set(row.subarray(p[user], p[user + 1]), entry);
        entry += p[user + 1] - p[user];
        user++;
      }
      const n = user - first;
      offsets[n] = entry;
      // The block's id rows go through a scratch row block (gradPooled is free between steps).
      const block = this.gradPooled;
      block.view.set(userFactors.view.subarray(first * d, user * d));
      this.blend(block, n, null);
      userFactors.view.set(block.view.subarray(0, n * d), first * d);
    }
  }

  dispose(): void {
    freeAll(
      this.offsets,
      this.items,
      this.slots,
      this.weights,
      this.pooled,
      this.mixed,
      this.gradMixed,
      this.gradPooled,
      this.norms,
      this.projection,
      this.gradProjection,
    );
    this.projectionOptimizer.dispose();
  }
}

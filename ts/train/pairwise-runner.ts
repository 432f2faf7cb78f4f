import type { WasmF32Array, WasmI32Array } from "../engine/wasm-engine.js";
import { freeAll } from "../engine/wasm-engine.js";
import { ipsItemWeights } from "./ips.js";
import { RowGradientStep } from "./resn.js";
import { SlotMap } from "./slot-map.js";
import {
  checkFinite, shuffledRange, SortedRows, userOfPosition,
  type BatchCallback, type EpochResult, type EpochRunner, type TrainingContext,
} from "./training-context.js";

const MAX_NEGATIVE_TRIES = 32;

/**
 * BPR and BCE with sampled negatives. Each epoch visits every training interaction once in a
 * fresh random order; every positive is paired with `negatives` items drawn uniformly among the
 * items the user has not interacted with (or the hardest of `hardNegatives` such draws). The loss kernel accumulates gradients into compact
 * per-step buffers, then the sparse optimizers update only the rows the step touched.
 */
export class PairwiseRunner implements EpochRunner {
  private readonly sorted: SortedRows;
  private readonly userOf: Int32Array;
  private readonly userSlots: SlotMap;
  private readonly itemSlots: SlotMap;
  private readonly rowsCap: number;
  // wasm-side step buffers
  private readonly users: WasmI32Array;
  private readonly items: WasmI32Array;
  private readonly negs: WasmI32Array;
  private readonly uSlot: WasmI32Array;
  private readonly iSlot: WasmI32Array;
  private readonly jSlot: WasmI32Array;
  private readonly labels: WasmF32Array;
  private readonly gradU: WasmF32Array;
  private readonly gradI: WasmF32Array;
  private readonly userRows: WasmI32Array;
  private readonly itemRows: WasmI32Array;
  /** IPS weight per item (applied to positives), and the kernel's per-example weights, when configured. */
  private readonly ipsWeights: Float32Array | null;
  private readonly exampleWeights: WasmF32Array | null;
  private readonly update: RowGradientStep;

  constructor(private readonly ctx: TrainingContext) {
    const { config, train, kernels } = ctx;
    const e = kernels.engine;
    const d = config.dim;
    this.sorted = new SortedRows(train);
    this.userOf = userOfPosition(train);
    // One step holds batchSize positives, each with `negatives` pairs (BPR) or 1 + negatives rows (BCE).
    const perPositive = config.loss === "bce" ? 1 + config.negatives : config.negatives;
    this.rowsCap = config.batchSize * perPositive;
    const itemCap = config.loss === "bce" ? this.rowsCap : this.rowsCap * 2;
    this.userSlots = new SlotMap(train.nUsers, this.rowsCap);
    this.itemSlots = new SlotMap(train.nItems, itemCap);
    this.users = e.i32(this.rowsCap);
    this.items = e.i32(this.rowsCap);
    this.negs = e.i32(this.rowsCap);
    this.uSlot = e.i32(this.rowsCap);
    this.iSlot = e.i32(this.rowsCap);
    this.jSlot = e.i32(this.rowsCap);
    this.labels = e.f32(this.rowsCap);
    this.gradU = e.f32(this.rowsCap * d);
    this.gradI = e.f32(itemCap * d);
    this.userRows = e.i32(this.rowsCap);
    this.itemRows = e.i32(itemCap);
    this.ipsWeights = ipsItemWeights(config, train);
    this.exampleWeights = this.ipsWeights ? e.f32(this.rowsCap) : null;
    this.update = new RowGradientStep(ctx, this.rowsCap);
  }

  runEpoch(onBatch?: BatchCallback): EpochResult {
    const { config, train, rng } = this.ctx;
    const order = shuffledRange(train.nnz, rng);
    const positions = train.nnz;
    const steps = Math.ceil(positions / config.batchSize);
    let lossSum = 0;
    for (let step = 0; step < steps; step++) {
      const start = step * config.batchSize;
      const end = Math.min(positions, start + config.batchSize);
      lossSum += config.loss === "bce" ? this.bceStep(order, start, end) : this.bprStep(order, start, end);
      checkFinite(lossSum, config, `at epoch step ${step + 1}/${steps}`);
      onBatch?.(end, positions, lossSum / end);
    }
    return { loss: positions ? lossSum / positions : 0, examples: positions };
  }

  /**
   * A negative for `user`: uniform among the items the user has not interacted with; with
   * hardNegatives = C > 1, the best-scored of C such draws (dynamic negative sampling, Zhang et
   * al. SIGIR 2013), which keeps informative pairs once uniform negatives are all easy.
   */
  private sampleNegative(user: number): number {
    const { config, kernels, userFactors, itemFactors } = this.ctx;
    const candidates = config.hardNegatives;
    let best = this.uniformNegative(user);
    if (candidates <= 1) return best;
    const d = config.dim;
    let bestScore = kernels.dot(userFactors, itemFactors, d, user * d, best * d);
    for (let c = 1; c < candidates; c++) {
      const j = this.uniformNegative(user);
      const s = kernels.dot(userFactors, itemFactors, d, user * d, j * d);
      if (s > bestScore) {
        bestScore = s;
        best = j;
      }
    }
    return best;
  }

  private uniformNegative(user: number): number {
    const { rng, train } = this.ctx;
    const m = train.nItems;
    let j = rng.int(m);
    for (let t = 0; t < MAX_NEGATIVE_TRIES && this.sorted.contains(user, j); t++) j = rng.int(m);
    return j;
  }

  private bprStep(order: Int32Array, start: number, end: number): number {
    const { config, train, kernels, userFactors, itemFactors } = this.ctx;
    const d = config.dim;
    const idx = train.byUser.indices;
    this.userSlots.reset();
    this.itemSlots.reset();
    const users = this.users.view, pos = this.items.view, neg = this.negs.view;
    const uSlot = this.uSlot.view, iSlot = this.iSlot.view, jSlot = this.jSlot.view;
    const ips = this.ipsWeights;
    const weights = this.exampleWeights?.view;
    let b = 0;
    for (let p = start; p < end; p++) {
      const k = order[p];
      const u = this.userOf[k];
      const i = idx[k];
      for (let n = 0; n < config.negatives; n++, b++) {
        const j = this.sampleNegative(u);
        users[b] = u; pos[b] = i; neg[b] = j;
        if (weights) weights[b] = ips![i];
        uSlot[b] = this.userSlots.slot(u);
        iSlot[b] = this.itemSlots.slot(i);
        jSlot[b] = this.itemSlots.slot(j);
      }
    }
    const nu = this.userSlots.size, ni = this.itemSlots.size;
    this.gradU.view.fill(0, 0, nu * d);
    this.gradI.view.fill(0, 0, ni * d);
    this.ctx.gradientAccumulator?.recordPairs(userFactors, itemFactors, this.users, this.items, this.negs, b);
    const loss = kernels.bprBatch(userFactors, itemFactors, d, this.users, this.items, this.negs, b, this.uSlot, this.iSlot, this.jSlot, this.exampleWeights, this.gradU, this.gradI);
    return loss / config.negatives + this.applyUpdates();
  }

  private bceStep(order: Int32Array, start: number, end: number): number {
    const { config, train, kernels, userFactors, itemFactors } = this.ctx;
    const d = config.dim;
    const idx = train.byUser.indices;
    this.userSlots.reset();
    this.itemSlots.reset();
    const users = this.users.view, items = this.items.view, labels = this.labels.view;
    const uSlot = this.uSlot.view, iSlot = this.iSlot.view;
    const ips = this.ipsWeights;
    const weights = this.exampleWeights?.view;
    let b = 0;
    const push = (u: number, i: number, y: number): void => {
      users[b] = u; items[b] = i; labels[b] = y;
      // IPS reweights the observed positives only; sampled negatives keep weight 1.
      if (weights) weights[b] = y === 1 ? ips![i] : 1;
      uSlot[b] = this.userSlots.slot(u);
      iSlot[b] = this.itemSlots.slot(i);
      b++;
    };
    for (let p = start; p < end; p++) {
      const k = order[p];
      const u = this.userOf[k];
      push(u, idx[k], 1);
      for (let n = 0; n < config.negatives; n++) push(u, this.sampleNegative(u), 0);
    }
    const nu = this.userSlots.size, ni = this.itemSlots.size;
    this.gradU.view.fill(0, 0, nu * d);
    this.gradI.view.fill(0, 0, ni * d);
    this.ctx.gradientAccumulator?.recordPointwise(userFactors, itemFactors, this.users, this.items, this.labels, b);
    const loss = kernels.bceBatch(userFactors, itemFactors, d, this.users, this.items, this.labels, b, this.uSlot, this.iSlot, this.exampleWeights, this.gradU, this.gradI);
    return loss + this.applyUpdates();
  }

  /** Steps the optimizers on the rows the step touched; returns ReSN's penalty (0 without it). */
  private applyUpdates(): number {
    const nu = this.userSlots.size, ni = this.itemSlots.size;
    this.userRows.view.set(this.userSlots.rows.subarray(0, nu));
    this.itemRows.view.set(this.itemSlots.rows.subarray(0, ni));
    return this.update.apply(this.userRows, nu, this.gradU, this.itemRows, ni, this.gradI);
  }

  dispose(): void {
    freeAll(this.users, this.items, this.negs, this.uSlot, this.iSlot, this.jSlot, this.labels, this.gradU, this.gradI, this.userRows, this.itemRows, this.exampleWeights);
    this.update.dispose();
  }
}

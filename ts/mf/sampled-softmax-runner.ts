import type { SharedNegativeRows } from "../kernels/kernels.js";
import type { WasmF32Array, WasmI32Array } from "../kernels/wasm-instance.js";
import { freeAll } from "../kernels/wasm-instance.js";
import type { AliasSampler } from "../train/alias-sampler.js";
import { ipsItemWeights } from "../train/ips.js";
import { NegativeProposal } from "../train/negative-proposal.js";
import { RowGradientStep } from "./resn.js";
import { HistoryTower } from "./history-tower.js";
import { SlotMap } from "../train/slot-map.js";
import {
  checkFinite,
  prepareStepRows,
  shuffledRange,
  userOfPosition,
  withRegularizer,
  type BatchCallback,
  type EpochResult,
  type EpochRunner,
  type TrainingContext,
} from "./training-context.js";

/**
 * A step over negatives shared by the whole batch, drawn from q(i) ∝ (count_i + 1)^β; row b's
 * candidates are [the N shared negatives, its positive]. Two losses take this shape:
 * - the sampled softmax, with the logQ correction: every candidate's logit (the positive's
 *   included) is s/T − log(N·q(i)), which makes the sampled loss a consistent estimate of the full
 *   softmax;
 * - the cosine contrastive loss ("ccl", SimpleX): 1 − s⁺ + (w/N)·Σ_j max(0, s_j − margin), on
 *   cosines, with no correction (its negatives are not an estimate of a normaliser).
 */
export class SampledSoftmaxRunner implements EpochRunner {
  private readonly sampler: AliasSampler;
  private readonly userOf: Int32Array;
  private readonly userSlots: SlotMap;
  private readonly itemSlots: SlotMap;
  private readonly batchUsers: WasmI32Array;
  private readonly batchPositives: WasmI32Array;
  private readonly negatives: WasmI32Array;
  private readonly userSlotOf: WasmI32Array;
  private readonly posSlotOf: WasmI32Array;
  private readonly negSlotOf: WasmI32Array;
  private readonly userBlock: WasmF32Array;
  private readonly posBlock: WasmF32Array;
  private readonly negBlock: WasmF32Array;
  private readonly packedNeg: WasmF32Array;
  private readonly logits: WasmF32Array;
  private readonly colBias: WasmF32Array;
  private readonly targetOffsets: WasmI32Array;
  private readonly targetIndices: WasmI32Array;
  private readonly gradUserBlock: WasmF32Array;
  private readonly gradNeg: WasmF32Array;
  private readonly gradPos: WasmF32Array;
  private readonly gradU: WasmF32Array;
  private readonly gradI: WasmF32Array;
  private readonly userRows: WasmI32Array;
  private readonly itemRows: WasmI32Array;
  /** Per item, the logit correction of a sampled candidate: −log(N·q(i)) plus the logit adjustment. */
  private readonly itemBias: WasmF32Array;
  private readonly stride: number;
  /** IPS weight per item and the kernel's row weights (a row = one positive), when configured. */
  private readonly ipsWeights: Float32Array | null;
  private readonly rowWeights: WasmF32Array | null;
  private readonly update: RowGradientStep;
  /** SimpleX's user tower, when historyWeight > 0. */
  private readonly history: HistoryTower | null;

  constructor(
    private readonly ctx: TrainingContext,
    logitBias: Float32Array | null = null,
  ) {
    const { config, train, kernels } = ctx;
    const e = kernels.wasm;
    const d = config.dim,
      B = config.batchSize,
      N = config.negatives,
      m = train.nItems;
    const proposal = new NegativeProposal(train, config.samplingExponent, N);
    this.sampler = proposal.sampler;
    this.itemBias = e.f32From(Array.from(proposal.logExpected, (l, i) => -l + (logitBias ? logitBias[i] : 0)));
    this.userOf = userOfPosition(train);
    this.userSlots = new SlotMap(train.nUsers, B);
    this.history = config.historyWeight > 0 ? new HistoryTower(ctx, B) : null;
    // A step touches its positives, its negatives and (with the history tower) its users' history items.
    const itemCapacity = Math.min(m, B + N + (this.history?.stepItems ?? 0));
    this.itemSlots = new SlotMap(m, itemCapacity);
    this.batchUsers = e.i32(B);
    this.batchPositives = e.i32(B);
    this.negatives = e.i32(N);
    this.userSlotOf = e.i32(B);
    this.posSlotOf = e.i32(B);
    this.negSlotOf = e.i32(N);
    this.userBlock = e.f32(B * d);
    this.posBlock = e.f32(B * d);
    this.negBlock = e.f32(N * d);
    this.packedNeg = e.f32(kernels.packedItemsLength(N, d));
    // Rows of N negatives and the positive in column N, `stride` floats apart: a multiple of 4, so
    // that the scoring tiles store aligned rows.
    this.stride = Math.ceil((N + 1) / 4) * 4;
    this.logits = e.f32(B * this.stride);
    this.colBias = e.f32(N + 1);
    this.targetOffsets = e.i32(B + 1);
    this.targetIndices = e.i32(B);
    this.gradUserBlock = e.f32(B * d);
    this.gradNeg = e.f32(N * d);
    this.gradPos = e.f32(B * d);
    this.gradU = e.f32(B * d);
    this.gradI = e.f32(itemCapacity * d);
    this.userRows = e.i32(B);
    this.itemRows = e.i32(itemCapacity);
    const offsets = this.targetOffsets.view;
    for (let b = 0; b <= B; b++) offsets[b] = b;
    this.targetIndices.view.fill(N);
    this.ipsWeights = ipsItemWeights(config, train);
    this.rowWeights = this.ipsWeights ? e.f32(B) : null;
    this.update = new RowGradientStep(ctx, B);
  }

  runEpoch(onBatch?: BatchCallback): EpochResult {
    const { config, train, rng } = this.ctx;
    const order = shuffledRange(train.nnz, rng);
    const B = config.batchSize;
    const steps = Math.ceil(train.nnz / B);
    let lossSum = 0,
      penaltySum = 0;
    this.history?.beginEpoch();
    for (let step = 0; step < steps; step++) {
      const start = step * B;
      const end = Math.min(train.nnz, start + B);
      const { loss, penalty } = this.step(order, start, end);
      lossSum += loss + penalty;
      penaltySum += penalty;
      checkFinite(lossSum, config, `at epoch step ${step + 1}/${steps}`);
      onBatch?.(end, train.nnz, lossSum / end, penaltySum / end);
    }
    this.history?.finishEpoch();
    return withRegularizer({ loss: train.nnz ? lossSum / train.nnz : 0, examples: train.nnz }, config, penaltySum);
  }

  /** The step's summed loss without, and its ReSN penalty (0 without ReSN). */
  private step(order: Int32Array, start: number, end: number): { loss: number; penalty: number } {
    const { config, train, kernels, userFactors, itemFactors, rng } = this.ctx;
    const d = config.dim,
      N = config.negatives;
    const nb = end - start;
    const T = config.temperature;
    const stride = this.stride;
    const indices = train.byUser.indices;
    this.userSlots.reset();
    this.itemSlots.reset();

    const users = this.batchUsers.view,
      positives = this.batchPositives.view,
      negatives = this.negatives.view;
    const uSlot = this.userSlotOf.view,
      pSlot = this.posSlotOf.view,
      nSlot = this.negSlotOf.view;
    for (let b = 0; b < nb; b++) {
      const k = order[start + b];
      users[b] = this.userOf[k];
      positives[b] = indices[k];
      uSlot[b] = this.userSlots.slot(users[b]);
      pSlot[b] = this.itemSlots.slot(positives[b]);
    }
    const bias = this.colBias.view,
      itemBias = this.itemBias.view;
    bias[N] = 0;
    for (let j = 0; j < N; j++) {
      const item = this.sampler.sample(rng);
      negatives[j] = item;
      nSlot[j] = this.itemSlots.slot(item);
      bias[j] = itemBias[item];
    }
    if (this.rowWeights) {
      const w = this.rowWeights.view;
      for (let b = 0; b < nb; b++) w[b] = this.ipsWeights![positives[b]];
    }

    this.history?.collect(users, positives, nb, this.itemSlots);
    const { nu, ni } = prepareStepRows(this.ctx, this.userSlots, this.itemSlots, this.userRows, this.itemRows);
    kernels.gatherRows(userFactors, d, this.batchUsers, nb, this.userBlock);
    this.history?.forward(this.userBlock, nb);
    kernels.gatherRows(itemFactors, d, this.batchPositives, nb, this.posBlock);
    kernels.gatherRows(itemFactors, d, this.negatives, N, this.negBlock);
    kernels.packItems(this.negBlock, N, d, this.packedNeg);
    // Each row's logits (the N negatives, then its positive in column N; for the sampled softmax,
    // the positive's logQ and logit adjustment are folded into its score), the loss and the row gradients.
    const loss = config.loss === "ccl" ? this.contrastiveRows(nb) : this.softmaxRows(nb, T);
    // The shared negatives' gradient needs every row: columns 0..N-1 of the gradient, rows `stride` apart.
    kernels.gemmTN({ array: this.logits, offset: 0, stride }, this.userBlock, this.gradNeg, N, d, nb);

    this.gradU.view.fill(0, 0, nu * d);
    this.gradI.view.fill(0, 0, ni * d);
    if (this.history) {
      this.history.backward(this.userBlock, this.gradUserBlock, nb, this.gradI, ni);
      this.history.step();
    }
    kernels.scatterAddRows(this.gradU, d, this.userSlotOf, nb, this.gradUserBlock);
    kernels.scatterAddRows(this.gradI, d, this.posSlotOf, nb, this.gradPos);
    kernels.scatterAddRows(this.gradI, d, this.negSlotOf, N, this.gradNeg);
    return { loss, penalty: this.update.apply(this.userRows, nu, this.gradU, this.itemRows, ni, this.gradI) };
  }

  /** The batch's rows as both row kernels read them. */
  private sharedRows(nb: number): SharedNegativeRows {
    const { config } = this.ctx;
    return {
      users: this.userBlock,
      positives: this.posBlock,
      nRows: nb,
      d: config.dim,
      packedNegatives: this.packedNeg,
      negatives: this.negBlock,
      N: config.negatives,
      logits: this.logits,
      stride: this.stride,
      negativeIds: this.negatives,
      positiveIds: this.batchPositives,
      rowWeights: this.rowWeights,
      gradUsers: this.gradUserBlock,
      gradPositives: this.gradPos,
    };
  }

  private softmaxRows(nb: number, T: number): number {
    return this.ctx.kernels.sampledSoftmaxRows({
      ...this.sharedRows(nb),
      colBias: this.colBias,
      itemBias: this.itemBias,
      targetOffsets: this.targetOffsets,
      targetIndices: this.targetIndices,
      invTemp: 1 / T,
      temperature: T,
    });
  }

  private contrastiveRows(nb: number): number {
    const { config, kernels } = this.ctx;
    return kernels.cosineContrastiveRows({ ...this.sharedRows(nb), margin: config.margin, negativeWeight: config.negativeWeight });
  }

  dispose(): void {
    freeAll(
      this.batchUsers,
      this.batchPositives,
      this.negatives,
      this.userSlotOf,
      this.posSlotOf,
      this.negSlotOf,
      this.userBlock,
      this.posBlock,
      this.negBlock,
      this.packedNeg,
      this.logits,
      this.itemBias,
      this.colBias,
      this.targetOffsets,
      this.targetIndices,
      this.gradUserBlock,
      this.gradNeg,
      this.gradPos,
      this.gradU,
      this.gradI,
      this.userRows,
      this.itemRows,
      this.rowWeights,
    );
    this.update.dispose();
    this.history?.dispose();
  }
}

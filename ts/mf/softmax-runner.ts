import type { WasmF32Array, WasmI32Array } from "../kernels/wasm-instance.js";
import { freeAll } from "../kernels/wasm-instance.js";
import { ipsItemWeights, SoftmaxTargetWeights } from "../train/ips.js";
import { SpectralPenalty } from "./resn.js";
import { runBlocks, shuffledRange, type BatchCallback, type EpochResult, type EpochRunner, type TrainingContext } from "./training-context.js";

/**
 * Full softmax over the whole catalog. In MF every positive of a user shares the user's logits,
 * so a step takes a block of users with all their positives: the exact full-softmax loss summed
 * over the block's interactions, at the cost of three GEMM-shaped kernels per step:
 *   S = P_b·Qᵀ (blocked scoring), G = ∂L/∂S (in place), ∂P_b = G·Q, ∂Q = Gᵀ·P_b.
 */
export class SoftmaxRunner implements EpochRunner {
  private readonly activeUsers: Int32Array;
  private readonly maxBlockTargets: number;
  private readonly blockUsers: WasmI32Array;
  private readonly userBlock: WasmF32Array;
  private readonly packed: WasmF32Array;
  private readonly scores: WasmF32Array;
  private readonly gradUsers: WasmF32Array;
  private readonly gradItems: WasmF32Array;
  private readonly targetOffsets: WasmI32Array;
  private readonly targetIndices: WasmI32Array;
  /** IPS (per-positive weights), when configured. */
  private readonly targetWeights: SoftmaxTargetWeights | null;
  /** ReSN's spectral-norm penalty on the block's users, when configured. */
  private readonly spectral: SpectralPenalty | null;

  constructor(
    private readonly ctx: TrainingContext,
    private readonly logitBias: WasmF32Array | null = null,
  ) {
    const { config, train, kernels } = ctx;
    const e = kernels.wasm;
    const d = config.dim,
      m = train.nItems,
      B = config.batchSize;
    const counts = train.userCounts();
    const active: number[] = [];
    for (let u = 0; u < train.nUsers; u++) if (counts[u] > 0) active.push(u);
    this.activeUsers = Int32Array.from(active);
    // Capacity for the targets of any block: the sum of the B largest user histories.
    const sortedCounts = Array.from(counts).sort((a, b) => b - a);
    this.maxBlockTargets = sortedCounts.slice(0, B).reduce((s, c) => s + c, 0);
    this.blockUsers = e.i32(B);
    this.userBlock = e.f32(B * d);
    this.packed = e.f32(kernels.packedItemsLength(m, d));
    this.scores = e.f32(B * m);
    this.gradUsers = e.f32(B * d);
    this.gradItems = e.f32(m * d);
    this.targetOffsets = e.i32(B + 1);
    this.targetIndices = e.i32(Math.max(1, this.maxBlockTargets));
    const ips = ipsItemWeights(config, train);
    this.targetWeights = ips ? new SoftmaxTargetWeights(e, B, this.maxBlockTargets, ips) : null;
    this.spectral = config.spectralPenalty > 0 ? new SpectralPenalty(kernels, d, B, m, config.spectralPenalty) : null;
  }

  runEpoch(onBatch?: BatchCallback): EpochResult {
    const { config, train, rng } = this.ctx;
    const order = shuffledRange(this.activeUsers.length, rng);
    return runBlocks(order.length, config.batchSize, config, train.nnz, (start, end) => this.step(order, start, end), onBatch);
  }

  private step(order: Int32Array, start: number, end: number): { loss: number; targets: number; penalty: number } {
    const { config, train, kernels, userFactors, itemFactors } = this.ctx;
    const d = config.dim,
      m = train.nItems;
    const nb = end - start;
    const users = this.blockUsers.view;
    const offsets = this.targetOffsets.view;
    const targets = this.targetIndices.view;
    const { indptr, indices } = train.byUser;
    let t = 0;
    offsets[0] = 0;
    for (let r = 0; r < nb; r++) {
      const u = this.activeUsers[order[start + r]];
      users[r] = u;
      const a = indptr[u],
        b = indptr[u + 1];
      targets.set(indices.subarray(a, b), t);
      t += b - a;
      offsets[r + 1] = t;
    }
    this.ctx.userOptimizer.bringUpToDate(this.blockUsers, nb);
    kernels.gatherRows(userFactors, d, this.blockUsers, nb, this.userBlock);
    kernels.packItems(itemFactors, m, d, this.packed);
    kernels.scorePacked(this.userBlock, nb, d, this.packed, m, this.scores, m);
    const invTemp = 1 / config.temperature;
    const weights = this.targetWeights;
    const correction = weights
      ? weights.prepare(this.scores.view, m, nb, this.targetOffsets.view, this.targetIndices.view, invTemp, this.logitBias?.view ?? null)
      : 0;
    const loss = kernels.softmaxXent(this.scores, nb, m, m, invTemp, this.logitBias, this.targetOffsets, this.targetIndices, weights?.rowWeights ?? null, true);
    weights?.correctGradient(this.scores.view, m, nb, this.targetOffsets.view, this.targetIndices.view, invTemp);
    kernels.gemmNN(this.scores, itemFactors, this.gradUsers, nb, d, m);
    kernels.gemmTN(this.scores, this.userBlock, this.gradItems, m, d, nb);
    const penalty = this.spectral ? this.spectral.addGradients(this.userBlock, nb, itemFactors, this.gradUsers, this.gradItems) : 0;
    this.ctx.userOptimizer.apply(this.blockUsers, nb, this.gradUsers);
    this.ctx.itemOptimizer.apply(null, m, this.gradItems);
    return { loss: loss + correction + penalty, targets: t, penalty };
  }

  dispose(): void {
    freeAll(this.blockUsers, this.userBlock, this.packed, this.scores, this.gradUsers, this.gradItems, this.targetOffsets, this.targetIndices);
    this.targetWeights?.dispose();
    this.spectral?.dispose();
  }
}

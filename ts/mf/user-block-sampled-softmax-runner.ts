import type { WasmF32Array, WasmI32Array } from "../kernels/wasm-instance.js";
import { freeAll } from "../kernels/wasm-instance.js";
import type { AliasSampler } from "../train/alias-sampler.js";
import { NegativeProposal } from "../train/negative-proposal.js";
import { SlotMap } from "../train/slot-map.js";
import { prepareStepRows, runBlocks, shuffledRange, type BatchCallback, type EpochResult, type EpochRunner, type TrainingContext } from "./training-context.js";

/** Logit of a sampled negative that is one of the row's own positives, and of the sink column: softmax weight 0. */
const MASKED_LOGIT = -1e9;

/**
 * Sampled softmax over blocks of users. In MF all positives of a user share the user's logits,
 * and here they also share the negatives: a step takes a block of rows, each a user with its
 * training positives (all, or a chunk of at most positivesPerRow), scores every row against N
 * negatives shared by the block (drawn from q(i) ∝ (count_i + 1)^β) once, and gives every
 * positive p of user u the loss of the per-interaction sampled softmax, the cross-entropy of p
 * among {p} ∪ negatives:
 *   loss_up = log(e^{z_p} + e^{L_u}) − z_p,  L_u = log Σ_j e^{z_uj},
 * with z_p = s(u,p)/T and z_uj = s(u,j)/T − log(N·q(j)) (the logQ correction; a negative that is
 * one of u's positives is masked). L_u is shared by the row's positives, so an epoch costs one
 * N-column row per user (or chunk) instead of one per interaction: with whole users,
 * 1/(interactions per user) of the per-interaction runner's GEMM work (1/27 on Gowalla).
 *
 * The gradient on the negatives, Σ_p σ(L_u − z_p)·softmax_j(z_u), is the softmax kernel's row
 * gradient w_u·(softmax − onehot) with row weight w_u = Σ_p σ(L_u − z_p) and the one-hot on an
 * extra masked "sink" column N (softmax weight 0), whose gradient is dropped.
 */
export class UserBlockSampledSoftmaxRunner implements EpochRunner {
  private readonly sampler: AliasSampler;
  private readonly logExpected: Float64Array;
  /** The rows of an epoch: a user and a range of its positions in byUser (all of them, or a chunk). */
  private readonly rowUser: Int32Array;
  private readonly rowStart: Int32Array;
  private readonly rowEnd: Int32Array;
  private readonly userSlots: SlotMap;
  private readonly userSlotOf: WasmI32Array;
  private readonly gradUserSlots: WasmF32Array;
  private readonly userRows: WasmI32Array;
  private readonly itemSlots: SlotMap;
  /** Columns of each sampled item among the negatives, as linked lists (an item can be drawn twice). */
  private readonly firstColumnOf: Int32Array;
  private readonly columnStamp: Int32Array;
  private readonly nextColumn: Int32Array;
  private generation = 0;
  private readonly blockUsers: WasmI32Array;
  private readonly userBlock: WasmF32Array;
  private readonly negatives: WasmI32Array;
  private readonly negBlock: WasmF32Array;
  private readonly packedNeg: WasmF32Array;
  private readonly positives: WasmI32Array;
  private readonly posBlock: WasmF32Array;
  private readonly logits: WasmF32Array;
  private readonly colBias: WasmF32Array;
  /** Row r's positives are positives[positiveOffsets[r] .. positiveOffsets[r+1]). */
  private readonly positiveOffsets: Int32Array;
  /** One target per row, the sink column N. */
  private readonly sinkOffsets: WasmI32Array;
  private readonly sinkTargets: WasmI32Array;
  /** Each positive's logit z_p, then overwritten with ∂loss/∂s(u,p). */
  private readonly posLogits: Float64Array;
  private readonly negLse: WasmF32Array;
  private readonly rowWeights: WasmF32Array;
  private readonly gradUsers: WasmF32Array;
  private readonly gradNeg: WasmF32Array;
  private readonly gradPos: WasmF32Array;
  private readonly posSlotOf: WasmI32Array;
  private readonly negSlotOf: WasmI32Array;
  private readonly gradItems: WasmF32Array;
  private readonly itemRows: WasmI32Array;
  /** Per positive of a block: its row, its row's user vector, and its score (then ∂loss/∂score). */
  private readonly rowOfPositive: WasmI32Array;
  private readonly userOfPositive: WasmF32Array;
  private readonly posScales: WasmF32Array;

  /** logitBias: optional per-item term added to every candidate's training logit (positives and negatives). */
  constructor(
    private readonly ctx: TrainingContext,
    private readonly logitBias: Float32Array | null = null,
  ) {
    const { config, train, kernels } = ctx;
    const e = kernels.wasm;
    const d = config.dim,
      B = config.batchSize,
      N = config.negatives,
      m = train.nItems;
    ({ sampler: this.sampler, logExpected: this.logExpected } = new NegativeProposal(train, config.samplingExponent, N));
    // A user with more than positivesPerRow positives gets several rows, which land in different
    // steps: more optimizer steps per user and epoch, at the cost of more rows.
    const { indptr } = train.byUser;
    const chunk = config.positivesPerRow > 0 ? config.positivesPerRow : Infinity;
    const rowUser: number[] = [],
      rowStart: number[] = [],
      rowEnd: number[] = [];
    for (let u = 0; u < train.nUsers; u++) {
      for (let a = indptr[u]; a < indptr[u + 1]; a += chunk) {
        rowUser.push(u);
        rowStart.push(a);
        rowEnd.push(Math.min(indptr[u + 1], a + chunk));
      }
    }
    this.rowUser = Int32Array.from(rowUser);
    this.rowStart = Int32Array.from(rowStart);
    this.rowEnd = Int32Array.from(rowEnd);
    // Capacity for the positives of any block: the B longest rows.
    const sortedLengths = rowEnd.map((end, r) => end - rowStart[r]).sort((a, b) => b - a);
    const maxTargets = Math.max(
      1,
      sortedLengths.slice(0, B).reduce((s, c) => s + c, 0),
    );
    this.userSlots = new SlotMap(train.nUsers, B);
    this.userSlotOf = e.i32(B);
    this.gradUserSlots = e.f32(B * d);
    this.userRows = e.i32(B);
    this.itemSlots = new SlotMap(m, maxTargets + N);
    this.firstColumnOf = new Int32Array(m);
    this.columnStamp = new Int32Array(m);
    this.nextColumn = new Int32Array(N);
    this.blockUsers = e.i32(B);
    this.userBlock = e.f32(B * d);
    this.negatives = e.i32(N);
    this.negBlock = e.f32(N * d);
    this.packedNeg = e.f32(kernels.packedItemsLength(N, d));
    this.positives = e.i32(maxTargets);
    this.posBlock = e.f32(maxTargets * d);
    this.logits = e.f32(B * (N + 1));
    this.colBias = e.f32(N + 1);
    this.posLogits = new Float64Array(maxTargets);
    this.negLse = e.f32(B);
    this.rowWeights = e.f32(B);
    this.sinkOffsets = e.i32(B + 1);
    this.sinkOffsets.view.forEach((_, r, a) => (a[r] = r));
    this.sinkTargets = e.i32(B);
    this.sinkTargets.view.fill(N);
    this.positiveOffsets = new Int32Array(B + 1);
    this.gradUsers = e.f32(B * d);
    this.gradNeg = e.f32(N * d);
    this.gradPos = e.f32(maxTargets * d);
    this.posSlotOf = e.i32(maxTargets);
    this.negSlotOf = e.i32(N);
    this.gradItems = e.f32((maxTargets + N) * d);
    this.itemRows = e.i32(maxTargets + N);
    this.rowOfPositive = e.i32(maxTargets);
    this.userOfPositive = e.f32(maxTargets * d);
    this.posScales = e.f32(maxTargets);
  }

  runEpoch(onBatch?: BatchCallback): EpochResult {
    const { config, train, rng } = this.ctx;
    const order = shuffledRange(this.rowUser.length, rng);
    return runBlocks(order.length, config.batchSize, config, train.nnz, (start, end) => this.step(order, start, end), onBatch);
  }

  private step(order: Int32Array, start: number, end: number): { loss: number; targets: number } {
    const { config, train, kernels, userFactors, itemFactors, rng } = this.ctx;
    const d = config.dim,
      N = config.negatives;
    const T = config.temperature;
    const nb = end - start;
    const bias = this.logitBias;
    const indices = train.byUser.indices;
    this.itemSlots.reset();
    this.userSlots.reset();

    // The block's users and their positives, in row order.
    const users = this.blockUsers.view,
      positives = this.positives.view,
      pSlot = this.posSlotOf.view,
      uSlot = this.userSlotOf.view;
    const rowOfPositive = this.rowOfPositive.view;
    const offsets = this.positiveOffsets;
    let t = 0;
    offsets[0] = 0;
    for (let r = 0; r < nb; r++) {
      const row = order[start + r];
      users[r] = this.rowUser[row];
      uSlot[r] = this.userSlots.slot(users[r]);
      for (let k = this.rowStart[row]; k < this.rowEnd[row]; k++) {
        rowOfPositive[t] = r;
        positives[t] = indices[k];
        pSlot[t] = this.itemSlots.slot(indices[k]);
        t++;
      }
      offsets[r + 1] = t;
    }
    const width = N + 1;

    const negatives = this.negatives.view,
      nSlot = this.negSlotOf.view,
      colBias = this.colBias.view;
    this.generation++;
    for (let j = 0; j < N; j++) {
      const item = this.sampler.sample(rng);
      negatives[j] = item;
      nSlot[j] = this.itemSlots.slot(item);
      colBias[j] = -this.logExpected[item] + (bias ? bias[item] : 0);
      this.nextColumn[j] = this.columnStamp[item] === this.generation ? this.firstColumnOf[item] : -1;
      this.columnStamp[item] = this.generation;
      this.firstColumnOf[item] = j;
    }
    colBias[N] = 0;

    const { nu, ni } = prepareStepRows(this.ctx, this.userSlots, this.itemSlots, this.userRows, this.itemRows);
    kernels.gatherRows(userFactors, d, this.blockUsers, nb, this.userBlock);
    kernels.gatherRows(itemFactors, d, this.positives, t, this.posBlock);
    kernels.gatherRows(itemFactors, d, this.negatives, N, this.negBlock);
    kernels.packItems(this.negBlock, N, d, this.packedNeg);
    kernels.scorePacked(this.userBlock, nb, d, this.packedNeg, N, this.logits, width);

    // Negatives that are one of the user's positives (in this row or another) are masked; column N is a masked sink (see below).
    // Each positive's score against its row's user: the user's row beside each of its positives, one dot per pair.
    kernels.gatherRows(this.userBlock, d, this.rowOfPositive, t, this.userOfPositive);
    kernels.rowwiseDot(this.userOfPositive, this.posBlock, t, d, this.posScales);
    const logits = this.logits.view,
      scores = this.posScales.view;
    const posLogits = this.posLogits;
    for (let k = 0; k < t; k++) posLogits[k] = scores[k] / T + (bias ? bias[positives[k]] : 0);
    const indptr = train.byUser.indptr;
    for (let r = 0; r < nb; r++) {
      const row = r * width;
      for (let k = indptr[users[r]]; k < indptr[users[r] + 1]; k++) {
        const item = indices[k];
        if (this.columnStamp[item] !== this.generation) continue;
        for (let j = this.firstColumnOf[item]; j >= 0; j = this.nextColumn[j]) logits[row + j] = MASKED_LOGIT;
      }
      logits[row + N] = MASKED_LOGIT;
    }
    // L_u = log Σ_j exp(z_uj), the negatives' estimate of the catalog's normaliser.
    kernels.lseRows(this.logits, nb, width, width, 1 / T, this.colBias, this.negLse);
    const negLse = this.negLse.view,
      rowWeights = this.rowWeights.view;
    let loss = 0;
    for (let r = 0; r < nb; r++) {
      const first = offsets[r],
        end = offsets[r + 1];
      let weight = 0;
      for (let k = first; k < end; k++) {
        // loss_up = log(e^{z_p} + e^{L_u}) − z_p = softplus(L_u − z_p); ∂/∂z_p = −σ(L_u − z_p).
        const x = negLse[r] - posLogits[k];
        loss += x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
        const sig = 1 / (1 + Math.exp(-x));
        posLogits[k] = -sig / T;
        weight += sig;
      }
      rowWeights[r] = weight;
    }
    // The negatives' gradient (see the class comment); the loss it returns is that of the sink, not used.
    kernels.softmaxXent(this.logits, nb, width, width, 1 / T, this.colBias, this.sinkOffsets, this.sinkTargets, this.rowWeights, true);

    // The negatives' gradient, read in place: columns 0..N-1 of rows `width` apart (the sink column N is dropped).
    const negGrad = { array: this.logits, offset: 0, stride: width };
    kernels.gemmNN(negGrad, this.negBlock, this.gradUsers, nb, d, N);
    kernels.gemmTN(negGrad, this.userBlock, this.gradNeg, N, d, nb);
    // The positives' terms: gradPos[k] = g_k·user(k); gradUsers[row(k)] += g_k·pos[k] (through a scratch block, scatter-added).
    const scales = this.posScales.view;
    for (let k = 0; k < t; k++) scales[k] = posLogits[k];
    this.gradPos.view.fill(0, 0, t * d);
    kernels.addScaledRows(this.gradPos, this.userOfPositive, this.posScales, t, d);
    this.userOfPositive.view.fill(0, 0, t * d);
    kernels.addScaledRows(this.userOfPositive, this.posBlock, this.posScales, t, d);
    kernels.scatterAddRows(this.gradUsers, d, this.rowOfPositive, t, this.userOfPositive);

    this.gradItems.view.fill(0, 0, ni * d);
    kernels.scatterAddRows(this.gradItems, d, this.posSlotOf, t, this.gradPos);
    kernels.scatterAddRows(this.gradItems, d, this.negSlotOf, N, this.gradNeg);
    this.gradUserSlots.view.fill(0, 0, nu * d);
    kernels.scatterAddRows(this.gradUserSlots, d, this.userSlotOf, nb, this.gradUsers);
    this.ctx.userOptimizer.apply(this.userRows, nu, this.gradUserSlots);
    this.ctx.itemOptimizer.apply(this.itemRows, ni, this.gradItems);
    return { loss, targets: t };
  }

  dispose(): void {
    freeAll(
      this.blockUsers,
      this.userSlotOf,
      this.gradUserSlots,
      this.userRows,
      this.userBlock,
      this.negatives,
      this.negBlock,
      this.packedNeg,
      this.positives,
      this.posBlock,
      this.logits,
      this.colBias,
      this.sinkOffsets,
      this.sinkTargets,
      this.negLse,
      this.rowWeights,
      this.gradUsers,
      this.gradNeg,
      this.gradPos,
      this.posSlotOf,
      this.negSlotOf,
      this.gradItems,
      this.itemRows,
      this.rowOfPositive,
      this.userOfPositive,
      this.posScales,
    );
  }
}

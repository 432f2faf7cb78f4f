/**
 * A two-tower training step with the sampled softmax: row b's candidates are its own next item
 * and N negatives shared by the step, drawn from q(i) ∝ (count + 1)^β, each logit corrected by
 * −log(N·q(i)) (logQ) and, with logit adjustment, + α·log(1 + c_i) (as SampledSoftmaxRunner does
 * for MF). Candidate vectors come from the item tower (id embedding + genre mean) of just those items.
 */
import type { Csr } from "../data/csr.js";
import type { Interactions } from "../data/interactions.js";
import type { Kernels } from "../kernels/kernels.js";
import { freeAll, type WasmF32Array, type WasmI32Array } from "../kernels/wasm-instance.js";
import type { TowerTables } from "./towers.js";
import type { Rng } from "../util/rng.js";
import type { TwoTowerConfig } from "./config.js";
import { denseFromSlots, HistoryTowerGradients } from "./history-tower-gradients.js";
import { NegativeProposal } from "../train/negative-proposal.js";
import { ItemTowerOptimizers } from "./item-tower-optimizers.js";
import type { SequentialExamples } from "./sequential-examples.js";
import { SlotMap } from "../train/slot-map.js";
import type { TwoTowerStep } from "./softmax-step.js";

/** Logit of a shared negative that is the row's own next item: its softmax weight is 0. */
const MASKED_LOGIT = -1e9;

/** Candidate items with their vectors, their compact gradient slots and (with genres) their genre CSR. */
class CandidateBlock {
  readonly items: WasmI32Array;
  readonly slots: WasmI32Array;
  readonly vectors: WasmF32Array;
  readonly grad: WasmF32Array;
  readonly genreOffsets: WasmI32Array | null;
  readonly genreIndices: WasmI32Array | null;

  constructor(k: Kernels, capacity: number, d: number, genres: Csr | null) {
    const e = k.wasm;
    this.items = e.i32(capacity);
    this.slots = e.i32(capacity);
    this.vectors = e.f32(capacity * d);
    this.grad = e.f32(capacity * d);
    let maxGenres = 0;
    if (genres) for (let i = 0; i + 1 < genres.indptr.length; i++) maxGenres = Math.max(maxGenres, genres.indptr[i + 1] - genres.indptr[i]);
    this.genreOffsets = genres ? e.i32(capacity + 1) : null;
    this.genreIndices = genres ? e.i32(Math.max(1, capacity * maxGenres)) : null;
  }

  /** Vectors of items[0..n): itemOut rows plus the mean of their genre embeddings. */
  computeVectors(k: Kernels, t: TowerTables, d: number, n: number, genres: Csr | null, slotMap: SlotMap): void {
    const items = this.items.view,
      slots = this.slots.view;
    for (let r = 0; r < n; r++) slots[r] = slotMap.slot(items[r]);
    k.gatherRows(t.itemOut, d, this.items, n, this.vectors);
    if (!genres || !t.genres) return;
    const off = this.genreOffsets!.view,
      idx = this.genreIndices!.view;
    off[0] = 0;
    for (let r = 0; r < n; r++) {
      const a = genres.indptr[items[r]],
        b = genres.indptr[items[r] + 1];
      idx.set(genres.indices.subarray(a, b), off[r]);
      off[r + 1] = off[r] + b - a;
    }
    k.poolRows(t.genres.table, d, this.genreOffsets!, this.genreIndices!, null, n, this.vectors, true);
  }

  /** Add the block's vector gradients into the compact itemOut gradient and the genre gradient. */
  backward(k: Kernels, d: number, n: number, gradItemOut: WasmF32Array, gradGenres: WasmF32Array | null): void {
    k.scatterAddRows(gradItemOut, d, this.slots, n, this.grad);
    if (gradGenres) k.poolRowsBackward(gradGenres, d, this.genreOffsets!, this.genreIndices!, null, n, this.grad);
  }

  dispose(): void {
    freeAll(this.items, this.slots, this.vectors, this.grad, this.genreOffsets, this.genreIndices);
  }
}

export class TwoTowerSampledSoftmaxStep implements TwoTowerStep {
  readonly history: HistoryTowerGradients;
  private readonly proposal: NegativeProposal;
  private readonly positives: CandidateBlock;
  private readonly negatives: CandidateBlock;
  private readonly slotMap: SlotMap;
  private readonly slotRows: WasmI32Array;
  private readonly packedNegatives: WasmF32Array;
  private readonly logits: WasmF32Array;
  private readonly positiveScores: WasmF32Array;
  private readonly colBias: WasmF32Array;
  private readonly targetOffsets: WasmI32Array;
  private readonly targetIndices: WasmI32Array;
  private readonly gradItemOut: WasmF32Array;
  private readonly gradGenres: WasmF32Array | null;
  private readonly itemOptimizers: ItemTowerOptimizers;
  /** Per item, the last column it was drawn into this step (−1: none); nextDraw chains its earlier columns. */
  private readonly firstDraw: Int32Array;
  private readonly nextDraw: Int32Array;

  constructor(
    private readonly k: Kernels,
    private readonly tables: TowerTables,
    private readonly config: TwoTowerConfig,
    private readonly m: number,
    train: Interactions,
    private readonly genres: Csr | null,
    private readonly logitBias: Float32Array | null,
    private readonly rng: Rng,
  ) {
    const e = k.wasm,
      d = config.dim,
      B = config.batchSize,
      N = config.negatives;
    this.history = new HistoryTowerGradients(k, tables, config, m);
    this.proposal = new NegativeProposal(train, config.samplingExponent, N);
    this.positives = new CandidateBlock(k, B, d, genres);
    this.negatives = new CandidateBlock(k, N, d, genres);
    this.slotMap = new SlotMap(m, B + N);
    this.slotRows = e.i32(B + N);
    this.packedNegatives = e.f32(k.packedItemsLength(N, d));
    this.logits = e.f32(B * (N + 1));
    this.positiveScores = e.f32(B);
    this.colBias = e.f32(N + 1);
    this.targetOffsets = e.i32From(Int32Array.from({ length: B + 1 }, (_, r) => r));
    this.targetIndices = e.i32(B);
    this.targetIndices.view.fill(0);
    this.gradItemOut = e.f32((B + N) * d);
    this.gradGenres = tables.genres ? e.f32(tables.genres.count * d) : null;
    this.itemOptimizers = new ItemTowerOptimizers(k, tables, config);
    this.firstDraw = new Int32Array(m).fill(-1);
    this.nextDraw = new Int32Array(N);
  }

  lossAndGradients(examples: SequentialExamples, order: Int32Array, start: number, end: number): number {
    const { k, tables, config } = this;
    const d = config.dim,
      N = config.negatives,
      T = config.temperature,
      n = end - start,
      width = N + 1,
      h = this.history;
    examples.fill(h.batch, this.positives.items.view, order, start, end);
    h.forward();
    // Views are taken after the forward pass: its GEMM allocates scratch in wasm memory, which may grow.
    const positives = this.positives.items.view;
    const negatives = this.negatives.items.view,
      bias = this.colBias.view,
      logExpected = this.proposal.logExpected;
    bias[0] = 0;
    for (let j = 0; j < N; j++) {
      const item = this.proposal.sampler.sample(this.rng);
      negatives[j] = item;
      bias[j + 1] = -logExpected[item] + (this.logitBias ? this.logitBias[item] : 0);
    }
    this.slotMap.reset();
    this.positives.computeVectors(k, tables, d, n, this.genres, this.slotMap);
    this.negatives.computeVectors(k, tables, d, N, this.genres, this.slotMap);
    k.packItems(this.negatives.vectors, N, d, this.packedNegatives);
    k.scorePacked(h.users, n, d, this.packedNegatives, N, this.logits, width, 0, 1);
    k.rowwiseDot(h.users, this.positives.vectors, n, d, this.positiveScores);
    // Column 0 is each row's own next item; its correction differs per row, so it is folded into
    // the score (times T: the kernel scales scores by 1/T before adding the column bias).
    // The columns where each item was drawn, as linked lists, so masking a row's own item costs O(its draws).
    const head = this.firstDraw,
      next = this.nextDraw;
    for (let j = 0; j < N; j++) {
      next[j] = head[negatives[j]];
      head[negatives[j]] = j;
    }
    const logits = this.logits.view,
      pos = this.positiveScores.view;
    for (let b = 0; b < n; b++) {
      const i = positives[b];
      const row = b * width;
      logits[row] = pos[b] + T * (-logExpected[i] + (this.logitBias ? this.logitBias[i] : 0));
      for (let j = head[i]; j >= 0; j = next[j]) logits[row + 1 + j] = MASKED_LOGIT;
    }
    for (let j = 0; j < N; j++) head[negatives[j]] = -1;
    const loss = k.softmaxXent(this.logits, n, width, width, 1 / T, this.colBias, this.targetOffsets, this.targetIndices, null, true);
    // Column 0 of the gradient for the positives; columns 1..N, read in place (rows `width` apart), for the negatives.
    const grad = this.logits.view,
      posGrad = this.positiveScores.view;
    for (let b = 0; b < n; b++) posGrad[b] = grad[b * width];
    const negGrad = { array: this.logits, offset: 1, stride: width };
    k.gemmNN(negGrad, this.negatives.vectors, h.gradUsers, n, d, N);
    k.addScaledRows(h.gradUsers, this.positives.vectors, this.positiveScores, n, d);
    k.gemmTN(negGrad, h.users, this.negatives.grad, N, d, n);
    this.positives.grad.view.fill(0, 0, n * d);
    k.addScaledRows(this.positives.grad, h.users, this.positiveScores, n, d);
    h.backward();
    this.gradItemOut.view.fill(0, 0, this.slotMap.size * d);
    this.gradGenres?.view.fill(0);
    this.positives.backward(k, d, n, this.gradItemOut, this.gradGenres);
    this.negatives.backward(k, d, N, this.gradItemOut, this.gradGenres);
    this.slotRows.view.set(this.slotMap.rows.subarray(0, this.slotMap.size));
    return loss;
  }

  apply(): void {
    this.history.apply();
    this.itemOptimizers.apply(this.slotRows, this.slotMap.size, this.gradItemOut, this.gradGenres);
  }

  setLearningRate(rate: number): void {
    this.history.setLearningRate(rate);
    this.itemOptimizers.setLearningRate(rate);
  }

  itemGradients(): { itemOut: Float32Array; genres: Float32Array | null } {
    return { itemOut: denseFromSlots(this.slotMap, this.gradItemOut.view, this.m, this.config.dim), genres: this.gradGenres?.view.slice() ?? null };
  }

  dispose(): void {
    this.history.dispose();
    this.positives.dispose();
    this.negatives.dispose();
    freeAll(
      this.slotRows,
      this.packedNegatives,
      this.logits,
      this.positiveScores,
      this.colBias,
      this.targetOffsets,
      this.targetIndices,
      this.gradItemOut,
      this.gradGenres,
    );
    this.itemOptimizers.dispose();
  }
}

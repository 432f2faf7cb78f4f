import type { KernelExports } from "./wasm-instance.js";
import type { WasmInstance, WasmF32Array, WasmI32Array, WasmThreads } from "./wasm-instance.js";
import { MIN_PARALLEL_WORK, RANDOM_ROW_WORK, splitRows, TILE_ROW_ALIGN } from "./threads/row-split.js";

/**
 * What both row kernels over negatives shared by a batch read and write (sampled softmax, cosine
 * contrastive loss): the batch's user and positive rows, the N negatives (rows and packed), the
 * logits (rows `stride` floats apart, the positive in column N), the ids for masking accidental
 * hits, optional row weights, and the user and positive gradient rows they write.
 */
export interface SharedNegativeRows {
  users: WasmF32Array;
  positives: WasmF32Array;
  nRows: number;
  d: number;
  packedNegatives: WasmF32Array;
  negatives: WasmF32Array;
  N: number;
  logits: WasmF32Array;
  stride: number;
  negativeIds: WasmI32Array;
  positiveIds: WasmI32Array;
  rowWeights: WasmF32Array | null;
  gradUsers: WasmF32Array;
  gradPositives: WasmF32Array;
}

/**
 * The typed layer over the pointer-and-count kernels. Every method checks that the arrays it is
 * given cover the shape it is asked to compute, so a wrong shape is an exception here and never a
 * silent write past the end of a buffer inside wasm memory. Offsets are in elements.
 */
export class Kernels {
  readonly x;
  constructor(readonly wasm: WasmInstance) {
    this.x = wasm.exports;
  }

  /** Threads the kernels run on (this one included), and why that many. */
  get threads(): WasmThreads {
    return this.wasm.threads;
  }

  /** Ends the thread pool's workers and frees the kernels' own scratch (arrays allocated from them stay their owners' to free). */
  dispose(): void {
    this.wasm.dispose();
  }

  /**
   * @internal Runs `kernel` once per non-null share (a list of arguments; pointers unchecked: the
   * caller built them), share t on pool thread t, and returns the results in share order. Without
   * a pool, the shares run here one after another.
   */
  runShares(kernel: keyof KernelExports & string, shares: ReadonlyArray<ReadonlyArray<number> | null>): number[] {
    const pool = this.wasm.threadPool;
    const fn = this.x[kernel] as unknown as (...args: number[]) => number;
    if (pool && shares.filter(Boolean).length > 1) return Array.from(pool.run(kernel, shares));
    return shares.map((share) => (share ? fn(...share) : 0));
  }

  /**
   * Runs a row-wise kernel over n rows, split into aligned ranges across the pool's threads when
   * there is enough work (`work` units per row): `share(start, count, thread)` gives one range's
   * arguments (and may allocate that thread's scratch: it runs before any thread starts). Returns
   * each share's result, in row order.
   * @internal Also used by the typed layers of kernel families kept in their own files (quantized-items.ts).
   */
  rows(
    kernel: keyof KernelExports & string,
    n: number,
    align: number,
    work: number,
    share: (start: number, count: number, thread: number) => number[],
  ): number[] {
    const pool = this.wasm.threadPool;
    const parts = pool ? Math.min(pool.size, Math.ceil(n / align), Math.floor((n * work) / MIN_PARALLEL_WORK)) : 1;
    const fn = this.x[kernel] as unknown as (...args: number[]) => number;
    if (parts <= 1) return [fn(...share(0, n, 0))];
    const shares = splitRows(n, parts, align).map(([start, count], t) => share(start, count, t));
    return Array.from(pool!.run(kernel, shares));
  }

  /**
   * dst (cols × rows) = srcᵀ for src (rows × cols), both row-major; dst starts at float
   * `dstOffset` of its array. The threads split the destination's rows.
   */
  transpose(src: WasmF32Array, rows: number, cols: number, dst: WasmF32Array, dstOffset = 0): void {
    for (const [name, value] of [
      ["rows", rows],
      ["cols", cols],
      ["dstOffset", dstOffset],
    ] as const) {
      if (!Number.isInteger(value) || value < 0) throw new RangeError(`transpose: ${name} must be a non-negative integer, got ${value}`);
    }
    need(src, rows * cols, "transpose src");
    need(dst, dstOffset + rows * cols, "transpose dst");
    const srcPtr = src.ptr,
      dstPtr = dst.ptr + dstOffset * 4;
    this.rows("transpose_columns", cols, 1, rows, (start, count) => [srcPtr, rows, cols, dstPtr, start, count]);
  }

  /** a·b over n elements. */
  dot(a: WasmF32Array, b: WasmF32Array, n = a.length, aOffset = 0, bOffset = 0): number {
    need(a, aOffset + n, "dot a");
    need(b, bOffset + n, "dot b");
    return this.x.dot(at(a, aOffset), at(b, bOffset), n);
  }

  /** out[r] = a[r]·b[r] for n rows of d. */
  rowwiseDot(a: WasmF32Array, b: WasmF32Array, n: number, d: number, out: WasmF32Array): void {
    need(a, n * d, "rowwiseDot a");
    need(b, n * d, "rowwiseDot b");
    need(out, n, "rowwiseDot out");
    this.x.rowwise_dot(a.ptr, b.ptr, n, d, out.ptr);
  }

  /** dst[r] = src[indices[r]] (rows of d). */
  gatherRows(src: WasmF32Array, d: number, indices: WasmI32Array, n: number, dst: WasmF32Array): void {
    need(indices, n, "gatherRows indices");
    need(dst, n * d, "gatherRows dst");
    checkIndices(indices, n, src.length / d, "gatherRows");
    const srcPtr = src.ptr,
      indicesPtr = indices.ptr,
      dstPtr = dst.ptr;
    this.rows("gather_rows", n, 1, d * RANDOM_ROW_WORK, (start, count) => [srcPtr, d, indicesPtr + start * 4, count, dstPtr + start * d * 4]);
  }

  /** dst[indices[r]] += src[r] (rows of d). */
  scatterAddRows(dst: WasmF32Array, d: number, indices: WasmI32Array, n: number, src: WasmF32Array): void {
    need(indices, n, "scatterAddRows indices");
    need(src, n * d, "scatterAddRows src");
    checkIndices(indices, n, dst.length / d, "scatterAddRows");
    this.x.scatter_add_rows(dst.ptr, d, indices.ptr, n, src.ptr);
  }

  /** Floats needed to hold m items of d packed for {@link scorePacked}. */
  packedItemsLength(m: number, d: number): number {
    return this.x.packed_items_length(m, d);
  }

  /** Re-lay the item table (m×d row-major) in the panel layout the blocked scoring kernel reads. */
  packItems(q: WasmF32Array, m: number, d: number, out: WasmF32Array): void {
    need(q, m * d, "packItems q");
    need(out, this.packedItemsLength(m, d), "packItems out");
    // A range of items that starts on a panel boundary packs to the same floats as in the whole table.
    const qPtr = q.ptr,
      outPtr = out.ptr;
    this.rows("pack_items", m, this.x.packed_panel_width(), d * 2, (start, count) => [qPtr + start * d * 4, count, d, outPtr + start * d * 4]);
  }

  /**
   * out[u*outStride + i] = users[u]·items[i] for nUsers rows (from row `userRow`) against the m
   * packed items. Register- and cache-blocked: the hot path of evaluation, serving and full softmax.
   */
  scorePacked(
    users: WasmF32Array,
    nUsers: number,
    d: number,
    packed: WasmF32Array,
    m: number,
    out: WasmF32Array,
    outStride = m,
    userRow = 0,
    outOffset = 0,
  ): void {
    need(users, (userRow + nUsers) * d, "scorePacked users");
    need(packed, this.packedItemsLength(m, d), "scorePacked packed items");
    if (outStride < m) throw new RangeError(`scorePacked: outStride ${outStride} < m ${m}`);
    if (nUsers > 0) need(out, outOffset + (nUsers - 1) * outStride + m, "scorePacked out");
    const usersPtr = at(users, userRow * d),
      packedPtr = packed.ptr,
      outPtr = at(out, outOffset);
    this.rows("score_packed", nUsers, TILE_ROW_ALIGN, m * d, (start, count, thread) => [
      usersPtr + start * d * 4,
      count,
      d,
      packedPtr,
      m,
      outPtr + start * outStride * 4,
      outStride,
      this.wasm.scratchFor(thread, this.x.score_packed_scratch_bytes(count, d)),
    ]);
  }

  /** The same scores one dot product at a time (the naive baseline the benchmark compares with). */
  scoreRowsDot(users: WasmF32Array, nUsers: number, d: number, items: WasmF32Array, m: number, out: WasmF32Array, outStride = m): void {
    need(users, nUsers * d, "scoreRowsDot users");
    need(items, m * d, "scoreRowsDot items");
    if (nUsers > 0) need(out, (nUsers - 1) * outStride + m, "scoreRowsDot out");
    this.x.score_rows_dot(users.ptr, nUsers, d, items.ptr, m, out.ptr, outStride);
  }

  /**
   * C[M×N] (+)= A·B, row-major: A[M×K], or with `a.offset`/`a.stride` the first K columns from
   * float `offset` of rows `stride` ≥ K floats apart (columns of a wider matrix); B[K×N].
   */
  gemmNN(a: WasmF32Array | StridedRows, b: WasmF32Array, c: WasmF32Array, M: number, N: number, K: number, accumulate = false): void {
    this.stridedGemm("gemm_nn", a, b, c, M, N, K, accumulate);
  }

  /**
   * C[M×N] (+)= Aᵀ·B, row-major: A[K×M], or with `a.offset`/`a.stride` M columns from float
   * `offset` of K rows `stride` ≥ M floats apart; B[K×N].
   */
  gemmTN(a: WasmF32Array | StridedRows, b: WasmF32Array, c: WasmF32Array, M: number, N: number, K: number, accumulate = false): void {
    this.stridedGemm("gemm_tn", a, b, c, M, N, K, accumulate);
  }

  /**
   * The two GEMMs whose A may be strided: A is M×K (NN) or K×M (TN), `stride` floats a row. A
   * thread's block of C rows starts at A's row `start` (NN) or at its column `start` (TN).
   */
  private stridedGemm(
    kernel: "gemm_nn" | "gemm_tn",
    a: WasmF32Array | StridedRows,
    b: WasmF32Array,
    c: WasmF32Array,
    M: number,
    N: number,
    K: number,
    accumulate: boolean,
  ): void {
    const name = kernel === "gemm_nn" ? "gemmNN" : "gemmTN";
    const [aRows, aCols] = kernel === "gemm_nn" ? [M, K] : [K, M];
    const { array, offset, stride } = strided(a, aCols, name);
    if (aRows > 0) need(array, offset + (aRows - 1) * stride + aCols, `${name} a`);
    need(b, K * N, `${name} b`);
    need(c, M * N, `${name} c`);
    const aPtr = at(array, offset),
      aStep = kernel === "gemm_nn" ? stride * 4 : 4,
      bPtr = b.ptr,
      cPtr = c.ptr,
      scratch = this.x.gemm_scratch_bytes(N, K);
    this.rows(kernel, M, 4, N * K, (start, count, thread) => [
      aPtr + start * aStep,
      stride,
      bPtr,
      cPtr + start * N * 4,
      count,
      N,
      K,
      accumulate ? 1 : 0,
      this.wasm.scratchFor(thread, scratch),
    ]);
  }

  /** C[M×N] (+)= A·Bᵀ with A[M×K], B[N×K], all row-major and contiguous. */
  gemmNT(a: WasmF32Array, b: WasmF32Array, c: WasmF32Array, M: number, N: number, K: number, accumulate = false): void {
    need(a, M * K, "gemmNT a");
    need(b, N * K, "gemmNT b");
    need(c, M * N, "gemmNT c");
    const aPtr = a.ptr,
      bPtr = b.ptr,
      cPtr = c.ptr,
      scratch = this.x.gemm_scratch_bytes(N, K);
    this.rows("gemm_nt", M, 4, N * K, (start, count, thread) => [
      aPtr + start * K * 4,
      bPtr,
      cPtr + start * N * 4,
      count,
      N,
      K,
      accumulate ? 1 : 0,
      this.wasm.scratchFor(thread, scratch),
    ]);
  }

  /**
   * Weighted mean pooling over CSR contexts: out[r] (+)= Σ_e w_e·table[indices[e]] / Σ_e w_e for the
   * entries e of row r (offsets[r] .. offsets[r+1]); weights null = a plain mean. A row without
   * entries (or with weights summing to 0) pools to zero. accumulate = false overwrites out.
   */
  poolRows(
    table: WasmF32Array,
    d: number,
    offsets: WasmI32Array,
    indices: WasmI32Array,
    weights: WasmF32Array | null,
    nRows: number,
    out: WasmF32Array,
    accumulate = false,
  ): void {
    this.csrRows("pool_rows", "poolRows", table, d, offsets, indices, weights, nRows, out, [accumulate ? 1 : 0]);
  }

  /**
   * Sparse times dense over CSR rows: out[r] (+)= scale·Σ_e w_e·table[indices[e]] over the entries
   * of row r (weights null = 1): {@link poolRows} without the division by Σ w. Rows split across
   * the threads, each summing its own in entry order (the same bits on any thread count).
   */
  sumRows(
    table: WasmF32Array,
    d: number,
    offsets: WasmI32Array,
    indices: WasmI32Array,
    weights: WasmF32Array | null,
    nRows: number,
    out: WasmF32Array,
    { scale = 1, accumulate = false }: { scale?: number; accumulate?: boolean } = {},
  ): void {
    if (!Number.isFinite(scale)) throw new RangeError(`sumRows: scale must be finite, got ${scale}`);
    this.csrRows("sum_rows", "sumRows", table, d, offsets, indices, weights, nRows, out, [scale, accumulate ? 1 : 0]);
  }

  /**
   * pool_rows and sum_rows over CSR rows: rows are independent, so each thread's range computes its
   * own (offsets stay absolute entry positions); `trailing` are the kernel's arguments after out.
   */
  private csrRows(
    kernel: "pool_rows" | "sum_rows",
    name: string,
    table: WasmF32Array,
    d: number,
    offsets: WasmI32Array,
    indices: WasmI32Array,
    weights: WasmF32Array | null,
    nRows: number,
    out: WasmF32Array,
    trailing: readonly number[],
  ): void {
    const entries = this.checkContexts(table, d, offsets, indices, weights, nRows, name);
    need(out, nRows * d, `${name} out`);
    const tablePtr = table.ptr,
      offsetsPtr = offsets.ptr,
      indicesPtr = indices.ptr,
      weightsPtr = ptrOrNull(weights),
      outPtr = out.ptr;
    const work = nRows > 0 ? (entries / nRows) * d * RANDOM_ROW_WORK : 0;
    this.rows(kernel, nRows, 1, work, (start, count) => [
      tablePtr,
      d,
      offsetsPtr + start * 4,
      indicesPtr,
      weightsPtr,
      count,
      outPtr + start * d * 4,
      ...trailing,
    ]);
  }

  /**
   * The gradient of {@link poolRows}: gradTable[indices[e]] += (w_e / Σ w)·gradOut[r] (adds; repeated
   * indices accumulate). `tableRows` bounds the indices in use (default: all of gradTable's rows):
   * threads split the table's rows, each adding only the entries of its own, so a tight bound
   * balances them when only the first rows are used (a step's slots).
   */
  poolRowsBackward(
    gradTable: WasmF32Array,
    d: number,
    offsets: WasmI32Array,
    indices: WasmI32Array,
    weights: WasmF32Array | null,
    nRows: number,
    gradOut: WasmF32Array,
    tableRows = d > 0 ? Math.floor(gradTable.length / d) : 0,
  ): void {
    if (!Number.isInteger(tableRows) || tableRows < 0) throw new RangeError(`poolRowsBackward: tableRows must be a non-negative integer, got ${tableRows}`);
    need(gradTable, tableRows * d, "poolRowsBackward gradTable");
    const entries = this.checkContexts(gradTable, d, offsets, indices, weights, nRows, "poolRowsBackward", tableRows);
    need(gradOut, nRows * d, "poolRowsBackward gradOut");
    const tablePtr = gradTable.ptr,
      offsetsPtr = offsets.ptr,
      indicesPtr = indices.ptr,
      weightsPtr = ptrOrNull(weights),
      gradPtr = gradOut.ptr;
    const work = tableRows > 0 ? (entries / tableRows) * d * RANDOM_ROW_WORK : 0;
    this.rows("pool_rows_backward_range", tableRows, 1, work, (start, count) => [
      tablePtr,
      d,
      offsetsPtr,
      indicesPtr,
      weightsPtr,
      nRows,
      gradPtr,
      start,
      start + count,
    ]);
  }

  /**
   * The history tower's blend (SimpleX): rows[r] ← h/‖h‖ with h = keep·rows[r] + weight·mixed[r]
   * for n rows of d; norms[r] ← ‖h‖ (0 where h is zero, which stays zero).
   */
  blendUnitRows(rows: WasmF32Array, mixed: WasmF32Array, n: number, d: number, keep: number, weight: number, norms: WasmF32Array): void {
    need(rows, n * d, "blendUnitRows rows");
    need(mixed, n * d, "blendUnitRows mixed");
    need(norms, n, "blendUnitRows norms");
    this.x.blend_unit_rows(rows.ptr, mixed.ptr, n, d, keep, weight, norms.ptr);
  }

  /**
   * The gradient of {@link blendUnitRows}: `unit` = its output rows, `grad` = ∂L/∂(unit) on entry;
   * with g = (∂ − unit·(unit·∂))/norm, grad[r] ← keep·g and gradMixed[r] ← weight·g.
   */
  blendUnitRowsBackward(
    unit: WasmF32Array,
    grad: WasmF32Array,
    gradMixed: WasmF32Array,
    norms: WasmF32Array,
    n: number,
    d: number,
    keep: number,
    weight: number,
  ): void {
    need(unit, n * d, "blendUnitRowsBackward unit");
    need(grad, n * d, "blendUnitRowsBackward grad");
    need(gradMixed, n * d, "blendUnitRowsBackward gradMixed");
    need(norms, n, "blendUnitRowsBackward norms");
    this.x.blend_unit_rows_backward(unit.ptr, grad.ptr, gradMixed.ptr, norms.ptr, n, d, keep, weight);
  }

  /** dst[r] += scales[r]·src[r] for n rows of d. */
  addScaledRows(dst: WasmF32Array, src: WasmF32Array, scales: WasmF32Array, n: number, d: number): void {
    need(dst, n * d, "addScaledRows dst");
    need(src, n * d, "addScaledRows src");
    need(scales, n, "addScaledRows scales");
    this.x.add_scaled_rows(dst.ptr, src.ptr, scales.ptr, n, d);
  }

  /**
   * Softmax cross-entropy over rows of logits z = scores·invTemp + colBias. Row r's targets are
   * targetIndices[targetOffsets[r] .. targetOffsets[r+1]) (CSR; each entry counts once, so a column
   * listed twice counts twice, in the loss and the gradient alike; n_r = the row's entry count).
   * Returns Σ_r w_r Σ_t (lse(z_r) − z_rt). With writeGrad, scores are overwritten by
   * ∂loss/∂scores = w_r·invTemp·(n_r·softmax(z_r) − Σ_t onehot_t); a row without targets or of
   * weight 0 adds no loss and gets an all-zero gradient. Logits saturate at ±f32 max, so huge and
   * ±Infinity scores give finite results; a NaN score makes the loss NaN (divergence stays visible).
   */
  softmaxXent(
    scores: WasmF32Array,
    nRows: number,
    nCols: number,
    stride: number,
    invTemp: number,
    colBias: WasmF32Array | null,
    targetOffsets: WasmI32Array,
    targetIndices: WasmI32Array,
    rowWeights: WasmF32Array | null,
    writeGrad: boolean,
  ): number {
    if (nRows > 0) need(scores, (nRows - 1) * stride + nCols, "softmaxXent scores");
    if (colBias) need(colBias, nCols, "softmaxXent colBias");
    need(targetOffsets, nRows + 1, "softmaxXent targetOffsets");
    if (rowWeights) need(rowWeights, nRows, "softmaxXent rowWeights");
    const off = targetOffsets.view;
    need(targetIndices, off[nRows], "softmaxXent targetIndices");
    checkIndices(targetIndices, off[nRows], nCols, "softmaxXent targets");
    // Shares sum their rows' losses separately: the total can differ in its last bits between
    // thread counts; the gradient written into scores never does.
    const scoresPtr = scores.ptr,
      biasPtr = ptrOrNull(colBias),
      offsetsPtr = targetOffsets.ptr,
      indicesPtr = targetIndices.ptr,
      weightsPtr = ptrOrNull(rowWeights);
    const losses = this.rows("softmax_xent", nRows, 1, nCols * 10, (start, count) => [
      scoresPtr + start * stride * 4,
      count,
      nCols,
      stride,
      invTemp,
      biasPtr,
      offsetsPtr + start * 4,
      indicesPtr,
      weightsPtr === 0 ? 0 : weightsPtr + start * 4,
      writeGrad ? 1 : 0,
    ]);
    return losses.reduce((a, b) => a + b, 0);
  }

  /**
   * Wherever column j's id equals row r's id (colIds[j] == rowIds[r]), logits[offset + r·stride + j]
   * = value, for r < nRows, j < nCols: the sampled softmax masks a negative that is the row's own positive.
   */
  maskMatchingColumns(
    logits: WasmF32Array,
    offset: number,
    nRows: number,
    stride: number,
    colIds: WasmI32Array,
    nCols: number,
    rowIds: WasmI32Array,
    value: number,
  ): void {
    if (stride < nCols) throw new RangeError(`maskMatchingColumns: stride ${stride} < nCols ${nCols}`);
    if (nRows > 0) need(logits, offset + (nRows - 1) * stride + nCols, "maskMatchingColumns logits");
    need(colIds, nCols, "maskMatchingColumns colIds");
    need(rowIds, nRows, "maskMatchingColumns rowIds");
    const logitsPtr = at(logits, offset),
      colPtr = colIds.ptr,
      rowPtr = rowIds.ptr;
    this.rows("mask_matching_columns", nRows, 1, nCols, (start, count) => [
      logitsPtr + start * stride * 4,
      count,
      stride,
      colPtr,
      nCols,
      rowPtr + start * 4,
      value,
    ]);
  }

  /**
   * The row part of a sampled-softmax step for the batch's nRows rows (assembly/sampled-softmax.ts):
   * logits against the N shared negatives (packed) and each row's positive in column N (plus
   * T·itemBias of the positive), accidental hits masked, the softmax cross-entropy with its gradient
   * in place, and the users' and positives' gradient rows. Returns the loss. Rows are split across
   * the pool's threads (aligned, so the result does not depend on their number).
   */
  sampledSoftmaxRows(
    args: SharedNegativeRows & {
      colBias: WasmF32Array;
      itemBias: WasmF32Array;
      targetOffsets: WasmI32Array;
      targetIndices: WasmI32Array;
      invTemp: number;
      temperature: number;
    },
  ): number {
    const { nRows, N } = args;
    this.checkSharedNegativeRows("sampledSoftmaxRows", args);
    need(args.colBias, N + 1, "sampledSoftmaxRows colBias");
    need(args.targetOffsets, nRows + 1, "sampledSoftmaxRows targetOffsets");
    need(args.targetIndices, args.targetOffsets.view[nRows], "sampledSoftmaxRows targetIndices");
    checkIndices(args.targetIndices, args.targetOffsets.view[nRows], N + 1, "sampledSoftmaxRows targets");
    checkIndices(args.positiveIds, nRows, args.itemBias.length, "sampledSoftmaxRows positiveIds");
    const [colBias, itemBias, negIds, posIds, offsets, targets, weights] = [
      args.colBias.ptr,
      args.itemBias.ptr,
      args.negativeIds.ptr,
      args.positiveIds.ptr,
      args.targetOffsets.ptr,
      args.targetIndices.ptr,
      ptrOrNull(args.rowWeights),
    ];
    return this.sharedNegativeRows("sampled_softmax_rows", args, (start) => [
      colBias,
      itemBias,
      negIds,
      posIds + start * 4,
      offsets + start * 4,
      targets,
      weights && weights + start * 4,
      args.invTemp,
      args.temperature,
    ]);
  }

  /**
   * The row part of a cosine-contrastive step (SimpleX's CCL, assembly/contrastive.ts): the same
   * scores as sampledSoftmaxRows without a bias, each row's loss max(0, 1 − s⁺) + (w/N)·Σ_j
   * max(0, s_j − margin) (times its row weight) with its gradient in place, and the users' and
   * positives' gradient rows. Returns the loss. Rows are split across the pool's threads as there.
   */
  cosineContrastiveRows(args: SharedNegativeRows & { margin: number; negativeWeight: number }): number {
    this.checkSharedNegativeRows("cosineContrastiveRows", args);
    const [negIds, posIds, weights] = [args.negativeIds.ptr, args.positiveIds.ptr, ptrOrNull(args.rowWeights)];
    return this.sharedNegativeRows("cosine_contrastive_rows", args, (start) => [
      negIds,
      posIds + start * 4,
      weights && weights + start * 4,
      args.margin,
      args.negativeWeight,
    ]);
  }

  /**
   * Runs a row kernel over shared negatives, its rows split across the pool's threads: every such
   * kernel takes (users, positives, count, d, packed, negatives, N, logits, stride, ...its own
   * arguments for the share starting at row `start`..., gradUsers, gradPositives, scratch) and
   * returns its share's loss. Returns the summed loss.
   */
  private sharedNegativeRows(kernel: keyof KernelExports & string, args: SharedNegativeRows, own: (start: number) => number[]): number {
    const { nRows, d, N, stride } = args;
    const [users, positives, packed, negatives, logits, gradUsers, gradPos] = [
      args.users.ptr,
      args.positives.ptr,
      args.packedNegatives.ptr,
      args.negatives.ptr,
      args.logits.ptr,
      args.gradUsers.ptr,
      args.gradPositives.ptr,
    ];
    const scratch = (count: number) => Math.max(this.x.score_packed_scratch_bytes(count, d), this.x.gemm_scratch_bytes(d, N));
    const losses = this.rows(kernel, nRows, TILE_ROW_ALIGN, N * d * 4, (start, count, thread) => [
      users + start * d * 4,
      positives + start * d * 4,
      count,
      d,
      packed,
      negatives,
      N,
      logits + start * stride * 4,
      stride,
      ...own(start),
      gradUsers + start * d * 4,
      gradPos + start * d * 4,
      this.wasm.scratchFor(thread, scratch(count)),
    ]);
    return losses.reduce((a, b) => a + b, 0);
  }

  /** The shapes both row kernels over shared negatives read and write. */
  private checkSharedNegativeRows(name: string, args: SharedNegativeRows): void {
    const { nRows, d, N, stride } = args;
    if (stride < N + 1) throw new RangeError(`${name}: stride ${stride} < N + 1 = ${N + 1}`);
    for (const [a, n, what] of [
      [args.users, nRows * d, "users"],
      [args.positives, nRows * d, "positives"],
      [args.negatives, N * d, "negatives"],
      [args.packedNegatives, this.packedItemsLength(N, d), "packed negatives"],
      [args.logits, nRows * stride, "logits"],
      [args.negativeIds, N, "negativeIds"],
      [args.positiveIds, nRows, "positiveIds"],
      [args.gradUsers, nRows * d, "gradUsers"],
      [args.gradPositives, nRows * d, "gradPositives"],
    ] as const)
      need(a, n, `${name} ${what}`);
    if (args.rowWeights) need(args.rowWeights, nRows, `${name} rowWeights`);
  }

  /** out[r] = log Σ_c exp(scores[r,c]·invTemp + colBias[c]), computed stably (logits saturated as in softmaxXent; -Infinity when nCols = 0). */
  lseRows(scores: WasmF32Array, nRows: number, nCols: number, stride: number, invTemp: number, colBias: WasmF32Array | null, out: WasmF32Array): void {
    if (nRows > 0) need(scores, (nRows - 1) * stride + nCols, "lseRows scores");
    if (colBias) need(colBias, nCols, "lseRows colBias");
    need(out, nRows, "lseRows out");
    const scoresPtr = scores.ptr,
      biasPtr = ptrOrNull(colBias),
      outPtr = out.ptr;
    this.rows("lse_rows", nRows, 1, nCols * 8, (start, count) => [scoresPtr + start * stride * 4, count, nCols, stride, invTemp, biasPtr, outPtr + start * 4]);
  }

  /**
   * Top-k columns of each row, best first, skipping the columns listed for that row in the CSR
   * exclusion (offsets read from row `excl.row`, absolute into exclIndices). Excluded entries of
   * `scores` are overwritten with -Infinity. Columns scoring -Infinity or NaN are never returned
   * (they rank like excluded ones), so a row has fewer than k candidates when fewer than k of its
   * columns score above -Infinity; such rows are padded with index -1 and score -Infinity. Ties
   * break towards the lower column index. The kernel ignores exclusion indices outside [0, nCols)
   * (this layer does not check them).
   */
  topkRows(
    scores: WasmF32Array,
    nRows: number,
    nCols: number,
    stride: number,
    k: number,
    excl: { offsets: WasmI32Array; indices: WasmI32Array; row?: number } | null,
    outIndices: WasmI32Array,
    outScores: WasmF32Array,
    scoresOffset = 0,
  ): void {
    if (!(k > 0) || !Number.isInteger(k)) throw new RangeError(`k must be a positive integer, got ${k}`);
    if (nRows > 0) need(scores, scoresOffset + (nRows - 1) * stride + nCols, "topkRows scores");
    need(outIndices, nRows * k, "topkRows outIndices");
    need(outScores, nRows * k, "topkRows outScores");
    let exclOffsetsPtr = 0;
    let exclIndicesPtr = 0;
    if (excl) {
      const row = excl.row ?? 0;
      need(excl.offsets, row + nRows + 1, "topkRows exclusion offsets");
      const off = excl.offsets.view;
      const first = off[row],
        last = off[row + nRows];
      if (!(first >= 0 && first <= last)) throw new RangeError(`topkRows: exclusion offsets ${first}..${last} are not a valid range`);
      need(excl.indices, last, "topkRows exclusion indices");
      const ex = excl.indices.view;
      for (let i = first; i < last; i++) {
        if (!(ex[i] >= 0 && ex[i] < nCols)) throw new RangeError(`topkRows: excluded column ${ex[i]} at position ${i} is outside [0, ${nCols})`);
      }
      exclOffsetsPtr = at(excl.offsets, row);
      exclIndicesPtr = excl.indices.ptr;
    }
    const scoresPtr = at(scores, scoresOffset),
      outIndicesPtr = outIndices.ptr,
      outScoresPtr = outScores.ptr;
    this.rows("topk_rows", nRows, 1, nCols, (start, count) => [
      scoresPtr + start * stride * 4,
      count,
      nCols,
      stride,
      k,
      exclOffsetsPtr === 0 ? 0 : exclOffsetsPtr + start * 4,
      exclIndicesPtr,
      outIndicesPtr + start * k * 4,
      outScoresPtr + start * k * 4,
    ]);
  }

  /**
   * Each user's k best of the m packed items, best first (users[r]·Q[i], plus biasScale·colBias[i]
   * when given, rounded as {@link addToRows} rounds it),
   * without the items listed for the user in `excl` (CSR over the nUsers rows; null: none): the same
   * lists, scores and ties as {@link scorePacked} followed by {@link topkRows}, without writing the
   * nUsers × m scores (see assembly/score-top-k.ts). Rows with fewer than k candidates are padded
   * with -1 / -Infinity.
   */
  scoreTopK(
    users: WasmF32Array,
    nUsers: number,
    d: number,
    packed: WasmF32Array,
    m: number,
    colBias: WasmF32Array | null,
    k: number,
    excl: { offsets: WasmI32Array; indices: WasmI32Array } | null,
    outIndices: WasmI32Array,
    outScores: WasmF32Array,
    biasScale = 1,
  ): void {
    if (!(k > 0) || !Number.isInteger(k)) throw new RangeError(`k must be a positive integer, got ${k}`);
    need(users, nUsers * d, "scoreTopK users");
    need(packed, this.packedItemsLength(m, d), "scoreTopK packed items");
    if (colBias) need(colBias, m, "scoreTopK colBias");
    need(outIndices, nUsers * k, "scoreTopK outIndices");
    need(outScores, nUsers * k, "scoreTopK outScores");
    if (excl) {
      need(excl.offsets, nUsers + 1, "scoreTopK exclusion offsets");
      const off = excl.offsets.view;
      for (let r = 0; r < nUsers; r++) {
        if (!(off[r] >= 0 && off[r] <= off[r + 1]))
          throw new RangeError(`scoreTopK: exclusion offsets[${r}..${r + 1}] = ${off[r]}..${off[r + 1]} is not a valid range`);
      }
      need(excl.indices, nUsers > 0 ? off[nUsers] : 0, "scoreTopK exclusion indices");
    }
    const usersPtr = users.ptr,
      packedPtr = packed.ptr,
      biasPtr = ptrOrNull(colBias),
      idxPtr = outIndices.ptr,
      scorePtr = outScores.ptr;
    const offsetsPtr = excl ? excl.offsets.ptr : 0,
      exclPtr = excl ? excl.indices.ptr : 0;
    this.rows("score_topk", nUsers, TILE_ROW_ALIGN, m * d, (start, count, thread) => [
      usersPtr + start * d * 4,
      count,
      d,
      packedPtr,
      m,
      biasPtr,
      biasScale,
      k,
      offsetsPtr && offsetsPtr + start * 4,
      exclPtr,
      idxPtr + start * k * 4,
      scorePtr + start * k * 4,
      this.wasm.scratchFor(thread, this.x.score_topk_scratch_bytes(count, d)),
    ]);
  }

  /**
   * How many of scores[offset .. offset+n) are > threshold (-Infinity and NaN entries never are):
   * the 1-based rank of a score in a row is this count + 1.
   */
  countAbove(scores: WasmF32Array, n: number, threshold: number, offset = 0): number {
    need(scores, offset + n, "countAbove scores");
    return this.x.count_above(at(scores, offset), n, threshold);
  }

  /**
   * For each of nRows score rows and each item listed for it (CSR: items[offsets[r] .. offsets[r+1]),
   * absolute): out[e] = how many of the row's nCols scores are > the item's own score (its rank − 1),
   * or -1 when that score is -Infinity or NaN. Rows are split across the pool's threads.
   */
  countAboveItems(scores: WasmF32Array, nRows: number, nCols: number, stride: number, offsets: WasmI32Array, items: WasmI32Array, out: WasmI32Array): void {
    if (stride < nCols) throw new RangeError(`countAboveItems: stride ${stride} < nCols ${nCols}`);
    if (nRows > 0) need(scores, (nRows - 1) * stride + nCols, "countAboveItems scores");
    need(offsets, nRows + 1, "countAboveItems offsets");
    const off = offsets.view;
    const entries = nRows > 0 ? off[nRows] : 0;
    for (let r = 0; r < nRows; r++) {
      if (!(off[r] >= 0 && off[r] <= off[r + 1]))
        throw new RangeError(`countAboveItems: offsets[${r}..${r + 1}] = ${off[r]}..${off[r + 1]} is not a valid range`);
    }
    need(items, entries, "countAboveItems items");
    need(out, entries, "countAboveItems out");
    checkIndices(items, entries, nCols, "countAboveItems items");
    const scoresPtr = scores.ptr,
      offsetsPtr = offsets.ptr,
      itemsPtr = items.ptr,
      outPtr = out.ptr;
    const perRow = nRows > 0 ? Math.max(1, entries / nRows) * nCols : 0;
    this.rows("count_above_items", nRows, 1, perRow, (start, count) => [
      scoresPtr + start * stride * 4,
      count,
      stride,
      nCols,
      offsetsPtr + start * 4,
      itemsPtr,
      outPtr,
    ]);
  }

  /** rows[i] -= alpha·(rows[i]·û)·û with û = direction/‖direction‖ (no-op for a zero direction). */
  projectOut(rows: WasmF32Array, n: number, d: number, direction: WasmF32Array, alpha: number): void {
    need(rows, n * d, "projectOut rows");
    need(direction, d, "projectOut direction");
    this.x.project_out(rows.ptr, n, d, direction.ptr, alpha);
  }

  /** Scale every row to unit L2 norm (all-zero rows stay zero; rows holding Infinity or NaN are left as they are). */
  l2NormalizeRows(rows: WasmF32Array, n: number, d: number): void {
    need(rows, n * d, "l2NormalizeRows rows");
    const rowsPtr = rows.ptr;
    this.rows("l2_normalize_rows", n, 1, d * 4, (start, count) => [rowsPtr + start * d * 4, count, d]);
  }

  /** Scale rows[r] of the table to unit L2 norm, for r < n (rows null: the first n rows). */
  l2NormalizeRowsAt(table: WasmF32Array, d: number, rows: WasmI32Array | null, n: number): void {
    if (!rows) {
      this.l2NormalizeRows(table, n, d);
      return;
    }
    need(rows, n, "l2NormalizeRowsAt rows");
    checkIndices(rows, n, table.length / d, "l2NormalizeRowsAt");
    const tablePtr = table.ptr,
      rowsPtr = rows.ptr;
    this.rows("l2_normalize_rows_at", n, 1, d * RANDOM_ROW_WORK, (start, count) => [tablePtr, d, rowsPtr + start * 4, count]);
  }

  /**
   * params[rows[r]] -= lr·(grads[r] + l2·params[rows[r]]); rows null = the first nRows rows. In all
   * three optimizers the rows of one call must be distinct: sum duplicate gradients first
   * (scatterAddRows), since a repeated row would be stepped twice from stale optimizer state.
   */
  sgdRows(params: WasmF32Array, d: number, rows: WasmI32Array | null, nRows: number, grads: WasmF32Array, lr: number, l2: number): void {
    this.checkRows(params, d, rows, nRows, grads, "sgdRows");
    const paramsPtr = params.ptr,
      rowsPtr = ptrOrNull(rows),
      gradsPtr = grads.ptr;
    this.rows("sgd_rows", nRows, 1, d * RANDOM_ROW_WORK, (start, count) => [
      paramsPtr + (rowsPtr ? 0 : start * d * 4),
      d,
      rowsPtr && rowsPtr + start * 4,
      count,
      gradsPtr + start * d * 4,
      lr,
      l2,
    ]);
  }

  /** accum += g², params −= lr·g/(√accum + eps) on the given rows, with g = grads[r] + l2·params[rows[r]]. */
  adagradRows(
    params: WasmF32Array,
    accum: WasmF32Array,
    d: number,
    rows: WasmI32Array | null,
    nRows: number,
    grads: WasmF32Array,
    lr: number,
    eps: number,
    l2: number,
  ): void {
    this.checkRows(params, d, rows, nRows, grads, "adagradRows");
    need(accum, params.length, "adagradRows accum");
    const paramsPtr = params.ptr,
      accumPtr = accum.ptr,
      rowsPtr = ptrOrNull(rows),
      gradsPtr = grads.ptr;
    // Shares of distinct rows: no two threads write the same row. Dense (rows null): offset the tables instead.
    this.rows("adagrad_rows", nRows, 1, d * 2 * RANDOM_ROW_WORK, (start, count) => {
      const dense = rowsPtr ? 0 : start * d * 4;
      return [paramsPtr + dense, accumPtr + dense, d, rowsPtr && rowsPtr + start * 4, count, gradsPtr + start * d * 4, lr, eps, l2];
    });
  }

  /**
   * Lazy (sparse-row) Adam: only the given rows' moments advance (m = β1·m + (1−β1)·g,
   * v = β2·v + (1−β2)·g², g = grads[r] + l2·param); params −= lr·m̂/(√v̂ + eps) with
   * m̂ = m/(1−β1^step), v̂ = v/(1−β2^step) and the global step (≥ 1).
   */
  adamRows(
    params: WasmF32Array,
    m: WasmF32Array,
    v: WasmF32Array,
    d: number,
    rows: WasmI32Array | null,
    nRows: number,
    grads: WasmF32Array,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    step: number,
    l2: number,
  ): void {
    this.checkRows(params, d, rows, nRows, grads, "adamRows");
    need(m, params.length, "adamRows m");
    need(v, params.length, "adamRows v");
    if (!(step >= 1)) throw new RangeError(`adamRows: step must be >= 1, got ${step}`);
    const tables = adamTables(params, m, v, d, rows),
      gradsPtr = grads.ptr;
    this.rows("adam_rows", nRows, 1, d * 3 * RANDOM_ROW_WORK, (start, count) => {
      return [...tables(start, count), gradsPtr + start * d * 4, lr, beta1, beta2, eps, step, l2];
    });
  }

  /**
   * Dense Adam's skipped steps for sparse rows (see assembly/optimizers.ts adam_catch_up_rows):
   * each given row (rows null: rows 0 .. nRows-1) moves on its momentum for the steps
   * stamps[row]+1 .. through it skipped, as dense Adam would have moved it; its stamp becomes
   * `after`. `horizon` is adamHorizon's table for these β1, β2 (ts/train/optimizer.ts).
   */
  adamCatchUpRows(
    params: WasmF32Array,
    m: WasmF32Array,
    v: WasmF32Array,
    d: number,
    rows: WasmI32Array | null,
    nRows: number,
    stamps: WasmI32Array,
    through: number,
    after: number,
    lr: number,
    beta1: number,
    beta2: number,
    horizon: WasmF32Array,
  ): void {
    need(m, params.length, "adamCatchUpRows m");
    need(v, params.length, "adamCatchUpRows v");
    need(stamps, params.length / d, "adamCatchUpRows stamps");
    if (rows) {
      need(rows, nRows, "adamCatchUpRows rows");
      checkIndices(rows, nRows, params.length / d, "adamCatchUpRows");
    } else {
      need(params, nRows * d, "adamCatchUpRows params");
    }
    const tables = adamTables(params, m, v, d, rows),
      stampsPtr = stamps.ptr;
    // Shares of distinct rows, as adamRows; dense rows offset the stamps too.
    this.rows("adam_catch_up_rows", nRows, 1, d * 3 * RANDOM_ROW_WORK, (start, count) => {
      return [...tables(start, count), stampsPtr + (rows ? 0 : start * 4), through, after, lr, beta1, beta2, horizon.ptr, horizon.length];
    });
  }

  /**
   * Fold-in of nRows histories at once (see ts/mf/fold-in.ts): out[r] = (Q_hᵀQ_h + λI)⁻¹ Q_hᵀ·1
   * over the distinct items of row r (indices[offsets[r] .. offsets[r+1]), rows of the m×d `items`),
   * in f64 exactly as foldInUser computes it; an empty row gets zeros. Rows split across threads.
   */
  foldInRows(items: WasmF32Array, d: number, offsets: WasmI32Array, indices: WasmI32Array, nRows: number, lambda: number, out: WasmF32Array): void {
    if (!(Number.isFinite(lambda) && lambda > 0)) throw new RangeError(`the fold-in regularisation λ must be a positive number, got ${lambda}`);
    need(offsets, nRows + 1, "foldInRows offsets");
    need(out, nRows * d, "foldInRows out");
    const off = offsets.view;
    for (let r = 0; r < nRows; r++) {
      if (!(off[r] >= 0 && off[r] <= off[r + 1])) throw new RangeError(`foldInRows: offsets[${r}..${r + 1}] = ${off[r]}..${off[r + 1]} is not a valid range`);
    }
    const entries = nRows > 0 ? off[nRows] : 0;
    need(indices, entries, "foldInRows indices");
    if (d > 0) checkIndices(indices, entries, items.length / d, "foldInRows");
    const itemsPtr = items.ptr,
      offsetsPtr = offsets.ptr,
      indicesPtr = indices.ptr,
      outPtr = out.ptr,
      scratch = this.x.fold_in_scratch_bytes(d);
    const perRow = nRows > 0 ? (entries / nRows) * d * d + d * d * d : 0;
    const failed = this.rows("fold_in_rows", nRows, 1, perRow, (start, count, thread) => [
      itemsPtr,
      d,
      offsetsPtr + start * 4,
      indicesPtr,
      count,
      lambda,
      outPtr + start * d * 4,
      this.wasm.scratchFor(thread, scratch),
    ]);
    if (failed.some((f) => f !== 0)) throw new RangeError("fold-in: a history's system is not positive definite (the item table holds NaN or infinite values)");
  }

  /** out[r] = a[r]·x for n rows of d (A·x). */
  matvec(a: WasmF32Array, n: number, d: number, x: WasmF32Array, out: WasmF32Array): void {
    need(a, n * d, "matvec a");
    need(x, d, "matvec x");
    need(out, n, "matvec out");
    const aPtr = a.ptr,
      xPtr = x.ptr,
      outPtr = out.ptr;
    this.rows("matvec", n, 1, d * 2, (start, count) => [aPtr + start * d * 4, count, d, xPtr, outPtr + start * 4]);
  }

  /** out = Aᵀ·x = Σ_r x[r]·a[r] over n rows of d (out, of length d, is overwritten). */
  matvecT(a: WasmF32Array, n: number, d: number, x: WasmF32Array, out: WasmF32Array): void {
    need(a, n * d, "matvecT a");
    need(x, n, "matvecT x");
    need(out, d, "matvecT out");
    this.x.matvec_t(a.ptr, n, d, x.ptr, out.ptr);
  }

  /** A += alpha·x·yᵀ: a[r] += alpha·x[r]·y for n rows of d. */
  addOuter(a: WasmF32Array, n: number, d: number, alpha: number, x: WasmF32Array, y: WasmF32Array): void {
    need(a, n * d, "addOuter a");
    need(x, n, "addOuter x");
    need(y, d, "addOuter y");
    const aPtr = a.ptr,
      xPtr = x.ptr,
      yPtr = y.ptr;
    this.rows("add_outer", n, 1, d * 2, (start, count) => [aPtr + start * d * 4, count, d, alpha, xPtr + start * 4, yPtr]);
  }

  /** a[r·stride + c] += alpha·v[c] for n rows of m columns: one vector added to every row. */
  addToRows(a: WasmF32Array, n: number, m: number, stride: number, alpha: number, v: WasmF32Array): void {
    if (stride < m) throw new RangeError(`addToRows: stride ${stride} < m ${m}`);
    if (n > 0) need(a, (n - 1) * stride + m, "addToRows a");
    need(v, m, "addToRows v");
    this.x.add_to_rows(a.ptr, n, m, stride, alpha, v.ptr);
  }

  /** Checks CSR contexts over a table of `tableRows` rows (default: all of its rows); returns their entry count. */
  private checkContexts(
    table: WasmF32Array,
    d: number,
    offsets: WasmI32Array,
    indices: WasmI32Array,
    weights: WasmF32Array | null,
    nRows: number,
    name: string,
    tableRows = d > 0 ? table.length / d : 0,
  ): number {
    need(offsets, nRows + 1, `${name} offsets`);
    const off = offsets.view;
    for (let r = 0; r < nRows; r++) {
      if (!(off[r] >= 0 && off[r] <= off[r + 1])) throw new RangeError(`${name}: offsets[${r}..${r + 1}] = ${off[r]}..${off[r + 1]} is not a valid range`);
    }
    const entries = nRows > 0 ? off[nRows] : 0;
    need(indices, entries, `${name} indices`);
    if (weights) need(weights, entries, `${name} weights`);
    if (d > 0) checkIndices(indices, entries, tableRows, name);
    return entries;
  }

  private checkRows(params: WasmF32Array, d: number, rows: WasmI32Array | null, nRows: number, grads: WasmF32Array, name: string): void {
    need(grads, nRows * d, `${name} grads`);
    if (rows) {
      need(rows, nRows, `${name} rows`);
      checkIndices(rows, nRows, params.length / d, name);
    } else {
      need(params, nRows * d, `${name} params`);
    }
  }
}

/** Rows of a wider matrix: `stride` floats apart, from float `offset` of `array`. */
export interface StridedRows {
  readonly array: WasmF32Array;
  readonly offset: number;
  readonly stride: number;
}

function strided(a: WasmF32Array | StridedRows, width: number, what: string): StridedRows {
  if (!("array" in a)) return { array: a, offset: 0, stride: width };
  if (!(Number.isInteger(a.stride) && a.stride >= width)) throw new RangeError(`${what}: row stride ${a.stride} is below the ${width} columns used`);
  if (!(Number.isInteger(a.offset) && a.offset >= 0)) throw new RangeError(`${what}: offset ${a.offset} is not a valid float offset`);
  return a;
}

function at(a: WasmF32Array | WasmI32Array, index: number): number {
  return a.ptr + index * 4;
}

function ptrOrNull(a: WasmF32Array | WasmI32Array | null): number {
  return a ? a.ptr : 0;
}

/**
 * The Adam row kernels' first arguments for a thread's share of rows start .. start+count:
 * (params, m, v, d, rows, count), the tables offset to the share when rows is null (dense rows 0..n-1).
 */
function adamTables(params: WasmF32Array, m: WasmF32Array, v: WasmF32Array, d: number, rows: WasmI32Array | null) {
  const [paramsPtr, mPtr, vPtr, rowsPtr] = [params.ptr, m.ptr, v.ptr, ptrOrNull(rows)];
  return (start: number, count: number): number[] => {
    const dense = rowsPtr ? 0 : start * d * 4;
    return [paramsPtr + dense, mPtr + dense, vPtr + dense, d, rowsPtr && rowsPtr + start * 4, count];
  };
}

function need(a: WasmF32Array | WasmI32Array, length: number, what: string): void {
  if (a.length < length) throw new RangeError(`${what}: needs ${length} elements, has ${a.length}`);
}

function checkIndices(a: WasmI32Array, n: number, limit: number, what: string): void {
  const v = a.view;
  for (let i = 0; i < n; i++) {
    const x = v[i];
    if (!(x >= 0 && x < limit)) throw new RangeError(`${what}: index ${x} at position ${i} is outside [0, ${limit})`);
  }
}

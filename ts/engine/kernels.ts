import { WasmEngine, WasmF32Array, WasmI32Array } from "./wasm-engine.js";

/**
 * The typed layer over the pointer-and-count kernels. Every method checks that the arrays it is
 * given cover the shape it is asked to compute, so a wrong shape is an exception here and never a
 * silent write past the end of a buffer inside wasm memory. Offsets are in elements.
 */
export class Kernels {
  readonly x;
  constructor(readonly engine: WasmEngine) {
    this.x = engine.exports;
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
    this.x.gather_rows(src.ptr, d, indices.ptr, n, dst.ptr);
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
    this.x.pack_items(q.ptr, m, d, out.ptr);
  }

  /**
   * out[u*outStride + i] = users[u]·items[i] for nUsers rows (from row `userRow`) against the m
   * packed items. Register- and cache-blocked: the hot path of evaluation, serving and full softmax.
   */
  scorePacked(
    users: WasmF32Array, nUsers: number, d: number, packed: WasmF32Array, m: number,
    out: WasmF32Array, outStride = m, userRow = 0, outOffset = 0,
  ): void {
    need(users, (userRow + nUsers) * d, "scorePacked users");
    need(packed, this.packedItemsLength(m, d), "scorePacked packed items");
    if (outStride < m) throw new RangeError(`scorePacked: outStride ${outStride} < m ${m}`);
    if (nUsers > 0) need(out, outOffset + (nUsers - 1) * outStride + m, "scorePacked out");
    this.x.score_packed(at(users, userRow * d), nUsers, d, packed.ptr, m, at(out, outOffset), outStride);
  }

  /** The same scores one dot product at a time (the naive baseline the benchmark compares with). */
  scoreRowsDot(users: WasmF32Array, nUsers: number, d: number, items: WasmF32Array, m: number, out: WasmF32Array, outStride = m): void {
    need(users, nUsers * d, "scoreRowsDot users");
    need(items, m * d, "scoreRowsDot items");
    if (nUsers > 0) need(out, (nUsers - 1) * outStride + m, "scoreRowsDot out");
    this.x.score_rows_dot(users.ptr, nUsers, d, items.ptr, m, out.ptr, outStride);
  }

  /** C[M×N] (+)= A[M×K]·B[K×N], all row-major and contiguous. */
  gemmNN(a: WasmF32Array, b: WasmF32Array, c: WasmF32Array, M: number, N: number, K: number, accumulate = false): void {
    need(a, M * K, "gemmNN a");
    need(b, K * N, "gemmNN b");
    need(c, M * N, "gemmNN c");
    this.x.gemm_nn(a.ptr, b.ptr, c.ptr, M, N, K, accumulate ? 1 : 0);
  }

  /** C[M×N] (+)= Aᵀ·B with A[K×M], B[K×N], all row-major and contiguous. */
  gemmTN(a: WasmF32Array, b: WasmF32Array, c: WasmF32Array, M: number, N: number, K: number, accumulate = false): void {
    need(a, K * M, "gemmTN a");
    need(b, K * N, "gemmTN b");
    need(c, M * N, "gemmTN c");
    this.x.gemm_tn(a.ptr, b.ptr, c.ptr, M, N, K, accumulate ? 1 : 0);
  }

  /** C[M×N] (+)= A·Bᵀ with A[M×K], B[N×K], all row-major and contiguous. */
  gemmNT(a: WasmF32Array, b: WasmF32Array, c: WasmF32Array, M: number, N: number, K: number, accumulate = false): void {
    need(a, M * K, "gemmNT a");
    need(b, N * K, "gemmNT b");
    need(c, M * N, "gemmNT c");
    this.x.gemm_nt(a.ptr, b.ptr, c.ptr, M, N, K, accumulate ? 1 : 0);
  }

  /**
   * Weighted mean pooling over CSR contexts: out[r] (+)= Σ_e w_e·table[indices[e]] / Σ_e w_e for the
   * entries e of row r (offsets[r] .. offsets[r+1]); weights null = a plain mean. A row without
   * entries (or with weights summing to 0) pools to zero. accumulate = false overwrites out.
   */
  poolRows(
    table: WasmF32Array, d: number, offsets: WasmI32Array, indices: WasmI32Array, weights: WasmF32Array | null,
    nRows: number, out: WasmF32Array, accumulate = false,
  ): void {
    this.checkContexts(table, d, offsets, indices, weights, nRows, "poolRows");
    need(out, nRows * d, "poolRows out");
    this.x.pool_rows(table.ptr, d, offsets.ptr, indices.ptr, ptrOrNull(weights), nRows, out.ptr, accumulate ? 1 : 0);
  }

  /** The gradient of {@link poolRows}: gradTable[indices[e]] += (w_e / Σ w)·gradOut[r] (adds; repeated indices accumulate). */
  poolRowsBackward(
    gradTable: WasmF32Array, d: number, offsets: WasmI32Array, indices: WasmI32Array, weights: WasmF32Array | null,
    nRows: number, gradOut: WasmF32Array,
  ): void {
    this.checkContexts(gradTable, d, offsets, indices, weights, nRows, "poolRowsBackward");
    need(gradOut, nRows * d, "poolRowsBackward gradOut");
    this.x.pool_rows_backward(gradTable.ptr, d, offsets.ptr, indices.ptr, ptrOrNull(weights), nRows, gradOut.ptr);
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
    scores: WasmF32Array, nRows: number, nCols: number, stride: number, invTemp: number,
    colBias: WasmF32Array | null, targetOffsets: WasmI32Array, targetIndices: WasmI32Array,
    rowWeights: WasmF32Array | null, writeGrad: boolean,
  ): number {
    if (nRows > 0) need(scores, (nRows - 1) * stride + nCols, "softmaxXent scores");
    if (colBias) need(colBias, nCols, "softmaxXent colBias");
    need(targetOffsets, nRows + 1, "softmaxXent targetOffsets");
    if (rowWeights) need(rowWeights, nRows, "softmaxXent rowWeights");
    const off = targetOffsets.view;
    need(targetIndices, off[nRows], "softmaxXent targetIndices");
    checkIndices(targetIndices, off[nRows], nCols, "softmaxXent targets");
    return this.x.softmax_xent(
      scores.ptr, nRows, nCols, stride, invTemp, ptrOrNull(colBias), targetOffsets.ptr, targetIndices.ptr,
      ptrOrNull(rowWeights), writeGrad ? 1 : 0,
    );
  }

  /** out[r] = log Σ_c exp(scores[r,c]·invTemp + colBias[c]), computed stably (logits saturated as in softmaxXent; -Infinity when nCols = 0). */
  lseRows(scores: WasmF32Array, nRows: number, nCols: number, stride: number, invTemp: number, colBias: WasmF32Array | null, out: WasmF32Array): void {
    if (nRows > 0) need(scores, (nRows - 1) * stride + nCols, "lseRows scores");
    if (colBias) need(colBias, nCols, "lseRows colBias");
    need(out, nRows, "lseRows out");
    this.x.lse_rows(scores.ptr, nRows, nCols, stride, invTemp, ptrOrNull(colBias), out.ptr);
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
    scores: WasmF32Array, nRows: number, nCols: number, stride: number, k: number,
    excl: { offsets: WasmI32Array; indices: WasmI32Array; row?: number } | null,
    outIndices: WasmI32Array, outScores: WasmF32Array, scoresOffset = 0,
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
      const first = off[row], last = off[row + nRows];
      if (!(first >= 0 && first <= last)) throw new RangeError(`topkRows: exclusion offsets ${first}..${last} are not a valid range`);
      need(excl.indices, last, "topkRows exclusion indices");
      const ex = excl.indices.view;
      for (let i = first; i < last; i++) {
        if (!(ex[i] >= 0 && ex[i] < nCols)) throw new RangeError(`topkRows: excluded column ${ex[i]} at position ${i} is outside [0, ${nCols})`);
      }
      exclOffsetsPtr = at(excl.offsets, row);
      exclIndicesPtr = excl.indices.ptr;
    }
    this.x.topk_rows(at(scores, scoresOffset), nRows, nCols, stride, k, exclOffsetsPtr, exclIndicesPtr, outIndices.ptr, outScores.ptr);
  }

  /**
   * How many of scores[offset .. offset+n) are > threshold (-Infinity and NaN entries never are):
   * the 1-based rank of a score in a row is this count + 1.
   */
  countAbove(scores: WasmF32Array, n: number, threshold: number, offset = 0): number {
    need(scores, offset + n, "countAbove scores");
    return this.x.count_above(at(scores, offset), n, threshold);
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
    this.x.l2_normalize_rows(rows.ptr, n, d);
  }

  /** Scale rows[r] of the table to unit L2 norm, for r < n (rows null: the first n rows). */
  l2NormalizeRowsAt(table: WasmF32Array, d: number, rows: WasmI32Array | null, n: number): void {
    if (!rows) return this.l2NormalizeRows(table, n, d);
    need(rows, n, "l2NormalizeRowsAt rows");
    checkIndices(rows, n, table.length / d, "l2NormalizeRowsAt");
    const r = rows.view;
    const base = table.ptr;
    for (let i = 0; i < n; i++) this.x.l2_normalize_rows(base + r[i] * d * 4, 1, d);
  }

  /**
   * params[rows[r]] -= lr·(grads[r] + l2·params[rows[r]]); rows null = the first nRows rows. In all
   * three optimizers the rows of one call must be distinct: sum duplicate gradients first
   * (scatterAddRows), since a repeated row would be stepped twice from stale optimizer state.
   */
  sgdRows(params: WasmF32Array, d: number, rows: WasmI32Array | null, nRows: number, grads: WasmF32Array, lr: number, l2: number): void {
    this.checkRows(params, d, rows, nRows, grads, "sgdRows");
    this.x.sgd_rows(params.ptr, d, ptrOrNull(rows), nRows, grads.ptr, lr, l2);
  }

  /** accum += g², params −= lr·g/(√accum + eps) on the given rows, with g = grads[r] + l2·params[rows[r]]. */
  adagradRows(
    params: WasmF32Array, accum: WasmF32Array, d: number, rows: WasmI32Array | null, nRows: number,
    grads: WasmF32Array, lr: number, eps: number, l2: number,
  ): void {
    this.checkRows(params, d, rows, nRows, grads, "adagradRows");
    need(accum, params.length, "adagradRows accum");
    this.x.adagrad_rows(params.ptr, accum.ptr, d, ptrOrNull(rows), nRows, grads.ptr, lr, eps, l2);
  }

  /**
   * Lazy (sparse-row) Adam: only the given rows' moments advance (m = β1·m + (1−β1)·g,
   * v = β2·v + (1−β2)·g², g = grads[r] + l2·param); params −= lr·m̂/(√v̂ + eps) with
   * m̂ = m/(1−β1^step), v̂ = v/(1−β2^step) and the global step (≥ 1).
   */
  adamRows(
    params: WasmF32Array, m: WasmF32Array, v: WasmF32Array, d: number, rows: WasmI32Array | null, nRows: number,
    grads: WasmF32Array, lr: number, beta1: number, beta2: number, eps: number, step: number, l2: number,
  ): void {
    this.checkRows(params, d, rows, nRows, grads, "adamRows");
    need(m, params.length, "adamRows m");
    need(v, params.length, "adamRows v");
    if (!(step >= 1)) throw new RangeError(`adamRows: step must be >= 1, got ${step}`);
    this.x.adam_rows(params.ptr, m.ptr, v.ptr, d, ptrOrNull(rows), nRows, grads.ptr, lr, beta1, beta2, eps, step, l2);
  }

  /**
   * BPR over B triples (users[b], pos[b], neg[b]): returns Σ w_b·−log σ(s_ui − s_uj) and adds the
   * gradients into gradU[uSlot[b]] and gradI[iSlot[b]] / gradI[jSlot[b]] (compact rows of d):
   * with s = P_u·(Q_i − Q_j) and g = −w·σ(−s), gradU += g·(Q_i − Q_j), gradI[i] += g·P_u,
   * gradI[j] −= g·P_u. P and Q are only read. Ids and slots are not range-checked by this layer.
   */
  bprBatch(
    P: WasmF32Array, Q: WasmF32Array, d: number, users: WasmI32Array, pos: WasmI32Array, neg: WasmI32Array, B: number,
    uSlot: WasmI32Array, iSlot: WasmI32Array, jSlot: WasmI32Array, weights: WasmF32Array | null,
    gradU: WasmF32Array, gradI: WasmF32Array,
  ): number {
    const nUsers = P.length / d, nItems = Q.length / d, uRows = gradU.length / d, iRows = gradI.length / d;
    for (const [a, limit, name] of [[users, nUsers, "users"], [pos, nItems, "pos"], [neg, nItems, "neg"], [uSlot, uRows, "uSlot"], [iSlot, iRows, "iSlot"], [jSlot, iRows, "jSlot"]] as const) {
      need(a, B, `bprBatch ${name}`);
      checkIndices(a, B, limit, `bprBatch ${name}`);
    }
    if (weights) need(weights, B, "bprBatch weights");
    return this.x.bpr_batch(P.ptr, Q.ptr, d, users.ptr, pos.ptr, neg.ptr, B, uSlot.ptr, iSlot.ptr, jSlot.ptr, ptrOrNull(weights), gradU.ptr, gradI.ptr);
  }

  /**
   * BCE with logits over B pairs with labels 0/1: s = P_u·Q_i, loss Σ w·(softplus(s) − y·s),
   * g = w·(σ(s) − y), gradU[uSlot] += g·Q_i, gradI[iSlot] += g·P_u (accumulating like {@link bprBatch}).
   */
  bceBatch(
    P: WasmF32Array, Q: WasmF32Array, d: number, users: WasmI32Array, items: WasmI32Array, labels: WasmF32Array, B: number,
    uSlot: WasmI32Array, iSlot: WasmI32Array, weights: WasmF32Array | null, gradU: WasmF32Array, gradI: WasmF32Array,
  ): number {
    const nUsers = P.length / d, nItems = Q.length / d, uRows = gradU.length / d, iRows = gradI.length / d;
    for (const [a, limit, name] of [[users, nUsers, "users"], [items, nItems, "items"], [uSlot, uRows, "uSlot"], [iSlot, iRows, "iSlot"]] as const) {
      need(a, B, `bceBatch ${name}`);
      checkIndices(a, B, limit, `bceBatch ${name}`);
    }
    need(labels, B, "bceBatch labels");
    if (weights) need(weights, B, "bceBatch weights");
    return this.x.bce_batch(P.ptr, Q.ptr, d, users.ptr, items.ptr, labels.ptr, B, uSlot.ptr, iSlot.ptr, ptrOrNull(weights), gradU.ptr, gradI.ptr);
  }

  /** out[r] = a[r]·x for n rows of d (A·x). */
  matvec(a: WasmF32Array, n: number, d: number, x: WasmF32Array, out: WasmF32Array): void {
    need(a, n * d, "matvec a");
    need(x, d, "matvec x");
    need(out, n, "matvec out");
    this.x.matvec(a.ptr, n, d, x.ptr, out.ptr);
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
    this.x.add_outer(a.ptr, n, d, alpha, x.ptr, y.ptr);
  }

  /** a[r·stride + c] += alpha·v[c] for n rows of m columns: one vector added to every row. */
  addToRows(a: WasmF32Array, n: number, m: number, stride: number, alpha: number, v: WasmF32Array): void {
    if (stride < m) throw new RangeError(`addToRows: stride ${stride} < m ${m}`);
    if (n > 0) need(a, (n - 1) * stride + m, "addToRows a");
    need(v, m, "addToRows v");
    this.x.add_to_rows(a.ptr, n, m, stride, alpha, v.ptr);
  }

  /**
   * Algorithm 1 of Ren et al. over B BPR triples: accP[users[b]] += scale·(Q_pos − Q_neg) and
   * accQ[pos[b]] += scale·P_user (accP nUsers×d, accQ nItems×d, like P and Q). P and Q are only read.
   */
  accumulatePairGradients(
    P: WasmF32Array, Q: WasmF32Array, d: number, users: WasmI32Array, pos: WasmI32Array, neg: WasmI32Array, B: number,
    scale: number, accP: WasmF32Array, accQ: WasmF32Array,
  ): void {
    this.checkAccumulators(P, Q, accP, accQ, "accumulatePairGradients");
    const nUsers = P.length / d, nItems = Q.length / d;
    for (const [a, limit, name] of [[users, nUsers, "users"], [pos, nItems, "pos"], [neg, nItems, "neg"]] as const) {
      need(a, B, `accumulatePairGradients ${name}`);
      checkIndices(a, B, limit, `accumulatePairGradients ${name}`);
    }
    this.x.accumulate_pair_gradients(P.ptr, Q.ptr, d, users.ptr, pos.ptr, neg.ptr, B, scale, accP.ptr, accQ.ptr);
  }

  /**
   * The same for B BCE rows with labels: a positive adds accP[u] += scale·Q_i and accQ[i] +=
   * scale·P_u, a negative (label 0) adds accP[u] −= scale·Q_i.
   */
  accumulatePointwiseGradients(
    P: WasmF32Array, Q: WasmF32Array, d: number, users: WasmI32Array, items: WasmI32Array, labels: WasmF32Array, B: number,
    scale: number, accP: WasmF32Array, accQ: WasmF32Array,
  ): void {
    this.checkAccumulators(P, Q, accP, accQ, "accumulatePointwiseGradients");
    const nUsers = P.length / d, nItems = Q.length / d;
    for (const [a, limit, name] of [[users, nUsers, "users"], [items, nItems, "items"]] as const) {
      need(a, B, `accumulatePointwiseGradients ${name}`);
      checkIndices(a, B, limit, `accumulatePointwiseGradients ${name}`);
    }
    need(labels, B, "accumulatePointwiseGradients labels");
    this.x.accumulate_pointwise_gradients(P.ptr, Q.ptr, d, users.ptr, items.ptr, labels.ptr, B, scale, accP.ptr, accQ.ptr);
  }

  private checkContexts(
    table: WasmF32Array, d: number, offsets: WasmI32Array, indices: WasmI32Array, weights: WasmF32Array | null, nRows: number, name: string,
  ): void {
    need(offsets, nRows + 1, `${name} offsets`);
    const off = offsets.view;
    for (let r = 0; r < nRows; r++) {
      if (!(off[r] >= 0 && off[r] <= off[r + 1])) throw new RangeError(`${name}: offsets[${r}..${r + 1}] = ${off[r]}..${off[r + 1]} is not a valid range`);
    }
    const entries = nRows > 0 ? off[nRows] : 0;
    need(indices, entries, `${name} indices`);
    if (weights) need(weights, entries, `${name} weights`);
    if (d > 0) checkIndices(indices, entries, table.length / d, name);
  }

  private checkAccumulators(P: WasmF32Array, Q: WasmF32Array, accP: WasmF32Array, accQ: WasmF32Array, name: string): void {
    need(accP, P.length, `${name} accP`);
    need(accQ, Q.length, `${name} accQ`);
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

function at(a: WasmF32Array | WasmI32Array, index: number): number {
  return a.ptr + index * 4;
}

function ptrOrNull(a: WasmF32Array | WasmI32Array | null): number {
  return a ? a.ptr : 0;
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

import type { KernelVariant } from "./capabilities.js";
import type { ThreadPool } from "./threads/thread-pool.js";
import { formatBytes, SizeLimitError, WASM_BUFFER_LIMIT_BYTES, WASM_MEMORY_LIMIT_BYTES } from "./memory-limits.js";

/**
 * The raw exports of build/longtail.<variant>[.threads].wasm: pointers are byte offsets, counts
 * are i32. The plain builds export their memory; the .threads builds import a shared one.
 */
export interface KernelExports {
  readonly memory?: WebAssembly.Memory;
  alloc(bytes: number): number;
  free(ptr: number): void;

  dot(a: number, b: number, n: number): number;
  rowwise_dot(a: number, b: number, n: number, d: number, out: number): void;
  gather_rows(src: number, d: number, indices: number, n: number, dst: number): void;
  scatter_add_rows(dst: number, d: number, indices: number, n: number, src: number): void;

  packed_panel_width(): number;
  packed_items_length(m: number, d: number): number;
  pack_items(q: number, m: number, d: number, out: number): void;
  score_packed(users: number, nUsers: number, d: number, packed: number, m: number, out: number, outStride: number, scratch: number): void;
  score_packed_scratch_bytes(nUsers: number, d: number): number;
  /** Benchmark yardstick (assembly/madd-ceiling.ts): `steps` rounds of 10 independent multiply-adds; returns FLOPs per round. */
  madd_ceiling(steps: number): number;
  score_rows_dot(users: number, nUsers: number, d: number, items: number, m: number, out: number, outStride: number): void;
  gemm_nn(a: number, lda: number, b: number, c: number, M: number, N: number, K: number, accumulate: number, scratch: number): void;
  gemm_tn(a: number, lda: number, b: number, c: number, M: number, N: number, K: number, accumulate: number, scratch: number): void;
  gemm_nt(a: number, b: number, c: number, M: number, N: number, K: number, accumulate: number, scratch: number): void;
  gemm_scratch_bytes(N: number, K: number): number;
  pool_rows(table: number, d: number, offsets: number, indices: number, weights: number, nRows: number, out: number, accumulate: number): void;
  pool_rows_backward_range(
    gradTable: number,
    d: number,
    offsets: number,
    indices: number,
    weights: number,
    nRows: number,
    gradOut: number,
    first: number,
    end: number,
  ): void;
  transpose_columns(src: number, rows: number, cols: number, dst: number, first: number, count: number): void;
  sum_rows(table: number, d: number, offsets: number, indices: number, weights: number, nRows: number, out: number, scale: number, accumulate: number): void;
  add_scaled_rows(dst: number, src: number, scales: number, n: number, d: number): void;
  blend_unit_rows(rows: number, mixed: number, n: number, d: number, keep: number, weight: number, norms: number): void;
  blend_unit_rows_backward(unit: number, grad: number, gradMixed: number, norms: number, n: number, d: number, keep: number, weight: number): void;

  softmax_xent(
    scores: number,
    nRows: number,
    nCols: number,
    stride: number,
    invTemp: number,
    colBias: number,
    targetOffsets: number,
    targetIndices: number,
    rowWeights: number,
    writeGrad: number,
  ): number;
  mask_matching_columns(logits: number, nRows: number, stride: number, colIds: number, nCols: number, rowIds: number, value: number): void;
  cosine_contrastive_rows(
    users: number,
    positives: number,
    nRows: number,
    d: number,
    packedNeg: number,
    negRows: number,
    N: number,
    logits: number,
    stride: number,
    negIds: number,
    posIds: number,
    rowWeights: number,
    margin: number,
    negativeWeight: number,
    gradUsers: number,
    gradPos: number,
    scratch: number,
  ): number;
  sampled_softmax_rows(
    users: number,
    positives: number,
    nRows: number,
    d: number,
    packedNeg: number,
    negRows: number,
    N: number,
    logits: number,
    stride: number,
    colBias: number,
    itemBias: number,
    negIds: number,
    posIds: number,
    targetOffsets: number,
    targetIndices: number,
    rowWeights: number,
    invTemp: number,
    T: number,
    gradUsers: number,
    gradPos: number,
    scratch: number,
  ): number;
  lse_rows(scores: number, nRows: number, nCols: number, stride: number, invTemp: number, colBias: number, out: number): void;

  topk_rows(
    scores: number,
    nRows: number,
    nCols: number,
    stride: number,
    k: number,
    exclOffsets: number,
    exclIndices: number,
    outIndices: number,
    outScores: number,
  ): void;
  score_topk(
    users: number,
    nUsers: number,
    d: number,
    packed: number,
    m: number,
    colBias: number,
    biasScale: number,
    k: number,
    exclOffsets: number,
    exclIndices: number,
    outIndices: number,
    outScores: number,
    scratch: number,
  ): void;
  score_topk_scratch_bytes(nUsers: number, d: number): number;
  quantize_rows(src: number, n: number, d: number, codes: number, scales: number): void;
  pack_quantized(codes: number, n: number, d: number, packed: number, sums: number): number;
  quantized_panel_bytes(d: number): number;
  quantized_block_items(): number;
  score_quantized(
    users: number,
    nUsers: number,
    d: number,
    dir: number,
    chunkPanels: number,
    scales: number,
    sums: number,
    m: number,
    out: number,
    outStride: number,
    scratch: number,
  ): void;
  score_topk_quantized(
    users: number,
    nUsers: number,
    d: number,
    dir: number,
    chunkPanels: number,
    scales: number,
    sums: number,
    m: number,
    colBias: number,
    biasScale: number,
    R: number,
    exclOffsets: number,
    exclIndices: number,
    outIndices: number,
    outScores: number,
    scratch: number,
  ): void;
  score_quantized_scratch_bytes(nUsers: number, d: number): number;
  rescore_topk(
    users: number,
    nUsers: number,
    d: number,
    rowsDir: number,
    chunkItems: number,
    colBias: number,
    biasScale: number,
    candidates: number,
    R: number,
    k: number,
    outIndices: number,
    outScores: number,
  ): void;
  count_above(scores: number, n: number, threshold: number): number;
  count_above_items(scores: number, nRows: number, stride: number, nCols: number, offsets: number, items: number, out: number): void;

  project_out(rows: number, n: number, d: number, direction: number, alpha: number): void;
  l2_normalize_rows(rows: number, n: number, d: number): void;
  l2_normalize_rows_at(table: number, d: number, indices: number, n: number): void;

  sgd_rows(params: number, d: number, rows: number, nRows: number, grads: number, lr: number, l2: number): void;
  adagrad_rows(params: number, accum: number, d: number, rows: number, nRows: number, grads: number, lr: number, eps: number, l2: number): void;
  adam_rows(
    params: number,
    m: number,
    v: number,
    d: number,
    rows: number,
    nRows: number,
    grads: number,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    step: number,
    l2: number,
  ): void;

  adam_catch_up_rows(
    params: number,
    m: number,
    v: number,
    d: number,
    rows: number,
    nRows: number,
    stamps: number,
    through: number,
    after: number,
    lr: number,
    beta1: number,
    beta2: number,
    horizon: number,
    horizonLength: number,
  ): void;

  pairwise_train(plan: number, thread: number): number;
  pairwise_layout(which: number): number;
  random_u32s(state: number, out: number, n: number): void;
  fold_in_rows(items: number, d: number, offsets: number, indices: number, nRows: number, lambda: number, out: number, scratch: number): number;
  fold_in_scratch_bytes(d: number): number;
  matvec(a: number, n: number, d: number, x: number, out: number): void;
  matvec_t(a: number, n: number, d: number, x: number, out: number): void;
  add_outer(a: number, n: number, d: number, alpha: number, x: number, y: number): void;
  add_to_rows(a: number, n: number, m: number, stride: number, alpha: number, v: number): void;
}

/** How many threads an engine runs its kernels on, and why not more when it could have. */
export interface WasmThreads {
  /** Threads in use, this one included (1 = no pool). */
  readonly count: number;
  /** Why the count is what it is: asked for, the cores there are, or what kept threads off here. */
  readonly reason: string;
}

/** Memory a module without its own needs: shared for the .threads builds (their maximum is 4 GiB). */
export function createKernelMemory(shared: boolean): WebAssembly.Memory {
  return shared ? new WebAssembly.Memory({ initial: 16, maximum: 65536, shared: true }) : new WebAssembly.Memory({ initial: 16 });
}

/**
 * One instantiated kernel module and the memory it owns. The engine hands out
 * {@link WasmF32Array}/{@link WasmI32Array} owners; whoever holds one frees it. With a thread pool
 * the memory is shared with the pool's threads; only this thread allocates.
 */
export class WasmInstance {
  readonly exports: KernelExports;
  readonly variant: KernelVariant;
  readonly memory: WebAssembly.Memory;
  private liveBytes = 0;
  private liveCount = 0;
  private pool: ThreadPool | null = null;
  private threadInfo: WasmThreads = { count: 1, reason: "one thread" };
  /** Per-thread scratch for kernels that need working memory (score_packed, GEMMs): pointer and size. */
  private readonly scratch: { ptr: number; bytes: number }[] = [];
  private disposed = false;

  private constructor(instance: WebAssembly.Instance, variant: KernelVariant, memory: WebAssembly.Memory) {
    this.exports = instance.exports as unknown as KernelExports;
    this.variant = variant;
    this.memory = memory;
  }

  /**
   * Instantiate from an already compiled module (the seam every runtime entry goes through). A
   * module that imports its memory (a .threads build) gets `memory`, or a new one.
   */
  static async fromModule(module: WebAssembly.Module, variant: KernelVariant, options: { memory?: WebAssembly.Memory } = {}): Promise<WasmInstance> {
    const importsMemory = WebAssembly.Module.imports(module).some((i) => i.kind === "memory");
    const memory = importsMemory ? (options.memory ?? createKernelMemory(false)) : undefined;
    const instance = await WebAssembly.instantiate(module, memory ? { env: { memory } } : {});
    const own = (instance.exports as { memory?: WebAssembly.Memory }).memory;
    const engine = new WasmInstance(instance, variant, memory ?? own!);
    return engine;
  }

  /** @internal Attaches the thread pool this engine's kernels run on (see engine-threads.ts). */
  attachThreads(pool: ThreadPool | null, info: WasmThreads): void {
    this.pool = pool;
    this.threadInfo = info;
  }

  /** Threads the kernels run on, and why. */
  get threads(): WasmThreads {
    return this.threadInfo;
  }

  /** @internal The pool behind {@link threads}, or null on one thread. */
  get threadPool(): ThreadPool | null {
    return this.pool && !this.pool.isDisposed ? this.pool : null;
  }

  /**
   * @internal Working memory of at least `bytes` for kernels run on pool thread `thread` (0 = this
   * one), kept and grown by the engine; only this thread allocates it, before the call.
   */
  scratchFor(thread: number, bytes: number): number {
    const have = this.scratch[thread];
    if (have && have.bytes >= bytes) return have.ptr;
    if (have) this.exports.free(have.ptr);
    const size = Math.max(bytes, 4096, have ? have.bytes * 2 : 0);
    const ptr = this.rawAlloc(size, " of kernel scratch");
    this.scratch[thread] = { ptr, bytes: size };
    return ptr;
  }

  /** Stops the thread pool (its workers end) and frees the kernels' scratch. Owned arrays stay the owners' to free. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.pool?.dispose();
    for (const s of this.scratch) if (s) this.exports.free(s.ptr);
    this.scratch.length = 0;
  }

  f32(length: number): WasmF32Array {
    return new WasmF32Array(this, this.allocBytes(length * 4), length);
  }

  i32(length: number): WasmI32Array {
    return new WasmI32Array(this, this.allocBytes(length * 4), length);
  }

  /** A Float32Array owned by the engine, filled with a copy of `data`. */
  f32From(data: ArrayLike<number>): WasmF32Array {
    const a = this.f32(data.length);
    a.view.set(data);
    return a;
  }

  /**
   * A new engine-owned copy of `src`. Allocating can grow wasm memory, which detaches every view
   * taken before it, so the source is read through a fresh view after the allocation (never pass
   * `src.view` to {@link f32From}).
   */
  f32Copy(src: WasmF32Array): WasmF32Array {
    const a = this.f32(src.length);
    a.view.set(src.view);
    return a;
  }

  i32From(data: ArrayLike<number>): WasmI32Array {
    const a = this.i32(data.length);
    a.view.set(data);
    return a;
  }

  /** Bytes currently allocated through this engine and not yet freed (leak checks in tests). */
  get allocatedBytes(): number {
    return this.liveBytes;
  }

  get allocationCount(): number {
    return this.liveCount;
  }

  /** @internal */
  allocBytes(bytes: number): number {
    if (!Number.isInteger(bytes) || bytes < 0) throw new RangeError(`cannot allocate ${bytes} bytes`);
    if (bytes === 0) return 0;
    const ptr = this.rawAlloc(bytes, "");
    this.liveBytes += bytes;
    this.liveCount++;
    return ptr;
  }

  /**
   * The kernels' allocator, guarded: a request over its block limit or beyond what the memory can
   * grow to is a {@link SizeLimitError} naming the bytes and the limit, not a wasm trap. (The
   * configuration checks of memory-plan.ts refuse such runs earlier, with the setting to lower.)
   */
  private rawAlloc(bytes: number, what: string): number {
    const limit = (needed: number, cap: number, text: string) =>
      new SizeLimitError(
        `allocating ${formatBytes(bytes)}${what} needs ${text}; lower the sizes of the run (dimension, batch, negatives, K)`,
        null,
        needed,
        cap,
      );
    if (bytes > WASM_BUFFER_LIMIT_BYTES) throw limit(bytes, WASM_BUFFER_LIMIT_BYTES, `one block larger than the 1 GiB the kernels' allocator hands out`);
    const held = this.memory.buffer.byteLength;
    let ptr: number;
    try {
      // Addresses from 2 GiB up come back from wasm as negative i32: read them unsigned.
      ptr = this.exports.alloc(bytes) >>> 0;
    } catch (e) {
      if (!(e instanceof WebAssembly.RuntimeError)) throw e;
      ptr = 0;
    }
    if (ptr === 0)
      throw limit(
        held + bytes,
        WASM_MEMORY_LIMIT_BYTES,
        `more wasm memory than the ${formatBytes(WASM_MEMORY_LIMIT_BYTES)} a WebAssembly memory can hold (${formatBytes(this.liveBytes)} in use, ${formatBytes(held)} reserved)`,
      );
    return ptr;
  }

  /** @internal */
  freeBytes(ptr: number, bytes: number): void {
    if (ptr === 0) return;
    this.exports.free(ptr);
    this.liveBytes -= bytes;
    this.liveCount--;
  }
}

abstract class WasmArray<V extends Float32Array | Int32Array> {
  private cached: V | undefined;
  private freed = false;

  constructor(
    readonly instance: WasmInstance,
    private pointer: number,
    readonly length: number,
  ) {}

  /** Byte offset in wasm memory; 0 for an empty array. */
  get ptr(): number {
    if (this.freed) throw new Error("wasm array used after free()");
    return this.pointer;
  }

  /**
   * A typed view on the data. Re-created whenever wasm memory has grown (growth detaches the
   * old buffer), so always read it through this getter rather than keeping it across calls.
   */
  get view(): V {
    const buffer = this.instance.memory.buffer;
    const v = this.cached;
    if (v !== undefined && v.buffer === buffer) return v;
    if (this.freed) throw new Error("wasm array used after free()");
    this.cached = this.makeView(buffer, this.pointer, this.length);
    return this.cached;
  }

  protected abstract makeView(buffer: ArrayBuffer, ptr: number, length: number): V;

  get isFreed(): boolean {
    return this.freed;
  }

  free(): void {
    if (this.freed) return;
    this.instance.freeBytes(this.pointer, this.length * 4);
    this.freed = true;
    this.cached = undefined;
    this.pointer = 0;
  }
}

export class WasmF32Array extends WasmArray<Float32Array> {
  protected makeView(buffer: ArrayBuffer, ptr: number, length: number): Float32Array {
    return new Float32Array(buffer, ptr, length);
  }
}

export class WasmI32Array extends WasmArray<Int32Array> {
  protected makeView(buffer: ArrayBuffer, ptr: number, length: number): Int32Array {
    return new Int32Array(buffer, ptr, length);
  }
}

/** Frees every owner given, ignoring ones already freed or absent. */
export function freeAll(...arrays: Array<{ free(): void } | undefined | null>): void {
  for (const a of arrays) a?.free();
}

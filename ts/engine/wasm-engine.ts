import type { KernelVariant } from "./capabilities.js";

/** The raw exports of build/longtail.{relaxed,simd,scalar}.wasm: pointers are byte offsets, counts are i32. */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  free(ptr: number): void;

  dot(a: number, b: number, n: number): number;
  rowwise_dot(a: number, b: number, n: number, d: number, out: number): void;
  gather_rows(src: number, d: number, indices: number, n: number, dst: number): void;
  scatter_add_rows(dst: number, d: number, indices: number, n: number, src: number): void;

  packed_panel_width(): number;
  packed_items_length(m: number, d: number): number;
  pack_items(q: number, m: number, d: number, out: number): void;
  score_packed(users: number, nUsers: number, d: number, packed: number, m: number, out: number, outStride: number): void;
  /** Benchmark yardstick (assembly/madd-ceiling.ts): `steps` rounds of 10 independent multiply-adds; returns FLOPs per round. */
  madd_ceiling(steps: number): number;
  score_rows_dot(users: number, nUsers: number, d: number, items: number, m: number, out: number, outStride: number): void;
  gemm_nn(a: number, b: number, c: number, M: number, N: number, K: number, accumulate: number): void;
  gemm_tn(a: number, b: number, c: number, M: number, N: number, K: number, accumulate: number): void;
  gemm_nt(a: number, b: number, c: number, M: number, N: number, K: number, accumulate: number): void;
  pool_rows(table: number, d: number, offsets: number, indices: number, weights: number, nRows: number, out: number, accumulate: number): void;
  pool_rows_backward(gradTable: number, d: number, offsets: number, indices: number, weights: number, nRows: number, gradOut: number): void;
  add_scaled_rows(dst: number, src: number, scales: number, n: number, d: number): void;

  softmax_xent(
    scores: number, nRows: number, nCols: number, stride: number, invTemp: number, colBias: number,
    targetOffsets: number, targetIndices: number, rowWeights: number, writeGrad: number,
  ): number;
  lse_rows(scores: number, nRows: number, nCols: number, stride: number, invTemp: number, colBias: number, out: number): void;

  topk_rows(
    scores: number, nRows: number, nCols: number, stride: number, k: number,
    exclOffsets: number, exclIndices: number, outIndices: number, outScores: number,
  ): void;
  count_above(scores: number, n: number, threshold: number): number;

  project_out(rows: number, n: number, d: number, direction: number, alpha: number): void;
  l2_normalize_rows(rows: number, n: number, d: number): void;

  sgd_rows(params: number, d: number, rows: number, nRows: number, grads: number, lr: number, l2: number): void;
  adagrad_rows(params: number, accum: number, d: number, rows: number, nRows: number, grads: number, lr: number, eps: number, l2: number): void;
  adam_rows(
    params: number, m: number, v: number, d: number, rows: number, nRows: number, grads: number,
    lr: number, beta1: number, beta2: number, eps: number, step: number, l2: number,
  ): void;

  bpr_batch(
    P: number, Q: number, d: number, users: number, pos: number, neg: number, B: number,
    uSlot: number, iSlot: number, jSlot: number, weights: number, gradU: number, gradI: number,
  ): number;
  bce_batch(
    P: number, Q: number, d: number, users: number, items: number, labels: number, B: number,
    uSlot: number, iSlot: number, weights: number, gradU: number, gradI: number,
  ): number;
  matvec(a: number, n: number, d: number, x: number, out: number): void;
  matvec_t(a: number, n: number, d: number, x: number, out: number): void;
  add_outer(a: number, n: number, d: number, alpha: number, x: number, y: number): void;
  add_to_rows(a: number, n: number, m: number, stride: number, alpha: number, v: number): void;
  accumulate_pair_gradients(
    P: number, Q: number, d: number, users: number, pos: number, neg: number, B: number, scale: number, accP: number, accQ: number,
  ): void;
  accumulate_pointwise_gradients(
    P: number, Q: number, d: number, users: number, items: number, labels: number, B: number, scale: number, accP: number, accQ: number,
  ): void;
}

/**
 * One instantiated kernel module and the memory it owns. The engine hands out
 * {@link WasmF32Array}/{@link WasmI32Array} owners; whoever holds one frees it.
 */
export class WasmEngine {
  readonly exports: KernelExports;
  readonly variant: KernelVariant;
  private liveBytes = 0;
  private liveCount = 0;

  private constructor(instance: WebAssembly.Instance, variant: KernelVariant) {
    this.exports = instance.exports as unknown as KernelExports;
    this.variant = variant;
  }

  /** Instantiate from an already compiled module (the seam every runtime entry goes through). */
  static async fromModule(module: WebAssembly.Module, variant: KernelVariant): Promise<WasmEngine> {
    const instance = await WebAssembly.instantiate(module, {});
    return new WasmEngine(instance, variant);
  }

  get memory(): WebAssembly.Memory {
    return this.exports.memory;
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
    const ptr = this.exports.alloc(bytes);
    if (ptr === 0) throw new RangeError(`wasm memory exhausted allocating ${bytes} bytes`);
    this.liveBytes += bytes;
    this.liveCount++;
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
    readonly engine: WasmEngine,
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
    const buffer = this.engine.memory.buffer;
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
    this.engine.freeBytes(this.pointer, this.length * 4);
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

/**
 * A block of watch-history contexts laid out for the pooling kernel: CSR offsets, the items of
 * every context, and (recency weighting) a weight per item. A context is the last `maxHistory`
 * items of a time-ordered history slice; the buffers live in wasm memory owned by this object.
 */
import type { WasmInstance, WasmF32Array, WasmI32Array } from "../kernels/wasm-instance.js";
import { freeAll } from "../kernels/wasm-instance.js";
import type { HistoryWeighting } from "../two-tower/config.js";

/** The weight of the item `age` places before the newest one of a context (recency weighting). */
export function recencyWeight(age: number, halfLife: number): number {
  return Math.pow(2, -age / halfLife);
}

export class ContextBatch {
  readonly offsets: WasmI32Array;
  readonly items: WasmI32Array;
  /** Null for uniform weighting (the kernel then takes the plain mean). */
  readonly weights: WasmF32Array | null;
  /** Weights oldest-first for a full context: a context of n items takes the last n. */
  private readonly weightsByPlace: Float32Array | null;
  rows = 0;
  entries = 0;

  constructor(
    engine: WasmInstance,
    readonly capacity: number,
    readonly maxHistory: number,
    weighting: HistoryWeighting,
    halfLife: number,
  ) {
    this.offsets = engine.i32(capacity + 1);
    this.items = engine.i32(Math.max(1, capacity * maxHistory));
    this.weights = weighting === "recency" ? engine.f32(Math.max(1, capacity * maxHistory)) : null;
    this.weightsByPlace =
      weighting === "recency" ? Float32Array.from({ length: maxHistory }, (_, place) => recencyWeight(maxHistory - 1 - place, halfLife)) : null;
    this.offsets.view[0] = 0;
  }

  reset(): void {
    this.rows = 0;
    this.entries = 0;
  }

  /** Append the context source[max(start, end − maxHistory) .. end). */
  add(source: Int32Array, start: number, end: number): void {
    if (this.rows >= this.capacity) throw new RangeError(`ContextBatch: more than its capacity of ${this.capacity} contexts`);
    const from = Math.max(start, end - this.maxHistory);
    const n = end - from;
    this.items.view.set(source.subarray(from, end), this.entries);
    if (this.weights) this.weights.view.set(this.weightsByPlace!.subarray(this.maxHistory - n), this.entries);
    this.entries += n;
    this.rows++;
    this.offsets.view[this.rows] = this.entries;
  }

  dispose(): void {
    freeAll(this.offsets, this.items, this.weights);
  }
}

/**
 * What the runtime can hold: the limits of wasm memory and of the kernels' allocator, the JS heap
 * limit a runtime entry registers, and the error a request over them becomes. The engine guards
 * its allocations with these; ts/train/memory-plan.ts checks a run's estimate against them first.
 *
 * Runtime-neutral: the JS heap limit is injected by the runtime entry, never looked up here.
 */

/** 65536 pages of 64 KiB: the most a wasm32 memory can grow to. */
export const WASM_MEMORY_LIMIT_BYTES = 65536 * 65536;
/** The largest block the kernels' allocator hands out (AssemblyScript TLSF: BLOCK_MAXSIZE = 2^30 − 4). */
export const WASM_BUFFER_LIMIT_BYTES = 2 ** 30 - 16;
/** V8's longest string (2^29 − 24 characters): a generated text file cannot be longer. */
export const MAX_STRING_LENGTH = 2 ** 29 - 24;

export interface MemoryLimits {
  /** Bytes one wasm memory can hold. */
  readonly wasmBytes: number;
  /** Bytes of the largest single wasm allocation. */
  readonly wasmBufferBytes: number;
  /** Bytes of JavaScript memory the runtime allows, or null when unknown (not checked). */
  readonly jsBytes: number | null;
}

let jsHeapLimit: number | null = null;

/**
 * The runtime's JS heap limit in bytes (Node: `v8.getHeapStatistics().heap_size_limit`), set by
 * the runtime entry; null = unknown, JavaScript memory is then not checked.
 */
export function setJsHeapLimit(bytes: number | null): void {
  if (bytes !== null && !(Number.isFinite(bytes) && bytes > 0)) throw new RangeError(`setJsHeapLimit: bytes must be a positive number or null, got ${bytes}`);
  jsHeapLimit = bytes;
}

/** The limits every check uses unless given others. */
export function memoryLimits(): MemoryLimits {
  return { wasmBytes: WASM_MEMORY_LIMIT_BYTES, wasmBufferBytes: WASM_BUFFER_LIMIT_BYTES, jsBytes: jsHeapLimit };
}

/**
 * A size the user set does not fit: the memory it would need, or the data it must fit in. The CLI
 * prints it as a one-line error (exit status 1).
 */
export class SizeLimitError extends Error {
  constructor(
    message: string,
    /** The setting blamed ("dim", or a CLI flag "--dim"), when one is. */
    readonly setting: string | null,
    /** Bytes the request needs, and the limit it exceeds (both 0 for a count limit). */
    readonly neededBytes = 0,
    readonly limitBytes = 0,
  ) {
    super(message);
    this.name = "SizeLimitError";
  }
}

/** "38.1 GiB", "512.0 MiB", "4 GiB" (whole numbers without decimals). */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
  let v = bytes,
    u = 0;
  while (v >= 1023.95 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return `${Math.round(v)} B`;
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[u]}`;
}

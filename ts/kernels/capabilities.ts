/**
 * The one place that asks the runtime what it can do. Everything else reads these answers
 * instead of probing on its own, so a build variant is chosen the same way everywhere.
 */

// A minimal module whose only function uses a SIMD opcode (i8x16.popcnt): it validates
// exactly when the engine implements the fixed-width SIMD proposal.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

// The same shape with one relaxed-SIMD opcode: () -> v128 returning
// f32x4.relaxed_madd(i32x4.splat 0, i32x4.splat 0, i32x4.splat 0). It validates exactly when the
// engine implements relaxed SIMD (Node >= 22, Deno, Chromium >= 114; Node 20 behind a V8 flag).
const RELAXED_SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 19, 1, 17, 0, 65, 0, 253, 17, 65, 0, 253, 17, 65, 0, 253, 17, 253, 133, 2, 11,
]);

/**
 * The kernel builds, fastest first: `relaxed` (SIMD + relaxed SIMD: fused multiply-add in the hot
 * loops), `simd` (fixed-width SIMD), `scalar` (no SIMD at all).
 */
export type KernelVariant = "relaxed" | "simd" | "scalar";

/** Every build, in the order preferredVariant tries them. */
export const KERNEL_VARIANTS: readonly KernelVariant[] = ["relaxed", "simd", "scalar"];

export type RuntimeName = "node" | "deno" | "workerd" | "browser" | "unknown";

export interface Capabilities {
  readonly runtime: RuntimeName;
  readonly wasmSimd: boolean;
  /** Relaxed SIMD (f32x4.relaxed_madd) validates: the `relaxed` build can run. */
  readonly wasmRelaxedSimd: boolean;
  readonly hardwareConcurrency: number;
  /**
   * A shared WebAssembly.Memory can be created here: what the kernels' thread pool needs. False in
   * Cloudflare Workers and in pages that are not cross-origin isolated (COOP same-origin + COEP
   * require-corp).
   */
  readonly sharedMemory: boolean;
  /** This thread may block in Atomics.wait (false on a page's main thread, which may only spin). */
  readonly atomicsWait: boolean;
  /** Why there is no shared memory here, when there is none. */
  readonly sharedMemoryReason?: string;
}

let cached: Capabilities | undefined;

/**
 * What this runtime supports. The answer is cached; `refresh` probes again (the Node entry does so
 * after switching on relaxed SIMD, which changes the answer).
 */
export function detectCapabilities(options: { refresh?: boolean } = {}): Capabilities {
  if (cached && !options.refresh) return cached;
  const g = globalThis as Record<string, any>;
  let runtime: RuntimeName = "unknown";
  if (typeof g.Deno === "object") runtime = "deno";
  else if (typeof g.navigator === "object" && g.navigator?.userAgent === "Cloudflare-Workers") runtime = "workerd";
  else if (typeof g.process === "object" && g.process?.versions?.node) runtime = "node";
  else if (typeof g.document === "object" || typeof g.importScripts === "function") runtime = "browser";
  const wasmSimd = validates(SIMD_PROBE);
  const wasmRelaxedSimd = wasmSimd && validates(RELAXED_SIMD_PROBE);
  const hardwareConcurrency = Number(g.navigator?.hardwareConcurrency) || 1;
  const shared = probeSharedMemory(g);
  cached = {
    runtime,
    wasmSimd,
    wasmRelaxedSimd,
    hardwareConcurrency,
    sharedMemory: shared.ok,
    atomicsWait: shared.ok && probeAtomicsWait(),
    ...(shared.ok ? {} : { sharedMemoryReason: shared.reason }),
  };
  return cached;
}

function probeSharedMemory(g: Record<string, any>): { ok: true } | { ok: false; reason: string } {
  if (g.crossOriginIsolated === false) {
    return {
      ok: false,
      reason:
        "this page is not cross-origin isolated: serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp",
    };
  }
  if (typeof SharedArrayBuffer !== "function") return { ok: false, reason: "this runtime has no SharedArrayBuffer" };
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: `this runtime cannot create a shared WebAssembly memory (${(e as Error).message})` };
  }
}

function probeAtomicsWait(): boolean {
  try {
    // Returns "not-equal" at once where waiting is allowed; throws on a page's main thread.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** True when the module validates; false also where validation itself is unavailable or throws. */
function validates(probe: Uint8Array<ArrayBuffer>): boolean {
  try {
    return WebAssembly.validate(probe);
  } catch {
    return false;
  }
}

export interface VariantChoice {
  /** Whether the relaxed-SIMD build may be chosen (default true; false picks at most `simd`). */
  readonly relaxedSimd?: boolean;
}

/** The kernel build cannot be chosen as asked (one this runtime cannot run, a bad setting); the message says what to do. */
export class KernelUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KernelUnavailableError";
  }
}

/** The fastest build the given capabilities can run: relaxed, else simd, else scalar. */
export function chooseVariant(caps: Pick<Capabilities, "wasmSimd" | "wasmRelaxedSimd">, options: VariantChoice = {}): KernelVariant {
  if (caps.wasmRelaxedSimd && (options.relaxedSimd ?? true)) return "relaxed";
  return caps.wasmSimd ? "simd" : "scalar";
}

/** The kernel build this runtime should load unless the caller insists on one. */
export function preferredVariant(options: VariantChoice = {}): KernelVariant {
  return chooseVariant(detectCapabilities(), options);
}

/**
 * The one place that asks the runtime what it can do. Everything else reads these answers
 * instead of probing on its own, so a build variant is chosen the same way everywhere.
 */

// A minimal module whose only function uses a SIMD opcode (i8x16.popcnt): it validates
// exactly when the engine implements the fixed-width SIMD proposal.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15,
  253, 98, 11,
]);

export type KernelVariant = "simd" | "scalar";

export type RuntimeName = "node" | "deno" | "workerd" | "browser" | "unknown";

export interface Capabilities {
  readonly runtime: RuntimeName;
  readonly wasmSimd: boolean;
  readonly hardwareConcurrency: number;
}

let cached: Capabilities | undefined;

export function detectCapabilities(): Capabilities {
  if (cached) return cached;
  const g = globalThis as Record<string, any>;
  let runtime: RuntimeName = "unknown";
  if (typeof g.Deno === "object") runtime = "deno";
  else if (typeof g.navigator === "object" && g.navigator?.userAgent === "Cloudflare-Workers") runtime = "workerd";
  else if (typeof g.process === "object" && g.process?.versions?.node) runtime = "node";
  else if (typeof g.document === "object" || typeof g.importScripts === "function") runtime = "browser";
  let wasmSimd = false;
  try {
    wasmSimd = WebAssembly.validate(SIMD_PROBE);
  } catch {
    wasmSimd = false;
  }
  const hardwareConcurrency = Number(g.navigator?.hardwareConcurrency) || 1;
  cached = { runtime, wasmSimd, hardwareConcurrency };
  return cached;
}

/** The kernel build this runtime should load unless the caller insists on one. */
export function preferredVariant(): KernelVariant {
  return detectCapabilities().wasmSimd ? "simd" : "scalar";
}

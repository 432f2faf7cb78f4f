import type { Kernels } from "./kernels.js";

/**
 * The kernels a model loads for itself on first use, when none were given: each runtime entry
 * (node.ts, browser.ts, workerd.ts) registers how its runtime loads them, so the runtime-neutral
 * models need no loader of their own. Loaded once and shared by every model of the process.
 */
let loader: (() => Promise<Kernels>) | null = null;
let shared: Promise<Kernels> | null = null;

export function setDefaultKernelsLoader(load: () => Promise<Kernels>): void {
  loader = load;
  shared = null;
}

export function defaultKernels(): Promise<Kernels> {
  if (!loader) {
    return Promise.reject(
      new Error(
        "no kernel loader is registered in this runtime: import longtail through its entry for this runtime, or pass kernels (await loadKernels()) to the model",
      ),
    );
  }
  shared ??= loader().catch((e: unknown) => {
    shared = null; // a failed load (e.g. a fetch) is tried again on the next use
    throw e;
  });
  return shared;
}

/** A Kernels object, told from a configuration object (models take either as first argument). */
export function isKernels(value: unknown): value is Kernels {
  return typeof value === "object" && value !== null && "wasm" in value && "threads" in value;
}

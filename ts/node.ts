/**
 * The Node entry: the runtime-neutral core plus what only Node can do (read the .wasm and data
 * files from disk, write files atomically). Nothing else in ts/ imports node: modules except the
 * files under ts/node/.
 */
import { readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import v8 from "node:v8";
import { KernelUnavailableError, detectCapabilities, preferredVariant, type KernelVariant } from "./kernels/capabilities.js";
import type { WasmInstance } from "./kernels/wasm-instance.js";
import { Kernels } from "./kernels/kernels.js";
import { compileKernelModule, type KernelBuild, type LoadKernelsOptions, type UrlReader } from "./kernels/kernel-source.js";
import { startWasmInstance, type ThreadHost } from "./kernels/threads/start-instance.js";
import { nodeThreadSpawner } from "./node/kernel-threads.js";
import { connectNodeWorker } from "./node/worker-connection.js";
import type { RecommenderEngine } from "./worker/engine.js";
import { createEngineIn, type CreateEngineOptions } from "./worker/create-engine.js";
import { setJsHeapLimit } from "./kernels/memory-limits.js";
import { setDefaultKernelsLoader } from "./kernels/default-kernels.js";

export * from "./index.js";

// The size checks (train/memory-plan.ts) weigh JavaScript memory against this runtime's heap limit.
setJsHeapLimit(v8.getHeapStatistics().heap_size_limit);

const compiled = new Map<string, Promise<WebAssembly.Module>>();

/** Node runs pool threads as worker_threads; by default one per core the process may use. */
const NODE_THREADS: ThreadHost = { spawner: nodeThreadSpawner, defaultThreads: availableParallelism() };

/** Environment variable that keeps the Node entry off relaxed SIMD: `LONGTAIL_WASM_RELAXED=0`. */
export const RELAXED_OPT_OUT_ENV = "LONGTAIL_WASM_RELAXED";

/**
 * False when the user set LONGTAIL_WASM_RELAXED=0 (or false/off/no); true when unset, empty or
 * 1/true/on/yes. Any other value is an error that names it.
 */
function relaxedAllowed(): boolean {
  const raw = process.env[RELAXED_OPT_OUT_ENV];
  const value = raw?.trim().toLowerCase() ?? "";
  if (["", "1", "true", "on", "yes"].includes(value)) return true;
  if (["0", "false", "off", "no"].includes(value)) return false;
  throw new KernelUnavailableError(`${RELAXED_OPT_OUT_ENV} must be 0 or 1 (or false/true, off/on, no/yes), got "${raw}"`);
}

/** relaxedAllowed() for the import-time switch, where an error must wait for loadWasmInstance to be seen. */
function relaxedAllowedOrOff(): boolean {
  try {
    return relaxedAllowed();
  } catch {
    return false;
  }
}

// Node 20's V8 (11.3) implements relaxed SIMD but validates it only behind a flag (Node >= 22 ships
// it on). Switching the flag on at run time, before any kernel module is compiled, is what lets the
// `relaxed` build (fused multiply-add: 1.2-1.5x the SIMD build's scoring speed here, by run) be chosen.
// Done once, on import, only where the probe fails, and never when the user opted out.
if (relaxedAllowedOrOff() && !detectCapabilities().wasmRelaxedSimd) {
  v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
  detectCapabilities({ refresh: true });
}

/** Path of a kernel build shipped in the package (build/longtail.<variant>.wasm, or .threads.wasm: shared memory). */
export function wasmPath(variant: KernelVariant, build: KernelBuild = { threads: false }): URL {
  return new URL(`../../build/longtail.${variant}${build.threads ? ".threads" : ""}.wasm`, import.meta.url);
}

/**
 * Compile (once per process) and instantiate the kernel build for this runtime: `relaxed` where
 * relaxed SIMD validates (and LONGTAIL_WASM_RELAXED is not 0), else `simd`, else `scalar`.
 * `variant` forces one build; one this runtime cannot run is a KernelUnavailableError. The kernels
 * run on `threads` threads (default: every core this process may use, `os.availableParallelism()`).
 */
export async function loadWasmInstance(options: LoadKernelsOptions = {}): Promise<WasmInstance> {
  const variant = options.variant ?? preferredVariant({ relaxedSimd: relaxedAllowed() });
  assertRunnable(variant);
  const moduleFor = async (build: KernelBuild): Promise<WebAssembly.Module> => {
    if (options.wasm !== undefined) {
      const source = typeof options.wasm === "function" ? await options.wasm(variant, build) : options.wasm;
      return compileKernelModule(source, readFileUrl);
    }
    const key = `${variant}${build.threads ? ".threads" : ""}`;
    let module = compiled.get(key);
    if (!module) {
      module = readFile(wasmPath(variant, build)).then((bytes) => WebAssembly.compile(bytes));
      compiled.set(key, module);
      module.catch(() => compiled.delete(key));
    }
    return module;
  };
  return startWasmInstance(moduleFor, variant, options.threads, NODE_THREADS);
}

/**
 * @deprecated Renamed {@link loadWasmInstance}: "engine" now means createEngine's RecommenderEngine
 * only. Most code wants loadKernels(). This alias goes in the next minor release.
 */
export const loadEngine = loadWasmInstance;

/** Node 20's fetch cannot read file: URLs: read them from disk. */
const readFileUrl: UrlReader = (url) => (url.protocol === "file:" ? readFile(url) : undefined);

/** A forced build this runtime cannot validate is an error that says what to use instead. */
function assertRunnable(variant: KernelVariant): void {
  const caps = detectCapabilities();
  if (variant === "relaxed" && !caps.wasmRelaxedSimd) {
    const why = relaxedAllowed()
      ? "this runtime does not validate WebAssembly relaxed SIMD"
      : `${RELAXED_OPT_OUT_ENV}=${process.env[RELAXED_OPT_OUT_ENV]} kept it switched off`;
    throw new KernelUnavailableError(`kernel build "relaxed" cannot run: ${why}; load variant "${caps.wasmSimd ? "simd" : "scalar"}" instead`);
  }
  if (variant === "simd" && !caps.wasmSimd) {
    throw new KernelUnavailableError(`kernel build "simd" cannot run: this runtime does not validate WebAssembly SIMD; load variant "scalar" instead`);
  }
}

/** The kernels for this process: `const kernels = await loadKernels()`, then `new MatrixFactorization(kernels, {...})`. */
export async function loadKernels(options: LoadKernelsOptions = {}): Promise<Kernels> {
  return new Kernels(await loadWasmInstance(options));
}

/**
 * A {@link RecommenderEngine} in a worker_threads worker (`thread: "auto"` falls back to this
 * thread when the worker cannot be created; the engine's `mode` and `reason` say which).
 */
// Models given no kernels load these on first use.
setDefaultKernelsLoader(() => loadKernels());

export function createEngine(options: CreateEngineOptions = {}): Promise<RecommenderEngine> {
  return createEngineIn({ workerKind: "a Node worker_threads worker", connect: connectNodeWorker, loadKernels }, options);
}

export type { CreateEngineOptions } from "./worker/create-engine.js";

export { fileSource, loadTrainTest, type LoadedData, type LoadTrainTestOptions, type UnknownInTest } from "./node/dataset-files.js";
export { writeFileAtomic, AtomicWriteError } from "./node/atomic-write.js";

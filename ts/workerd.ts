/**
 * The Cloudflare Workers entry (workerd). Workers forbid compiling WebAssembly at run time, so the
 * kernel builds are imported as modules: wrangler, esbuild with the bundle script, or miniflare
 * hand them in compiled. No Worker can be created there, so the engine runs in the request's thread.
 */
import relaxedModule from "../../build/longtail.relaxed.wasm";
import simdModule from "../../build/longtail.simd.wasm";
import scalarModule from "../../build/longtail.scalar.wasm";
import { KernelLoader, type LoadKernelsOptions } from "./kernels/kernel-source.js";
import type { KernelVariant } from "./kernels/capabilities.js";
import type { Kernels } from "./kernels/kernels.js";
import type { WasmInstance } from "./kernels/wasm-instance.js";
import type { RecommenderEngine } from "./worker/engine.js";
import { createEngineIn, type CreateEngineOptions } from "./worker/create-engine.js";
import { setDefaultKernelsLoader } from "./kernels/default-kernels.js";

export * from "./index.js";

const MODULES: Record<KernelVariant, WebAssembly.Module> = { relaxed: relaxedModule, simd: simdModule, scalar: scalarModule };

// Workers have no threads and no shared memory: the kernels always run in the request's thread.
const loader = new KernelLoader((variant) => MODULES[variant], { spawner: { unavailable: "Cloudflare Workers cannot start threads" }, defaultThreads: 1 });

/** The kernel engine; `wasm` may replace the imported module (a URL or bytes cannot be compiled in a Worker: pass a Module). */
export function loadWasmInstance(options: LoadKernelsOptions = {}): Promise<WasmInstance> {
  return loader.wasmInstance(options);
}

/**
 * @deprecated Renamed {@link loadWasmInstance}: "engine" now means createEngine's RecommenderEngine
 * only. Most code wants loadKernels(). This alias goes in the next minor release.
 */
export const loadEngine = loadWasmInstance;

/** The kernels for this Worker: instantiated from the imported module, no code generation at run time. */
export function loadKernels(options: LoadKernelsOptions = {}): Promise<Kernels> {
  return loader.kernels(options);
}

// Models given no kernels load these on first use.
setDefaultKernelsLoader(() => loadKernels());

/** The engine API in this thread (a Worker cannot start Web Workers); `thread: "worker"` is an error that says so. */
export function createEngine(options: CreateEngineOptions = {}): Promise<RecommenderEngine> {
  return createEngineIn({ workerKind: "a Web Worker", connect: () => ({ unavailable: "Cloudflare Workers cannot start Web Workers" }), loadKernels }, options);
}

export type { CreateEngineOptions } from "./worker/create-engine.js";

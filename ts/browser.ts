/**
 * The browser entry (also behind the "deno" condition: Deno runs the same web code): the
 * runtime-neutral core plus kernels fetched and compiled streaming from a URL, by default the
 * .wasm next to this module, and the engine in a module Web Worker.
 */
import type { RecommenderEngine } from "./worker/engine.js";
import { KernelLoader, type KernelBuild, type LoadKernelsOptions } from "./kernels/kernel-source.js";
import { detectCapabilities, type KernelVariant } from "./kernels/capabilities.js";
import { webThreadSpawner } from "./kernels/threads/web-threads.js";
import type { Kernels } from "./kernels/kernels.js";
import type { WasmInstance } from "./kernels/wasm-instance.js";
import { connectWebWorker, createEngineIn, type CreateEngineOptions } from "./worker/create-engine.js";
import { setDefaultKernelsLoader } from "./kernels/default-kernels.js";

export * from "./index.js";

// The bundles (npm run build:bundles) put the .wasm files and the worker script beside the bundle
// and set these at build time; the package's own files keep them under build/ and dist/ts/worker/.
declare const __LONGTAIL_WASM_DIR__: string | undefined;
declare const __LONGTAIL_WORKER_FILE__: string | undefined;
const WASM_DIR = typeof __LONGTAIL_WASM_DIR__ === "string" ? __LONGTAIL_WASM_DIR__ : "../../build/";
const WORKER_FILE = typeof __LONGTAIL_WORKER_FILE__ === "string" ? __LONGTAIL_WORKER_FILE__ : "./worker/web-worker.js";

/** Where the kernel build is fetched from by default: next to this module (`.threads.wasm`: the shared-memory build). */
export function wasmUrl(variant: KernelVariant, build: KernelBuild = { threads: false }): URL {
  return new URL(`${WASM_DIR}longtail.${variant}${build.threads ? ".threads" : ""}.wasm`, import.meta.url);
}

/** The module Worker script the engine runs in by default. */
export function workerUrl(): URL {
  return new URL(WORKER_FILE, import.meta.url);
}

// Pool threads are module Web Workers. Deno keeps a process alive while any Worker lives, so there
// idle threads stop after a second (and start again on the next call); pages keep theirs.
const isDeno = typeof (globalThis as { Deno?: unknown }).Deno === "object";
const loader = new KernelLoader(wasmUrl, {
  spawner: webThreadSpawner(),
  defaultThreads: detectCapabilities().hardwareConcurrency,
  idleShutdownMs: isDeno ? 1000 : undefined,
});

/** The kernel engine: `wasm` may be a compiled WebAssembly.Module, bytes, a URL or a Response (default {@link wasmUrl}). */
export function loadWasmInstance(options: LoadKernelsOptions = {}): Promise<WasmInstance> {
  return loader.wasmInstance(options);
}

/**
 * @deprecated Renamed {@link loadWasmInstance}: "engine" now means createEngine's RecommenderEngine
 * only. Most code wants loadKernels(). This alias goes in the next minor release.
 */
export const loadEngine = loadWasmInstance;

/** The kernels for this page or worker: `const kernels = await loadKernels()`, then `new MatrixFactorization(kernels, {...})`. */
export function loadKernels(options: LoadKernelsOptions = {}): Promise<Kernels> {
  return loader.kernels(options);
}

// Models given no kernels load these on first use.
setDefaultKernelsLoader(() => loadKernels());

/**
 * A {@link RecommenderEngine} in a module Web Worker where one can be created (`workerUrl` to
 * serve the worker script from elsewhere), else in this thread (extension service workers).
 */
export function createEngine(options: CreateEngineOptions & { workerUrl?: string | URL } = {}): Promise<RecommenderEngine> {
  const { workerUrl: url, ...rest } = options;
  return createEngineIn(
    { workerKind: "a module Web Worker", connect: () => connectWebWorker(new URL(String(url ?? workerUrl()), import.meta.url)), loadKernels },
    rest,
  );
}

export type { CreateEngineOptions } from "./worker/create-engine.js";

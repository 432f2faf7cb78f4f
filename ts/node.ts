/**
 * The Node entry: the runtime-neutral core plus what only Node can do (read the .wasm and data
 * files from disk, write files atomically). Nothing else in ts/ imports node: modules except the
 * files under ts/node/.
 */
import { readFile } from "node:fs/promises";
import { preferredVariant, type KernelVariant } from "./engine/capabilities.js";
import { WasmEngine } from "./engine/wasm-engine.js";
import { Kernels } from "./engine/kernels.js";

export * from "./index.js";

const compiled = new Map<KernelVariant, Promise<WebAssembly.Module>>();

/** Path of a kernel build shipped in the package (build/longtail.<variant>.wasm). */
export function wasmPath(variant: KernelVariant): URL {
  return new URL(`../../build/longtail.${variant}.wasm`, import.meta.url);
}

/** Compile (once per process) and instantiate the kernel build for this runtime. */
export async function loadEngine(options: { variant?: KernelVariant } = {}): Promise<WasmEngine> {
  const variant = options.variant ?? preferredVariant();
  let module = compiled.get(variant);
  if (!module) {
    module = readFile(wasmPath(variant)).then((bytes) => WebAssembly.compile(bytes));
    compiled.set(variant, module);
  }
  return WasmEngine.fromModule(await module, variant);
}

/** The kernels for this process: `const kernels = await loadKernels()`, then `new MatrixFactorization(kernels, {...})`. */
export async function loadKernels(options: { variant?: KernelVariant } = {}): Promise<Kernels> {
  return new Kernels(await loadEngine(options));
}

export { fileSource, loadTrainTest, type LoadedData, type LoadTrainTestOptions, type UnknownInTest } from "./node/dataset-files.js";
export { writeFileAtomic, AtomicWriteError } from "./node/atomic-write.js";

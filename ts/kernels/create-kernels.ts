import { preferredVariant, type KernelVariant } from "./capabilities.js";
import { Kernels } from "./kernels.js";
import { WasmInstance } from "./wasm-instance.js";

/**
 * Kernels from a compiled kernel module: the seam every runtime goes through (Workers import the
 * .wasm as a module, browsers and Deno compile it streaming, Node reads it from disk).
 */
export async function createKernels(module: WebAssembly.Module, variant: KernelVariant = preferredVariant()): Promise<Kernels> {
  return new Kernels(await WasmInstance.fromModule(module, variant));
}

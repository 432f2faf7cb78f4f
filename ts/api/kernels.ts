/** longtail/kernels: the wasm kernels, their builds and the seeded generator, for code that computes with them directly. */
export {
  detectCapabilities,
  preferredVariant,
  chooseVariant,
  KERNEL_VARIANTS,
  KernelUnavailableError,
  type Capabilities,
  type KernelVariant,
  type VariantChoice,
} from "../kernels/capabilities.js";
export { WasmInstance, WasmF32Array, WasmI32Array, freeAll } from "../kernels/wasm-instance.js";
export { Kernels } from "../kernels/kernels.js";
export { createKernels } from "../kernels/create-kernels.js";
export {
  compileKernelModule,
  KernelLoader,
  assertVariantRunnable,
  type WasmSource,
  type WasmSourceOption,
  type LoadKernelsOptions,
  type UrlReader,
} from "../kernels/kernel-source.js";
export { SizeLimitError } from "../kernels/memory-limits.js";
export { Rng, DEFAULT_SEED } from "../util/rng.js";

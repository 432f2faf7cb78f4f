/**
 * longtail's runtime-neutral core. It never touches a file system or a network: the per-runtime
 * entries (ts/node.ts, ...) compile the .wasm their own way and pass a WebAssembly.Module in.
 */
export { detectCapabilities, preferredVariant, type Capabilities, type KernelVariant } from "./engine/capabilities.js";
export { WasmEngine, WasmF32Array, WasmI32Array } from "./engine/wasm-engine.js";
export { Kernels } from "./engine/kernels.js";
export { Rng } from "./util/rng.js";

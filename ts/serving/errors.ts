/**
 * The WebGPU path cannot serve this request: no `navigator.gpu`, no adapter, a device that could
 * not be created or was lost, a GPU error, or a request beyond what the kernels support. Backend
 * `auto` answers it by falling back to wasm; backend `webgpu` passes it on.
 */
export class GpuUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "GpuUnavailableError";
  }
}

/**
 * The WebGPU objects the public API takes and hands back, as small structural types of its own.
 * The published .d.ts files never name the global GPU* types: those come from @webgpu/types, a
 * devDependency here, so a consumer that checks library types (`skipLibCheck: false`) would fail
 * on them without it. Every real object fits these: `navigator.gpu` of a browser or Deno, or
 * `create([...])` of npm `webgpu` (Dawn) in Node, and the adapters and devices they give. Inside,
 * the code casts them to the real types.
 */

/** Options for requestAdapter (GPURequestAdapterOptions). */
export interface WebGpuAdapterOptions {
  /** "core" or "compatibility" (Dawn's OpenGL ES backend needs "compatibility"). */
  featureLevel?: string;
  powerPreference?: "low-power" | "high-performance";
  forceFallbackAdapter?: boolean;
  xrCompatible?: boolean;
}

/** A WebGPU device (GPUDevice). */
export interface WebGpuDevice {
  readonly limits: object;
  readonly queue: object;
  /** Settles when the device is lost (GPUDeviceLostInfo). */
  readonly lost: Promise<unknown>;
  destroy(): void;
}

/** A WebGPU adapter (GPUAdapter). */
export interface WebGpuAdapter {
  /** GPUAdapterInfo: vendor, architecture, device, description (absent in older implementations). */
  readonly info?: object;
  readonly limits: object;
  requestDevice(descriptor?: object): Promise<WebGpuDevice>;
}

/** A WebGPU entry point (GPU): `navigator.gpu`, or `create([...])` of npm `webgpu` in Node. */
export interface WebGpuEntry {
  requestAdapter(options?: WebGpuAdapterOptions): Promise<WebGpuAdapter | null>;
}

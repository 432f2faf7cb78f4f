/**
 * Telling a hardware GPU from a software adapter. Backend `auto` uses WebGPU only on hardware:
 * software rasterisers (Mesa lavapipe/llvmpipe under Vulkan or GLES, SwiftShader in Chromium,
 * WARP on Windows) run WGSL on the CPU, 4-30x slower than the wasm kernels here.
 */
import type { WebGpuAdapter } from "./webgpu-handles.js";

const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|softpipe|swiftshader|swrast|software|basic render|\bwarp\b/i;

export interface AdapterDescription {
  /** vendor / architecture / device / description as the adapter reports them, joined. */
  name: string;
  /** True for a fallback (software) adapter or one whose name is a known software renderer. */
  software: boolean;
}

interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
  adapterType?: string;
}

export function describeAdapter(adapter: WebGpuAdapter): AdapterDescription {
  const info = (adapter.info ?? {}) as AdapterInfoLike;
  const fallbackFlag = info.isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false;
  return describeAdapterInfo(info, fallbackFlag);
}

/** The rule on plain values (what {@link describeAdapter} reads off an adapter). */
export function describeAdapterInfo(info: AdapterInfoLike, isFallbackAdapter = info.isFallbackAdapter ?? false): AdapterDescription {
  const parts = [info.vendor, info.architecture, info.device, info.description].filter((s): s is string => typeof s === "string" && s.length > 0);
  const name = parts.join(" / ") || "unnamed adapter";
  const software = isFallbackAdapter === true || info.adapterType?.toLowerCase() === "cpu" || SOFTWARE_ADAPTER.test(name);
  return { name, software };
}

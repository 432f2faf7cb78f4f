/// <reference types="@webgpu/types" />
import type { Kernels } from "../kernels/kernels.js";
import { describeAdapter } from "./adapter.js";
import { GpuUnavailableError } from "./errors.js";
import {
  BACKEND_CHOICES,
  type BackendChoice,
  type ProviderMemory,
  type ServingTables,
  type TopKBackend,
  type TopKLists,
  type UserBlockTopK,
} from "./top-k-provider.js";
import { WasmTopK, type WasmTopKOptions } from "./wasm-top-k.js";
import { QuantizedTopK, type QuantizedServingOptions } from "./quantized-top-k.js";
import { WebGpuTopK, type WebGpuTopKOptions } from "./webgpu-top-k.js";
import type { WebGpuAdapterOptions, WebGpuEntry } from "./webgpu-handles.js";

/**
 * Catalog size from which `auto` serves on WebGPU (when a hardware adapter exists). Provisional,
 * chosen without a GPU to measure on: from 100k items one top-20 call for 256 users costs the wasm
 * kernels about 0.45 s here (bench/webgpu, loaded machine), work a GPU should do far faster; it
 * prints the measured crossover to set this from (docs/webgpu.md). `autoMinItems` overrides it.
 */
export const AUTO_WEBGPU_MIN_ITEMS = 100_000;

export interface TopKProviderOptions extends WebGpuTopKOptions, WasmTopKOptions {
  /** "auto" (default), "wasm" or "webgpu". */
  backend?: BackendChoice;
  /** The WebGPU entry point: default `navigator.gpu` (Deno, browsers); in Node pass `create([...])` of npm `webgpu`. */
  gpu?: WebGpuEntry | null;
  /** Passed to requestAdapter (e.g. `{ featureLevel: "compatibility" }` for Dawn's OpenGL ES backend). */
  adapterOptions?: WebGpuAdapterOptions;
  /** `auto` also takes a software adapter (lavapipe, SwiftShader): for tests of the GPU path on CPUs. */
  allowSoftwareAdapter?: boolean;
  /** `auto` uses WebGPU from this many items on (default {@link AUTO_WEBGPU_MIN_ITEMS}). */
  autoMinItems?: number;
  /**
   * Serve from int8 item codes with an exact re-scoring pass (QuantizedTopK; wasm only, so
   * `backend: "webgpu"` refuses it): `true`, or the refine factor to use (docs/scale.md).
   */
  quantized?: boolean | QuantizedServingOptions;
}

/** Which backend serves, and why (the rule's outcome, an adapter's name, a fallback's cause). */
export interface BackendSelection {
  requested: BackendChoice;
  backend: TopKBackend;
  reason: string;
  adapter?: string;
}

/** A provider plus the record of how it was chosen; under `auto` it may switch to wasm mid-run. */
export interface SelectedTopK extends UserBlockTopK {
  readonly selection: BackendSelection;
}

/**
 * A top-k provider for the tables on the requested backend.
 * - "wasm": the wasm kernels.
 * - "webgpu": WebGPU, any adapter (software ones too); no adapter, a failed device request or a
 *   lost device is a {@link GpuUnavailableError}.
 * - "auto": WebGPU when the catalog has at least `autoMinItems` items and the adapter is hardware
 *   (not a fallback adapter, not a known software renderer: see describeAdapter), else wasm; if
 *   anything on the GPU side fails, then or later (device lost), it continues on wasm.
 */
export async function createTopKProvider(kernels: Kernels, tables: ServingTables, options: TopKProviderOptions = {}): Promise<SelectedTopK> {
  const requested = options.backend ?? "auto";
  if (!BACKEND_CHOICES.includes(requested)) throw new RangeError(`backend must be one of ${BACKEND_CHOICES.join(", ")}, got "${requested}"`);
  const onWasm = (reason: string): SelectedTopK => withSelection(new WasmTopK(kernels, tables, options), { requested, backend: "wasm", reason });
  if (options.quantized) {
    if (requested === "webgpu")
      throw new RangeError(`quantized serving runs on wasm only (docs/scale.md says why): use backend "wasm" or "auto", or leave quantized off`);
    const quantized = new QuantizedTopK(kernels, tables, options.quantized === true ? {} : options.quantized);
    return withSelection(quantized, { requested, backend: "wasm", reason: "int8 quantized items with exact re-scoring (wasm only)" });
  }
  if (requested === "wasm") return onWasm("requested");
  const minItems = options.autoMinItems ?? AUTO_WEBGPU_MIN_ITEMS;
  if (requested === "auto" && tables.nItems < minItems) return onWasm(`catalog of ${tables.nItems} items is below ${minItems}`);
  let gpu: WebGpuTopK;
  let adapterName: string;
  try {
    ({ gpu, adapterName } = await openGpu(tables, options, requested === "auto" && !options.allowSoftwareAdapter));
  } catch (error) {
    if (requested === "webgpu" || !(error instanceof GpuUnavailableError)) throw error;
    return onWasm(error.message);
  }
  const selection: BackendSelection = {
    requested,
    backend: "webgpu",
    reason: requested === "auto" ? `catalog of ${tables.nItems} items >= ${minItems} and a usable adapter` : "requested",
    adapter: adapterName,
  };
  if (requested === "webgpu") return withSelection(gpu, selection);
  return new FallbackTopK(gpu, selection, () => new WasmTopK(kernels, tables, options));
}

async function openGpu(tables: ServingTables, options: TopKProviderOptions, hardwareOnly: boolean): Promise<{ gpu: WebGpuTopK; adapterName: string }> {
  // The public types are structural (webgpu-handles.ts); here they are the real objects.
  const entry = (options.gpu === undefined ? (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu : options.gpu) as GPU | null | undefined;
  if (!entry) throw new GpuUnavailableError("WebGPU is not available here: no navigator.gpu (in Node, pass options.gpu from the npm package `webgpu`)");
  let adapter: GPUAdapter | null;
  try {
    adapter = await entry.requestAdapter({ powerPreference: "high-performance", ...options.adapterOptions });
  } catch (error) {
    throw new GpuUnavailableError(`requesting a WebGPU adapter failed: ${(error as Error).message}`, { cause: error });
  }
  if (!adapter) throw new GpuUnavailableError("no WebGPU adapter is available (requestAdapter returned null)");
  const { name, software } = describeAdapter(adapter);
  if (hardwareOnly && software) throw new GpuUnavailableError(`the WebGPU adapter "${name}" is a software renderer: slower than the wasm kernels`);
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits: usefulLimits(adapter) });
  } catch (error) {
    throw new GpuUnavailableError(`requesting a WebGPU device on "${name}" failed: ${(error as Error).message}`, { cause: error });
  }
  try {
    return { gpu: await WebGpuTopK.create(device, tables, options, { ownsDevice: true }), adapterName: name };
  } catch (error) {
    device.destroy();
    throw error;
  }
}

/** The adapter's own storage limits, so large catalogs need fewer buffers than the spec's defaults allow. */
function usefulLimits(adapter: GPUAdapter): Record<string, number> {
  const l = adapter.limits;
  return { maxStorageBufferBindingSize: l.maxStorageBufferBindingSize, maxBufferSize: l.maxBufferSize };
}

function withSelection<T extends UserBlockTopK>(provider: T, selection: BackendSelection): T & SelectedTopK {
  return Object.assign(provider, { selection });
}

/**
 * `auto` on the GPU: the first GPU failure (device lost, a GPU error, an unsupported request)
 * disposes the GPU side, records why, and answers that call and every later one on wasm.
 */
class FallbackTopK implements SelectedTopK {
  readonly nUsers: number;
  readonly nItems: number;
  private wasm: WasmTopK | null = null;
  constructor(
    private gpu: WebGpuTopK | null,
    readonly selection: BackendSelection,
    private readonly makeWasm: () => WasmTopK,
  ) {
    this.nUsers = gpu!.nUsers;
    this.nItems = gpu!.nItems;
  }

  get backend(): TopKBackend {
    return this.gpu ? "webgpu" : "wasm";
  }

  async topK(users: Int32Array, k: number): Promise<TopKLists> {
    if (this.gpu) {
      try {
        return await this.gpu.topK(users, k);
      } catch (error) {
        if (!(error instanceof GpuUnavailableError)) throw error;
        this.fallBack(error.message);
      }
    }
    return this.wasm!.topK(users, k);
  }

  memory(): ProviderMemory {
    const provider = this.gpu ?? this.wasm;
    if (!provider) throw new Error("this top-k provider was disposed");
    return provider.memory();
  }

  dispose(): void {
    this.gpu?.dispose();
    this.wasm?.dispose();
    this.gpu = null;
    this.wasm = null;
  }

  private fallBack(reason: string): void {
    const gpu = this.gpu!;
    this.wasm = this.makeWasm();
    this.gpu = null;
    gpu.dispose();
    this.selection.backend = "wasm";
    this.selection.reason = `fell back to wasm: ${reason}`;
  }
}

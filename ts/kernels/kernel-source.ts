import { detectCapabilities, KernelUnavailableError, preferredVariant, type KernelVariant } from "./capabilities.js";
import { Kernels } from "./kernels.js";
import type { WasmInstance } from "./wasm-instance.js";
import { startWasmInstance, type ThreadHost } from "./threads/start-instance.js";

/**
 * Where a kernel build comes from: a compiled `WebAssembly.Module` (the only form Cloudflare
 * Workers accept: they forbid compiling at run time), its bytes, a URL (fetched and compiled
 * streaming) or a fetch `Response`.
 */
export type WasmSource = WebAssembly.Module | ArrayBuffer | ArrayBufferView | URL | string | Response;

/** Which file of a variant: the plain build (its own memory) or the .threads build (shared memory, for a thread pool). */
export interface KernelBuild {
  readonly threads: boolean;
}

/**
 * One source for every build, or a function from the chosen build to its source. With more than
 * one thread the function is asked for `{ threads: true }`: longtail.<variant>.threads.wasm.
 */
export type WasmSourceOption = WasmSource | ((variant: KernelVariant, build: KernelBuild) => WasmSource | Promise<WasmSource>);

export interface LoadKernelsOptions {
  /** The build to load (default: the fastest this runtime validates: relaxed, else simd, else scalar). */
  variant?: KernelVariant;
  /** Where the .wasm comes from (default: the entry's own, next to the package's code). */
  wasm?: WasmSourceOption;
  /**
   * Threads the kernels run on, this one included (default: every core the process may use; 1 =
   * this thread only). Where a thread pool cannot run (no shared memory: Cloudflare Workers, a page
   * that is not cross-origin isolated) the kernels run on this thread and `kernels.threads.reason`
   * says why.
   */
  threads?: number;
}

/** How an entry reads a URL it cannot fetch (Node 20's fetch cannot read file: URLs). */
export type UrlReader = (url: URL) => Promise<WasmSource> | undefined;

/**
 * Compile a kernel build from any {@link WasmSource}. URLs are fetched (`readUrl` may take over
 * the ones fetch cannot read) and compiled streaming when the server says `application/wasm`.
 */
export async function compileKernelModule(source: WasmSource, readUrl?: UrlReader): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source as BufferSource);
  if (typeof source === "string" || source instanceof URL) {
    const url = new URL(String(source), pageHref());
    const read = readUrl?.(url);
    if (read) return compileKernelModule(await read);
    let response: Response;
    try {
      response = await fetch(url);
    } catch (e) {
      throw new KernelUnavailableError(
        `cannot fetch the kernel module ${url.href}: ${(e as Error).message}; pass the module, its bytes or a reachable URL as the "wasm" option`,
      );
    }
    return compileKernelModule(response);
  }
  if (!source.ok) {
    throw new KernelUnavailableError(
      `fetching the kernel module ${source.url} failed: HTTP ${source.status} ${source.statusText}; serve the .wasm files next to longtail's code or pass the "wasm" option`,
    );
  }
  if (typeof WebAssembly.compileStreaming !== "function") return WebAssembly.compile(await source.arrayBuffer());
  // Streaming compiles while the bytes arrive. Browsers and Node insist on the application/wasm
  // content type (Deno's file: responses carry none and stream anyway); a server that sends
  // another type still serves the right bytes, so those are compiled from a copy kept aside.
  const aside = source.clone();
  try {
    return await WebAssembly.compileStreaming(source);
  } catch {
    return WebAssembly.compile(await aside.arrayBuffer());
  }
}

/** The page's or worker's own address, against which a relative URL resolves (Deno without --location has none). */
function pageHref(): string | undefined {
  try {
    return (globalThis as { location?: { href?: string } }).location?.href;
  } catch {
    return undefined;
  }
}

/** A build this runtime cannot validate is an error that says which one to load instead. */
export function assertVariantRunnable(variant: KernelVariant): void {
  const caps = detectCapabilities();
  if (variant === "relaxed" && !caps.wasmRelaxedSimd) {
    throw new KernelUnavailableError(
      `kernel build "relaxed" cannot run: this runtime does not validate WebAssembly relaxed SIMD; load variant "${caps.wasmSimd ? "simd" : "scalar"}" instead`,
    );
  }
  if (variant === "simd" && !caps.wasmSimd) {
    throw new KernelUnavailableError(`kernel build "simd" cannot run: this runtime does not validate WebAssembly SIMD; load variant "scalar" instead`);
  }
}

/**
 * The loader every web-style entry (browser, Deno, workerd) shares: picks the build, compiles
 * the default source once per build and process, and compiles a caller's source as given.
 */
export class KernelLoader {
  private readonly compiled = new Map<string, Promise<WebAssembly.Module>>();

  constructor(
    private readonly defaultSource: (variant: KernelVariant, build: KernelBuild) => WasmSource,
    private readonly threadHost: ThreadHost,
    private readonly readUrl?: UrlReader,
  ) {}

  /** The compiled module of one build (the default source's is cached). */
  async module(options: LoadKernelsOptions = {}, build: KernelBuild = { threads: false }): Promise<{ module: WebAssembly.Module; variant: KernelVariant }> {
    const variant = options.variant ?? preferredVariant();
    assertVariantRunnable(variant);
    if (options.wasm !== undefined) {
      const source = typeof options.wasm === "function" ? await options.wasm(variant, build) : options.wasm;
      return { module: await compileKernelModule(source, this.readUrl), variant };
    }
    const key = `${variant}${build.threads ? ".threads" : ""}`;
    let module = this.compiled.get(key);
    if (!module) {
      module = compileKernelModule(this.defaultSource(variant, build), this.readUrl);
      this.compiled.set(key, module);
      module.catch(() => this.compiled.delete(key));
    }
    return { module: await module, variant };
  }

  /** An engine on `options.threads` threads (default: every core), or on this one where a pool cannot run. */
  async wasmInstance(options: LoadKernelsOptions = {}): Promise<WasmInstance> {
    const variant = options.variant ?? preferredVariant();
    assertVariantRunnable(variant);
    return startWasmInstance(async (build) => (await this.module({ ...options, variant }, build)).module, variant, options.threads, this.threadHost);
  }

  async kernels(options: LoadKernelsOptions = {}): Promise<Kernels> {
    return new Kernels(await this.wasmInstance(options));
  }
}

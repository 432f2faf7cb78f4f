import { detectCapabilities, KernelUnavailableError, type KernelVariant } from "../capabilities.js";
import { createKernelMemory, WasmInstance } from "../wasm-instance.js";
import { ThreadPool, type ThreadSpawner } from "./thread-pool.js";
import { CONTROL } from "./control-block.js";

/** What an entry knows about running threads in its runtime. */
export interface ThreadHost {
  /** Starts pool threads, or says why none can be started here. */
  readonly spawner: ThreadSpawner | { unavailable: string };
  /** Threads used when the caller asks for none: every core the process may use. */
  readonly defaultThreads: number;
  /** Stop idle threads after this long (Deno: a live Worker keeps the process from exiting). */
  readonly idleShutdownMs?: number;
}

/** A kernel build as a compiled module: the plain one (its own memory) or the .threads one (shared memory). */
export type ModuleForBuild = (build: { threads: boolean }) => Promise<WebAssembly.Module>;

/** The checked thread count of a `threads` option: a whole number from 1 to 256, or the host's default. */
export function resolveThreadCount(threads: number | undefined, host: Pick<ThreadHost, "defaultThreads">): number {
  if (threads === undefined) return Math.max(1, Math.min(CONTROL.MAX_THREADS, Math.floor(host.defaultThreads) || 1));
  if (!Number.isInteger(threads) || threads < 1 || threads > CONTROL.MAX_THREADS) {
    throw new KernelUnavailableError(`threads must be a whole number from 1 to ${CONTROL.MAX_THREADS} (1 = this thread only), got ${threads}`);
  }
  return threads;
}

/**
 * The engine for `threads` (default: the host's every core). More than one thread needs shared
 * memory, a way to start threads and the .threads build; where any is missing, or the pool fails
 * to start, the same kernels run on this thread and `engine.threads.reason` says why.
 */
export async function startWasmInstance(
  moduleFor: ModuleForBuild,
  variant: KernelVariant,
  threads: number | undefined,
  host: ThreadHost,
): Promise<WasmInstance> {
  const wanted = resolveThreadCount(threads, host);
  const single = async (reason: string) => {
    const engine = await WasmInstance.fromModule(await moduleFor({ threads: false }), variant);
    engine.attachThreads(null, { count: 1, reason });
    return engine;
  };
  const blocker = threadBlocker(host);
  if (wanted === 1) return single(threads === 1 ? "1 thread, as asked (threads: 1)" : `1 thread: ${blocker ?? "this runtime reports one core"}`);
  if (blocker) return single(`1 thread instead of ${wanted}: ${blocker}`);
  const spawn = host.spawner as ThreadSpawner;
  let module: WebAssembly.Module;
  try {
    module = await moduleFor({ threads: true });
  } catch (e) {
    return single(`1 thread instead of ${wanted}: the shared-memory kernel build could not be loaded (${(e as Error).message})`);
  }
  const memory = createKernelMemory(true);
  let engine: WasmInstance;
  try {
    engine = await WasmInstance.fromModule(module, variant, { memory });
  } catch (e) {
    return single(`1 thread instead of ${wanted}: the kernel module given is not a shared-memory (.threads) build (${(e as Error).message})`);
  }
  const control = engine.exports.alloc(ThreadPool.CONTROL_BLOCK_BYTES);
  new Uint8Array(memory.buffer, control, ThreadPool.CONTROL_BLOCK_BYTES).fill(0);
  try {
    const pool = await ThreadPool.start({
      module,
      memory,
      exports: engine.exports as unknown as Record<string, unknown>,
      control,
      threads: wanted,
      spawn,
      canBlock: detectCapabilities().atomicsWait,
      idleShutdownMs: host.idleShutdownMs,
    });
    engine.attachThreads(pool, {
      count: wanted,
      reason: threads === undefined ? `${wanted} threads: every core this process may use` : `${wanted} threads, as asked`,
    });
    return engine;
  } catch (e) {
    return single(`1 thread instead of ${wanted}: starting the thread pool failed (${(e as Error).message})`);
  }
}

/** Why this runtime cannot run a pool, or null when it can. */
export function threadBlocker(host: Pick<ThreadHost, "spawner">): string | null {
  const caps = detectCapabilities();
  if (!caps.sharedMemory) return caps.sharedMemoryReason ?? "no shared memory";
  if ("unavailable" in host.spawner) return host.spawner.unavailable;
  return null;
}

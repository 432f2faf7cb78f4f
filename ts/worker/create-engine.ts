import type { Kernels } from "../kernels/kernels.js";
import type { LoadKernelsOptions } from "../kernels/kernel-source.js";
import { engineThreadOption, InThreadEngine, type EngineThread, type RecommenderEngine } from "./engine.js";
import { WorkerEngine, type WorkerConnection } from "./worker-engine.js";

export interface CreateEngineOptions extends LoadKernelsOptions {
  /** "auto" (default): a worker where one can be created, else this thread; "worker": a worker or an error; "in-thread". */
  thread?: EngineThread;
}

/** What an entry tells the factory about its runtime. */
export interface EngineRuntime {
  /** Where a worker runs (for the engine's `reason`), e.g. "a Node worker_threads worker". */
  readonly workerKind: string;
  /** Creates a worker running the engine, or says why none can be created here. */
  connect(): WorkerConnection | { unavailable: string };
  loadKernels(options: LoadKernelsOptions): Promise<Kernels>;
}

/**
 * The engine factory every entry shares: a worker where one can be created and was not declined,
 * else the same API in this thread. The engine's `mode` and `reason` say which and why.
 */
export async function createEngineIn(runtime: EngineRuntime, options: CreateEngineOptions = {}): Promise<RecommenderEngine> {
  const { thread: threadOption, ...load } = options;
  const thread = engineThreadOption(threadOption);
  if (thread === "in-thread") return new InThreadEngine(await runtime.loadKernels(load), 'in-thread, as asked (thread: "in-thread")');
  let connection: WorkerConnection | { unavailable: string };
  try {
    connection = runtime.connect();
  } catch (e) {
    connection = { unavailable: `creating ${runtime.workerKind} failed: ${(e as Error).message}` };
  }
  if ("unavailable" in connection) {
    if (thread === "worker") throw new Error(`cannot run the engine in a worker (thread: "worker"): ${connection.unavailable}`);
    return new InThreadEngine(await runtime.loadKernels(load), `in-thread: ${connection.unavailable}`);
  }
  return WorkerEngine.start(connection, load, `in ${runtime.workerKind}`);
}

/** A module Web Worker (browsers, Deno) as a worker connection, or why none can be created here. */
export function connectWebWorker(url: URL): WorkerConnection | { unavailable: string } {
  if (typeof Worker !== "function")
    return { unavailable: "this runtime has no Worker constructor (Cloudflare Workers and MV3 extension service workers have none)" };
  const worker = new Worker(url, { type: "module" });
  return {
    endpoint: worker,
    terminate: () => worker.terminate(),
    onError: (listener) =>
      worker.addEventListener("error", (event: ErrorEvent) => {
        event.preventDefault();
        listener(new Error(`${event.message || "the worker script failed"} (${url.href})`));
      }),
  };
}

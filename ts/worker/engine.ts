import type { KernelVariant } from "../kernels/capabilities.js";
import type { Kernels } from "../kernels/kernels.js";
import type { WasmThreads } from "../kernels/wasm-instance.js";
import { RecommenderService, type RecommenderApi } from "./recommender-service.js";

/**
 * A recommender engine: the same API in this thread or in a worker. `mode` says where the work
 * runs and `reason` why (a factory falls back to this thread where no Worker can be created:
 * Cloudflare Workers, MV3 extension service workers).
 */
export interface RecommenderEngine extends RecommenderApi {
  readonly mode: "worker" | "in-thread";
  readonly reason: string;
  /** The kernel build the engine runs. */
  readonly variant: KernelVariant;
  /** The threads its kernels run on (the `threads` option; default every core), and why that many. */
  readonly threads: WasmThreads;
  /** Free everything the engine holds; a worker engine also ends its worker. */
  close(): Promise<void>;
}

/** Where a factory should run the engine: a worker if one can be created ("auto", the default), always a worker, or this thread. */
export type EngineThread = "auto" | "worker" | "in-thread";

/** The engine in the calling thread: a {@link RecommenderService} with a name for where it runs. */
export class InThreadEngine extends RecommenderService implements RecommenderEngine {
  readonly mode = "in-thread" as const;

  constructor(
    kernels: Kernels,
    readonly reason: string,
  ) {
    super(kernels);
  }

  get threads(): WasmThreads {
    return this.kernels.threads;
  }

  async close(): Promise<void> {
    this.dispose();
    this.kernels.dispose();
  }
}

/** Checks the `thread` option of a factory, so a typo is an error instead of a silent choice. */
export function engineThreadOption(thread: unknown): EngineThread {
  if (thread === undefined) return "auto";
  if (thread === "auto" || thread === "worker" || thread === "in-thread") return thread;
  throw new RangeError(`thread must be "auto", "worker" or "in-thread", got ${JSON.stringify(thread)}`);
}

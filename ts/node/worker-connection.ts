import { Worker } from "node:worker_threads";
import nodeEndpoint from "comlink/dist/esm/node-adapter.mjs";
import type { WorkerConnection } from "../worker/worker-engine.js";

/** A worker_threads worker running the engine (ts/node/worker-thread.ts), as a comlink connection. */
export function connectNodeWorker(): WorkerConnection {
  const worker = new Worker(new URL("./worker-thread.js", import.meta.url));
  return {
    endpoint: nodeEndpoint(worker),
    terminate: () => worker.terminate(),
    onError: (listener) => {
      worker.on("error", listener);
      worker.on("exit", (code) => listener(new Error(`the worker exited with code ${code}`)));
    },
  };
}

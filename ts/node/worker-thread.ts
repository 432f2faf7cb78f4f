/** The worker_threads script of the Node engine: the engine behind comlink, kernels loaded the Node entry's way. */
import { parentPort } from "node:worker_threads";
import nodeEndpoint from "comlink/dist/esm/node-adapter.mjs";
import { loadKernels } from "../node.js";
import { exposeWorkerHost } from "../worker/worker-host.js";

if (!parentPort) throw new Error("worker-thread.js is the engine's worker script: start it with createEngine(), not directly");
exposeWorkerHost(loadKernels, nodeEndpoint(parentPort));

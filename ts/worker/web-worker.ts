/** The module Web Worker script (browsers, Deno): the engine behind comlink, kernels loaded the browser entry's way. */
import { loadKernels } from "../browser.js";
import { exposeWorkerHost } from "./worker-host.js";

exposeWorkerHost(loadKernels);

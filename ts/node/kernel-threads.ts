import { Worker } from "node:worker_threads";
import { kernelThreadMain } from "../kernels/threads/kernel-thread.js";
import type { ThreadSpawner } from "../kernels/threads/thread-pool.js";

const SOURCE = `const { parentPort } = require("node:worker_threads");
const kernelThreadMain = ${String(kernelThreadMain)};
kernelThreadMain({
  onMessage(listener) { parentPort.on("message", listener); },
  post(message) { parentPort.postMessage(message); },
  close() { parentPort.close(); },
});`;

/**
 * Pool threads as worker_threads workers, from the thread body's source (no file to locate). They
 * are unref'd: a process whose kernels were never disposed still exits when its work is done.
 */
export const nodeThreadSpawner: ThreadSpawner = (onMessage, onError) => {
  const worker = new Worker(SOURCE, { eval: true });
  worker.on("message", onMessage);
  worker.on("error", onError);
  worker.on("exit", (code) => {
    if (code !== 0) onError(new Error(`the pool's worker exited with code ${code}`));
  });
  // After the listeners: adding a "message" listener refs the worker again (Node 20).
  worker.unref();
  return { post: (message) => worker.postMessage(message), terminate: () => void worker.terminate() };
};

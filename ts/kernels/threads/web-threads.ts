import { kernelThreadMain } from "./kernel-thread.js";
import type { ThreadSpawner } from "./thread-pool.js";

/**
 * Pool threads as module Web Workers (browsers, Deno), started from a Blob URL of the thread body:
 * nothing to serve or to copy beside a bundle. Where no Worker can be created (Cloudflare Workers,
 * extension service workers) this says why instead.
 */
export function webThreadSpawner(): ThreadSpawner | { unavailable: string } {
  if (typeof Worker !== "function")
    return { unavailable: "this runtime has no Worker constructor (Cloudflare Workers and extension service workers have none)" };
  if (typeof Blob !== "function" || typeof URL?.createObjectURL !== "function")
    return { unavailable: "this runtime cannot make a Blob URL for the pool's worker script" };
  const source = `const kernelThreadMain = ${String(kernelThreadMain)};
kernelThreadMain({
  onMessage(listener) { self.onmessage = (event) => listener(event.data); },
  post(message) { self.postMessage(message); },
  close() { self.close(); },
});`;
  let url: string | null = null;
  return (onMessage, onError) => {
    url ??= URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
    const worker = new Worker(url, { type: "module" });
    worker.onmessage = (event: MessageEvent) => onMessage(event.data);
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      onError(new Error(event.message || "the pool's worker script failed"));
    };
    return { post: (message) => worker.postMessage(message), terminate: () => worker.terminate() };
  };
}

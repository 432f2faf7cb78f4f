/** A Worker bundled as wrangler would bundle it, run in the real workerd by miniflare, with the kernel builds beside it as modules. */
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { buildWorkerdBundle } from "../../scripts/bundles.js";

/** Bundles `entry` into `dir` and starts it; `kvNamespaces` as miniflare takes them. Dispose the result. */
export async function startWorker(entry: string, dir: string, options: { kvNamespaces?: string[] } = {}): Promise<Miniflare> {
  await buildWorkerdBundle(entry, join(dir, "worker.js"));
  return new Miniflare({
    modulesRoot: dir,
    modules: [
      { type: "ESModule", path: join(dir, "worker.js") },
      ...["relaxed", "simd", "scalar"].map((v) => ({ type: "CompiledWasm" as const, path: join(dir, `longtail.${v}.wasm`) })),
    ],
    compatibilityDate: "2025-01-01",
    ...(options.kvNamespaces && { kvNamespaces: options.kvNamespaces }),
  });
}

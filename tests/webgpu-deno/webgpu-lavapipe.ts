/**
 * The WebGPU cases (tests/support/webgpu-cases.ts) on Deno's built-in navigator.gpu, which runs on
 * Mesa lavapipe (Vulkan on the CPU) where there is no GPU. Run with
 * `npm run test:webgpu` (deno test --allow-read --allow-env dist/tests/webgpu-deno/webgpu-lavapipe.js).
 * Named without ".test" so that `node --test dist/tests/` leaves it to Deno.
 */
import { createKernels } from "../../ts/api/kernels.js";
import { preferredVariant } from "../../ts/kernels/capabilities.js";
import { readInteractions } from "../../ts/data/read.js";
import { GPU_CASES, REQUIRE_WEBGPU_ENV, type GpuTestContext } from "../support/webgpu-cases.js";
import { missingAdapterMessage, webgpuRequired } from "../support/webgpu-runner.js";

// Deno's global, typed loosely: this file is compiled by tsc with the Node types.
declare const Deno: {
  test(definition: { name: string; ignore?: boolean; fn: () => Promise<void> | void }): void;
  readFile(path: URL): Promise<Uint8Array<ArrayBuffer>>;
  open(path: URL): Promise<{ readable: AsyncIterable<Uint8Array> }>;
  stat(path: URL): Promise<unknown>;
  env: { get(name: string): string | undefined };
};

const ROOT = new URL("../../../", import.meta.url);

async function lavapipeContext(): Promise<{ ctx: GpuTestContext } | { why: string }> {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu) return { why: "navigator.gpu is missing" };
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return { why: "navigator.gpu.requestAdapter() returned no adapter (is mesa-vulkan-drivers installed, and XDG_RUNTIME_DIR set?)" };
  const variant = preferredVariant();
  const module = await WebAssembly.compile(await Deno.readFile(new URL(`build/longtail.${variant}.wasm`, ROOT)));
  return {
    ctx: {
      kernels: await createKernels(module, variant),
      gpu,
      async loadTrain(name) {
        const path = new URL(`../shared/data/${name}/train.txt`, ROOT);
        if (
          !(await Deno.stat(path).then(
            () => true,
            () => false,
          ))
        )
          return null;
        return readInteractions((await Deno.open(path)).readable, { fileName: "train.txt" });
      },
      note: (message) => console.warn(`NOTE: ${message}`),
    },
  };
}

const required = webgpuRequired(Deno.env.get(REQUIRE_WEBGPU_ENV));
const found = await lavapipeContext();
if ("why" in found) {
  const message = missingAdapterMessage("Deno", found.why);
  if (required) {
    Deno.test({
      name: "WebGPU on Deno has an adapter",
      fn: () => {
        throw new Error(message);
      },
    });
  } else {
    console.warn(`\n*** ${message}\n`);
    for (const c of GPU_CASES) Deno.test({ name: c.name, ignore: true, fn: () => {} });
  }
} else {
  // lavapipe under Vulkan (npm run test:webgpu pins it), llvmpipe under DENO_WEBGPU_BACKEND=gl.
  const stack = Deno.env.get("DENO_WEBGPU_BACKEND") ?? "default backend";
  for (const c of GPU_CASES) Deno.test({ name: `WebGPU on Deno (${stack}): ${c.name}`, fn: () => c.run(found.ctx) });
}

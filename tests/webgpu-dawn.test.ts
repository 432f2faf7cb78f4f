/**
 * The WebGPU cases (tests/support/webgpu-cases.ts) on Node through Dawn (npm `webgpu`) with its
 * OpenGL ES backend on Mesa llvmpipe: no GPU needed. Dawn rejects stock Debian lavapipe under
 * Vulkan, so the GLES backend with a compatibility-level adapter and EGL_PLATFORM=surfaceless.
 */
import { describe, it } from "node:test";
import { fileSource, loadKernels } from "../ts/node.js";
import { readInteractions } from "../ts/data/read.js";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { GPU_CASES, REQUIRE_WEBGPU_ENV, type GpuTestContext } from "./support/webgpu-cases.js";
import { missingAdapterMessage, webgpuRequired } from "./support/webgpu-runner.js";

const DATA = fileURLToPath(new URL("../../../shared/data/", import.meta.url));
process.env.EGL_PLATFORM ??= "surfaceless";

async function dawnContext(): Promise<{ ctx: GpuTestContext } | { why: string }> {
  try {
    const { create } = await import("webgpu");
    const gpu = create(["backend=opengles"]);
    const adapterOptions: GPURequestAdapterOptions = { featureLevel: "compatibility" };
    if (!(await gpu.requestAdapter(adapterOptions))) return { why: "Dawn found no OpenGL ES adapter (requestAdapter returned null)" };
    return {
      ctx: {
        kernels: await loadKernels(),
        gpu,
        adapterOptions,
        async loadTrain(name) {
          const path = `${DATA}${name}/train.txt`;
          return existsSync(path) ? readInteractions(fileSource(path), { fileName: "train.txt" }) : null;
        },
        note: (message) => console.warn(`NOTE: ${message}`),
      },
    };
  } catch (error) {
    return { why: `Dawn could not start: ${(error as Error).message}` };
  }
}

const required = webgpuRequired(process.env[REQUIRE_WEBGPU_ENV]);
const found = await dawnContext();

describe("WebGPU on Node (Dawn, OpenGL ES backend)", () => {
  if ("why" in found) {
    const message = missingAdapterMessage("Node/Dawn", found.why);
    if (required) {
      it("has a WebGPU adapter", () => {
        throw new Error(message);
      });
    } else {
      console.warn(`\n*** ${message}\n`);
      for (const c of GPU_CASES) it(c.name, { skip: message }, () => {});
    }
    return;
  }
  for (const c of GPU_CASES) it(c.name, () => c.run(found.ctx));
});

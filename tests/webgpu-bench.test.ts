/** The WebGPU benchmark's arithmetic: the crossover estimate and its flags. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { crossover } from "../bench/webgpu/crossover.js";
import { parseWebGpuBenchArgs } from "../bench/webgpu/args.js";

describe("WebGPU benchmark", () => {
  it("crossover: interpolated in log size and log time ratio between the sizes around the change", () => {
    // GPU/wasm ratio 4 at 100k, 1/4 at 10M: equal (log ratio 0) halfway in log size, at 1M.
    const c = crossover([
      { items: 10_000_000, wasmSeconds: 40, gpuSeconds: 10 },
      { items: 100_000, wasmSeconds: 1, gpuSeconds: 4 },
    ]);
    assert.equal(c.items, 1_000_000);
    assert.match(c.note, /wasm faster at 100000 items, WebGPU at 10000000/);
    assert.equal(crossover([{ items: 1e5, wasmSeconds: 2, gpuSeconds: 1 }]).items, null);
    assert.match(crossover([{ items: 1e5, wasmSeconds: 2, gpuSeconds: 1 }]).note, /faster already at the smallest/);
    assert.match(
      crossover([
        { items: 1e5, wasmSeconds: 1, gpuSeconds: 3 },
        { items: 1e6, wasmSeconds: 10, gpuSeconds: 11 },
      ]).note,
      /wasm is faster at every size/,
    );
    assert.match(crossover([{ items: 1e5, wasmSeconds: null, gpuSeconds: 3 }]).note, /no size was measured on both/);
  });

  it("flags: defaults cover 100k to 10M items at d = 64; bad values name the flag", () => {
    const d = parseWebGpuBenchArgs([]);
    assert.deepEqual(d.sizes, [100_000, 300_000, 1_000_000, 3_000_000, 10_000_000]);
    assert.equal(d.dim, 64);
    assert.equal(d.dawnBackend, "vulkan");
    const a = parseWebGpuBenchArgs(["--sizes", "1000, 2000", "--runs", "2", "--dawn-backend", "opengles", "--allow-software", "--excluded", "0"]);
    assert.deepEqual([a.sizes, a.runs, a.dawnBackend, a.allowSoftware, a.excluded], [[1000, 2000], 2, "opengles", true, 0]);
    assert.throws(() => parseWebGpuBenchArgs(["--runs", "0"]), /--runs must be an integer >= 1, got "0"/);
    assert.throws(() => parseWebGpuBenchArgs(["--sizes", "1e5,x"]), /--sizes must be an integer >= 1, got "x"/);
    assert.throws(() => parseWebGpuBenchArgs(["--dawn-backend", "cuda"]), /--dawn-backend must be vulkan, opengles, d3d12 or metal, got "cuda"/);
    assert.throws(() => parseWebGpuBenchArgs(["--gpu"]), /unknown flag --gpu/);
  });
});

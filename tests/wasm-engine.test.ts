import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadWasmInstance } from "../ts/node.js";
import type { WasmF32Array } from "../ts/kernels/wasm-instance.js";

describe("wasm engine memory", () => {
  it("copies a wasm array across memory growth (a view taken before the allocation would be detached)", async () => {
    // One thread: the plain build's own memory, whose growth detaches old views (a shared memory's does not).
    const engine = await loadWasmInstance({ threads: 1 });
    const before = engine.allocatedBytes;
    const n = 1 << 18; // 1 MiB of floats
    const src = engine.f32(n);
    src.view.forEach((_, i, a) => (a[i] = i % 997));
    const copies: WasmF32Array[] = [];
    try {
      // Copy until a copy's own allocation has to grow memory (the allocator keeps some slack).
      let grewDuring: WasmF32Array | null = null;
      let stale = src.view;
      for (let t = 0; t < 64 && !grewDuring; t++) {
        const pages = engine.memory.buffer.byteLength;
        stale = src.view;
        const copy = engine.f32Copy(src);
        copies.push(copy);
        if (engine.memory.buffer.byteLength > pages) grewDuring = copy;
      }
      assert.ok(grewDuring, "some copy grew wasm memory");
      assert.equal(stale.length, 0, "a view taken before the growth is detached");
      const v = grewDuring.view;
      for (const i of [0, 1, 996, 997, n - 1]) assert.equal(v[i], i % 997, `element ${i}`);
    } finally {
      for (const c of copies) c.free();
      src.free();
    }
    assert.equal(engine.allocatedBytes, before);
  });
});

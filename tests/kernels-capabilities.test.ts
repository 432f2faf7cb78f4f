import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chooseVariant, detectCapabilities, preferredVariant } from "../ts/kernels/capabilities.js";
import { RELAXED_OPT_OUT_ENV, loadWasmInstance } from "../ts/node.js";

const NODE_ENTRY = new URL("../ts/node.js", import.meta.url).href;
const CAPABILITIES = new URL("../ts/kernels/capabilities.js", import.meta.url).href;

/** Runs an ES module snippet in a fresh Node process and returns the JSON it printed last. */
function runChild(script: string, options: { env?: Record<string, string>; nodeFlags?: string[] } = {}): any {
  const r = spawnSync(process.execPath, [...(options.nodeFlags ?? []), "--input-type=module", "-e", script], {
    encoding: "utf8",
    env: { ...process.env, ...options.env },
    timeout: 60_000,
  });
  assert.equal(r.status, 0, `child exited with ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

describe("kernel build choice", () => {
  it("chooseVariant prefers relaxed, then simd, then scalar", () => {
    assert.equal(chooseVariant({ wasmSimd: true, wasmRelaxedSimd: true }), "relaxed");
    assert.equal(chooseVariant({ wasmSimd: true, wasmRelaxedSimd: false }), "simd");
    assert.equal(chooseVariant({ wasmSimd: false, wasmRelaxedSimd: false }), "scalar");
    assert.equal(chooseVariant({ wasmSimd: true, wasmRelaxedSimd: true }, { relaxedSimd: false }), "simd");
    assert.equal(chooseVariant({ wasmSimd: false, wasmRelaxedSimd: false }, { relaxedSimd: true }), "scalar");
  });

  it("with the Node entry loaded, relaxed SIMD validates and is the default build", async () => {
    // Node 20 needs the V8 flag the entry sets on import; later Node versions validate it anyway.
    assert.equal(detectCapabilities().wasmSimd, true);
    assert.equal(detectCapabilities().wasmRelaxedSimd, true);
    assert.equal(preferredVariant(), "relaxed");
    assert.equal((await loadWasmInstance()).variant, "relaxed");
    assert.equal((await loadWasmInstance({ variant: "scalar" })).variant, "scalar");
  });

  it("the relaxed-SIMD probe fails where relaxed SIMD is switched off, and simd is chosen", (t) => {
    const probe = spawnSync(process.execPath, ["--no-experimental-wasm-relaxed-simd", "-e", ""], { encoding: "utf8" });
    if (probe.status !== 0) return t.skip(`this Node has no --no-experimental-wasm-relaxed-simd flag: ${probe.stderr.trim()}`);
    const caps = runChild(
      `import { detectCapabilities, preferredVariant } from ${JSON.stringify(CAPABILITIES)};
       console.log(JSON.stringify({ ...detectCapabilities(), variant: preferredVariant() }));`,
      { nodeFlags: ["--no-experimental-wasm-relaxed-simd"] },
    );
    assert.equal(caps.wasmSimd, true);
    assert.equal(caps.wasmRelaxedSimd, false);
    assert.equal(caps.variant, "simd");
  });

  it(`${RELAXED_OPT_OUT_ENV}=0 keeps the Node entry on the simd build`, () => {
    const got = runChild(
      `import { detectCapabilities, loadWasmInstance } from ${JSON.stringify(NODE_ENTRY)};
       const variant = (await loadWasmInstance()).variant;
       let forced;
       try { forced = (await loadWasmInstance({ variant: "relaxed" })).variant; } catch (e) { forced = e.message; }
       console.log(JSON.stringify({ variant, forced, relaxedValidates: detectCapabilities().wasmRelaxedSimd }));`,
      { env: { [RELAXED_OPT_OUT_ENV]: "0" } },
    );
    assert.equal(got.variant, "simd");
    // Where the runtime validates relaxed SIMD by itself, forcing it still works; on Node 20 the
    // flag stays off and forcing it is an error that names the opt-out.
    if (got.relaxedValidates) assert.equal(got.forced, "relaxed");
    else assert.match(got.forced, /kernel build "relaxed" cannot run: LONGTAIL_WASM_RELAXED=0 kept it switched off; load variant "simd" instead/);
  });

  it(`a ${RELAXED_OPT_OUT_ENV} value that is not 0/1 is an error naming it`, () => {
    const got = runChild(
      `import { loadWasmInstance } from ${JSON.stringify(NODE_ENTRY)};
       let message = "loaded";
       try { await loadWasmInstance(); } catch (e) { message = e.name + ": " + e.message; }
       console.log(JSON.stringify({ message }));`,
      { env: { [RELAXED_OPT_OUT_ENV]: "maybe" } },
    );
    assert.equal(got.message, `KernelUnavailableError: ${RELAXED_OPT_OUT_ENV} must be 0 or 1 (or false/true, off/on, no/yes), got "maybe"`);
  });
});

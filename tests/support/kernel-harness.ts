/**
 * What every kernel test needs: all three builds, an allocation scope whose arrays are all freed at the
 * end (and a check that the engine's live bytes are back to where they started), seeded random
 * data, and comparisons with a tolerance relative to the size of the numbers involved.
 */
import assert from "node:assert/strict";
import { KERNEL_VARIANTS, type KernelVariant } from "../../ts/kernels/capabilities.js";
import { Kernels } from "../../ts/kernels/kernels.js";
import type { WasmInstance, WasmF32Array, WasmI32Array } from "../../ts/kernels/wasm-instance.js";
import { loadWasmInstance } from "../../ts/node.js";
import type { Rng } from "../../ts/util/rng.js";

/**
 * Every build: relaxed (fused multiply-add), simd, scalar. The Node entry switches relaxed SIMD on.
 * All three share the tolerances: they bound the f32 error of sums of products by the number of
 * roundings, and a fused multiply-add rounds once where mul + add rounds twice, so the relaxed
 * build's error is within the same bounds (relaxed_madd may also be unfused: the simd case).
 */
export const VARIANTS: readonly KernelVariant[] = KERNEL_VARIANTS;

/** Allocations made for one test; freeAll() releases them in one place. */
export class WasmScope {
  private readonly owned: Array<WasmF32Array | WasmI32Array> = [];
  constructor(readonly wasm: WasmInstance) {}

  f32(length: number): WasmF32Array {
    return this.keep(this.wasm.f32(length));
  }
  i32(length: number): WasmI32Array {
    return this.keep(this.wasm.i32(length));
  }
  f32From(data: ArrayLike<number>): WasmF32Array {
    return this.keep(this.wasm.f32From(data));
  }
  i32From(data: ArrayLike<number>): WasmI32Array {
    return this.keep(this.wasm.i32From(data));
  }
  freeAll(): void {
    for (const a of this.owned) a.free();
    this.owned.length = 0;
  }
  private keep<T extends WasmF32Array | WasmI32Array>(a: T): T {
    this.owned.push(a);
    return a;
  }
}

/** Runs `body` on a fresh engine of the given build and checks every byte it allocated came back. */
export async function withKernels(variant: KernelVariant, body: (k: Kernels, mem: WasmScope) => void): Promise<void> {
  const engine = await loadWasmInstance({ variant });
  const start = engine.allocatedBytes;
  const mem = new WasmScope(engine);
  try {
    body(new Kernels(engine), mem);
  } finally {
    mem.freeAll();
    engine.dispose();
  }
  assert.equal(engine.allocatedBytes, start, "allocatedBytes back to its start value");
}

/** n standard-normal values times scale, rounded to f32 (what the kernels will see). */
export function randomF32(rng: Rng, n: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal() * scale;
  return out;
}

export function randomIndices(rng: Rng, n: number, limit: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.int(limit);
  return out;
}

/** Fails with the first position where |actual − expected| > tolerance(i) (or only one side is NaN). */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number | ((i: number) => number), what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const tol = typeof tolerance === "number" ? tolerance : tolerance(i);
    const a = actual[i];
    const e = expected[i];
    if (a === e) continue;
    if (!(Math.abs(a - e) <= tol)) assert.fail(`${what}[${i}]: got ${a}, expected ${e} (tolerance ${tol})`);
  }
}

export function assertCloseNumber(actual: number, expected: number, tolerance: number, what: string): void {
  assertClose([actual], [expected], tolerance, what);
}

/** Sizes the tests sweep: empty, one, not multiples of 4 (nor of 8 or 16), and multiples. */
export const AWKWARD_SIZES: readonly number[] = [0, 1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 33, 63, 64, 65, 100, 257];

/** f32 unit roundoff. */
export const F32_EPS = 2 ** -24;

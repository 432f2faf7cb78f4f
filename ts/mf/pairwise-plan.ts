import type { WasmInstance, WasmI32Array } from "../kernels/wasm-instance.js";

/**
 * The memory layouts of assembly/pairwise-plan.ts's Plan and ThreadState: the same fields in the same
 * order, 4 bytes each. {@link StructBlock} writes one into an owned wasm block and checks its size
 * against the kernel's own (pairwise_layout), so the two sides cannot drift apart unnoticed.
 */
export const PLAN_FIELDS = [
  "userTable",
  "itemTable",
  "dim",
  "nUsers",
  "nItems",
  "indptr",
  "sortedItems",
  "epochUsers",
  "epochItems",
  "loss",
  "negatives",
  "candidates",
  "maxTries",
  "aliasProb",
  "aliasIndex",
  "ipsWeights",
  "optimizer",
  "userState1",
  "userState2",
  "itemState1",
  "itemState2",
  "learningRate",
  "l2",
  "beta1",
  "beta2",
  "eps",
  "stepCounter",
  "normalizeUsers",
  "normalizeItems",
  "accUsers",
  "accItems",
  "accScale",
  "batchSize",
  "margin",
  "negativeWeight",
  "userStamps",
  "itemStamps",
  "horizon",
  "horizonLength",
] as const;

/** Plan fields that hold f32 values (every other field is an i32 or a pointer). */
export const PLAN_FLOAT_FIELDS: ReadonlySet<string> = new Set(["learningRate", "l2", "beta1", "beta2", "eps", "accScale", "margin", "negativeWeight"]);

export const THREAD_FIELDS = [
  "rng0",
  "rng1",
  "rng2",
  "rng3",
  "start",
  "end",
  "userStamp",
  "userSlot",
  "itemStamp",
  "itemSlot",
  "generation",
  "userRows",
  "itemRows",
  "gradUsers",
  "gradItems",
  "usedUsers",
  "usedItems",
  "batchNegatives",
  "batchCandidates",
  "sink",
] as const;

/** A block of 4-byte fields in wasm memory, written and read by name. */
export class StructBlock<F extends string> {
  private readonly index = new Map<string, number>();
  readonly block: WasmI32Array;

  constructor(
    engine: WasmInstance,
    fields: readonly F[],
    private readonly floats: ReadonlySet<string>,
    kernelBytes: number,
    what: string,
  ) {
    if (kernelBytes !== fields.length * 4) {
      throw new Error(
        `${what}: the kernel module lays out ${kernelBytes} bytes, this code ${fields.length * 4}: the .wasm and the JavaScript are from different builds`,
      );
    }
    fields.forEach((f, i) => this.index.set(f, i));
    this.block = engine.i32(fields.length);
    this.block.view.fill(0);
  }

  get ptr(): number {
    return this.block.ptr;
  }

  set(field: F, value: number): void {
    const i = this.index.get(field)!;
    if (this.floats.has(field)) new Float32Array(this.block.view.buffer, this.block.view.byteOffset, this.block.length)[i] = value;
    else this.block.view[i] = value;
  }

  get(field: F): number {
    const i = this.index.get(field)!;
    return this.floats.has(field) ? new Float32Array(this.block.view.buffer, this.block.view.byteOffset, this.block.length)[i] : this.block.view[i];
  }

  free(): void {
    this.block.free();
  }
}

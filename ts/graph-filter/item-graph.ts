import type { Interactions } from "../data/interactions.js";
import type { Kernels } from "../kernels/kernels.js";
import type { WasmF32Array, WasmI32Array } from "../kernels/wasm-instance.js";

/**
 * The normalised interaction matrix R̃ = D_U^{-1/2} R D_I^{-1/2} of a training part, held in wasm
 * both ways (users → items and items → users) with its values, so that R̃·X and R̃ᵀ·Y for dense
 * blocks X, Y are each one {@link Kernels.sumRows} call. P̃ = R̃ᵀR̃ is the item graph the filter
 * smooths scores over; its top eigenvalue is 1.
 */
export class ItemGraph {
  readonly nUsers: number;
  readonly nItems: number;
  /** The item's training count d_i. */
  readonly itemDegrees: Int32Array;
  private readonly itemLists: { readonly indptr: Int32Array; readonly indices: Int32Array; readonly values: Float32Array };
  private readonly byUser: { offsets: WasmI32Array; indices: WasmI32Array; values: WasmF32Array };
  private readonly byItem: { offsets: WasmI32Array; indices: WasmI32Array; values: WasmF32Array };

  constructor(
    readonly kernels: Kernels,
    train: Interactions,
  ) {
    this.nUsers = train.nUsers;
    this.nItems = train.nItems;
    this.itemDegrees = train.itemCounts();
    const userScale = Float64Array.from(train.userCounts(), (c) => (c > 0 ? 1 / Math.sqrt(c) : 0));
    const itemScale = Float64Array.from(this.itemDegrees, (c) => (c > 0 ? 1 / Math.sqrt(c) : 0));
    const e = kernels.wasm;
    const owned: Array<{ free(): void }> = [];
    try {
      const users = train.byUser;
      const userValues = new Float32Array(users.indices.length);
      for (let u = 0; u < this.nUsers; u++) {
        for (let k = users.indptr[u]!; k < users.indptr[u + 1]!; k++) userValues[k] = userScale[u]! * itemScale[users.indices[k]!]!;
      }
      const items = train.byItem();
      const itemValues = new Float32Array(items.indices.length);
      for (let i = 0; i < this.nItems; i++) {
        for (let k = items.indptr[i]!; k < items.indptr[i + 1]!; k++) itemValues[k] = userScale[items.indices[k]!]! * itemScale[i]!;
      }
      this.itemLists = { indptr: items.indptr, indices: items.indices, values: itemValues };
      const keep = <T extends { free(): void }>(a: T): T => (owned.push(a), a);
      this.byUser = { offsets: keep(e.i32From(users.indptr)), indices: keep(e.i32From(users.indices)), values: keep(e.f32From(userValues)) };
      this.byItem = { offsets: keep(e.i32From(items.indptr)), indices: keep(e.i32From(items.indices)), values: keep(e.f32From(itemValues)) };
    } catch (error) {
      for (const a of owned) a.free();
      throw error;
    }
  }

  /** R̃ by item, in JavaScript: item i's users indices[indptr[i] .. indptr[i+1]) and their values R̃[u, i]. */
  itemUsers(): { readonly indptr: Int32Array; readonly indices: Int32Array; readonly values: Float32Array } {
    return this.itemLists;
  }

  /** out (nUsers × d) (+)= scale·R̃·x for x (nItems × d). */
  users(x: WasmF32Array, d: number, out: WasmF32Array, options?: { scale?: number; accumulate?: boolean }): void {
    const g = this.byUser;
    this.kernels.sumRows(x, d, g.offsets, g.indices, g.values, this.nUsers, out, options);
  }

  /** out (nItems × d) (+)= scale·R̃ᵀ·y for y (nUsers × d). */
  items(y: WasmF32Array, d: number, out: WasmF32Array, options?: { scale?: number; accumulate?: boolean }): void {
    const g = this.byItem;
    this.kernels.sumRows(y, d, g.offsets, g.indices, g.values, this.nItems, out, options);
  }

  /** Bytes this graph holds in wasm for a part of nUsers, nItems and nnz interactions. */
  static wasmBytes(nUsers: number, nItems: number, nnz: number): number {
    return 4 * (nUsers + 1 + nItems + 1 + 4 * nnz);
  }

  dispose(): void {
    for (const g of [this.byUser, this.byItem]) {
      g.offsets.free();
      g.indices.free();
      g.values.free();
    }
  }
}

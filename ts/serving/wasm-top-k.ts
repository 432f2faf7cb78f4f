import type { Kernels } from "../kernels/kernels.js";
import { freeAll, type WasmF32Array } from "../kernels/wasm-instance.js";
import { checkServingTables, checkTopKRequest, type ProviderMemory, type ServingTables, type TopKLists, type UserBlockTopK } from "./top-k-provider.js";

export interface WasmTopKOptions {
  /** Users scored per kernel call (default 64). */
  wasmBlockUsers?: number;
  /** Items per packed chunk (default 131,072): scores for one block are wasmBlockUsers × chunk floats, whatever the catalog size. */
  wasmChunkItems?: number;
}

export const DEFAULT_WASM_BLOCK_USERS = 64;
export const DEFAULT_WASM_CHUNK_ITEMS = 131_072;

/**
 * Top-k with the wasm kernels (the same blocked scoring and top-k kernels evaluation uses). The
 * catalog is packed in chunks so that the score buffer stays bounded for catalogs of millions of
 * items; each chunk's top-k are merged on the host with the kernel's order (score, then lower index).
 */
export class WasmTopK implements UserBlockTopK {
  readonly backend = "wasm" as const;
  readonly nUsers: number;
  readonly nItems: number;
  private readonly chunks: { first: number; items: number; packed: WasmF32Array }[] = [];
  private readonly blockUsers: number;
  private readonly chunkItems: number;
  private disposed = false;

  constructor(
    readonly kernels: Kernels,
    private readonly tables: ServingTables,
    options: WasmTopKOptions = {},
  ) {
    checkServingTables(tables);
    this.nUsers = tables.nUsers;
    this.nItems = tables.nItems;
    this.blockUsers = positive(options.wasmBlockUsers ?? DEFAULT_WASM_BLOCK_USERS, "wasmBlockUsers");
    this.chunkItems = positive(options.wasmChunkItems ?? DEFAULT_WASM_CHUNK_ITEMS, "wasmChunkItems");
    const e = kernels.wasm,
      d = tables.dim;
    try {
      for (let first = 0; first < tables.nItems; first += this.chunkItems) {
        const items = Math.min(this.chunkItems, tables.nItems - first);
        const raw = e.f32From(tables.items.subarray(first * d, (first + items) * d));
        try {
          const packed = e.f32(kernels.packedItemsLength(items, d));
          this.chunks.push({ first, items, packed });
          kernels.packItems(raw, items, d, packed);
        } finally {
          raw.free();
        }
      }
    } catch (error) {
      this.dispose();
      throw error;
    }
  }

  async topK(users: Int32Array, k: number): Promise<TopKLists> {
    if (this.disposed) throw new Error("this wasm top-k provider was disposed");
    checkTopKRequest(users, k, this.nUsers);
    const n = users.length;
    const indices = new Int32Array(n * k).fill(-1);
    const scores = new Float32Array(n * k).fill(-Infinity);
    const kk = Math.min(k, this.nItems);
    if (kk === 0 || n === 0) return { n, k, indices, scores };
    const e = this.kernels.wasm,
      d = this.tables.dim;
    const B = Math.min(this.blockUsers, n);
    const widest = Math.min(this.chunkItems, this.nItems);
    const rows = e.f32(B * d);
    const chunkScores = e.f32(B * widest);
    const topIdx = e.i32(B * kk);
    const topScore = e.f32(B * kk);
    const merge = new TopKMerge(kk);
    try {
      for (let start = 0; start < n; start += B) {
        const nb = Math.min(B, n - start);
        const rv = rows.view;
        for (let r = 0; r < nb; r++) {
          const u = users[start + r];
          rv.set(this.tables.users.subarray(u * d, u * d + d), r * d);
        }
        merge.reset(nb);
        for (const chunk of this.chunks) {
          const kc = Math.min(kk, chunk.items);
          this.kernels.scorePacked(rows, nb, d, chunk.packed, chunk.items, chunkScores, chunk.items);
          const excl = this.chunkExclusions(users, start, nb, chunk.first, chunk.items);
          try {
            this.kernels.topkRows(chunkScores, nb, chunk.items, chunk.items, kc, excl, topIdx, topScore);
          } finally {
            if (excl) freeAll(excl.offsets, excl.indices);
          }
          merge.add(topIdx.view, topScore.view, kc, chunk.first);
        }
        merge.write(indices, scores, start, k);
      }
    } finally {
      freeAll(rows, chunkScores, topIdx, topScore);
    }
    return { n, k, indices, scores };
  }

  memory(): ProviderMemory {
    const catalogBytes = this.chunks.reduce((s, c) => s + c.packed.length * 4, 0);
    const B = this.blockUsers,
      d = this.tables.dim,
      widest = Math.min(this.chunkItems, this.nItems);
    const workingBytes = (B * d + B * widest) * 4;
    return {
      backend: "wasm",
      catalogBytes,
      catalogBuffers: this.chunks.length,
      itemsPerBuffer: this.chunkItems,
      workingBytes,
      totalBytes: catalogBytes + workingBytes,
    };
  }

  dispose(): void {
    this.disposed = true;
    freeAll(...this.chunks.map((c) => c.packed));
    this.chunks.length = 0;
  }

  /** The block's excluded items inside [first, first + items), shifted to chunk columns, as the kernel's CSR. */
  private chunkExclusions(users: Int32Array, start: number, nb: number, first: number, items: number) {
    const ex = this.tables.exclude;
    if (!ex) return null;
    const offsets = new Int32Array(nb + 1);
    const picked: number[] = [];
    for (let r = 0; r < nb; r++) {
      const u = users[start + r];
      for (let t = ex.indptr[u]; t < ex.indptr[u + 1]; t++) {
        const c = ex.indices[t] - first;
        if (c >= 0 && c < items) picked.push(c);
      }
      offsets[r + 1] = picked.length;
    }
    const e = this.kernels.wasm;
    const o = e.i32From(offsets);
    try {
      return { offsets: o, indices: e.i32From(picked.length > 0 ? picked : [0]) };
    } catch (error) {
      o.free();
      throw error;
    }
  }
}

/**
 * Each user's best kk over several chunks' top lists, in the top-k kernel's order: higher score
 * first, ties towards the lower item index; -1 entries (fewer candidates than k) are skipped.
 */
class TopKMerge {
  private lists: { item: number; score: number }[][] = [];
  constructor(private readonly kk: number) {}

  reset(n: number): void {
    this.lists = Array.from({ length: n }, () => []);
  }

  add(idx: Int32Array, sc: Float32Array, kc: number, first: number): void {
    this.lists.forEach((list, r) => {
      for (let t = 0; t < kc; t++) {
        const i = idx[r * kc + t];
        if (i >= 0) list.push({ item: first + i, score: sc[r * kc + t] });
      }
    });
  }

  write(indices: Int32Array, scores: Float32Array, start: number, k: number): void {
    this.lists.forEach((list, r) => {
      list.sort((a, b) => b.score - a.score || a.item - b.item);
      const n = Math.min(this.kk, list.length);
      for (let t = 0; t < n; t++) {
        indices[(start + r) * k + t] = list[t].item;
        scores[(start + r) * k + t] = list[t].score;
      }
    });
  }
}

function positive(v: number, name: string): number {
  if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  return v;
}

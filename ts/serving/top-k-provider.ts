import type { Csr } from "../data/csr.js";

/** Where a top-k provider computes: the wasm kernels, or WebGPU. */
export type TopKBackend = "wasm" | "webgpu";
/** What callers ask for: `auto` picks by the rule of createTopKProvider (docs/webgpu.md). */
export type BackendChoice = "auto" | TopKBackend;
export const BACKEND_CHOICES: readonly BackendChoice[] = ["auto", "wasm", "webgpu"];

/**
 * What serving scores with: score(u, i) = users[u] · items[i] (rows of dim floats, row-major), the
 * tables as served (popularity projections already applied), and each user's items to leave out.
 */
export interface ServingTables {
  readonly dim: number;
  readonly nUsers: number;
  readonly nItems: number;
  readonly users: Float32Array;
  readonly items: Float32Array;
  /** Items excluded per user (CSR over users: training items); null excludes nothing. */
  readonly exclude: Csr | null;
}

/**
 * Top-k lists of a block of n users: row r holds indices[r*k .. r*k+k) best first, ties towards
 * the lower item index; a row is padded with index -1 and score -Infinity when fewer than k items
 * remain (after exclusions, and never an item scoring -Infinity or NaN).
 */
export interface TopKLists {
  readonly n: number;
  readonly k: number;
  readonly indices: Int32Array;
  readonly scores: Float32Array;
}

/** Memory a provider holds for its catalog and its working buffers (bytes), and how the catalog is split. */
export interface ProviderMemory {
  backend: TopKBackend;
  /** The item table as the provider stores it (GPU buffers, or packed panels in wasm memory). */
  catalogBytes: number;
  /** Buffers (GPU) or packed chunks (wasm) the catalog is split across. */
  catalogBuffers: number;
  /** Items in each full catalog buffer. */
  itemsPerBuffer: number;
  /** Scores, candidates, exclusions, user rows and read-back space for one block of users. */
  workingBytes: number;
  totalBytes: number;
}

/**
 * The seam between scoring and its consumers (recommend-all, serving, and later evaluation): the
 * top-k items of a block of users, with each user's excluded items left out, wherever computed.
 */
export interface UserBlockTopK {
  readonly backend: TopKBackend;
  readonly nUsers: number;
  readonly nItems: number;
  /** Top-k of `users` (indices into the serving tables); k larger than the catalog gives padded rows. */
  topK(users: Int32Array, k: number): Promise<TopKLists>;
  memory(): ProviderMemory;
  /** Frees what the provider holds (wasm memory, GPU buffers). */
  dispose(): void;
}

/** Checks shared by every provider: k a positive integer, users inside the tables. */
export function checkTopKRequest(users: Int32Array, k: number, nUsers: number): void {
  if (!Number.isInteger(k) || k <= 0) throw new RangeError(`k must be a positive integer, got ${k}`);
  for (let r = 0; r < users.length; r++) {
    const u = users[r];
    if (!(u >= 0 && u < nUsers)) throw new RangeError(`user index ${u} at position ${r} is outside [0, ${nUsers})`);
  }
}

/** Checks that the tables' arrays hold the shapes they claim. */
export function checkServingTables(t: ServingTables): void {
  for (const [name, v] of [
    ["dim", t.dim],
    ["nUsers", t.nUsers],
    ["nItems", t.nItems],
  ] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`serving tables: ${name} must be a non-negative integer, got ${v}`);
  }
  if (t.dim === 0) throw new RangeError("serving tables: dim must be positive, got 0");
  if (t.users.length !== t.nUsers * t.dim) throw new RangeError(`serving tables: users holds ${t.users.length} floats, expected ${t.nUsers} × ${t.dim}`);
  if (t.items.length !== t.nItems * t.dim) throw new RangeError(`serving tables: items holds ${t.items.length} floats, expected ${t.nItems} × ${t.dim}`);
  if (!t.exclude) return;
  const { indptr, indices } = t.exclude;
  if (indptr.length !== t.nUsers + 1) throw new RangeError(`serving tables: the exclusion CSR has ${indptr.length - 1} rows, expected ${t.nUsers}`);
  for (let u = 0; u < t.nUsers; u++) {
    if (!(indptr[u] <= indptr[u + 1])) throw new RangeError(`serving tables: the exclusion CSR's offsets decrease at user ${u}`);
  }
  if (indptr[0] !== 0 || indptr[t.nUsers] > indices.length)
    throw new RangeError(`serving tables: the exclusion CSR's offsets run from ${indptr[0]} to ${indptr[t.nUsers]}, over ${indices.length} indices`);
  for (let e = 0; e < indptr[t.nUsers]; e++) {
    if (!(indices[e] >= 0 && indices[e] < t.nItems))
      throw new RangeError(`serving tables: excluded item ${indices[e]} at position ${e} is outside [0, ${t.nItems})`);
  }
}

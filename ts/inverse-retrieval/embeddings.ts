import type { IdMap } from "../data/id-map.js";
import type { Kernels } from "../kernels/kernels.js";
import type { WasmF32Array } from "../kernels/wasm-instance.js";
import { InverseRetrievalError } from "./errors.js";

/**
 * What inverse retrieval needs from a model: the user and item embeddings it serves, with
 * score(u, i) = userTable[u]·itemTable[i], and the id maps. Any dot-product model supplies them:
 * matrix factorisation (mfServingEmbeddings), or a two-tower model whose user rows are computed
 * from each user's history.
 */
export interface ServingEmbeddings {
  readonly kernels: Kernels;
  readonly dim: number;
  /** External user id ↔ row of userTable. */
  readonly users: IdMap;
  /** External item id ↔ row of itemTable. */
  readonly items: IdMap;
  /** users.size × dim, row-major, in wasm memory. */
  readonly userTable: WasmF32Array;
  /** items.size × dim, row-major, in wasm memory. */
  readonly itemTable: WasmF32Array;
}

/** Embeddings whose tables belong to the holder: dispose() frees them. */
export interface OwnedServingEmbeddings extends ServingEmbeddings {
  dispose(): void;
}

/** Throws unless both tables hold exactly one row of `dim` per mapped id. */
export function checkEmbeddings(e: ServingEmbeddings): void {
  if (!(Number.isInteger(e.dim) && e.dim > 0)) throw new InverseRetrievalError(`embedding dimension must be a positive integer, got ${e.dim}`);
  if (e.userTable.length !== e.users.size * e.dim) {
    throw new InverseRetrievalError(`the user table holds ${e.userTable.length} floats, but ${e.users.size} users × d = ${e.dim} need ${e.users.size * e.dim}`);
  }
  if (e.itemTable.length !== e.items.size * e.dim) {
    throw new InverseRetrievalError(`the item table holds ${e.itemTable.length} floats, but ${e.items.size} items × d = ${e.dim} need ${e.items.size * e.dim}`);
  }
}

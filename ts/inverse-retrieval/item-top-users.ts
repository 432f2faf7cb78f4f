import type { Csr } from "../data/csr.js";
import { freeAll, type WasmF32Array, type WasmI32Array } from "../kernels/wasm-instance.js";
import { loadCsrBlock, maxCsrRowLength } from "../eval/exclusions.js";
import { checkEmbeddings, type ServingEmbeddings } from "./embeddings.js";
import { InverseRetrievalError } from "./errors.js";

/** Each asked-for item's best users, best first (a CSR over the items in the order asked). */
export interface ItemTopUsers {
  /** The items asked for (item indices), in the order given. */
  readonly items: Int32Array;
  /** N: the most users kept per item. */
  readonly topN: number;
  /** Row r belongs to items[r]: users[indptr[r] .. indptr[r+1]), fewer than N where fewer users remain. */
  readonly indptr: Int32Array;
  readonly users: Int32Array;
  /** scores[j] = score(users[j], the row's item). */
  readonly scores: Float32Array;
}

export interface ItemTopUsersOptions {
  /** N, the users kept per item (a positive integer; more than there are users keeps them all). */
  topN: number;
  /** Which items (item indices; default: the whole catalog, in index order). */
  items?: Int32Array;
  /** Item → users never to return for that item: the training interactions, Interactions.byItem(). */
  exclude?: Csr | null;
  /** Items scored per block (memory: block × users floats). */
  blockItems?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Inverse retrieval's exact pass: for every asked-for item, its top-N users by s(u, i) = P_u·Q_i,
 * leaving out the users it has in `exclude`. The user table is packed once as the "catalog" of the
 * blocked scoring kernel, and blocks of item rows are scored against all users and cut to their
 * top N with the exclusion CSR in one fused, threaded kernel call (no score matrix), as ranking
 * does for users (transposed). Ties go to the lower user index.
 */
export function itemTopUsers(embeddings: ServingEmbeddings, options: ItemTopUsersOptions): ItemTopUsers {
  checkEmbeddings(embeddings);
  const topN = options.topN;
  if (!(Number.isInteger(topN) && topN > 0)) throw new InverseRetrievalError(`N (users per item) must be a positive integer, got ${topN}`);
  const { kernels, dim: d, userTable, itemTable } = embeddings;
  const nUsers = embeddings.users.size,
    nItems = embeddings.items.size;
  const items = options.items ?? Int32Array.from({ length: nItems }, (_, i) => i);
  items.forEach((item, r) => {
    if (!(Number.isInteger(item) && item >= 0 && item < nItems))
      throw new InverseRetrievalError(`item ${r} of the selection is index ${item}, outside [0, ${nItems})`);
  });
  const exclude = options.exclude ?? { indptr: new Int32Array(nItems + 1), indices: new Int32Array(0) };
  if (exclude.indptr.length !== nItems + 1) {
    throw new InverseRetrievalError(
      `the exclusion lists have ${exclude.indptr.length - 1} item rows but the model has ${nItems} items: pass train.byItem() of data read with the model's ids`,
    );
  }
  const total = items.length;
  const kk = Math.min(topN, nUsers);
  if (total === 0 || kk === 0) {
    return { items: items.slice(), topN, indptr: new Int32Array(total + 1), users: new Int32Array(0), scores: new Float32Array(0) };
  }
  const engine = kernels.wasm;
  const block = Math.max(1, Math.min(options.blockItems ?? defaultBlock(nUsers), total));
  const outUsers = new Int32Array(total * kk);
  const outScores = new Float32Array(total * kk);
  const indptr = new Int32Array(total + 1);
  let filled = 0;
  const owned: Array<WasmF32Array | WasmI32Array> = [];
  const own = <T extends WasmF32Array | WasmI32Array>(a: T): T => (owned.push(a), a);
  try {
    const packedUsers = own(engine.f32(kernels.packedItemsLength(nUsers, d)));
    kernels.packItems(userTable, nUsers, d, packedUsers);
    const blockRows = own(engine.i32(block));
    const itemRows = own(engine.f32(block * d));
    const exclOffsets = own(engine.i32(block + 1));
    const exclIndices = own(engine.i32(Math.max(1, block * maxCsrRowLength(exclude))));
    const topIdx = own(engine.i32(block * kk));
    const topScore = own(engine.f32(block * kk));
    for (let start = 0; start < total; start += block) {
      const n = Math.min(block, total - start);
      loadCsrBlock(exclude, nItems, items, start, n, blockRows, exclOffsets, exclIndices);
      kernels.gatherRows(itemTable, d, blockRows, n, itemRows);
      kernels.scoreTopK(itemRows, n, d, packedUsers, nUsers, null, kk, { offsets: exclOffsets, indices: exclIndices }, topIdx, topScore);
      const ti = topIdx.view,
        ts = topScore.view;
      for (let r = 0; r < n; r++) {
        for (let j = r * kk, end = j + kk; j < end && ti[j] >= 0; j++) {
          outUsers[filled] = ti[j];
          outScores[filled] = ts[j];
          filled++;
        }
        indptr[start + r + 1] = filled;
      }
      options.onProgress?.(start + n, total);
    }
  } finally {
    freeAll(...owned);
  }
  return { items: items.slice(), topN, indptr, users: outUsers.slice(0, filled), scores: outScores.slice(0, filled) };
}

function defaultBlock(nUsers: number): number {
  // The fused kernel holds no scores: a block is its top-N lists and exclusions (4096 items, or fewer for very long lists).
  return Math.max(16, Math.min(4096, Math.floor((8 << 20) / Math.max(1, Math.min(nUsers, 2048)))));
}

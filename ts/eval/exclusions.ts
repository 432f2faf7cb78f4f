import type { Interactions } from "../data/interactions.js";
import type { WasmI32Array } from "../engine/wasm-engine.js";

/**
 * Loads a block of users for full-ranking scoring: blockUsers[r] = users[start + r] for r < n, and
 * their training items as the CSR exclusion list the top-k kernel takes (offsets n + 1 long;
 * indices at least n × {@link maxRowLength}(train) long). Users beyond the training part have none.
 */
export function loadUserBlock(
  train: Interactions, users: ArrayLike<number>, start: number, n: number,
  blockUsers: WasmI32Array, exclOffsets: WasmI32Array, exclIndices: WasmI32Array,
): void {
  const trainP = train.byUser.indptr, trainI = train.byUser.indices;
  const u = blockUsers.view, off = exclOffsets.view, ex = exclIndices.view;
  let e = 0;
  off[0] = 0;
  for (let r = 0; r < n; r++) {
    const user = users[start + r];
    u[r] = user;
    if (user < train.nUsers) {
      ex.set(trainI.subarray(trainP[user], trainP[user + 1]), e);
      e += trainP[user + 1] - trainP[user];
    }
    off[r + 1] = e;
  }
}

/** The most interactions any one user has in `data`. */
export function maxRowLength(data: Interactions): number {
  const p = data.byUser.indptr;
  let max = 0;
  for (let u = 0; u < data.nUsers; u++) max = Math.max(max, p[u + 1] - p[u]);
  return max;
}

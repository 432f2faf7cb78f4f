import type { Csr } from "../data/csr.js";
import type { SyntheticWorld } from "./world.js";

/**
 * Every user's truly relevant items (r(u,i) above the world's threshold) as a CSR, user → items
 * ascending. Computed once per world: the true recall of a served list needs the size of each
 * user's relevant set, and reading it from this table costs O(relevant items) instead of a pass
 * over the whole catalog per user.
 */
export function trulyRelevantItems(world: Pick<SyntheticWorld, "users" | "items" | "isRelevant">): Csr {
  const nUsers = world.users.length,
    nItems = world.items.length;
  const indptr = new Int32Array(nUsers + 1);
  let indices = new Int32Array(Math.max(16, nUsers * 8));
  let n = 0;
  for (let u = 0; u < nUsers; u++) {
    for (let i = 0; i < nItems; i++) {
      if (!world.isRelevant(u, i)) continue;
      if (n === indices.length) {
        const grown = new Int32Array(indices.length * 2);
        grown.set(indices);
        indices = grown;
      }
      indices[n++] = i;
    }
    indptr[u + 1] = n;
  }
  return { indptr, indices: indices.slice(0, n) };
}

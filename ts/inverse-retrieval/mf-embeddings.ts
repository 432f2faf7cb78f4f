import type { MatrixFactorization } from "../mf/matrix-factorization.js";
import type { OwnedServingEmbeddings } from "./embeddings.js";

/**
 * The tables a matrix factorisation model SERVES, as copies the caller owns (see
 * MatrixFactorization.servedTables): userTable[u]·itemTable[i] is the score model.scoreUsers gives.
 */
export function mfServingEmbeddings(model: MatrixFactorization): OwnedServingEmbeddings {
  const { users: userTable, items: itemTable } = model.servedTables();
  return {
    kernels: model.kernels,
    dim: model.dim,
    users: model.users,
    items: model.items,
    userTable,
    itemTable,
    dispose: () => {
      userTable.free();
      itemTable.free();
    },
  };
}

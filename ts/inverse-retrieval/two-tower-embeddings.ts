import type { TwoTower } from "../two-tower/two-tower.js";
import type { OwnedServingEmbeddings } from "./embeddings.js";

/**
 * The tables a two-tower model serves, as copies the caller owns: user row u = the user tower over
 * training user u's training row (the history scoreUsers reads), item row i = the item tower's
 * output, so userTable[u]·itemTable[i] is the score the model ranks by. This is how the InvR paper
 * repurposes a two-tower model: the user tower's outputs become the "catalog" items are matched to.
 */
export function twoTowerServingEmbeddings(model: TwoTower): OwnedServingEmbeddings {
  const userTable = model.trainingUserTable();
  let itemTable;
  try {
    itemTable = model.itemTable();
  } catch (e) {
    userTable.free();
    throw e;
  }
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

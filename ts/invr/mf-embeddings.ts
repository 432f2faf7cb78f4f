import type { WasmF32Array } from "../engine/wasm-engine.js";
import type { MatrixFactorization } from "../model/matrix-factorization.js";
import { projectPopularity } from "../model/popularity-projection.js";
import type { OwnedServingEmbeddings } from "./embeddings.js";

/**
 * The tables a matrix factorisation model SERVES, as copies the caller owns: the raw P and Q, or,
 * for a model served with the gradient-perspective projection (α1, α2 ≠ 0), both tables after
 * Eq. 15-16, so that userTable[u]·itemTable[i] is the score model.scoreUsers gives.
 */
export function mfServingEmbeddings(model: MatrixFactorization): OwnedServingEmbeddings {
  const kernels = model.kernels;
  const d = model.dim;
  const { alphaItems, alphaUsers } = model.config;
  const directions = alphaItems !== 0 || alphaUsers !== 0 ? model.popularDirections() : null;
  if ((alphaItems !== 0 || alphaUsers !== 0) && !directions) {
    throw new Error(`the model serves with α1 = ${alphaItems}, α2 = ${alphaUsers} but has no popular directions to project on`);
  }
  const owned: WasmF32Array[] = [];
  try {
    const userTable = kernels.engine.f32Copy(model.userFactors);
    owned.push(userTable);
    const itemTable = kernels.engine.f32Copy(model.itemFactors);
    owned.push(itemTable);
    if (directions) {
      projectPopularity(kernels, userTable, model.nUsers, d, directions.users, alphaUsers);
      projectPopularity(kernels, itemTable, model.nItems, d, directions.items, alphaItems);
    }
    return {
      kernels, dim: d, users: model.users, items: model.items, userTable, itemTable,
      dispose: () => {
        userTable.free();
        itemTable.free();
      },
    };
  } catch (e) {
    for (const a of owned) a.free();
    throw e;
  }
}

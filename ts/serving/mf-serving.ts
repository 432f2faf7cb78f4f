import type { MatrixFactorization } from "../mf/matrix-factorization.js";
import { freeAll } from "../kernels/wasm-instance.js";
import { createTopKProvider, type BackendSelection, type TopKProviderOptions } from "./backend.js";
import { recommendAllUsers, type AllRecommendations, type RecommendAllOptions } from "./recommend-all.js";
import type { ProviderMemory, ServingTables } from "./top-k-provider.js";

/**
 * A matrix factorisation model's tables as it serves them: the popularity projections of its
 * configuration applied (as in scoreUsers), copied out of wasm memory, with its training items as
 * the exclusions (excludeSeen: false leaves them in).
 */
export function mfServingTables(model: MatrixFactorization, options: { excludeSeen?: boolean } = {}): ServingTables {
  const served = model.servedTables();
  try {
    return {
      dim: model.dim,
      nUsers: model.nUsers,
      nItems: model.nItems,
      users: served.users.view.slice(),
      items: served.items.view.slice(),
      exclude: options.excludeSeen === false ? null : model.trainingItems,
    };
  } finally {
    freeAll(served.users, served.items);
  }
}

export interface ModelRecommendations extends AllRecommendations {
  selection: BackendSelection;
  memory: ProviderMemory;
}

/**
 * Top-k for every user of a model (training items left out) on the chosen backend: `backend:
 * "auto"` (default) serves large catalogs on a hardware GPU and everything else on wasm.
 */
export async function recommendForAllUsers(
  model: MatrixFactorization,
  options: TopKProviderOptions & RecommendAllOptions & { excludeSeen?: boolean } = {},
): Promise<ModelRecommendations> {
  const provider = await createTopKProvider(model.kernels, mfServingTables(model, options), options);
  try {
    const memory = provider.memory();
    const result = await recommendAllUsers(provider, options);
    return { ...result, selection: provider.selection, memory };
  } finally {
    provider.dispose();
  }
}

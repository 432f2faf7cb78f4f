/**
 * The model file's `kind` → the model class that reads it. Every kind this version reads also
 * answers watchlists (HistoryRecommender); any other kind is an error that says which can.
 */
import type { Kernels } from "../kernels/kernels.js";
import type { HistoryRecommender } from "./history-recommender.js";
import { MatrixFactorization } from "../mf/matrix-factorization.js";
import { ModelFileError, type ModelFileContents } from "./model-file.js";
import { TwoTower } from "../two-tower/two-tower.js";

/** A loaded model owns wasm memory: dispose() frees it. */
export type LoadedHistoryRecommender = HistoryRecommender & { dispose(): void };
export type LoadedModel = MatrixFactorization | TwoTower;

const LOADERS: Readonly<Record<string, (kernels: Kernels, contents: ModelFileContents, fileName: string) => LoadedModel>> = {
  // Matrix factorisation answers an unseen history by fold-in (fold-in.ts).
  mf: (kernels, contents, fileName) => MatrixFactorization.fromModelFile(kernels, contents, fileName),
  // The two-tower model reads any history with its user tower.
  "two-tower": (kernels, contents, fileName) => TwoTower.fromModelFile(kernels, contents, fileName),
};

/** The kinds modelFromContents and loadHistoryRecommender accept. */
export const HISTORY_MODEL_KINDS: readonly string[] = Object.keys(LOADERS);

/** The model a decoded file holds; `need` says, in the error for another kind, what the caller wanted of it. */
export function modelFromContents(kernels: Kernels, contents: ModelFileContents, fileName = "model", need = "be read by this version"): LoadedModel {
  const load = Object.hasOwn(LOADERS, contents.kind) ? LOADERS[contents.kind] : undefined;
  if (!load) {
    throw new ModelFileError(
      fileName,
      "invalid-contents",
      `a model of kind "${contents.kind}" cannot ${need}; kinds that can: ${HISTORY_MODEL_KINDS.map((k) => `"${k}"`).join(", ")}`,
    );
  }
  return load(kernels, contents, fileName);
}

export function loadHistoryRecommender(kernels: Kernels, contents: ModelFileContents, fileName = "model"): LoadedHistoryRecommender {
  const model = modelFromContents(kernels, contents, fileName, "recommend for a watchlist");
  model.items.freeze();
  return model;
}

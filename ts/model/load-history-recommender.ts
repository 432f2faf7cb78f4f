/**
 * The model file's `kind` → a model that answers watchlists. Each kind that implements
 * HistoryRecommender gets its loader here; every other kind is an error that says which can.
 */
import type { Kernels } from "../engine/kernels.js";
import type { HistoryRecommender } from "./history-recommender.js";
import { MatrixFactorization } from "./matrix-factorization.js";
import { ModelFileError, type ModelFileContents } from "./model-file.js";
import { TwoTower } from "./two-tower.js";

/** A loaded model owns wasm memory: dispose() frees it. */
export type LoadedHistoryRecommender = HistoryRecommender & { dispose(): void };

const LOADERS: Readonly<Record<string, (kernels: Kernels, contents: ModelFileContents, fileName: string) => LoadedHistoryRecommender>> = {
  // Matrix factorisation answers an unseen history by fold-in (fold-in.ts).
  mf: (kernels, contents, fileName) => MatrixFactorization.fromModelFile(kernels, contents, fileName),
  // The two-tower model reads any history with its user tower.
  "two-tower": (kernels, contents, fileName) => TwoTower.fromModelFile(kernels, contents, fileName),
};

/** The kinds loadHistoryRecommender accepts. */
export const HISTORY_MODEL_KINDS: readonly string[] = Object.keys(LOADERS);

export function loadHistoryRecommender(kernels: Kernels, contents: ModelFileContents, fileName = "model"): LoadedHistoryRecommender {
  const load = Object.hasOwn(LOADERS, contents.kind) ? LOADERS[contents.kind] : undefined;
  if (!load) {
    throw new ModelFileError(fileName, "invalid-contents", `a model of kind "${contents.kind}" cannot recommend for a watchlist; kinds that can: ${HISTORY_MODEL_KINDS.map((k) => `"${k}"`).join(", ")}`);
  }
  const model = load(kernels, contents, fileName);
  model.items.freeze();
  return model;
}

import type { Interactions } from "../data/interactions.js";
import type { Kernels } from "../kernels/kernels.js";
import type { UserBlockScorer } from "../eval/scorer.js";
import { MatrixFactorization } from "../mf/matrix-factorization.js";
import { MostPopular } from "../model/most-popular.js";
import { PopularityReranker } from "../model/popularity-rerank.js";
import type { MfConfig } from "../mf/config.js";
import type { MfServing } from "../mf/serving.js";
import type { FitOptions, TrainingWarning } from "../train/fit-report.js";
import type { ExperimentModel, ExperimentSpec } from "./experiment-spec.js";
import { GraphFilter, type ResolvedGraphFilter } from "../graph-filter/graph-filter.js";

/** A configuration trained and ready to serve; dispose() frees its wasm memory. */
export interface TrainedScorer {
  kind: ExperimentModel;
  /** What serves: the model, its re-ranked view, or the Most Popular shelf. */
  scorer: UserBlockScorer;
  /** The resolved configuration (MF only). */
  config?: MfConfig;
  /** How the model serves (MF only). */
  serving?: MfServing;
  /** The graph filter's settings (graph-filter only). */
  graphFilter?: ResolvedGraphFilter;
  /** The training counts the scorer was built on (the popularity of its items). */
  itemPopularity: Int32Array;
  epochs: number;
  trainSeconds: number;
  /** The fit report's warnings (the loss rose, the regulariser dominates); empty for the Most Popular shelf. */
  warnings: TrainingWarning[];
  dispose(): void;
}

/** Train one configuration on `train` (MF with its optional re-ranking, the graph filter, or the Most Popular shelf of its counts). */
export async function trainScorer(kernels: Kernels, spec: ExperimentSpec, train: Interactions, fit: FitOptions = {}): Promise<TrainedScorer> {
  if ((spec.model ?? "mf") === "most-popular") {
    const counts = train.itemCounts();
    return {
      kind: "most-popular",
      scorer: new MostPopular(kernels, train.nUsers, counts),
      itemPopularity: counts,
      epochs: 0,
      trainSeconds: 0,
      warnings: [],
      dispose: () => {},
    };
  }
  if (spec.model === "graph-filter") {
    const started = Date.now();
    const filter = GraphFilter.fit(kernels, train, spec.graphFilter);
    return {
      kind: "graph-filter",
      scorer: filter,
      graphFilter: filter.settings,
      itemPopularity: filter.itemCounts,
      epochs: 0,
      trainSeconds: (Date.now() - started) / 1000,
      warnings: [],
      dispose: () => filter.dispose(),
    };
  }
  const model = new MatrixFactorization(kernels, spec.config ?? {});
  try {
    const report = await model.fit(train, fit);
    if (spec.serving) {
      const { alphaItems = 0, alphaUsers = 0, popularDirection, popularHeadShare, normalizeItems = false } = spec.serving;
      model.setPopularityAdjustment({ alphaItems, alphaUsers, source: popularDirection, headShare: popularHeadShare });
      model.setItemNormalization(normalizeItems);
    }
    const reranker = spec.popularityPenalty !== undefined ? new PopularityReranker(model, model.itemCounts, spec.popularityPenalty) : null;
    return {
      kind: "mf",
      scorer: reranker ?? model,
      config: model.config,
      serving: { ...model.serving },
      itemPopularity: model.itemCounts,
      epochs: report.epochs.length,
      trainSeconds: report.seconds,
      warnings: report.warnings,
      dispose: () => {
        reranker?.dispose();
        model.dispose();
      },
    };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

import type { GraphFilterOptions } from "../graph-filter/graph-filter.js";
import type { MfConfig } from "../mf/config.js";
import type { MfServing } from "../mf/serving.js";

export type ExperimentModel = "mf" | "most-popular" | "graph-filter";

/** One configuration of a comparison: what to train (or not) and how to serve it. */
export interface ExperimentSpec {
  label: string;
  /** "most-popular": the unpersonalised baseline (nothing is trained); "graph-filter": the closed-form {@link GraphFilterOptions} model. */
  model?: ExperimentModel;
  /** The graph filter's settings (graph-filter only); unset fields keep its defaults. */
  graphFilter?: GraphFilterOptions;
  /** Matrix factorisation settings; unset fields keep the loss's defaults. */
  config?: Partial<MfConfig>;
  /** How the trained model serves (the gradient adjustment's α1/α2), applied after training (MF only). */
  serving?: Partial<MfServing>;
  /** Serve through popularity-penalty re-ranking with this β (MF only; see PopularityReranker). */
  popularityPenalty?: number;
}

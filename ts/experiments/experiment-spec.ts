import type { MfConfig } from "../mf/config.js";
import type { MfServing } from "../mf/serving.js";

/** One configuration of a comparison: what to train (or not) and how to serve it. */
export interface ExperimentSpec {
  label: string;
  /** "most-popular": the unpersonalised baseline (nothing is trained). */
  model?: "mf" | "most-popular";
  /** Matrix factorisation settings; unset fields keep the loss's defaults. */
  config?: Partial<MfConfig>;
  /** How the trained model serves (the gradient adjustment's α1/α2), applied after training (MF only). */
  serving?: Partial<MfServing>;
  /** Serve through popularity-penalty re-ranking with this β (MF only; see PopularityReranker). */
  popularityPenalty?: number;
}

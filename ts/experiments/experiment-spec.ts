import type { MfConfig } from "../mf/config.js";

/** One configuration of a comparison: what to train (or not) and how to serve it. */
export interface ExperimentSpec {
  label: string;
  /** "most-popular": the unpersonalised baseline (nothing is trained). */
  model?: "mf" | "most-popular";
  /** Matrix factorisation settings; unset fields keep the loss's defaults. */
  config?: Partial<MfConfig>;
  /** Serve through popularity-penalty re-ranking with this β (MF only; see PopularityReranker). */
  popularityPenalty?: number;
}

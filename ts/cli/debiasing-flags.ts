import { ArgsError, type FlagSpec, type FlagValues } from "./args.js";
import type { MfConfig } from "../mf/config.js";
import { POPULAR_DIRECTION_SOURCES, type MfServing } from "../mf/serving.js";

/** Training flags of the popularity-debiasing methods (docs/methods-and-metrics.md, "Debiasing methods"); all off by default. */
export const DEBIASING_FLAGS = [
  {
    name: "logit-adjustment",
    type: "number",
    min: 0,
    placeholder: "α",
    help: "Logit adjustment (softmax losses): add α·log(1 + item count) to every training logit, negatives included; serving uses raw scores (default 0; the blog's choice 0.5).",
  },
  {
    name: "resn",
    type: "number",
    min: 0,
    placeholder: "λ",
    help: "ReSN: add λ·σ_max(U·Vᵀ)² over each step's users to the step's summed loss, computed through the factors (default 0; any loss).",
  },
  { name: "ips", type: "boolean", help: "IPS: weight every positive by 1/propensity (count / max count), clipped and normalised to mean 1 (any loss)." },
  {
    name: "ips-min-propensity",
    type: "number",
    positive: true,
    max: 1,
    placeholder: "p",
    help: "IPS clipping: propensities below p count as p, so no weight exceeds 1/p before normalisation (default 0.01).",
  },
] as const satisfies readonly FlagSpec[];

/** The debiasing part of the model configuration (unset flags keep the defaults: no debiasing). */
export function debiasingConfigFromFlags(v: FlagValues<typeof DEBIASING_FLAGS>): Partial<MfConfig> {
  return { logitAdjustment: v["logit-adjustment"], spectralPenalty: v.resn, ips: v.ips, ipsMinPropensity: v["ips-min-propensity"] };
}

/** Test-time normalisation of item embeddings (a serving setting: saved by train, applied by evaluate and configurations). */
export const TTEN_FLAG = {
  name: "tten",
  type: "boolean",
  help: "TTEN: rank on unit-norm item vectors, score = user·item/‖item‖ (item norms carry popularity; no retraining). MF only.",
} as const satisfies FlagSpec;

/** Serving-time popularity-penalty re-ranking, for `recommend` and `evaluate`. */
export const RERANK_FLAG = {
  name: "rerank",
  type: "number",
  min: 0,
  placeholder: "β",
  help: "Re-rank on score − β·log(1 + item's training count) (popularity penalty; training items stay excluded). Default: no re-ranking.",
} as const satisfies FlagSpec;

/** Ren et al.'s gradient-perspective adjustment (bpr, bce): `longtail train` and configuration strings. */
export const GRADIENT_ADJUSTMENT_FLAGS = [
  { name: "gradient-adjust", type: "boolean", help: "Ren et al.'s gradient-perspective popularity adjustment (bpr, bce): see above." },
  {
    name: "popular-direction",
    type: "enum",
    choices: POPULAR_DIRECTION_SOURCES,
    help: "--gradient-adjust: popular directions from the accumulated gradients (default) or the mean embedding of the head items/users.",
  },
  { name: "alpha-items", type: "number", min: 0, help: "--gradient-adjust: fix α1 (items, Eq. 15) instead of searching it; 0 = the α1 = 0 ablation." },
  { name: "alpha-users", type: "number", min: 0, help: "--gradient-adjust: fix α2 (users, Eq. 16) instead of searching it; 0 = the α2 = 0 ablation." },
] as const satisfies readonly FlagSpec[];

/**
 * The gradient adjustment's training part (record the gradients) and its serving part (α1, α2,
 * the directions); its option flags without --gradient-adjust are an error.
 */
export function gradientAdjustmentFromFlags(
  v: FlagValues<typeof GRADIENT_ADJUSTMENT_FLAGS>,
  command: string,
): { config: Partial<MfConfig>; serving: Partial<MfServing> } {
  for (const flag of ["popular-direction", "alpha-items", "alpha-users"] as const) {
    if (v[flag] !== undefined && !v["gradient-adjust"])
      throw new ArgsError(`--${flag} belongs to the gradient-perspective adjustment: add --gradient-adjust`, command, `Run "longtail ${command} --help".`);
  }
  return {
    config: { gradientAdjustment: v["gradient-adjust"] },
    serving: { popularDirection: v["popular-direction"], alphaItems: v["alpha-items"], alphaUsers: v["alpha-users"] },
  };
}

/**
 * Logit adjustment (Menon et al. 2020, "Long-tail learning via logit adjustment"): during
 * training every item's logit, negatives included, gets α·log(1 + c_i). Popular items then sit
 * among the negatives with a head start, so the optimum drives the raw score toward
 * log P(i|u) − α·log(popularity); serving ranks on the raw score and never adds the bias.
 */
import type { Interactions } from "../data/interactions.js";

/** α·log(1 + c_i) per item, or null when α = 0 (the plain model, bit for bit). */
export function logitAdjustmentBias(config: { readonly logitAdjustment: number }, train: Interactions): Float32Array | null {
  const alpha = config.logitAdjustment;
  if (!(alpha > 0)) return null;
  const counts = train.itemCounts();
  const bias = new Float32Array(counts.length);
  for (let i = 0; i < counts.length; i++) bias[i] = alpha * Math.log1p(counts[i]);
  return bias;
}

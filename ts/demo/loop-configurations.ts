import type { ExperimentSpec } from "../experiments/experiment-spec.js";
import type { DemoOptions } from "./demo-options.js";

/**
 * The feedback loop's configurations: the plain and the debiased model as the demo trains them,
 * every other debiasing method on the same loss and epochs, and the Most Popular shelf.
 */
export function loopConfigurations(options: Pick<DemoOptions, "loss" | "epochs" | "alpha" | "seed">): ExperimentSpec[] {
  const { loss, epochs, alpha, seed } = options;
  const model = { loss, epochs, seed };
  return [
    { label: "plain", model: "mf", config: { ...model } },
    { label: `logit-adj ${alpha}`, model: "mf", config: { ...model, logitAdjustment: alpha } },
    { label: "ReSN 5", model: "mf", config: { ...model, spectralPenalty: 5 } },
    { label: "IPS", model: "mf", config: { ...model, ips: true } },
    { label: "re-rank 0.05", model: "mf", config: { ...model }, popularityPenalty: 0.05 },
    // The gradient-perspective adjustment is defined for BPR/BCE, so it brings its own loss; α fixed
    // (the grid search needs a validation part the loop does not hold out): α1 = 1, α2 = 0 is what
    // the grid picked on ML-1M (docs/reproducing.md, b).
    {
      label: "gradient adj. (BPR)",
      model: "mf",
      config: { loss: "bpr", epochs: 10, seed, gradientAdjustment: true },
      serving: { alphaItems: 1, alphaUsers: 0 },
    },
    { label: "most popular", model: "most-popular" },
  ];
}

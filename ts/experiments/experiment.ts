import type { Interactions } from "../data/interactions.js";
import type { Kernels } from "../engine/kernels.js";
import { evaluateRanking, type EvaluateOptions, type EvaluationResult } from "../eval/evaluate.js";
import { MatrixFactorization } from "../model/matrix-factorization.js";
import { MostPopular } from "../model/most-popular.js";
import { PopularityReranker } from "../model/popularity-rerank.js";
import type { MfConfig } from "../train/config.js";
import type { FitOptions } from "../train/fit.js";

/** One configuration of a comparison: a label and what to train. */
export interface ExperimentSpec {
  label: string;
  /** "most-popular": the unpersonalised baseline (nothing is trained). */
  model?: "mf" | "most-popular";
  /** Matrix factorisation settings; unset fields keep the loss's defaults. */
  config?: Partial<MfConfig>;
  /** Serve through popularity-penalty re-ranking with this β (MF only; see PopularityReranker). */
  popularityPenalty?: number;
}

export interface ExperimentResult {
  label: string;
  model: "mf" | "most-popular";
  /** The resolved configuration (MF only). */
  config?: MfConfig;
  epochs: number;
  trainSeconds: number;
  evaluateSeconds: number;
  evaluation: EvaluationResult;
}

export interface ExperimentOptions {
  evaluate?: EvaluateOptions;
  /** Training options (progress, cancellation); validation/early stopping apply to every configuration. */
  fit?: (spec: ExperimentSpec) => FitOptions;
  onEvaluateStart?: (spec: ExperimentSpec) => void;
}

const now = (): number => (typeof performance !== "undefined" ? performance.now() : Date.now());

/**
 * Train one configuration on `train` and evaluate it on `test` with full ranking. The trained
 * model is disposed before returning: a comparison of many configurations holds one at a time.
 */
export async function runExperiment(
  kernels: Kernels, spec: ExperimentSpec, train: Interactions, test: Interactions, options: ExperimentOptions = {},
): Promise<ExperimentResult> {
  const kind = spec.model ?? "mf";
  if (kind === "most-popular") {
    const scorer = new MostPopular(kernels, train.nUsers, train.itemCounts());
    options.onEvaluateStart?.(spec);
    const t0 = now();
    const evaluation = evaluateRanking(scorer, train, test, options.evaluate);
    return { label: spec.label, model: kind, epochs: 0, trainSeconds: 0, evaluateSeconds: (now() - t0) / 1000, evaluation };
  }
  const model = new MatrixFactorization(kernels, spec.config ?? {});
  let reranker: PopularityReranker | null = null;
  try {
    const report = await model.fit(train, options.fit?.(spec) ?? {});
    if (spec.popularityPenalty !== undefined) reranker = new PopularityReranker(model, model.itemCounts, spec.popularityPenalty);
    options.onEvaluateStart?.(spec);
    const t0 = now();
    const evaluation = evaluateRanking(reranker ?? model, train, test, { itemPopularity: model.itemCounts, ...options.evaluate });
    return {
      label: spec.label, model: kind, config: model.config, epochs: report.epochs.length,
      trainSeconds: report.seconds, evaluateSeconds: (now() - t0) / 1000, evaluation,
    };
  } finally {
    reranker?.dispose();
    model.dispose();
  }
}

/** Run every configuration in order on the same split. */
export async function runExperiments(
  kernels: Kernels, specs: readonly ExperimentSpec[], train: Interactions, test: Interactions, options: ExperimentOptions = {},
): Promise<ExperimentResult[]> {
  const labels = new Set<string>();
  for (const s of specs) {
    if (labels.has(s.label)) throw new RangeError(`two configurations are labelled "${s.label}": give each a distinct label`);
    labels.add(s.label);
  }
  const results: ExperimentResult[] = [];
  for (const spec of specs) results.push(await runExperiment(kernels, spec, train, test, options));
  return results;
}

import type { Interactions } from "../data/interactions.js";
import type { Kernels } from "../kernels/kernels.js";
import { evaluateRanking, type EvaluateOptions, type EvaluationResult } from "../eval/evaluate.js";
import type { MfConfig } from "../mf/config.js";
import type { MfServing } from "../mf/serving.js";
import type { FitOptions, TrainingWarning } from "../train/fit-report.js";
import { trainScorer } from "./trained-scorer.js";
import type { ExperimentModel, ExperimentSpec } from "./experiment-spec.js";
import type { ResolvedGraphFilter } from "../graph-filter/graph-filter.js";

export type { ExperimentSpec };

/** One configuration of a comparison: a label and what to train. */

export interface ExperimentResult {
  label: string;
  model: ExperimentModel;
  /** The resolved configuration (MF only). */
  config?: MfConfig;
  /** How it served (MF only): the gradient adjustment's α1/α2 and directions. */
  serving?: MfServing;
  /** The graph filter's settings, its rank as capped by the data (graph-filter only). */
  graphFilter?: ResolvedGraphFilter;
  epochs: number;
  trainSeconds: number;
  /** Signs of a useless model from its training (see FitReport.warnings); empty when none. */
  warnings: TrainingWarning[];
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
  kernels: Kernels,
  spec: ExperimentSpec,
  train: Interactions,
  test: Interactions,
  options: ExperimentOptions = {},
): Promise<ExperimentResult> {
  const trained = await trainScorer(kernels, spec, train, options.fit?.(spec) ?? {});
  try {
    options.onEvaluateStart?.(spec);
    const t0 = now();
    const evaluation = evaluateRanking(trained.scorer, train, test, { itemPopularity: trained.itemPopularity, ...options.evaluate });
    return {
      label: spec.label,
      model: trained.kind,
      ...(trained.config && { config: trained.config }),
      ...(trained.serving && { serving: trained.serving }),
      ...(trained.graphFilter && { graphFilter: trained.graphFilter }),
      epochs: trained.epochs,
      trainSeconds: trained.trainSeconds,
      warnings: trained.warnings,
      evaluateSeconds: (now() - t0) / 1000,
      evaluation,
    };
  } finally {
    trained.dispose();
  }
}

/** Run every configuration in order on the same split. */
export async function runExperiments(
  kernels: Kernels,
  specs: readonly ExperimentSpec[],
  train: Interactions,
  test: Interactions,
  options: ExperimentOptions = {},
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

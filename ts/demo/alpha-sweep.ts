import type { AlphaSweep } from "../report/report-data.js";
import type { ServedModel } from "./served-model.js";

/** Every α of the sweep measured; the ones already trained (the plain and the debiased model) are reused. */
export async function alphaSweep(
  alphas: readonly number[],
  known: readonly (readonly [number, ServedModel])[],
  measure: (alpha: number) => Promise<ServedModel>,
  k: number,
  truth: boolean,
): Promise<AlphaSweep> {
  const points: AlphaSweep["points"][number][] = [];
  for (const alpha of alphas) {
    const served = known.find(([a]) => a === alpha)?.[1] ?? (await measure(alpha));
    points.push({ alpha, metrics: served.metrics });
  }
  return { points, accuracyMetric: `ndcg@${k}`, popularityMetric: `medianPopularity@${k}`, ...(truth && { truthMetric: `truePrecision@${k}` }) };
}

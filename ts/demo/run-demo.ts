/**
 * The demo's experiment, from a split to the report's data: a plain and a logit-adjusted matrix
 * factorisation against the Most Popular shelf (held-out accuracy with full ranking, the popularity
 * of what each serves, and in the synthetic world the share of served items that truly fit), the
 * persona walls, the α sweep, whether a serving re-rank beats the debiased model, and the feedback loop. `longtail demo` prints and renders what this returns.
 */
import type { Interactions } from "../data/interactions.js";
import { gini } from "../eval/gini.js";
import { DEFAULT_HEAD_RULE, headTailBoundary } from "../eval/head-tail.js";
import { PopularityRanking } from "../eval/popularity-ranking.js";
import { compareMetricRecords } from "../experiments/comparison.js";
import type { Kernels } from "../kernels/kernels.js";
import type { MfConfig } from "../mf/config.js";
import { MatrixFactorization } from "../mf/matrix-factorization.js";
import { MostPopular } from "../model/most-popular.js";
import { exposureCounts } from "../report/lorenz-curve.js";
import type { DemoReport } from "../report/report-data.js";
import { trulyRelevantItems } from "../synthetic/relevant-items.js";
import { alphaSweep } from "./alpha-sweep.js";
import { rerankAgainstAlpha } from "./rerank-against-alpha.js";
import type { DemoData } from "./demo-data.js";
import { demoFeedbackLoop } from "./demo-feedback-loop.js";
import type { DemoHooks } from "./demo-hooks.js";
import type { DemoOptions } from "./demo-options.js";
import { movieLensWalls, syntheticWalls } from "./persona-walls.js";
import { type ServingContext, serveModel } from "./served-model.js";

/** The report's data, and every compared model's metrics (the JSON output lists them all, the report's table a chosen few). */
export interface DemoResult {
  report: DemoReport;
  models: readonly { label: string; metrics: Record<string, number> }[];
}

export async function runDemo(kernels: Kernels, data: DemoData, options: DemoOptions, hooks: DemoHooks = {}): Promise<DemoResult> {
  const started = options.startedAt ?? performance.now();
  const { train, test, world } = data;
  const k = options.k;
  if (!Number.isInteger(k) || k <= 0 || k >= train.nItems)
    throw new RangeError(`runDemo: k must be a positive integer below the catalog's ${train.nItems} items, got ${k}`);
  const relevant = world ? trulyRelevantItems(world) : null;
  const { isHead } = headTailBoundary(new PopularityRanking(train.itemCounts()), DEFAULT_HEAD_RULE);
  const context: ServingContext = { train, test, k, isHead, relevant, hooks };
  const base: Partial<MfConfig> = { loss: options.loss, epochs: options.epochs, seed: options.seed };
  const plainLabel = `plain MF (${options.loss})`,
    debiasedLabel = `logit adjustment α = ${options.alpha}`;
  const plain = await trainMf(kernels, { ...base, logitAdjustment: 0 }, train, plainLabel, hooks);
  let debiased: MatrixFactorization | undefined;
  try {
    debiased = await trainMf(kernels, { ...base, logitAdjustment: options.alpha }, train, debiasedLabel, hooks);
    const served = [
      serveModel(context, plainLabel, plain),
      serveModel(context, debiasedLabel, debiased),
      serveModel(context, "Most Popular", new MostPopular(kernels, train.nUsers, train.itemCounts())),
    ];
    const comparison = compareMetricRecords(served.map((s) => ({ label: s.label, metrics: s.metrics })));
    const tableMetrics = [
      `recall@${k}`,
      `ndcg@${k}`,
      "mrr",
      `hitrate@${k}`,
      `recall@${k}.head`,
      `recall@${k}.tail`,
      `coverage@${k}`,
      `gini@${k}`,
      `medianPopularity@${k}`,
      `longTailShare@${k}`,
      ...(relevant ? [`truePrecision@${k}`, `truePrecision@${k}.head`, `truePrecision@${k}.tail`] : []),
    ];
    const sweep =
      options.alphas === null
        ? { skipped: "The α sweep was skipped (--alphas none)." }
        : {
            data: await alphaSweep(
              options.alphas,
              [
                [0, served[0]!],
                [options.alpha, served[1]!],
              ],
              async (alpha) => {
                const model = await trainMf(kernels, { ...base, logitAdjustment: alpha }, train, `α = ${alpha}`, hooks);
                try {
                  return serveModel(context, `α = ${alpha}`, model);
                } finally {
                  model.dispose();
                }
              },
              k,
              relevant !== null,
            ),
          };
    const rerank = rerankAgainstAlpha(plain, train, test, k, options.alpha, served[1]!.metrics);
    const sides = [
      { label: plainLabel, model: plain, lists: served[0]!.lists },
      { label: debiasedLabel, model: debiased, lists: served[1]!.lists },
    ];
    const walls = world ? syntheticWalls(world, train, sides, k) : movieLensWalls(data.titles, sides, k);
    const loop = await demoFeedbackLoop(kernels, world !== null, options, hooks);
    const report: DemoReport = {
      title: data.title,
      about: data.about,
      k,
      plainLabel,
      debiasedLabel,
      comparison,
      tableMetrics,
      trueRelevance: relevant
        ? {
            data: served.map((s) => ({
              label: s.label,
              precision: s.metrics[`truePrecision@${k}`]!,
              head: s.metrics[`truePrecision@${k}.head`]!,
              tail: s.metrics[`truePrecision@${k}.tail`]!,
              tailSlotShare: s.tailSlotShare,
            })),
          }
        : {
            skipped:
              "Real data has no ground truth: nobody knows which unseen movies each user would truly like, so true precision cannot be measured here. The held-out accuracy above rewards what the popularity-biased log rewards; run longtail demo without --data to see the synthetic world's ground truth.",
          },
      walls,
      alphaSweep: sweep,
      rerankAgainstAlpha: rerank,
      exposure: served.map((s) => {
        const exposure = exposureCounts(s.lists, train.nItems);
        return { label: s.label, exposure, gini: gini(exposure) };
      }),
      popularityGroups: {
        names: served[0]!.evaluation.groups.map((g) => g.name),
        series: served.map((s) => ({
          label: s.label,
          slotShare: s.evaluation.groups.map((g) => g.slotShare),
          recall: s.evaluation.groups.map((g) => g.recall),
        })),
      },
      feedbackLoop: loop,
      seconds: (performance.now() - started) / 1000,
    };
    return { report, models: served.map((s) => ({ label: s.label, metrics: s.metrics })) };
  } finally {
    plain.dispose();
    debiased?.dispose();
  }
}

async function trainMf(kernels: Kernels, config: Partial<MfConfig>, train: Interactions, label: string, hooks: DemoHooks): Promise<MatrixFactorization> {
  const model = new MatrixFactorization(kernels, config);
  try {
    await model.fit(train, hooks.fit?.(label) ?? {});
    return model;
  } catch (e) {
    model.dispose();
    throw e;
  }
}

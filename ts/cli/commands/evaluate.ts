import { EVALUATE } from "./evaluate-command.js";
export { EVALUATE };
import type { Interactions } from "../../data/interactions.js";
import { ArgsError, type ParsedArgs } from "../args.js";
import { dataReadFlags } from "../common-flags.js";
import { cliKernels } from "../kernels.js";
import { cappedK } from "../size-limits.js";
import { readAnyModel } from "../model-io.js";
import { TwoTower } from "../../two-tower/two-tower.js";
import { FoldInScorer } from "../../mf/fold-in-scorer.js";
import { runSequentialEvaluate } from "./evaluate-sequential.js";
import { readPartsForModel } from "../model-data.js";
import { headRuleFromFlags } from "../evaluation-flags.js";
import { createProgress } from "../progress.js";
import { evaluateRanking, hasTrainingInteraction } from "../../eval/evaluate.js";
import { projectsNothing } from "../../mf/serving.js";
import { formatResult } from "../evaluation-report.js";
import { MostPopular } from "../../model/most-popular.js";
import type { MatrixFactorization } from "../../mf/matrix-factorization.js";
import { PopularityReranker } from "../../model/popularity-rerank.js";

export async function runEvaluate(args: ParsedArgs<typeof EVALUATE>): Promise<number> {
  const v = args.values;
  const head = headRuleFromFlags(v, args.given, EVALUATE.name);
  if (v["most-popular"] && v.rerank !== undefined) {
    throw new ArgsError(
      `--rerank ${v.rerank} re-ranks the model's scores, and --most-popular evaluates the Most Popular shelf instead of the model; give one of them`,
      EVALUATE.name,
      'Run "longtail evaluate --help".',
    );
  }
  const progress = createProgress({ quiet: v.quiet });
  const kernels = await cliKernels(v.kernels, v.threads);
  const model = await readAnyModel(v.model, kernels);
  // A top-K list holds at most the catalog: K is capped at its size (as recommend does), never refused.
  const k = cappedK(v.k, model.nItems, (line) => progress.log(line));
  if (v.tten) {
    if (model instanceof TwoTower) {
      model.dispose();
      throw new ArgsError(`--tten: ${v.model} is a two-tower model; TTEN applies to matrix factorisation`, EVALUATE.name, 'Run "longtail evaluate --help".');
    }
    model.setItemNormalization(true);
  }
  if (model instanceof TwoTower && v.protocol === "classic") {
    model.dispose();
    throw new ArgsError(
      `--protocol classic: ${v.model} is a two-tower model, which is evaluated by the sequential protocol only; leave out --protocol`,
      EVALUATE.name,
      'Run "longtail evaluate --help".',
    );
  }
  if (model instanceof TwoTower || v.protocol === "sequential") {
    try {
      const contexts =
        model instanceof TwoTower ? { scorer: model, reads: `the history tower reads its last ${model.config.maxHistory} items` } : foldInContexts(model);
      await runSequentialEvaluate(args, k, contexts.scorer, model.items, contexts.reads, head, progress);
    } finally {
      model.dispose();
    }
    return 0;
  }
  const { train, test } = await readPartsForModel(model, v.data, v.test, {
    ...dataReadFlags(v, EVALUATE.name),
    onUnknown: v.unknown,
  });
  progress.log(`train: ${train.describe()}\ntest: ${test.describe()}`);
  if (!v["most-popular"] && everyTestUserIsNew(train, test)) {
    model.dispose();
    throw new ArgsError(
      `every test user of ${v.test ?? v.data} is new to the model (no training interaction: a split by users), so a trained model has no embedding to rank for them: ` +
        "evaluate with --protocol sequential (it folds in each held-out user's history), or --most-popular",
      EVALUATE.name,
      'Run "longtail evaluate --help".',
    );
  }
  const adjustment = gradientAdjustmentOf(model);
  // Printed with --quiet too: without it, a model whose grid switched the projection off reads as an adjusted one.
  if (adjustment?.projectionOff && !v["most-popular"]) {
    process.stderr.write(
      `longtail: note: ${v.model} was trained with --gradient-adjust but serves α1 = α2 = 0 (its α grid switched the projection off): ` +
        "these are the raw tables' results (trained with unit-norm users)\n",
    );
  }
  const scorer = v["most-popular"] ? new MostPopular(kernels, model.nUsers, model.itemCounts) : model;
  const bar = progress.start("evaluating", test.usersWithInteractions().length, "users");
  const started = performance.now();
  const reranker = v.rerank !== undefined ? new PopularityReranker(model, model.itemCounts, v.rerank) : null;
  const result = evaluateRanking(reranker ?? scorer, train, test, {
    k,
    head,
    exposureThreshold: v["exposure-threshold"],
    itemPopularity: model.itemCounts,
    onProgress: (done) => bar.update(done),
  });
  reranker?.dispose();
  const seconds = (performance.now() - started) / 1000;
  bar.finish(`${result.users} users in ${seconds.toFixed(1)} s`);
  if (result.coldStartUsers > 0) {
    process.stderr.write(
      `longtail: note: ${result.coldStartUsers} test users have no training interaction and were left out (a model has no trained embedding for them); ` +
        "recommend them the Most Popular shelf, or a watch history with recommend --history\n",
    );
  }
  if (v.json) {
    process.stdout.write(
      JSON.stringify({
        model: v.model,
        ...(v["most-popular"] && { scorer: "most-popular" }),
        ...(reranker && { rerank: v.rerank }),
        ...(!(model instanceof TwoTower) && model.serving.normalizeItems && { tten: true }),
        ...(adjustment && !v["most-popular"] && { gradientAdjustment: adjustment }),
        k: result.k,
        users: result.users,
        coldStartUsers: result.coldStartUsers,
        testInteractions: result.testInteractions,
        seconds,
        metrics: result.metrics,
        headTail: result.headTail,
        exposureThreshold: result.exposureThreshold,
        groups: result.groups,
      }) + "\n",
    );
  } else {
    process.stdout.write(formatResult(result, v["most-popular"] ? "the Most Popular shelf" : v.model));
  }
  model.dispose();
  return 0;
}

/** True when no test user has a training interaction (a split by users): classic evaluation has nothing to rank. */
function everyTestUserIsNew(train: Interactions, test: Interactions): boolean {
  return test.usersWithInteractions().every((u) => !hasTrainingInteraction(train, u));
}

/** For a model trained with the gradient adjustment: how it serves, and whether the projection is off. */
function gradientAdjustmentOf(model: MatrixFactorization): { alphaItems: number; alphaUsers: number; source: string; projectionOff: boolean } | undefined {
  if (!model.config.gradientAdjustment) return undefined;
  const { alphaItems, alphaUsers, popularDirection } = model.serving;
  return { alphaItems, alphaUsers, source: popularDirection, projectionOff: projectsNothing(model.serving) };
}

function foldInContexts(model: MatrixFactorization) {
  const scorer = new FoldInScorer(model);
  return { scorer, reads: `MF folds in its last ${scorer.window} items (λ = ${scorer.regularization})` };
}

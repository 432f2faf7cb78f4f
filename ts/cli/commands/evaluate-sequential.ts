/**
 * `longtail evaluate` for a two-tower model, or an MF model with --protocol sequential (by
 * fold-in): the sequential protocol (ts/eval/sequential.ts).
 * The test part holds held-out users (e.g. `longtail split --method users`); each of their
 * prefixes is a context, the next item its target, the prefix masked.
 */
import { dataReadFlags } from "../common-flags.js";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { ParsedArgs } from "../args.js";
import { readInteractions } from "../../data/read.js";
import { IdMap } from "../../data/id-map.js";
import { DataError } from "../../data/errors.js";
import { evaluateSequential } from "../../eval/sequential.js";
import { MostPopular } from "../../model/most-popular.js";
import { PopularityReranker } from "../../model/popularity-rerank.js";
import type { ContextScorer } from "../../model/history-scorer.js";
import { fileSource } from "../../node/dataset-files.js";
import { NODE_DECOMPRESSORS } from "../../node/decompressors.js";
import type { HeadRule } from "../../eval/head-tail.js";
import type { Progress } from "../progress.js";
import type { EVALUATE } from "./evaluate-command.js";
import { formatResult } from "../evaluation-report.js";

/** `reads` says how the model reads a context, for the report (e.g. "the history tower reads its last 50 items"). */
export async function runSequentialEvaluate(
  args: ParsedArgs<typeof EVALUATE>,
  k: number,
  model: ContextScorer & { readonly itemCounts: Int32Array },
  items: IdMap,
  reads: string,
  head: HeadRule | undefined,
  progress: Progress,
): Promise<void> {
  const v = args.values;
  const testPath = v.test ?? ((await stat(v.data).catch(() => null))?.isDirectory() ? join(v.data, "test.txt") : undefined);
  if (testPath === undefined)
    throw new DataError(
      { file: v.data },
      "no test part: pass --test <file> of held-out users, or --data a folder holding test.txt (longtail split --method users writes one)",
    );
  // Held-out users are new to the model: only the item ids are the model's.
  const sequences = await readInteractions(fileSource(testPath), {
    compressors: NODE_DECOMPRESSORS,
    fileName: testPath,
    name: testPath,
    ...dataReadFlags(v, "evaluate"),
    users: new IdMap(),
    items,
    onUnknown: v.unknown,
    unknownHint: "this model was not trained on it; pass --unknown drop to leave such interactions out of the histories",
  });
  progress.log(`test: ${sequences.describe()}`);
  const started = performance.now();
  const bar = progress.start("evaluating (sequential)", Math.max(0, sequences.nnz - sequences.usersWithInteractions().length), "contexts");
  const counts = model.itemCounts;
  const result = evaluateSequential(model, sequences, {
    k,
    ...(head && { head }),
    exposureThreshold: v["exposure-threshold"],
    onProgress: (done) => bar.update(done),
    ...(v["most-popular"] && { scorer: (contexts) => new MostPopular(model.kernels, contexts.nUsers, counts) }),
    ...(v.rerank !== undefined && { scorer: (contexts) => new PopularityReranker(contexts, counts, v.rerank!) }),
  });
  const seconds = (performance.now() - started) / 1000;
  bar.finish(`${result.contexts} contexts of ${result.heldOutUsers} held-out users in ${seconds.toFixed(1)} s`);
  if (v.json) {
    process.stdout.write(
      JSON.stringify({
        model: v.model,
        protocol: result.protocol,
        ...(v["most-popular"] && { scorer: "most-popular" }),
        ...(v.rerank !== undefined && { rerank: v.rerank }),
        k: result.k,
        contexts: result.contexts,
        heldOutUsers: result.heldOutUsers,
        users: result.users,
        testInteractions: result.testInteractions,
        seconds,
        metrics: result.metrics,
        headTail: result.headTail,
        exposureThreshold: result.exposureThreshold,
        groups: result.groups,
      }) + "\n",
    );
  } else {
    const what = v["most-popular"] ? "the Most Popular shelf" : v.model;
    process.stdout.write(
      `sequential protocol: ${result.contexts} contexts (every prefix → the next item) of ${result.heldOutUsers} held-out users in ${testPath}; ` +
        `each context's prefix is masked, ${reads}; "users" below are contexts\n` +
        formatResult(result, what),
    );
  }
}

/**
 * The front door stays small: the package root exports what the quick start and the common jobs
 * need, and every other name lives under a documented subpath (package.json "exports").
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT } from "./support/runtime-fixture.js";

/** The runtime values of the Node entry ("longtail" in Node); types are not counted. */
const ROOT = [
  "AtomicWriteError",
  "ConfigError",
  "DataError",
  "DivergenceError",
  "EvaluationError",
  "IdMap",
  "Interactions",
  "KernelUnavailableError",
  "MatrixFactorization",
  "ModelFileError",
  "MostPopular",
  "PopularityReranker",
  "RELAXED_OPT_OUT_ENV",
  "SizeLimitError",
  "TrainingAbortedError",
  "TwoTower",
  "UnknownIdError",
  "createEngine",
  "decodeModelFile",
  "detectCapabilities",
  "encodeModelFile",
  "evaluateRanking",
  "fileSource",
  "loadEngine",
  "loadKernels",
  "loadModel",
  "loadTrainTest",
  "loadWasmInstance",
  "randomHoldout",
  "readInteractions",
  "saveModel",
  "syntheticInteractions",
  "wasmPath",
  "writeFileAtomic",
];

/** A few names each subpath must keep (the subpath's reason to exist). */
const SUBPATHS: Record<string, string[]> = {
  kernels: ["Kernels", "WasmInstance", "createKernels", "compileKernelModule", "Rng"],
  metrics: ["evaluateRanking", "evaluateServedLists", "evaluateSequential", "rankTopLists"],
  splits: ["temporalSplit", "leaveLastSplit", "itemBalancedSplit", "usersSplit", "splitInteractions"],
  debias: ["SpectralPenalty", "clippedInversePropensities", "searchPopularityAlphas", "projectPopularity", "PopularityReranker"],
  models: ["resolveMfConfig", "LOSSES", "TWO_TOWER_DEFAULTS", "FoldInScorer", "loadHistoryRecommender"],
  synthetic: ["generateSyntheticWorld", "worldToInteractions", "syntheticInteractions", "measureTrueRelevance"],
  simulation: ["ChoiceModel", "simulateFeedbackLoops"],
  "inverse-retrieval": ["itemTopUsers", "assembleSlates", "evaluateInverseRetrieval", "InverseRetrievalError"],
  serving: ["createTopKProvider", "WasmTopK", "WebGpuTopK", "recommendForAllUsers", "RecommenderService", "QuantizedTopK", "QuantizedItemTable"],
  report: ["renderReport", "buildWall", "PERSONAS"],
  titles: ["readMovieLensMovies", "TitleIndex", "parseWatchlist"],
  export: ["itemEmbeddings", "userEmbeddings", "embeddingsParquet", "embeddingsArrow", "vectorizeNdjson", "pgvectorSql", "rankAllUsers"],
};

describe("the public API", () => {
  it("the root exports about 30 values, these", async () => {
    const root = await import("longtail");
    assert.deepEqual(Object.keys(root).sort(), [...ROOT].sort(), "a name added to or removed from the root is a decision: update the list and docs");
  });

  it("every subpath is in package.json and exports its names", async () => {
    const exportsMap = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { exports: Record<string, unknown> }).exports;
    for (const [subpath, names] of Object.entries(SUBPATHS)) {
      assert.ok(`./${subpath}` in exportsMap, `package.json exports ./${subpath}`);
      const module = (await import(`longtail/${subpath}`)) as Record<string, unknown>;
      for (const name of names) assert.ok(name in module, `longtail/${subpath} exports ${name}`);
    }
  });
});

/**
 * Fuzz test of the input readers and the model-file loader (issue 14): a few thousand seeded
 * mutations of valid files of every format (lines, csv with a header, tsv, MovieLens ratings.csv,
 * triples with and without a header, ratings.dat, u.data, the data folders, movies files, and a
 * model file written by the library from a tiny trained model) must each either give a result
 * whose invariants hold (finite non-negative counts, ids in range, no NaN) or throw the library's
 * user-facing error (DataError, ModelFileError). Anything else fails, grouped by kind, with the
 * seed, the case index, the mutations, the input and a shrunk input that still fails.
 *
 * The in-process cases run in worker threads under a watchdog, so an endless loop (or a regular
 * expression that backtracks for minutes) is reported with its input instead of hanging CI. A few
 * dozen cases run the CLI on mutated files: exit code 0, 1 or 2 and no stack trace.
 *
 * Reproduce: FUZZ_SEED=<seed> FUZZ_ONLY=<batch>:<index> node --test dist/tests/fuzz-inputs.test.js
 * (FUZZ_SCALE=10 runs ten times as many cases.)
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { DataError } from "../ts/data/errors.js";
import type { Interactions } from "../ts/data/interactions.js";
import { readInteractions, type ReadInteractionsOptions } from "../ts/data/read.js";
import { readMovieLens100kGenres, readMovieLens100kItems } from "../ts/data/readers/movielens-100k.js";
import { readMovieLensMovies } from "../ts/data/readers/movielens-csv.js";
import { readMovieLensDatMovies } from "../ts/data/readers/movielens-dat.js";
import { decodeModelFile, encodeModelFile, ModelFileError, type ModelFileContents } from "../ts/model/model-file.js";
import { Rng } from "../ts/util/rng.js";
import { BIN } from "./support/cli.js";
import { excerpt, mutate, mutateModelFile, randomChunks, sourceOf, type Mutated } from "./support/fuzz-mutations.js";

const SEED = Number(process.env.FUZZ_SEED ?? 14);
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
/** "batch:index": run that one case only. */
const ONLY = process.env.FUZZ_ONLY;
/** One in-process case slower than this is reported (CI machines are shared: generous). */
const SLOW_CASE_MS = 3000;
/** A worker that starts no new case for this long is stuck: its case is reported and the batch goes on after it. */
const HANG_MS = 15_000;

type BatchName = "read" | "movies" | "folders" | "model";
const BATCHES: ReadonlyArray<[BatchName, number]> = [
  ["read", 2400],
  ["movies", 300],
  ["folders", 150],
  ["model", 1200],
];
const CLI_DATA_CASES = 16;
const CLI_MODEL_CASES = 6;

/** The generator of one case: independent of every other case, so a case index reproduces it. */
function caseRng(batch: string, index: number): Rng {
  let h = SEED >>> 0;
  for (const c of batch) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return new Rng((h ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
}

const encoder = new TextEncoder();
const pick = <T>(rng: Rng, list: readonly T[]): T => list[rng.int(list.length)]!;

// ---------------------------------------------------------------------------------------------
// Valid seeds, one per format.

interface DataSeed {
  readonly id: string;
  readonly text: string;
  /** File names to read it under (the name hints the format when it is auto-detected). */
  readonly names: readonly string[];
  /** Options that name its format explicitly. */
  readonly explicit: ReadInteractionsOptions;
  readonly hasRatings: boolean;
}

const U_DATA = Array.from({ length: 24 }, (_, r) => `${1 + (r % 6)}\t${100 + ((r * 7) % 11)}\t${1 + (r % 5)}\t${881250949 + 37 * r}`).join("\n") + "\n";

const DATA_SEEDS: readonly DataSeed[] = [
  { id: "lines", text: "0 1 2 3\n1 2 4\n2 0 5 6 7\n3 1\n4\n", names: ["train.txt", "data"], explicit: { format: "lines" }, hasRatings: false },
  {
    id: "csv",
    text: 'user_id,item_id,rating,timestamp\n1,10,4.5,978300760\n1,11,3,978300761\n2,10,5,2000-01-02T03:04:05Z\n3,"12",1,978300762\n"4","1,3",2,978300763\n',
    names: ["events.csv", "data", "ratings.csv"],
    explicit: { format: "csv" },
    hasRatings: true,
  },
  {
    id: "tsv",
    text: "userId\tmovieId\tscore\n1\t10\t4\n2\t11\t3.5\n3\t10\t2\n2\t12\t5\n",
    names: ["log.tsv", "data"],
    explicit: { format: "csv" },
    hasRatings: true,
  },
  {
    id: "movielens-csv",
    text: "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,3,4.0,964981247\n2,1,5.0,964982224\n2,6,3.5,964983815\n",
    names: ["ratings.csv", "data"],
    explicit: { format: "movielens" },
    hasRatings: true,
  },
  {
    id: "triples",
    text: "1,10,4,881250949\n1,11,3,881250950\n2,10,5,881250951\n3,12,2.5,881250952\n",
    names: ["data", "events"],
    explicit: { format: "triples" },
    hasRatings: true,
  },
  {
    id: "triples-header",
    text: "user item rating ts\nu1 i1 4.5 100\nu1 i2 1 90\nu2 i1 5 80\nu3 i3 3 70\n",
    names: ["data"],
    explicit: { format: "triples" },
    hasRatings: true,
  },
  { id: "pairs", text: "a\tx\na\ty\nb\tx\nc\tz\n", names: ["data", "pairs"], explicit: { format: "triples", columns: ["user", "item"] }, hasRatings: false },
  {
    id: "ratings.dat",
    text: "1::1193::5::978300760\n1::661::3::978302109\n2::1357::5::978298709\n3::1193::4::978297039\n",
    names: ["ratings.dat", "data"],
    explicit: { format: "movielens-dat" },
    hasRatings: true,
  },
  {
    id: "u.data",
    text: U_DATA,
    names: ["u.data", "data"],
    explicit: { format: "triples", columns: ["user", "item", "rating", "timestamp"], separator: "tab" },
    hasRatings: true,
  },
];

const MOVIES_CSV =
  'movieId,title,genres\n1,Toy Story (1995),Adventure|Animation|Children\n2,"Heat, The (1995)",Action|Crime\n3,"Say ""Hi"" (2001)",(no genres listed)\n';
const MOVIES_DAT = "1::Toy Story (1995)::Animation|Children's|Comedy\n2::Jumanji (1995)::Adventure|Fantasy\n3::Caf\u00e9 (1999)::Drama\n";
const U_ITEM_LATIN1 = Uint8Array.from(
  "1|Toy Story (1995)|01-Jan-1995||http://us.imdb.com/x|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n" +
    "2|GoldenEye (1995)|01-Jan-1995||http://us.imdb.com/y|0|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0|1|0|0\n" +
    "3|Caf\u00e9 (1994)|01-Jan-1994||http://us.imdb.com/z|0|0|0|0|0|0|0|0|1|0|0|0|0|0|0|0|0|0|0\n",
  (c) => c.charCodeAt(0),
);
const U_GENRE =
  "unknown|0\nAction|1\nAdventure|2\nAnimation|3\nChildren's|4\nComedy|5\nCrime|6\nDocumentary|7\nDrama|8\nFantasy|9\nFilm-Noir|10\nHorror|11\nMusical|12\nMystery|13\nRomance|14\nSci-Fi|15\nThriller|16\nWar|17\nWestern|18\n\n";

// ---------------------------------------------------------------------------------------------
// What a case did, and how it failed.

interface Failure {
  batch: BatchName | "cli";
  index: number;
  kind: "exception" | "invariant" | "slow" | "hang" | "cli";
  /** Groups failures of one cause: the error class and where it was thrown, or the broken invariant. */
  signature: string;
  message: string;
  stack?: string;
  label: string;
  ops: string[];
  input: string;
  inputBytes: number;
  shrunk?: string;
  ms?: number;
}

type WorkerMessage =
  | { type: "start"; index: number; label: string; ops: string[]; input: string; inputBytes: number }
  | { type: "failure"; failure: Failure }
  | { type: "done"; cases: number; outcomes: Record<string, number>; slowest: { index: number; ms: number; label: string } };

/** The error's class and its first stack frame inside the project (numbers stripped from messages would vary). */
function signatureOf(e: unknown): string {
  const err = e as Error;
  const name = err?.constructor?.name ?? typeof e;
  const frame = (err?.stack ?? "").split("\n").find((l) => /^\s+at /.test(l) && !/node:internal|fuzz-inputs|fuzz-mutations/.test(l));
  const where = frame
    ? frame
        .trim()
        .replace(/^at /, "")
        .replace(/file:\/\/\S*?\/dist\//, "dist/")
        .replace(/:\d+\)?$/, ")")
    : "?";
  return `${name} at ${where}`;
}

/** Thrown by the invariant checks: a result that came back broken. */
class InvariantError extends Error {
  constructor(
    readonly rule: string,
    detail: string,
  ) {
    super(`${rule}: ${detail}`);
  }
}

function expect(cond: boolean, rule: string, detail = ""): void {
  if (!cond) throw new InvariantError(rule, detail);
}

const isCount = (n: unknown): boolean => typeof n === "number" && Number.isSafeInteger(n) && n >= 0;

/** Everything an Interactions promises (see ts/data/interactions.ts and ts/data/csr.ts). */
function checkInteractions(d: Interactions, what: string, minRating?: number): void {
  for (const key of ["nUsers", "nItems", "nnz", "duplicatesDropped", "rowsBelowMinRating"] as const) {
    expect(isCount(d[key]), `${key} is a count`, `${what}.${key} = ${d[key]}`);
  }
  for (const key of ["interactions", "users", "items"] as const)
    expect(isCount(d.unknownDropped[key]), `unknownDropped.${key} is a count`, `${d.unknownDropped[key]}`);
  expect(
    d.users.size === d.nUsers && d.items.size === d.nItems,
    "id maps match the sizes",
    `${d.users.size}/${d.nUsers} users, ${d.items.size}/${d.nItems} items`,
  );
  const { indptr, indices } = d.byUser;
  expect(
    indptr.length === d.nUsers + 1 && indptr[0] === 0 && indptr[d.nUsers] === d.nnz && indices.length === d.nnz,
    "byUser is a CSR of nUsers rows and nnz entries",
  );
  for (let u = 0; u < d.nUsers; u++) {
    expect(indptr[u]! <= indptr[u + 1]!, "byUser offsets are non-decreasing", `user ${u}`);
    const row = new Set<number>();
    for (let k = indptr[u]!; k < indptr[u + 1]!; k++) {
      const i = indices[k]!;
      expect(i >= 0 && i < d.nItems, "item indices are in [0, nItems)", `${i} of ${d.nItems}`);
      expect(!row.has(i), "a user's row holds no repeated item", `user ${u} item ${i}`);
      row.add(i);
      if (d.timestamps !== undefined && k > indptr[u]!) expect(d.timestamps[k]! >= d.timestamps[k - 1]!, "a row is in time order", `user ${u}`);
    }
  }
  if (d.timestamps !== undefined) {
    expect(d.timestamps.length === d.nnz, "one timestamp per interaction");
    for (const t of d.timestamps) expect(Number.isFinite(t), "timestamps are finite", String(t));
  }
  if (d.ratings !== undefined) {
    expect(d.ratings.length === d.nnz, "one rating per interaction");
    for (const r of d.ratings) {
      expect(Number.isFinite(r), "ratings are finite", String(r));
      if (minRating !== undefined) expect(r >= Math.fround(minRating), "kept ratings are at least minRating", `${r} < ${minRating}`);
    }
  }
  for (const map of [d.users, d.items]) {
    const ids = map.ids();
    expect(ids.length === map.size && new Set(ids).size === ids.length, "ids are unique");
    for (const id of ids) {
      expect(typeof id === "string" && id.length > 0 && id === id.trim(), "ids are non-empty and trimmed", JSON.stringify(id.slice(0, 40)));
      expect(!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(id), "ids hold no control characters", JSON.stringify(id.slice(0, 40)));
    }
  }
  expect(typeof d.describe() === "string", "describe() gives a line");
}

// ---------------------------------------------------------------------------------------------
// Cases. Each builds its input from its own Rng and returns a function that runs it.

interface Case {
  label: string;
  mutated: Mutated;
  run: () => Promise<void>;
  /** The same case on other bytes (for shrinking); absent when the input is not one byte string. */
  rerun?: (bytes: Uint8Array) => Promise<void>;
  /** Errors that are the library's answer to bad input here. */
  allowed: ReadonlyArray<new (...args: never[]) => Error>;
}

function readCase(rng: Rng, seeds: readonly DataSeed[] = DATA_SEEDS): { seed: DataSeed; mutated: Mutated; options: ReadInteractionsOptions; label: string } {
  const seed = pick(rng, seeds);
  const mutated = mutate(rng, encoder.encode(seed.text));
  const fileName = pick(rng, seed.names);
  const r = rng.next();
  let options: ReadInteractionsOptions = { fileName };
  if (r < 0.25) options = { ...options, ...seed.explicit };
  else if (r < 0.35 && seed.hasRatings) options = { ...options, ...seed.explicit, minRating: pick(rng, [0, 3, 4.5, -1]) };
  else if (r < 0.4 && seed.hasRatings) options = { ...options, minRating: pick(rng, [3, 4.5]) };
  else if (r < 0.45) options = { ...options, encoding: "latin1" };
  return { seed, mutated, options, label: `readInteractions(${seed.id} seed, ${JSON.stringify(options)})` };
}

function buildCase(batch: BatchName, index: number, ctx: WorkerContext): Case {
  const rng = caseRng(batch, index);
  switch (batch) {
    case "read": {
      const { mutated, options, label } = readCase(rng);
      const chunkRng = caseRng(`${batch}/chunks`, index);
      const rerun = async (bytes: Uint8Array): Promise<void> => {
        const data = await readInteractions(sourceOf(randomChunks(chunkRng, bytes)), options);
        checkInteractions(data, "result", options.minRating);
      };
      return { label, mutated, run: () => rerun(mutated.bytes), rerun, allowed: [DataError] };
    }
    case "movies": {
      const kind = pick(rng, ["movies.csv", "movies.dat", "u.item", "u.genre"] as const);
      const seedBytes =
        kind === "movies.csv"
          ? encoder.encode(MOVIES_CSV)
          : kind === "movies.dat"
            ? encoder.encode(MOVIES_DAT)
            : kind === "u.item"
              ? U_ITEM_LATIN1
              : encoder.encode(U_GENRE);
      const mutated = mutate(rng, seedBytes);
      const latin1 = kind === "movies.dat" && rng.next() < 0.3;
      const rerun = async (bytes: Uint8Array): Promise<void> => {
        const source = sourceOf(randomChunks(caseRng(`${batch}/chunks`, index), bytes));
        if (kind === "u.genre") {
          const names = await readMovieLens100kGenres(source, { name: kind });
          expect(names.length > 0 && names.every((g) => typeof g === "string"), "genre names are strings");
          return;
        }
        const movies =
          kind === "movies.csv"
            ? await readMovieLensMovies(source, { name: kind })
            : kind === "movies.dat"
              ? await readMovieLensDatMovies(source, { name: kind, ...(latin1 && { encoding: "latin1" as const }) })
              : await readMovieLens100kItems(source, { name: kind });
        for (const [id, info] of movies) {
          expect(typeof id === "string" && id.length > 0, "movie ids are non-empty");
          expect(typeof info.title === "string" && Array.isArray(info.genres), "a movie has a title and genres");
        }
      };
      return { label: `${kind} reader${latin1 ? " (latin1)" : ""}`, mutated, run: () => rerun(mutated.bytes), rerun, allowed: [DataError] };
    }
    case "folders":
      return folderCase(rng, index, ctx);
    case "model":
      return modelCase(rng, ctx);
  }
}

/** A data folder (train.txt + test.txt + valid.txt, MovieLens 100K, ML-1M, ML-latest) with one file mutated, read by loadTrainTest. */
function folderCase(rng: Rng, index: number, ctx: WorkerContext): Case {
  const layouts: ReadonlyArray<[string, Record<string, Uint8Array>]> = [
    [
      "lightgcn",
      { "train.txt": encoder.encode("0 1 2 3\n1 2 4\n2 0 5\n3 1 6\n"), "test.txt": encoder.encode("0 4\n1 3\n2 6\n"), "valid.txt": encoder.encode("3 2\n") },
    ],
    ["ml-100k", { "u.data": encoder.encode(U_DATA), "u.item": U_ITEM_LATIN1, "u.genre": encoder.encode(U_GENRE) }],
    [
      "ml-1m",
      {
        "ratings.dat": encoder.encode(
          DATA_SEEDS.find((s) => s.id === "ratings.dat")!
            .text.replace(/1193/g, "1")
            .replace(/661/g, "2"),
        ),
        "movies.dat": encoder.encode(MOVIES_DAT),
      },
    ],
    ["ml-latest", { "ratings.csv": encoder.encode(DATA_SEEDS.find((s) => s.id === "movielens-csv")!.text), "movies.csv": encoder.encode(MOVIES_CSV) }],
  ];
  const [layout, files] = pick(rng, layouts);
  const names = Object.keys(files).filter((n) => layout !== "lightgcn" || n !== "valid.txt" || rng.next() < 0.5);
  const target = pick(rng, names);
  const mutated = mutate(rng, files[target]!);
  const unknownInTest = pick(rng, ["error", "drop", "extend"] as const);
  const label = `loadTrainTest(${layout} folder, ${target} mutated, unknownInTest ${unknownInTest})`;
  const run = async (): Promise<void> => {
    const dir = join(ctx.tmp, `f${index}`);
    mkdirSync(dir, { recursive: true });
    try {
      for (const n of names) writeFileSync(join(dir, n), n === target ? mutated.bytes : files[n]!);
      const data = await ctx.loadTrainTest(dir, { unknownInTest });
      checkInteractions(data.train, "train");
      for (const part of [data.test, data.valid]) {
        if (part === undefined) continue;
        checkInteractions(part, "test/valid");
        expect(part.users === data.train.users && part.items === data.train.items, "test and valid share the train part's id maps");
        expect(part.nItems === data.train.nItems && part.nUsers === data.train.nUsers, "test and valid have the train part's sizes");
      }
      expect(typeof data.describe === "string", "describe is a string");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  return { label, mutated, run, allowed: [DataError] };
}

/** A mutated model file, decoded and (when it decodes) loaded and asked for recommendations. */
function modelCase(rng: Rng, ctx: WorkerContext): Case {
  const [kind, valid] = pick(rng, ctx.models);
  const mutated = mutateModelFile(rng, valid);
  const run = async (): Promise<void> => {
    const contents = decodeModelFile(mutated.bytes, "fuzz.ltm");
    const model = ctx.loadModel(contents);
    try {
      checkModel(model, contents);
    } finally {
      model.dispose();
    }
  };
  return { label: `decodeModelFile + loadModel (${kind} model)`, mutated, run, allowed: [ModelFileError] };
}

interface LoadedLike {
  readonly nUsers: number;
  readonly nItems: number;
  readonly itemCounts: Int32Array;
  recommend(user: number, k: number): { items: string[]; indices: Int32Array; scores: Float32Array };
  recommendForHistory(history: Int32Array, k: number): { items: string[]; indices: Int32Array; scores: Float32Array };
  dispose(): void;
}

/** What a loaded model must satisfy (issue 14: finite factors, non-negative counts, monotone offsets) and must answer. */
function checkModel(model: LoadedLike, contents: ModelFileContents): void {
  const { nUsers, nItems } = contents.shapes;
  expect(model.nUsers === nUsers && model.nItems === nItems, "the model has the file's shapes");
  expect(model.itemCounts.length === nItems, "one count per item");
  for (const c of model.itemCounts) expect(c >= 0, "item counts are non-negative", String(c));
  const seen = (model as unknown as { trainingItems?: { indptr: Int32Array; indices: Int32Array } }).trainingItems;
  if (seen !== undefined) {
    expect(seen.indptr[0] === 0, "seenIndptr starts at 0", String(seen.indptr[0]));
    expect(seen.indptr[nUsers] === seen.indices.length, "seenIndptr ends at the number of seen items");
  }
  for (const table of Object.values(contents.tables)) {
    if (table.data instanceof Float32Array)
      for (const v of table.data) expect(Math.abs(v) < 1e15, "factors are of a sane size (their products stay finite)", String(v));
  }
  const answer = (what: string, r: { items: string[]; indices: Int32Array; scores: Float32Array }, k: number) => {
    expect(r.indices.length <= k && r.items.length === r.indices.length && r.scores.length === r.indices.length, `${what}: at most k answers`);
    expect(new Set(r.indices).size === r.indices.length, `${what}: no item twice`);
    for (let j = 0; j < r.indices.length; j++) {
      const i = r.indices[j]!;
      expect(i >= 0 && i < nItems, `${what}: items in range`, String(i));
      expect(r.items[j] === contents.itemIds[i], `${what}: ids match indices`);
      expect(Number.isFinite(r.scores[j]!), `${what}: scores are finite`, String(r.scores[j]));
    }
  };
  const k = Math.min(5, nItems);
  if (nUsers > 0 && nItems > 0) answer("recommend(user 0)", model.recommend(0, k), k);
  if (nItems > 1) answer("recommendForHistory([0, 1])", model.recommendForHistory(Int32Array.of(0, 1), k), k);
}

// ---------------------------------------------------------------------------------------------
// Worker side: run cases [from, to) of a batch, post each start and each failure.

interface WorkerContext {
  tmp: string;
  models: Array<[string, Uint8Array]>;
  loadModel: (contents: ModelFileContents) => LoadedLike;
  loadTrainTest: typeof import("../ts/node/dataset-files.js").loadTrainTest;
}

interface BatchRequest {
  batch: BatchName;
  from: number;
  to: number;
  only?: number;
}

/** A tiny matrix factorisation and two-tower model, trained with fixed seeds, as model files. */
async function tinyModels(): Promise<{ models: Array<[string, Uint8Array]>; loadModel: WorkerContext["loadModel"] }> {
  const { loadWasmInstance } = await import("../ts/node.js");
  const { Kernels } = await import("../ts/kernels/kernels.js");
  const { Interactions } = await import("../ts/data/interactions.js");
  const { MatrixFactorization } = await import("../ts/mf/matrix-factorization.js");
  const { TwoTower } = await import("../ts/two-tower/two-tower.js");
  const { modelFromContents: loadModel } = await import("../ts/model/load-history-recommender.js");
  const kernels = new Kernels(await loadWasmInstance());
  const triples: Array<[string, string, undefined, number]> = [];
  for (let u = 0; u < 8; u++) for (let j = 0; j < 4; j++) triples.push([`u${u}`, `i${(u + 3 * j) % 10}`, undefined, 100 * u + j]);
  const train = Interactions.fromTriples(triples, { name: "tiny" });
  const mf = new MatrixFactorization(kernels, { dim: 4, epochs: 1, seed: 1 });
  await mf.fit(train);
  const tt = new TwoTower(kernels, { dim: 4, epochs: 1, seed: 1, batchSize: 8 });
  const genres = new Map(Array.from({ length: 10 }, (_, i) => [`i${i}`, { title: `Item ${i}`, genres: [`g${i % 3}`] }]));
  await tt.fit(train, { genres });
  const models: Array<[string, Uint8Array]> = [
    ["mf", encodeModelFile(mf.toModelFile({ trainedOn: "tiny" }))],
    ["two-tower", encodeModelFile(tt.toModelFile({ trainedOn: "tiny" }))],
  ];
  mf.dispose();
  tt.dispose();
  return { models, loadModel: (contents) => loadModel(kernels, contents, "fuzz.ltm") as unknown as LoadedLike };
}

async function workerMain(request: BatchRequest): Promise<void> {
  const post = (m: WorkerMessage) => parentPort!.postMessage(m);
  const ctx: WorkerContext = {
    tmp: mkdtempSync(join(tmpdir(), "longtail-fuzz-")),
    models: [],
    loadModel: () => {
      throw new Error("no models");
    },
    loadTrainTest: (await import("../ts/node/dataset-files.js")).loadTrainTest,
  };
  if (request.batch === "model") Object.assign(ctx, await tinyModels());
  const outcomes: Record<string, number> = {};
  const slowest = { index: -1, ms: 0, label: "" };
  const seen = new Set<string>();
  let cases = 0;
  try {
    for (let index = request.from; index < request.to; index++) {
      if (request.only !== undefined && index !== request.only) continue;
      const c = buildCase(request.batch, index, ctx);
      const input = excerpt(c.mutated.bytes);
      post({ type: "start", index, label: c.label, ops: c.mutated.ops, input, inputBytes: c.mutated.bytes.length });
      const started = performance.now();
      const failure = await classify(c.run, c.allowed);
      const ms = performance.now() - started;
      cases++;
      if (ms > slowest.ms) Object.assign(slowest, { index, ms, label: c.label });
      const base = { batch: request.batch, index, label: c.label, ops: c.mutated.ops, input, inputBytes: c.mutated.bytes.length, ms };
      if (failure === undefined) {
        outcomes.ok = (outcomes.ok ?? 0) + 1;
      } else if (failure.kind === "allowed") {
        outcomes[failure.name] = (outcomes[failure.name] ?? 0) + 1;
      } else {
        outcomes.failed = (outcomes.failed ?? 0) + 1;
        // Shrink the first failure of each kind to a small input that still fails the same way.
        let shrunk: string | undefined;
        if (c.rerun !== undefined && !seen.has(failure.signature)) {
          seen.add(failure.signature);
          const small = await shrink(c.mutated.bytes, async (b) => (await classify(() => c.rerun!(b), c.allowed))?.signature === failure.signature);
          if (small.length < c.mutated.bytes.length) shrunk = excerpt(small, 1000);
        }
        post({
          type: "failure",
          failure: {
            ...base,
            kind: failure.kind,
            signature: failure.signature,
            message: failure.message,
            ...(failure.stack && { stack: failure.stack }),
            ...(shrunk !== undefined && { shrunk }),
          },
        });
      }
      if (ms > SLOW_CASE_MS)
        post({
          type: "failure",
          failure: { ...base, kind: "slow", signature: `slow: ${c.label.replace(/\(.*/, "")}`, message: `took ${ms.toFixed(0)} ms (limit ${SLOW_CASE_MS} ms)` },
        });
    }
  } finally {
    rmSync(ctx.tmp, { recursive: true, force: true });
  }
  post({ type: "done", cases, outcomes, slowest });
}

type Classified =
  | { kind: "allowed"; name: string; signature: string }
  | { kind: "exception" | "invariant"; signature: string; message: string; stack?: string };

async function classify(run: () => Promise<void>, allowed: Case["allowed"]): Promise<Classified | undefined> {
  try {
    await run();
    return undefined;
  } catch (e) {
    if (e instanceof InvariantError) return { kind: "invariant", signature: `invariant: ${e.rule}`, message: e.message, ...(e.stack && { stack: e.stack }) };
    if (allowed.some((cls) => e instanceof cls)) return { kind: "allowed", name: (e as Error).name, signature: (e as Error).name };
    const err = e as Error;
    return {
      kind: "exception",
      signature: signatureOf(e),
      message: `${err?.name ?? typeof e}: ${String(err?.message ?? e).slice(0, 500)}`,
      ...(err?.stack && { stack: err.stack }),
    };
  }
}

/** Delta debugging, lines first and then bytes, bounded in tries and time. */
async function shrink(bytes: Uint8Array, fails: (b: Uint8Array) => Promise<boolean>): Promise<Uint8Array> {
  const deadline = performance.now() + 800;
  let best = bytes;
  let tries = 0;
  const attempt = async (candidate: Uint8Array): Promise<boolean> => {
    if (tries++ > 300 || performance.now() > deadline) return false;
    if (candidate.length >= best.length) return false;
    if (await fails(candidate)) {
      best = candidate;
      return true;
    }
    return false;
  };
  // Units: lines (keeping their ends), then single bytes; remove chunks of halving size.
  for (const unit of ["line", "byte"] as const) {
    const parts = (): Uint8Array[] => {
      if (unit === "byte") return Array.from(best, (b) => Uint8Array.of(b));
      const out: Uint8Array[] = [];
      let start = 0;
      for (let i = 0; i < best.length; i++) if (best[i] === 0x0a) out.push(best.subarray(start, i + 1)), (start = i + 1);
      if (start < best.length) out.push(best.subarray(start));
      return out;
    };
    if (unit === "byte" && best.length > 4096) {
      // Long runs (a very long token): halve them while the failure stays.
      for (let cut = best.length >> 1; cut > 16; cut >>= 1) {
        for (let at = 0; at + cut <= best.length; at += cut) if (await attempt(concatAll([best.subarray(0, at), best.subarray(at + cut)]))) at -= cut;
      }
      continue;
    }
    let p = parts();
    for (let size = Math.max(1, p.length >> 1); size >= 1; size >>= 1) {
      for (let at = 0; at < p.length; ) {
        const candidate = concatAll([...p.slice(0, at), ...p.slice(at + size)]);
        if (await attempt(candidate)) p = parts();
        else at += size;
        if (tries > 300 || performance.now() > deadline) return best;
      }
    }
  }
  return best;
}

function concatAll(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, at), (at += p.length);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Main thread: run a batch in workers under a watchdog; a stuck case is reported and skipped.

interface BatchResult {
  cases: number;
  failures: Failure[];
  outcomes: Record<string, number>;
  slowest: { index: number; ms: number; label: string };
  ms: number;
}

async function runBatch(batch: BatchName, total: number, only?: number): Promise<BatchResult> {
  const result: BatchResult = { cases: 0, failures: [], outcomes: {}, slowest: { index: -1, ms: 0, label: "" }, ms: 0 };
  const started = performance.now();
  let from = 0;
  while (from < total) {
    const request: BatchRequest = { batch, from, to: total, ...(only !== undefined && { only }) };
    const next = await new Promise<number>((resolve, reject) => {
      const worker = new Worker(new URL(import.meta.url), { workerData: request });
      let current: Extract<WorkerMessage, { type: "start" }> | undefined;
      let lastStart = performance.now();
      let finished = false;
      const watchdog = setInterval(() => {
        if (performance.now() - lastStart < HANG_MS) return;
        finished = true;
        clearInterval(watchdog);
        void worker.terminate();
        const c = current;
        result.failures.push({
          batch,
          index: c?.index ?? from,
          kind: "hang",
          signature: `hang: ${c?.label.replace(/\(.*/, "") ?? "worker start"}`,
          message: `no progress for ${HANG_MS} ms`,
          label: c?.label ?? "(starting the worker)",
          ops: c?.ops ?? [],
          input: c?.input ?? "",
          inputBytes: c?.inputBytes ?? 0,
        });
        resolve((c?.index ?? from) + 1);
      }, 250);
      worker.on("message", (m: WorkerMessage) => {
        if (m.type === "start") {
          result.cases++;
          current = m;
          lastStart = performance.now();
        } else if (m.type === "failure") {
          result.failures.push(m.failure);
        } else {
          finished = true;
          clearInterval(watchdog);
          for (const [k, v] of Object.entries(m.outcomes)) result.outcomes[k] = (result.outcomes[k] ?? 0) + v;
          if (m.slowest.ms > result.slowest.ms) result.slowest = m.slowest;
          resolve(total);
        }
      });
      worker.on("error", (e) => {
        if (finished) return;
        finished = true;
        clearInterval(watchdog);
        // An error that escaped the case's try (an unhandled rejection, a crash): report the running case.
        const c = current;
        if (c === undefined) return reject(e);
        result.failures.push({
          batch,
          index: c.index,
          kind: "exception",
          signature: `worker died: ${signatureOf(e)}`,
          message: String((e as Error).message).slice(0, 500),
          ...((e as Error).stack && { stack: (e as Error).stack }),
          label: c.label,
          ops: c.ops,
          input: c.input,
          inputBytes: c.inputBytes,
        });
        resolve(c.index + 1);
      });
      worker.on("exit", (code) => {
        if (finished) return;
        finished = true;
        clearInterval(watchdog);
        const c = current;
        result.failures.push({
          batch,
          index: c?.index ?? from,
          kind: "exception",
          signature: `worker exited with code ${code}`,
          message: `the worker exited (${code}) during the case`,
          label: c?.label ?? "",
          ops: c?.ops ?? [],
          input: c?.input ?? "",
          inputBytes: c?.inputBytes ?? 0,
        });
        resolve((c?.index ?? from) + 1);
      });
    });
    from = next;
  }
  result.ms = performance.now() - started;
  return result;
}

/** One entry per signature: how often, the case with the smallest input, how to rerun it, and the stack. */
function report(failures: readonly Failure[]): string {
  const groups = new Map<string, Failure[]>();
  for (const f of failures) groups.set(f.signature, [...(groups.get(f.signature) ?? []), f]);
  const lines: string[] = [`${failures.length} failing cases, ${groups.size} distinct (seed ${SEED}):`];
  for (const [signature, list] of groups) {
    const f = [...list].sort((a, b) => a.inputBytes - b.inputBytes)[0]!;
    const shrunk = list.find((x) => x.shrunk !== undefined)?.shrunk;
    lines.push(
      "",
      `● ${signature} — ${list.length} case(s), e.g. ${f.batch} case ${f.index}: ${f.message}`,
      `  rerun: FUZZ_SEED=${SEED} FUZZ_ONLY=${f.batch}:${f.index} node --test dist/tests/fuzz-inputs.test.js`,
      `  target: ${f.label}`,
      `  mutations: ${f.ops.join("; ")}`,
      `  input (${f.inputBytes} bytes): ${f.input}`,
      ...(shrunk !== undefined ? [`  shrunk input: ${shrunk}`] : []),
      ...(f.stack
        ? [
            "  stack:",
            ...f.stack
              .split("\n")
              .slice(0, 10)
              .map((l) => `    ${l}`),
          ]
        : []),
    );
  }
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------
// CLI cases: spawn the CLI on mutated files, two at a time.

function runCli(args: string[], timeoutMs = 60_000): Promise<{ status: number | null; stdout: string; stderr: string; signal: string | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "",
      stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s.length > 100_000 ? s.slice(0, 100_000) : s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s.length > 100_000 ? s.slice(0, 100_000) : s));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, signal });
    });
  });
}

async function inParallel<T>(tasks: ReadonlyArray<() => Promise<T>>, width: number): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) {
        const k = next++;
        out[k] = await tasks[k]!();
      }
    }),
  );
  return out;
}

function checkCliRun(
  r: { status: number | null; stderr: string; signal: string | null },
  base: Omit<Failure, "kind" | "signature" | "message">,
): Failure | undefined {
  const problems: string[] = [];
  if (r.status === null) problems.push(`killed by ${r.signal} (a hang?)`);
  else if (![0, 1, 2].includes(r.status)) problems.push(`exit code ${r.status}`);
  if (/^ {4}at /m.test(r.stderr)) problems.push("a stack trace on stderr");
  if (/unexpected error/.test(r.stderr)) problems.push('"unexpected error" on stderr');
  if (r.status !== 0 && r.stderr.trim().length === 0) problems.push("failed without a message");
  if (r.stderr.length > 20_000) problems.push(`${r.stderr.length} characters on stderr`);
  if (problems.length === 0) return undefined;
  const firstLine = r.stderr.split("\n").find((l) => l.trim().length > 0) ?? "";
  return {
    ...base,
    kind: "cli",
    signature: `cli: ${problems.join(", ")}: ${firstLine
      .replace(/^longtail: (unexpected error: )?/, "")
      .replace(/\/\S*\//g, "…/")
      .replace(/\d+/g, "N")
      .slice(0, 100)}`,
    message: `${problems.join(", ")}; stderr: ${r.stderr.slice(0, 300)}`,
    stack: r.stderr.split("\n").slice(0, 12).join("\n"),
  };
}

// ---------------------------------------------------------------------------------------------

if (!isMainThread) {
  await workerMain(workerData as BatchRequest);
} else {
  // FUZZ_ONLY=read runs one batch, FUZZ_ONLY=read:123 one case of it.
  const [onlyBatch, onlyCase] = ONLY !== undefined ? ONLY.split(":") : [];
  const onlyIndex = onlyCase !== undefined ? Number(onlyCase) : undefined;

  describe(`fuzzed inputs (seed ${SEED}; FUZZ_SEED and FUZZ_ONLY=batch:index to reproduce)`, () => {
    // The batches run two at a time in worker threads (CI has 2 cores); each test awaits its own.
    const running = new Map<BatchName, Promise<BatchResult>>();
    before(() => {
      let slots = 2;
      const waiting: Array<() => void> = [];
      const slot = async <T>(f: () => Promise<T>): Promise<T> => {
        if (slots === 0) await new Promise<void>((resolve) => waiting.push(resolve));
        else slots--;
        try {
          return await f();
        } finally {
          const next = waiting.shift();
          if (next) next();
          else slots++;
        }
      };
      for (const [batch, count] of BATCHES) {
        if (onlyBatch !== undefined && onlyBatch !== batch) continue;
        const total = Math.max(1, Math.round(count * SCALE));
        const promise = slot(() => runBatch(batch, onlyIndex !== undefined ? onlyIndex + 1 : total, onlyIndex));
        promise.catch(() => {}); // awaited (and reported) by the batch's test
        running.set(batch, promise);
      }
    });

    for (const [batch, count] of BATCHES) {
      if (onlyBatch !== undefined && onlyBatch !== batch) continue;
      const total = Math.max(1, Math.round(count * SCALE));
      it(`${batch}: ${onlyIndex !== undefined ? `case ${onlyIndex}` : `${total} mutated inputs`} give a sane result or a DataError/ModelFileError, never a crash or a hang`, {
        timeout: 120_000 * Math.max(1, SCALE),
      }, async (t) => {
        const r = await running.get(batch)!;
        t.diagnostic(
          `${r.cases} cases in ${r.ms.toFixed(0)} ms; outcomes ${JSON.stringify(r.outcomes)}; slowest case ${r.slowest.index} (${r.slowest.ms.toFixed(0)} ms, ${r.slowest.label})`,
        );
        if (r.failures.length > 0) assert.fail(report(r.failures));
        assert.equal(r.cases, onlyIndex !== undefined ? 1 : total);
        if (onlyIndex === undefined)
          assert.ok(
            (r.outcomes.ok ?? 0) > total / 20,
            `too few cases were read at all (${r.outcomes.ok ?? 0} of ${total}): the mutations are too destructive to test anything past the first check`,
          );
      });
    }

    if (onlyBatch === undefined || onlyBatch === "cli") {
      let dir: string;
      before(() => {
        dir = mkdtempSync(join(tmpdir(), "longtail-fuzz-cli-"));
      });
      after(() => rmSync(dir, { recursive: true, force: true }));

      it(`cli: train on ${CLI_DATA_CASES} mutated data files and recommend from ${CLI_MODEL_CASES} mutated model files: exit 0, 1 or 2, never a stack trace`, {
        timeout: 180_000,
      }, async (t) => {
        const started = performance.now();
        const failures: Failure[] = [];
        // A valid model to damage, written by the CLI itself.
        const lines = DATA_SEEDS.find((s) => s.id === "lines")!;
        writeFileSync(join(dir, "train.txt"), lines.text);
        const good = join(dir, "good.ltm");
        const trained = await runCli(["train", "--data", join(dir, "train.txt"), "--epochs", "1", "--dim", "4", "--out", good, "--quiet"]);
        assert.equal(trained.status, 0, trained.stderr);
        const goodBytes = new Uint8Array(readFileSync(good));

        const tasks: Array<() => Promise<void>> = [];
        for (let index = 0; index < CLI_DATA_CASES + CLI_MODEL_CASES; index++) {
          if (onlyIndex !== undefined && index !== onlyIndex) continue;
          const rng = caseRng("cli", index);
          const caseDir = join(dir, `c${index}`);
          mkdirSync(caseDir);
          let args: string[];
          let mutated: Mutated;
          let label: string;
          let out: string | undefined;
          if (index < CLI_DATA_CASES) {
            const { seed, mutated: m, options } = readCase(rng);
            mutated = m;
            // u.data is read as MovieLens 100K only inside a folder.
            const inFolder = seed.id === "u.data" || rng.next() < 0.15;
            const fileName = seed.id === "u.data" ? "u.data" : inFolder ? pick(rng, ["train.txt", "ratings.csv", "ratings.dat"]) : options.fileName!;
            writeFileSync(join(caseDir, fileName), mutated.bytes);
            out = join(caseDir, "m.ltm");
            args = ["train", "--data", inFolder ? caseDir : join(caseDir, fileName), "--epochs", "1", "--dim", "4", "--out", out, "--quiet"];
            if (options.format !== undefined && rng.next() < 0.5) args.push("--format", options.format);
            if (options.minRating !== undefined) args.push("--min-rating", String(options.minRating));
            label = `longtail ${args.join(" ").replaceAll(dir, "<tmp>")}`;
          } else {
            mutated = mutateModelFile(rng, goodBytes);
            const model = join(caseDir, "bad.ltm");
            writeFileSync(model, mutated.bytes);
            args = ["recommend", "--model", model, "--user", pick(rng, ["0", "1", "4"]), "--k", "3"];
            label = `longtail ${args.join(" ").replaceAll(dir, "<tmp>")}`;
          }
          tasks.push(async () => {
            const r = await runCli(args);
            const base = { batch: "cli" as const, index, label, ops: mutated.ops, input: excerpt(mutated.bytes), inputBytes: mutated.bytes.length };
            const failure = checkCliRun(r, base);
            if (failure !== undefined) failures.push(failure);
            else if (r.status === 0 && out !== undefined) {
              // A run that says it succeeded wrote a model that loads.
              try {
                decodeModelFile(new Uint8Array(readFileSync(out)), out);
              } catch (e) {
                failures.push({ ...base, kind: "cli", signature: "cli: exit 0 without a readable model", message: String(e) });
              }
            }
          });
        }
        await inParallel(tasks, 2);
        t.diagnostic(`${tasks.length + 1} CLI runs in ${(performance.now() - started).toFixed(0)} ms`);
        if (failures.length > 0) assert.fail(report(failures));
      });
    }
  });
}

/**
 * `longtail export`: a trained model's served vectors as files for the engines that serve vectors
 * at scale (docs/export.md). Every file is written atomically: an existing file is replaced only
 * by a complete new one.
 */
import { basename, dirname, extname, join } from "node:path";
import { ArgsError, defineCommand, type ParsedArgs } from "../args.js";
import { JSON_OUTPUT, QUIET, THREADS, VARIANT } from "../common-flags.js";
import { cliKernels } from "../kernels.js";
import { readModelContents } from "../model-io.js";
import { MOVIES_FLAG, loadTitles } from "../watchlist-input.js";
import { createProgress } from "../progress.js";
import { checkWritableTarget, writeFileAtomic } from "../../node/atomic-write.js";
import { modelFromContents } from "../../model/load-history-recommender.js";
import { itemEmbeddings, userEmbeddings, type EmbeddingTable } from "../../export/embedding-table.js";
import { EMBEDDING_FORMATS, embeddingsFile, type EmbeddingFormat } from "../../export/embedding-formats.js";
import { npyRowsNdjson } from "../../export/npy.js";
import { pgvectorSql, pgvectorTableNames } from "../../export/pgvector.js";
import { checkVectorizeTable, VECTORIZE_LIMITS } from "../../export/vectorize.js";

export const EXPORT = defineCommand({
  name: "export",
  summary:
    "Write a model's item (and user) vectors for a vector engine: Parquet, Arrow IPC, NDJSON, .npy, Cloudflare Vectorize NDJSON or a pgvector SQL script.",
  description:
    "The vectors are the ones the model ranks with, so an engine that ranks by inner product serves the model's own top K: matrix " +
    "factorisation's tables (after the gradient-perspective projection when the model serves with one; logit adjustment, ReSN and IPS " +
    "changed the tables during training), two-tower's item tower outputs and its user tower over each training user's history. " +
    "Items carry their training count, and title and genres when known (--movies, the movies file next to the training data, or the " +
    "genres a two-tower model was trained with); users carry their training items, which a query must leave out. " +
    "--rerank β appends one dimension (users 1, items −β·ln(1 + count)), so the inner product is the re-ranked score.\n" +
    "--users writes the users next to the items: <out> with .users before its extension (items.users.parquet), or, for pgvector, a " +
    "second table <table>_users in the same script. npy writes a float32 matrix and a sidecar <name>.rows.ndjson whose line r " +
    "describes row r (id, count, ...). vectorize checks Vectorize's limits (1536 dimensions, ids of at most 64 bytes, 10 KiB of metadata) " +
    "before writing. pgvector writes batched INSERT statements (any client; --copy: COPY ... FROM stdin, for psql).",
  flags: [
    { name: "model", type: "path", required: true, help: "Model file written by longtail train (matrix factorisation or two-tower)." },
    { name: "to", type: "enum", choices: EMBEDDING_FORMATS, required: true, help: "The format." },
    { name: "out", type: "path", required: true, help: "The items' file (pgvector: the SQL script)." },
    { name: "users", type: "boolean", help: "Also write the users' vectors, with each user's training items." },
    {
      name: "rerank",
      type: "number",
      min: 0,
      placeholder: "β",
      help: "Append the popularity-penalty dimension: users 1, items −β·ln(1 + training count), so that user · item = score − β·ln(1 + count).",
    },
    { name: "table", type: "string", placeholder: "name", help: "pgvector: the items' table (default \"items\"); the users' is <name>_users." },
    { name: "copy", type: "boolean", help: "pgvector: load with COPY ... FROM stdin (psql only; faster for millions of rows) instead of INSERT statements." },
    MOVIES_FLAG,
    QUIET,
    JSON_OUTPUT,
    VARIANT,
    THREADS,
  ],
  examples: [
    "longtail export --model ml1m.ltm --to parquet --out items.parquet --users",
    "longtail export --model ml1m.ltm --to pgvector --out items.sql --users --table movies",
    "longtail export --model ml1m.ltm --to vectorize --out vectors.ndjson --rerank 0.05",
    "longtail export --model ml1m.ltm --to npy --out items.npy",
  ],
});

interface WrittenFile {
  path: string;
  contents: string;
  rows: number;
  /** Values per vector; absent for a sidecar without vectors. */
  dim?: number;
  bytes: number;
}

export async function runExport(args: ParsedArgs<typeof EXPORT>): Promise<number> {
  const v = args.values;
  const format = v.to as EmbeddingFormat;
  const usage = 'Run "longtail export --help".';
  if (format !== "pgvector") {
    if (v.table !== undefined) throw new ArgsError(`--table names the pgvector table; --to ${format} writes files`, EXPORT.name, usage);
    if (v.copy) throw new ArgsError(`--copy is how the pgvector script loads its rows; it does not go with --to ${format}`, EXPORT.name, usage);
  }
  const tableNames = format === "pgvector" ? pgvectorTableNames(v.table) : null;
  const targets = plannedFiles(v.out, format, v.users);
  for (const path of targets) await checkWritableTarget(path, "--out");
  const progress = createProgress({ quiet: v.quiet });
  const kernels = await cliKernels(v.kernels, v.threads);
  const contents = await readModelContents(v.model);
  const model = modelFromContents(kernels, contents, v.model, "be exported");
  const started = performance.now();
  try {
    model.users.freeze();
    model.items.freeze();
    const trainedOn = contents.metadata?.["trainedOn"];
    const { titles } = await loadTitles(v.movies, { path: v.model, model, ...(typeof trainedOn === "string" && { trainedOn }) });
    const rerank = v.rerank;
    const items = itemEmbeddings(model, { ...(rerank !== undefined && { rerank }), ...(titles && { movies: titles }) });
    const users = v.users ? userEmbeddings(model, { ...(rerank !== undefined && { rerank }) }) : undefined;
    const written: WrittenFile[] = [];
    const write = async (path: string, what: string, table: EmbeddingTable, chunks: AsyncIterable<Uint8Array>, vectors = true) => {
      progress.log(`writing ${path} (${what})`);
      const counted = countBytes(chunks);
      await writeFileAtomic(path, counted);
      written.push({ path, contents: what, rows: table.ids.length, ...(vectors && { dim: table.dim }), bytes: counted.bytes });
    };
    if (format === "pgvector") {
      await write(
        v.out,
        `${items.ids.length} items${users ? ` and ${users.ids.length} users` : ""}`,
        items,
        pgvectorSql({ items, ...(users && { users }) }, { table: tableNames!.items, load: v.copy ? "copy" : "insert" }),
      );
    } else {
      // Vectorize's limits are checked on every table before any file is written.
      if (format === "vectorize") for (const t of [items, users]) if (t) checkVectorizeTable(t);
      const [itemsPath, usersPath] = [targets[0]!, format === "npy" ? targets[2] : targets[1]];
      for (const [table, path] of [
        [items, itemsPath],
        [users, usersPath],
      ] as const) {
        if (!table || !path) continue;
        await write(path, `${table.ids.length} ${table.side}`, table, embeddingsFile(table, format));
        if (format === "npy") await write(rowsPath(path), `line r describes row r of ${path}`, table, npyRowsNdjson(table), false);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const notes = format === "vectorize" ? vectorizeNotes(written) : [];
    for (const note of notes) progress.log(`note: ${note}`);
    if (v.json) {
      process.stdout.write(
        JSON.stringify({ model: v.model, format, ...(rerank !== undefined && { rerank }), seconds, files: written.map(({ contents: _c, ...f }) => f), notes }) +
          "\n",
      );
    } else {
      for (const f of written) {
        process.stdout.write(`wrote ${f.path}: ${f.contents}${f.dim !== undefined ? `, ${f.dim} values per vector` : ""}, ${formatBytes(f.bytes)}\n`);
      }
      if (rerank !== undefined)
        process.stdout.write(`the last value of every vector is the popularity penalty β = ${rerank} (users 1, items −β·ln(1 + count))\n`);
    }
    return 0;
  } finally {
    model.dispose();
  }
}

/** The paths the export writes, the items' first: <out>; with --users <out>.users.<ext>; npy adds each file's .rows.ndjson. */
function plannedFiles(out: string, format: EmbeddingFormat, users: boolean): string[] {
  if (format === "pgvector") return [out];
  const files = [out];
  if (format === "npy") files.push(rowsPath(out));
  if (users) {
    const usersOut = beforeExtension(out, ".users");
    files.push(usersOut);
    if (format === "npy") files.push(rowsPath(usersOut));
  }
  return files;
}

/** "a/items.parquet" + ".users" → "a/items.users.parquet" (no extension: appended). */
function beforeExtension(path: string, insert: string): string {
  const ext = extname(path);
  return join(dirname(path), basename(path, ext) + insert + ext);
}

/** The sidecar of a .npy file: "items.npy" → "items.rows.ndjson". */
function rowsPath(npy: string): string {
  const ext = extname(npy);
  return join(dirname(npy), basename(npy, ext.toLowerCase() === ".npy" ? ext : "") + ".rows.ndjson");
}

/** What a Vectorize user must do about sizes the file itself cannot fix. */
function vectorizeNotes(files: readonly WrittenFile[]): string[] {
  const L = VECTORIZE_LIMITS;
  const notes: string[] = [];
  for (const f of files) {
    if (f.rows > L.maxVectorsPerIndex)
      notes.push(`${f.path}: ${f.rows} vectors, more than the ${L.maxVectorsPerIndex} one Vectorize index holds: shard them across indexes (docs/export.md)`);
    if (f.bytes > L.maxUploadBytes)
      notes.push(`${f.path} is ${formatBytes(f.bytes)}: wrangler uploads at most 100 MB per file; split it on line boundaries (split -C 95M ${f.path} part-)`);
  }
  return notes;
}

function countBytes(chunks: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> & { bytes: number } {
  const counted = {
    bytes: 0,
    async *[Symbol.asyncIterator]() {
      for await (const chunk of chunks) {
        counted.bytes += chunk.byteLength;
        yield chunk;
      }
    },
  };
  return counted;
}

function formatBytes(n: number): string {
  if (n < 1e3) return `${n} bytes`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}

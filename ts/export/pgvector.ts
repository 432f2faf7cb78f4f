/**
 * Embeddings as a SQL script for PostgreSQL with pgvector: a `vector(d)` table of the items (and
 * one of the users), filled by batched INSERT statements that any client runs (psql, PGlite, a
 * driver), or by COPY … FROM stdin blocks that psql streams (faster for millions of rows). A user's
 * top K, their training items left out, is then one query (inner product, `<#>`):
 *
 *   SELECT i.id FROM items i, items_users u WHERE u.id = 'u1' AND i.id <> ALL(u.training_items)
 *   ORDER BY i.embedding <#> u.embedding LIMIT 10;
 *
 * Strings are written as standard SQL literals ('' for a quote; backslashes are plain characters
 * under standard_conforming_strings, which the script sets), so no id or title can end a literal.
 */
import { lineChunks } from "./byte-chunks.js";
import { trainingItemIds, type EmbeddingTable } from "./embedding-table.js";
import { ExportError } from "./export-error.js";
import { vectorText } from "./float-text.js";

/** pgvector's `vector` type holds at most 16,000 dimensions (its HNSW and IVFFlat indexes 2,000). */
export const PGVECTOR_MAX_DIMENSIONS = 16_000;
/** PostgreSQL truncates identifiers beyond 63 bytes (NAMEDATALEN − 1). */
const MAX_IDENTIFIER_BYTES = 63;
const DEFAULT_BATCH_ROWS = 1000;

export interface PgvectorOptions {
  /** The items' table (default "items"; lower-case letters, digits and _, optionally schema.table); the users' is `<table>_users`. */
  table?: string;
  /** "insert" (default): INSERT statements of `batchRows` rows; "copy": COPY … FROM stdin blocks (psql only). */
  load?: "insert" | "copy";
  /** Rows per INSERT statement (default 1000). */
  batchRows?: number;
}

export interface PgvectorTables {
  items: EmbeddingTable;
  users?: EmbeddingTable;
}

/** The script, as UTF-8 chunks: `psql -v ON_ERROR_STOP=1 -f items.sql`. */
export function pgvectorSql(tables: PgvectorTables, options: PgvectorOptions = {}): AsyncIterable<Uint8Array> {
  const names = pgvectorTableNames(options.table);
  check(tables);
  if (options.load === "copy") return lineChunks(copyScript(tables, names));
  return lineChunks(pgvectorStatements(tables, options));
}

/** The INSERT script's statements one by one (each complete, ending in ";"), for clients that run one statement per call. */
export function* pgvectorStatements(tables: PgvectorTables, options: PgvectorOptions = {}): Generator<string> {
  const names = pgvectorTableNames(options.table);
  check(tables);
  const batch = options.batchRows ?? DEFAULT_BATCH_ROWS;
  if (!(Number.isInteger(batch) && batch > 0)) throw new ExportError(`batchRows must be a positive integer, got ${batch}`);
  yield* preamble(tables, names);
  for (const [table, name] of sides(tables, names)) {
    yield createTable(table, name);
    const columns = columnNames(table).join(", ");
    for (let start = 0; start < table.ids.length; start += batch) {
      const end = Math.min(table.ids.length, start + batch);
      const rows: string[] = [];
      for (let r = start; r < end; r++) rows.push(`(${insertValues(table, r).join(", ")})`);
      yield `INSERT INTO ${name} (${columns}) VALUES\n${rows.join(",\n")};`;
    }
  }
  yield "COMMIT;";
}

/** The table's rows in COPY's text format (tab-separated, \N for NULL), in pgvectorColumns order: for `COPY … FROM stdin` or PGlite's `/dev/blob`. */
export function pgvectorCopyRows(table: EmbeddingTable): AsyncIterable<Uint8Array> {
  checkSide(table);
  return lineChunks(copyLines(table));
}

/** The columns of the table the script creates for `table`, in order. */
export function pgvectorColumns(table: EmbeddingTable): string[] {
  return columnNames(table);
}

/** The items' and users' table names for `--table`; throws ExportError for a name SQL would need quoting for. */
export function pgvectorTableNames(table = "items"): { items: string; users: string } {
  const part = /^[a-z_][a-z0-9_]*$/;
  const parts = table.split(".");
  if (parts.length > 2 || !parts.every((p) => part.test(p))) {
    throw new ExportError(
      `pgvector: the table name ${JSON.stringify(table)} is not a plain SQL name: use lower-case letters, digits and _, not starting with a digit (optionally schema.table), e.g. "items"`,
    );
  }
  const users = `${table}_users`;
  const longest = users.split(".").reduce((a, b) => (b.length > a.length ? b : a), "");
  if (longest.length > MAX_IDENTIFIER_BYTES) {
    throw new ExportError(
      `pgvector: the table name ${JSON.stringify(table)} is too long: "${longest}" has ${longest.length} bytes; PostgreSQL keeps ${MAX_IDENTIFIER_BYTES}`,
    );
  }
  return { items: table, users };
}

function* preamble(tables: PgvectorTables, names: { items: string; users: string }): Generator<string> {
  const { items, users } = tables;
  const comments = [
    `-- longtail export: ${items.ids.length} items${users ? ` and ${users.ids.length} users` : ""} of a ${items.model === "mf" ? "matrix factorisation" : items.model} model, vectors of ${items.dim} dimensions;`,
    "-- a user's score for an item is the inner product of their vectors (pgvector's <#> is its negative).",
    ...(items.rerank !== undefined ? [`-- The last dimension is the popularity penalty β = ${items.rerank}: users 1, items −β·ln(1 + count).`] : []),
    ...(users
      ? [
          "-- A user's top 10, their training items left out:",
          `--   SELECT i.id FROM ${names.items} i, ${names.users} u WHERE u.id = 'u1' AND i.id <> ALL(u.training_items)`,
          "--   ORDER BY i.embedding <#> u.embedding LIMIT 10;",
        ]
      : []),
    `-- An approximate index (exact search without one): CREATE INDEX ON ${names.items} USING hnsw (embedding vector_ip_ops);`,
  ];
  // The comments travel with the first statement: every piece this yields is a statement.
  yield [...comments, "SET client_encoding = 'UTF8';"].join("\n");
  yield "SET standard_conforming_strings = on;";
  yield "CREATE EXTENSION IF NOT EXISTS vector;";
  yield "BEGIN;";
}

function* copyScript(tables: PgvectorTables, names: { items: string; users: string }): Generator<string> {
  yield* preamble(tables, names);
  for (const [table, name] of sides(tables, names)) {
    yield createTable(table, name);
    yield `COPY ${name} (${columnNames(table).join(", ")}) FROM stdin;`;
    yield* copyLines(table);
    yield "\\.";
  }
  yield "COMMIT;";
}

function sides(tables: PgvectorTables, names: { items: string; users: string }): [EmbeddingTable, string][] {
  return tables.users
    ? [
        [tables.items, names.items],
        [tables.users, names.users],
      ]
    : [[tables.items, names.items]];
}

function columnNames(table: EmbeddingTable): string[] {
  return [
    "id",
    "embedding",
    "count",
    ...(table.titles ? ["title"] : []),
    ...(table.genres ? ["genres"] : []),
    ...(table.trainingItems ? ["training_items"] : []),
  ];
}

function createTable(table: EmbeddingTable, name: string): string {
  const columns = [
    "id text PRIMARY KEY",
    `embedding vector(${table.dim}) NOT NULL`,
    "count integer NOT NULL",
    ...(table.titles ? ["title text"] : []),
    ...(table.genres ? ["genres text[]"] : []),
    ...(table.trainingItems ? ["training_items text[] NOT NULL"] : []),
  ];
  return `CREATE TABLE ${name} (${columns.join(", ")});`;
}

function insertValues(table: EmbeddingTable, r: number): string[] {
  const values = [literal(table.ids[r]!), `'${vectorText(table.vectors, r, table.dim)}'`, String(table.counts[r])];
  if (table.titles) values.push(table.titles[r] === null ? "NULL" : literal(table.titles[r]!));
  if (table.genres) values.push(arrayLiteral(table.genres[r]!));
  if (table.trainingItems) values.push(arrayLiteral(trainingItemIds(table, r)));
  return values;
}

function* copyLines(table: EmbeddingTable): Generator<string> {
  for (let r = 0; r < table.ids.length; r++) {
    const fields = [copyText(table.ids[r]!), vectorText(table.vectors, r, table.dim), String(table.counts[r])];
    if (table.titles) fields.push(table.titles[r] === null ? "\\N" : copyText(table.titles[r]!));
    if (table.genres) fields.push(table.genres[r] === null ? "\\N" : copyText(arrayText(table.genres[r]!)));
    if (table.trainingItems) fields.push(copyText(arrayText(trainingItemIds(table, r))));
    yield fields.join("\t");
  }
}

/** 'text' with quotes doubled (standard_conforming_strings on: a backslash is itself). */
export function literal(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function arrayLiteral(values: readonly string[] | null): string {
  if (values === null) return "NULL";
  return values.length === 0 ? "'{}'::text[]" : `ARRAY[${values.map(literal).join(", ")}]::text[]`;
}

/** A text[] in PostgreSQL's array syntax: every element double-quoted, " and \ escaped with a backslash. */
function arrayText(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(",")}}`;
}

/** A field of COPY's text format: backslash, tab, newline and carriage return escaped. */
function copyText(s: string): string {
  return s.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"));
}

function check(tables: PgvectorTables): void {
  checkSide(tables.items);
  if (tables.users) {
    checkSide(tables.users);
    if (tables.users.dim !== tables.items.dim) {
      throw new ExportError(
        `pgvector: the users' vectors have ${tables.users.dim} dimensions and the items' ${tables.items.dim}: export both with the same re-ranking`,
      );
    }
  }
}

/** PostgreSQL text cannot hold U+0000; pgvector's type caps the dimensions. */
function checkSide(table: EmbeddingTable): void {
  if (table.dim > PGVECTOR_MAX_DIMENSIONS) {
    throw new ExportError(`pgvector: the ${table.side} have ${table.dim} dimensions; pgvector's vector type holds at most ${PGVECTOR_MAX_DIMENSIONS}`);
  }
  const what = table.side === "items" ? "item" : "user";
  const nul = (s: string | null | undefined) => s?.includes("\u0000") === true;
  for (let r = 0; r < table.ids.length; r++) {
    if (nul(table.ids[r]) || nul(table.titles?.[r]) || table.genres?.[r]?.some(nul)) {
      throw new ExportError(`pgvector: ${what} row ${r} (id ${JSON.stringify(table.ids[r])}) holds the character U+0000, which PostgreSQL text cannot store`);
    }
  }
}

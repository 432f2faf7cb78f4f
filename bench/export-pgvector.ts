/**
 * Export and load of a large catalog into PostgreSQL + pgvector (PGlite: the real server compiled
 * to wasm, in-process, one thread), and its query time against longtail's own top K for the same
 * users. A generated matrix factorisation model (Gaussian factors, seeded) stands in for a trained
 * one: the export and the engine only see vectors. Run by hand, not in CI (minutes, gigabytes):
 *
 *   npm run build:ts && node --max-old-space-size=8192 dist/bench/export-pgvector.js [--items 1000000] [--dim 64]
 *     [--users 200] [--queries 20] [--runs 3] [--hnsw 100000] [--model m.ltm] [--json]
 *
 * --model measures a trained matrix factorisation model instead (its items, users and training items).
 *
 * Measured: generating the pgvector script (INSERT and COPY forms, medians of --runs), loading
 * the rows with batched INSERT statements and with COPY (one run each: each fills a fresh table
 * of --items rows), then for --queries users the query `ORDER BY embedding <#> $1 LIMIT 10`
 * with their training items excluded (EXPLAIN says whether an index or a sequential scan answered)
 * against longtail's recommend() and its block ranking of every user; the lists are compared as
 * sets. --hnsw N also builds pgvector's HNSW index (vector_ip_ops) on the first N items and
 * measures its build time, query time and recall of the exact lists.
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { loadKernels } from "../ts/node.js";
import { MatrixFactorization } from "../ts/mf/matrix-factorization.js";
import { decodeModelFile, type ModelFileContents } from "../ts/model/model-file.js";
import { Rng } from "../ts/util/rng.js";
import { itemEmbeddings, userEmbeddings, type EmbeddingTable } from "../ts/export/embedding-table.js";
import { pgvectorColumns, pgvectorCopyRows, pgvectorSql, pgvectorStatements } from "../ts/export/pgvector.js";
import { rankAllUsers } from "../ts/export/all-users-top-k.js";
import { collectBytes } from "../ts/export/byte-chunks.js";
import { vectorText } from "../ts/export/float-text.js";
import { describeMachine } from "./machine.js";
import { median } from "./stats.js";

const K = 10;
const SEEN_PER_USER = 20;
const COPY_PART_ROWS = 100_000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      items: { type: "string", default: "1000000" },
      dim: { type: "string", default: "64" },
      users: { type: "string", default: "200" },
      queries: { type: "string", default: "20" },
      runs: { type: "string", default: "3" },
      hnsw: { type: "string" },
      model: { type: "string" },
      json: { type: "boolean", default: false },
    },
  });
  const kernels = await loadKernels();
  const model =
    values.model !== undefined
      ? MatrixFactorization.fromModelFile(kernels, decodeModelFile(await readFile(values.model), values.model), values.model)
      : MatrixFactorization.fromModelFile(kernels, generatedModel(Number(values.users), Number(values.items), Number(values.dim), 42));
  const nItems = model.nItems,
    dim = model.dim,
    nUsers = model.nUsers,
    queries = Math.min(nUsers, Number(values.queries)),
    runs = Number(values.runs);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const machine = describeMachine();
  log(`machine: ${machine.cpuModel}, ${machine.logicalCores} logical cores, ${machine.runtime}; load average ${machine.loadAverage.join(" / ")}`);

  const result: Record<string, unknown> = { machine, model: values.model ?? "generated", items: nItems, dim, users: nUsers, queries, k: K };

  // Export: the table out of the model, then the script's bytes (not kept: a 1M × 64 script is ~0.7 GB).
  const tableMs: number[] = [],
    insertScriptMs: number[] = [],
    copyScriptMs: number[] = [];
  let items: EmbeddingTable | null = null;
  let insertBytes = 0,
    copyBytes = 0;
  for (let r = 0; r < runs; r++) {
    let t = performance.now();
    items = itemEmbeddings(model);
    tableMs.push(performance.now() - t);
    t = performance.now();
    insertBytes = await countBytes(pgvectorSql({ items }));
    insertScriptMs.push(performance.now() - t);
    t = performance.now();
    copyBytes = await countBytes(pgvectorSql({ items }, { load: "copy" }));
    copyScriptMs.push(performance.now() - t);
    log(
      `export run ${r + 1}: table ${tableMs.at(-1)!.toFixed(0)} ms, INSERT script ${insertScriptMs.at(-1)!.toFixed(0)} ms, COPY script ${copyScriptMs.at(-1)!.toFixed(0)} ms`,
    );
  }
  result.export = {
    tableMs: median(tableMs),
    insertScriptMs: median(insertScriptMs),
    insertScriptBytes: insertBytes,
    copyScriptMs: median(copyScriptMs),
    copyScriptBytes: copyBytes,
  };
  if (!items) throw new RangeError("--runs must be at least 1");
  const users = userEmbeddings(model);

  let t = performance.now();
  const pg = new PGlite({ extensions: { vector } });
  await pg.exec("CREATE EXTENSION IF NOT EXISTS vector;");
  result.pgliteStartMs = performance.now() - t;
  const versions = await pg.query<{ pg: string; vector: string }>(
    "SELECT current_setting('server_version') AS pg, extversion AS vector FROM pg_extension WHERE extname = 'vector'",
  );
  result.versions = { postgres: versions.rows[0]!.pg, pgvector: versions.rows[0]!.vector };
  log(`PGlite (PostgreSQL ${versions.rows[0]!.pg}) + pgvector ${versions.rows[0]!.vector} started in ${(result.pgliteStartMs as number).toFixed(0)} ms`);

  // Load 1: the INSERT script, statement by statement (1,000 rows each), as a driver would run it.
  t = performance.now();
  for (const statement of pgvectorStatements({ items }, { table: "items_insert" })) await pg.exec(statement);
  const insertLoadMs = performance.now() - t;
  log(`INSERT load: ${(insertLoadMs / 1000).toFixed(1)} s`);
  await pg.exec("DROP TABLE items_insert;");

  // Load 2: COPY, the rows handed to PGlite as blobs of 100,000 rows.
  await pg.exec(`CREATE TABLE items (id text PRIMARY KEY, embedding vector(${dim}) NOT NULL, count integer NOT NULL);`);
  t = performance.now();
  for (let start = 0; start < nItems; start += COPY_PART_ROWS) {
    const part = slice(items, start, Math.min(nItems, start + COPY_PART_ROWS));
    const blob = new Blob([await collectBytes(pgvectorCopyRows(part))]);
    await pg.query(`COPY items (${pgvectorColumns(part).join(", ")}) FROM '/dev/blob'`, [], { blob });
  }
  const copyLoadMs = performance.now() - t;
  log(`COPY load: ${(copyLoadMs / 1000).toFixed(1)} s`);
  await pg.exec("ANALYZE items;");
  result.load = { insertMs: insertLoadMs, copyMs: copyLoadMs, rows: nItems };

  // Queries: the user's vector and training items as parameters, as an application sends them.
  const query = `SELECT id FROM items WHERE id <> ALL($2) ORDER BY embedding <#> $1 LIMIT ${K}`;
  const params = (u: number) => [vectorText(users.vectors, u, users.dim), trainingIds(model, u)];
  const plan = await pg.query<{ "QUERY PLAN": string }>(`EXPLAIN ${query}`, params(0));
  const planText = shortPlan(plan.rows.map((r) => r["QUERY PLAN"]).join("\n"));
  const pgMs: number[] = [];
  let agree = 0;
  for (let u = 0; u < queries; u++) {
    const q = performance.now();
    const { rows } = await pg.query<{ id: string }>(query, params(u));
    pgMs.push(performance.now() - q);
    const own = new Set(model.recommend(u, K).items);
    if (rows.length === K && rows.every((r) => own.has(r.id))) agree++;
  }
  const recommendMs: number[] = [];
  for (let u = 0; u < queries; u++) {
    const q = performance.now();
    model.recommend(u, K);
    recommendMs.push(performance.now() - q);
  }
  const blockMs: number[] = [];
  for (let r = 0; r < runs; r++) {
    const q = performance.now();
    rankAllUsers(model, K);
    blockMs.push(performance.now() - q);
  }
  result.query = {
    plan: planText,
    sequentialScan: /Seq Scan/.test(planText),
    pgvectorMedianMs: median(pgMs),
    sameListsAsLongtail: `${agree}/${queries}`,
    longtailRecommendMedianMs: median(recommendMs),
    longtailBlockAllUsersMs: median(blockMs),
    longtailBlockPerUserMs: median(blockMs) / nUsers,
    threads: kernels.threads.count,
  };
  log(`query plan:\n${planText}`);
  log(
    `pgvector: ${median(pgMs).toFixed(1)} ms per user (median of ${queries}), lists equal to longtail's: ${agree}/${queries}; longtail recommend(): ${median(recommendMs).toFixed(1)} ms per user; block ranking of all ${nUsers} users: ${median(blockMs).toFixed(0)} ms (${(median(blockMs) / nUsers).toFixed(2)} ms per user) on ${kernels.threads.count} threads`,
  );

  if (values.hnsw !== undefined) result.hnsw = await hnsw(pg, Math.min(nItems, Number(values.hnsw)), model, users, queries, log);

  await pg.close();
  model.dispose();
  if (values.json) process.stdout.write(JSON.stringify(result, null, 2) + "\n");
}

/** HNSW (vector_ip_ops) on the first n items: build time, query time, recall of the exact top K (a sequential scan of the same rows). */
async function hnsw(pg: PGlite, n: number, model: MatrixFactorization, users: EmbeddingTable, queries: number, log: (line: string) => void) {
  await pg.exec(`CREATE TABLE sub AS SELECT * FROM items ORDER BY id LIMIT ${n};`);
  const query = `SELECT id FROM sub WHERE id <> ALL($2) ORDER BY embedding <#> $1 LIMIT ${K}`;
  const params = (u: number) => [vectorText(users.vectors, u, users.dim), trainingIds(model, u)];
  const exact: Set<string>[] = [];
  for (let u = 0; u < queries; u++) exact.push(new Set((await pg.query<{ id: string }>(query, params(u))).rows.map((r) => r.id)));
  let t = performance.now();
  await pg.exec("CREATE INDEX sub_hnsw ON sub USING hnsw (embedding vector_ip_ops);");
  const buildMs = performance.now() - t;
  const plan = shortPlan((await pg.query<{ "QUERY PLAN": string }>(`EXPLAIN ${query}`, params(0))).rows.map((r) => r["QUERY PLAN"]).join("\n"));
  const searches: { efSearch: number; queryMedianMs: number; recallAtK: number }[] = [];
  // pgvector's default candidate list (40), and a longer one that trades time for recall.
  for (const efSearch of [40, 200]) {
    await pg.exec(`SET hnsw.ef_search = ${efSearch};`);
    const ms: number[] = [];
    let hits = 0;
    for (let u = 0; u < queries; u++) {
      t = performance.now();
      const { rows } = await pg.query<{ id: string }>(query, params(u));
      ms.push(performance.now() - t);
      hits += rows.filter((r) => exact[u]!.has(r.id)).length;
    }
    searches.push({ efSearch, queryMedianMs: median(ms), recallAtK: hits / (queries * K) });
  }
  const out = { rows: n, buildMs, plan, usesIndex: /sub_hnsw/.test(plan), searches };
  log(
    `HNSW on ${n} rows: built in ${(buildMs / 1000).toFixed(1)} s; ${searches.map((s) => `ef_search ${s.efSearch}: ${s.queryMedianMs.toFixed(1)} ms per query, recall@${K} of the exact lists ${s.recallAtK.toFixed(3)}`).join("; ")}\n${plan}`,
  );
  return out;
}

/** A matrix factorisation model with Gaussian factors and SEEN_PER_USER random training items per user. */
function generatedModel(nUsers: number, nItems: number, dim: number, seed: number): ModelFileContents {
  const rng = new Rng(seed);
  const gauss = (n: number) => Float32Array.from({ length: n }, () => rng.normal() * 0.3);
  const indptr = Int32Array.from({ length: nUsers + 1 }, (_, u) => u * SEEN_PER_USER);
  const indices = new Int32Array(nUsers * SEEN_PER_USER);
  for (let u = 0; u < nUsers; u++) {
    const row = new Set<number>();
    while (row.size < SEEN_PER_USER) row.add(rng.int(nItems));
    indices.set(Int32Array.from([...row].sort((a, b) => a - b)), u * SEEN_PER_USER);
  }
  const counts = new Int32Array(nItems);
  for (const i of indices) counts[i]!++;
  return {
    kind: "mf",
    config: { loss: "softmax", dim },
    shapes: { nUsers, nItems, dim },
    userIds: Array.from({ length: nUsers }, (_, u) => `u${u}`),
    itemIds: Array.from({ length: nItems }, (_, i) => `i${i}`),
    tables: {
      userFactors: { rows: nUsers, cols: dim, data: gauss(nUsers * dim) },
      itemFactors: { rows: nItems, cols: dim, data: gauss(nItems * dim) },
      itemCounts: { rows: 1, cols: nItems, data: counts },
      seenIndptr: { rows: 1, cols: nUsers + 1, data: indptr },
      seenIndices: { rows: 1, cols: indices.length, data: indices },
    },
  };
}

/** A plan without the query's vector and id list literals. */
function shortPlan(plan: string): string {
  return plan.replace(/'\[[^\]]*\]'::vector/g, "'[…]'::vector").replace(/'\{[^}]*\}'::text\[\]/g, "'{…}'::text[]");
}

function trainingIds(model: MatrixFactorization, u: number): string[] {
  const csr = model.trainingItems;
  return Array.from(csr.indices.subarray(csr.indptr[u], csr.indptr[u + 1]), (i) => model.items.id(i));
}

/** Rows start..end of an item table, sharing its arrays. */
function slice(table: EmbeddingTable, start: number, end: number): EmbeddingTable {
  return {
    ...table,
    ids: table.ids.slice(start, end),
    vectors: table.vectors.subarray(start * table.dim, end * table.dim),
    counts: table.counts.subarray(start, end),
  };
}

async function countBytes(chunks: AsyncIterable<Uint8Array>): Promise<number> {
  let n = 0;
  for await (const chunk of chunks) n += chunk.byteLength;
  return n;
}

await main();

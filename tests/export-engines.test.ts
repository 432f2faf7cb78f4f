/**
 * Real engines serve an exported model as longtail does. The exported pgvector script runs in
 * PostgreSQL with pgvector (PGlite: the real server compiled to wasm, in-process), and the exported
 * Arrow files load into LanceDB; each user's vector is queried by inner product with the user's
 * training items excluded in the query, and every user's list must equal longtail's own top K as
 * a set: for a plain model, a logit-adjusted one and a re-ranked export (--rerank β). The script's
 * literals and COPY rows keep quotes, backslashes, tabs and line breaks of ids and titles intact.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import * as lancedb from "@lancedb/lancedb";
import { createRequire } from "node:module";
import { Kernels } from "../ts/kernels/kernels.js";
import { loadWasmInstance } from "../ts/node.js";
import { fileSource } from "../ts/node/dataset-files.js";
import { readInteractions } from "../ts/data/read.js";
import { MatrixFactorization } from "../ts/mf/matrix-factorization.js";
import type { MfConfig } from "../ts/mf/config.js";
import {
  collectBytes,
  embeddingsArrow,
  itemEmbeddings,
  pgvectorColumns,
  pgvectorCopyRows,
  pgvectorSql,
  userEmbeddings,
  type EmbeddingTable,
} from "../ts/api/export.js";
import { vectorText } from "../ts/export/float-text.js";

/**
 * LanceDB loads apache-arrow as CommonJS; an ES module's `import "apache-arrow"` is the ESM build,
 * whose classes LanceDB does not recognise (instanceof fails and its conversion rejects the table).
 * The exported files are read with the Arrow LanceDB itself loads, as a user's ES module must.
 */
const { tableFromIPC } = createRequire(import.meta.url)("apache-arrow") as typeof import("apache-arrow");

const DATA = fileURLToPath(new URL("../../examples/data/interactions.csv", import.meta.url));
const K = 10;
/** A user whose K-th and (K+1)-th scores are closer than this could be ranked either way by another engine's summation order. */
const NEAR_TIE = 1e-5;

interface Case {
  name: string;
  model: MatrixFactorization;
  rerank?: number;
  items: EmbeddingTable;
  users: EmbeddingTable;
}

let kernels: Kernels;
let pg: PGlite;
let lance: lancedb.Connection;
let lanceDir: string;
const cases: Case[] = [];

before(async () => {
  kernels = new Kernels(await loadWasmInstance());
  const data = await readInteractions(fileSource(DATA), { fileName: "interactions.csv" });
  const train = async (config: Partial<MfConfig>) => {
    const model = new MatrixFactorization(kernels, { loss: "softmax", dim: 24, epochs: 10, seed: 11, ...config });
    await model.fit(data);
    return model;
  };
  const plain = await train({});
  const adjusted = await train({ logitAdjustment: 0.5 });
  for (const [name, model, rerank] of [
    ["plain", plain, undefined],
    ["adjusted", adjusted, undefined],
    ["reranked", plain, 0.02],
  ] as const) {
    const options = rerank === undefined ? {} : { rerank };
    cases.push({ name, model, ...(rerank !== undefined && { rerank }), items: itemEmbeddings(model, options), users: userEmbeddings(model, options) });
  }
  pg = new PGlite({ extensions: { vector } });
  lanceDir = mkdtempSync(join(tmpdir(), "longtail-lance-"));
  lance = await lancedb.connect(lanceDir);
});

after(async () => {
  await pg?.close();
  lance?.close();
  if (lanceDir) rmSync(lanceDir, { recursive: true, force: true });
  for (const model of new Set(cases.map((c) => c.model))) model.dispose();
});

/** longtail's own top K of user u for a case (re-ranked when the case is), or null at a near-tie. */
function ownTopK(c: Case, u: number): Set<string> | null {
  const rec = c.model.recommend(u, K + 1, { ...(c.rerank !== undefined && { popularityPenalty: c.rerank }) });
  if (rec.scores[K - 1]! - rec.scores[K]! < NEAR_TIE) return null;
  return new Set(rec.items.slice(0, K));
}

function trainingIds(c: Case, u: number): string[] {
  const csr = c.model.trainingItems;
  return Array.from(csr.indices.subarray(csr.indptr[u], csr.indptr[u + 1]), (i) => c.model.items.id(i));
}

/** Runs `query` for every user and checks its list against longtail's; near-ties at K must be rare. */
async function checkEveryUser(c: Case, engine: string, query: (u: number) => Promise<string[]>): Promise<void> {
  let compared = 0;
  for (let u = 0; u < c.model.nUsers; u++) {
    const own = ownTopK(c, u);
    if (!own) continue;
    const got = await query(u);
    assert.equal(got.length, K, `${engine}, ${c.name}, user ${c.model.users.id(u)}: ${got.length} items`);
    assert.deepEqual(new Set(got), own, `${engine}, ${c.name}, user ${c.model.users.id(u)}`);
    compared++;
  }
  assert.ok(compared >= c.model.nUsers * 0.95, `${engine}, ${c.name}: ${compared} of ${c.model.nUsers} users compared, too many near-ties`);
}

describe("PostgreSQL + pgvector (PGlite) serves the exported SQL", () => {
  it("the three exports load, and each user's inner-product query returns longtail's top K", async () => {
    for (const c of cases) {
      const sql = new TextDecoder().decode(await collectBytes(pgvectorSql({ items: c.items, users: c.users }, { table: c.name })));
      await pg.exec(sql);
      const { rows } = await pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${c.name}`);
      assert.equal(rows[0]!.n, c.model.nItems);
      // The user's vector and training items given by the caller, as an application would.
      await checkEveryUser(c, "pgvector (vector given)", async (u) => {
        const result = await pg.query<{ id: string }>(`SELECT id FROM ${c.name} WHERE id <> ALL($2) ORDER BY embedding <#> $1 LIMIT ${K}`, [
          vectorText(c.users.vectors, u, c.users.dim),
          trainingIds(c, u),
        ]);
        return result.rows.map((r) => r.id);
      });
      // Both from the exported tables: the users' table holds the vector and the training items.
      await checkEveryUser(c, "pgvector (users table)", async (u) => {
        const result = await pg.query<{ id: string }>(
          `SELECT i.id FROM ${c.name} i, ${c.name}_users u WHERE u.id = $1 AND i.id <> ALL(u.training_items) ORDER BY i.embedding <#> u.embedding LIMIT ${K}`,
          [c.model.users.id(u)],
        );
        return result.rows.map((r) => r.id);
      });
    }
  });

  it("the re-ranked export serves other lists than the plain one (the test sees re-ranking at work)", () => {
    const [plain, , reranked] = cases;
    let differ = 0;
    for (let u = 0; u < plain!.model.nUsers; u++) {
      const a = plain!.model.recommend(u, K).items.join();
      const b = reranked!.model.recommend(u, K, { popularityPenalty: reranked!.rerank! }).items.join();
      if (a !== b) differ++;
    }
    assert.ok(differ > plain!.model.nUsers / 4, `${differ} lists differ`);
  });

  it("ids and titles with quotes, backslashes, tabs and line breaks survive the INSERT script and the COPY rows", async () => {
    const ids = ["it's", 'say "hi"', "back\\slash", "tab\there", "line\nbreak", "ünï ☃"];
    const titles = ["O'Brien's \\ \"Cut\"", null, "C:\\path\\to", "a\tb", "two\r\nlines", "\\N"];
    const genres = [["Sci-Fi", 'Q"uote'], [], null, ["back\\slash", "{brace}", "comma,here"], ["it's"], ["NULL"]];
    const table: EmbeddingTable = {
      side: "items",
      ids,
      dim: 2,
      vectors: Float32Array.from(ids.flatMap((_, i) => [i, -i / 3])),
      counts: Int32Array.from(ids, (_, i) => i * 10),
      titles,
      genres,
      model: "mf",
    };
    await pg.exec(new TextDecoder().decode(await collectBytes(pgvectorSql({ items: table }, { table: "tricky" }))));
    await pg.exec(`CREATE TABLE tricky_copy (id text PRIMARY KEY, embedding vector(2), count integer, title text, genres text[])`);
    await pg.query(`COPY tricky_copy (${pgvectorColumns(table).join(", ")}) FROM '/dev/blob'`, [], {
      blob: new Blob([await collectBytes(pgvectorCopyRows(table))]),
    });
    for (const name of ["tricky", "tricky_copy"]) {
      const { rows } = await pg.query<{ id: string; title: string | null; genres: string[] | null; count: number; embedding: string }>(
        `SELECT id, title, genres, count, embedding::text AS embedding FROM ${name}`,
      );
      const byId = new Map(rows.map((r) => [r.id, r]));
      assert.equal(byId.size, ids.length, `${name}: every row`);
      ids.forEach((id, i) => {
        const row = byId.get(id);
        assert.ok(row, `${name}: id ${JSON.stringify(id)}`);
        assert.equal(row.title, titles[i], `${name}: title of ${JSON.stringify(id)}`);
        assert.deepEqual(row.genres, genres[i], `${name}: genres of ${JSON.stringify(id)}`);
        assert.equal(row.count, i * 10);
        assert.deepEqual((JSON.parse(row.embedding) as number[]).map(Math.fround), [i, Math.fround(-i / 3)], `${name}: vector of ${JSON.stringify(id)}`);
      });
    }
  });
});

describe("LanceDB serves the exported Arrow files", () => {
  it("each user's dot-product search, training items filtered out, returns longtail's top K", async () => {
    for (const c of cases) {
      const items = tableFromIPC(await collectBytes(embeddingsArrow(c.items)));
      const users = tableFromIPC(await collectBytes(embeddingsArrow(c.users)));
      const table = await lance.createTable(c.name, items);
      assert.equal(await table.countRows(), c.model.nItems);
      const userVectors = users.getChild("vector")!;
      const userTraining = users.getChild("training_items")!;
      await checkEveryUser(c, "LanceDB", async (u) => {
        const seen = Array.from(userTraining.get(u)!.toArray() as string[]);
        const filter = `id NOT IN (${seen.map((id) => `'${id.replace(/'/g, "''")}'`).join(", ")})`;
        const found = await table
          .vectorSearch(Array.from(userVectors.get(u)!.toArray() as Float32Array))
          .distanceType("dot")
          .where(filter)
          .select(["id"])
          .limit(K)
          .toArray();
        return found.map((r: { id: string }) => r.id);
      });
    }
  });
});

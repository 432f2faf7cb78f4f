/**
 * The export formats read back as what the model serves: Parquet (hyparquet) and Arrow IPC
 * (apache-arrow) give the served vectors bit for bit, the .npy header parses and its matrix is
 * the same, NDJSON's shortest decimals round-trip to the same f32 values; the exported vectors
 * rank like the model (the gradient-perspective projection, two-tower's towers and the re-ranking
 * dimension included); Vectorize's limits are refused with the row and id; every user's top K
 * equals recommend()'s.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parquetReadObjects } from "hyparquet";
import { FixedSizeList, tableFromIPC } from "apache-arrow";
import { Kernels } from "../ts/kernels/kernels.js";
import { loadWasmInstance } from "../ts/node.js";
import { fileSource } from "../ts/node/dataset-files.js";
import { readInteractions } from "../ts/data/read.js";
import type { Interactions } from "../ts/data/interactions.js";
import { MatrixFactorization } from "../ts/mf/matrix-factorization.js";
import { TwoTower } from "../ts/two-tower/two-tower.js";
import {
  collectBytes,
  embeddingsArrow,
  embeddingsNdjson,
  embeddingsNpy,
  embeddingsParquet,
  ExportError,
  itemEmbeddings,
  npyRowsNdjson,
  rankAllUsers,
  recommendationsFile,
  topKBlocks,
  userEmbeddings,
  vectorizeNdjson,
  type EmbeddingTable,
} from "../ts/api/export.js";

const DATA = fileURLToPath(new URL("../../examples/data/interactions.csv", import.meta.url));
const K = 10;

let kernels: Kernels;
let data: Interactions;
let mf: MatrixFactorization;

before(async () => {
  kernels = new Kernels(await loadWasmInstance());
  data = await readInteractions(fileSource(DATA), { fileName: "interactions.csv" });
  mf = new MatrixFactorization(kernels, { loss: "softmax", dim: 16, epochs: 8, seed: 3 });
  await mf.fit(data);
});
after(() => mf.dispose());

/** Equal as f32 bit patterns (so -0 and 0, or two NaNs, are told apart). */
function assertSameFloats(actual: ArrayLike<number>, expected: Float32Array, what: string): void {
  const a = new Uint32Array(Float32Array.from(actual).buffer);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  assert.equal(a.length, e.length, `${what}: length`);
  for (let i = 0; i < e.length; i++) if (a[i] !== e[i]) assert.fail(`${what}: value ${i} is ${actual[i]}, expected ${expected[i]}`);
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const arrayBuffer = (bytes: Uint8Array) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

/** The k best items of `user` by inner products of exported vectors (f64 sums of f32 values), training items left out. */
function topByExport(items: EmbeddingTable, users: EmbeddingTable, u: number, k: number, seen: Set<number>): number[] {
  const d = items.dim;
  const scored: [number, number][] = [];
  for (let i = 0; i < items.ids.length; i++) {
    if (seen.has(i)) continue;
    let s = 0;
    for (let j = 0; j < d; j++) s += users.vectors[u * d + j]! * items.vectors[i * d + j]!;
    scored.push([i, s]);
  }
  scored.sort((a, b) => b[1] - a[1]);
  return scored.slice(0, k).map(([i]) => i);
}

/** Asserts the exported vectors give every user the model's own top K (as sets; users with a near-tie at K are counted, and must be few). */
function assertServesLikeModel(
  model: MatrixFactorization | TwoTower,
  items: EmbeddingTable,
  users: EmbeddingTable,
  recommend: (u: number) => { indices: Int32Array; scores: Float32Array },
): void {
  const csr = model.trainingItems;
  let compared = 0;
  for (let u = 0; u < model.nUsers; u++) {
    const own = recommend(u);
    // A near-tie at the cut could fall either way under another summation order: such users are skipped.
    if (own.scores.length > K && own.scores[K - 1]! - own.scores[K]! < 1e-5) continue;
    const seen = new Set(csr.indices.subarray(csr.indptr[u], csr.indptr[u + 1]));
    assert.deepEqual(new Set(topByExport(items, users, u, K, seen)), new Set(own.indices.subarray(0, K)), `user ${model.users.id(u)}`);
    compared++;
  }
  assert.ok(compared >= model.nUsers * 0.95, `${compared} of ${model.nUsers} users compared: too many near-ties for the test to mean much`);
}

describe("export formats read back as the served vectors", () => {
  it("Parquet: ids, vectors bit for bit, counts, training items and the metadata", async () => {
    const items = itemEmbeddings(mf);
    const users = userEmbeddings(mf);
    for (const table of [items, users]) {
      const bytes = await collectBytes(embeddingsParquet(table));
      const rows = (await parquetReadObjects({ file: arrayBuffer(bytes) })) as Record<string, unknown>[];
      assert.equal(rows.length, table.ids.length);
      rows.forEach((row, r) => {
        assert.equal(row["id"], table.ids[r]);
        assert.equal(row["count"], table.counts[r]);
        assertSameFloats(row["vector"] as number[], table.vectors.subarray(r * table.dim, (r + 1) * table.dim), `${table.side} row ${r}`);
      });
      if (table.side === "users") {
        const csr = mf.trainingItems;
        rows.forEach((row, u) => {
          const expected = Array.from(csr.indices.subarray(csr.indptr[u], csr.indptr[u + 1]), (i) => mf.items.id(i));
          assert.deepEqual(row["training_items"], expected, `user ${u}'s training items`);
        });
      }
    }
  });

  it("Parquet and Arrow of a large table span several row groups and batches and keep titles and genres, absent ones as null", async () => {
    const n = 40_000,
      dim = 3;
    const table: EmbeddingTable = {
      side: "items",
      ids: Array.from({ length: n }, (_, i) => `item-${i}`),
      dim,
      vectors: Float32Array.from({ length: n * dim }, (_, i) => Math.fround(Math.sin(i) * 1e-3)),
      counts: Int32Array.from({ length: n }, (_, i) => i % 97),
      titles: Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : `Title ${i}, "quoted"`)),
      genres: Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : i % 7 === 1 ? [] : ["Drama", `G${i % 3}`])),
      model: "mf",
    };
    const bytes = await collectBytes(embeddingsParquet(table));
    const rows = (await parquetReadObjects({ file: arrayBuffer(bytes), rowStart: 16_380, rowEnd: 16_390 })) as Record<string, unknown>[];
    rows.forEach((row, k) => {
      const r = 16_380 + k;
      assert.equal(row["id"], table.ids[r]);
      assert.equal(row["title"] ?? null, table.titles![r], `row ${r}: title`);
      const genres = table.genres![r];
      if (genres === null) assert.ok(row["genres"] === null || row["genres"] === undefined, `row ${r}: genres absent`);
      else assert.deepEqual(row["genres"], genres, `row ${r}: genres`);
      assertSameFloats(row["vector"] as number[], table.vectors.subarray(r * dim, (r + 1) * dim), `row ${r}`);
    });
    const arrow = tableFromIPC(await collectBytes(embeddingsArrow(table)));
    assert.equal(arrow.batches.length, 3);
    assert.equal(arrow.numRows, n);
    assertSameFloats(
      arrow.getChild("vector")!.data.flatMap((d) => Array.from(d.children[0]!.values as Float32Array)),
      table.vectors,
      "Arrow vectors",
    );
    for (const r of [0, 16_383, 16_384, 39_999]) {
      assert.equal(arrow.getChild("id")!.get(r), table.ids[r]);
      assert.equal(arrow.getChild("title")!.get(r), table.titles![r]);
      const genres = arrow.getChild("genres")!.get(r);
      assert.deepEqual(genres === null ? null : Array.from(genres.toArray() as string[]), table.genres![r], `Arrow row ${r}: genres`);
    }
  });

  it("Arrow IPC: a FixedSizeList<Float32> vector column equal bit for bit, and the schema says the re-ranking β", async () => {
    const items = itemEmbeddings(mf, { rerank: 0.05 });
    const bytes = await collectBytes(embeddingsArrow(items));
    const table = tableFromIPC(bytes);
    assert.equal(table.numRows, mf.nItems);
    const vectorType = table.schema.fields.find((f) => f.name === "vector")!.type;
    assert.ok(vectorType instanceof FixedSizeList && vectorType.listSize === mf.dim + 1, "vector: FixedSizeList of dim + 1");
    assert.deepEqual(JSON.parse(table.schema.metadata.get("longtail")!), { side: "items", model: "mf", rows: mf.nItems, dim: mf.dim + 1, rerankBeta: 0.05 });
    const ids = table.getChild("id")!.toArray() as string[];
    const vectors = table.getChild("vector")!;
    for (let r = 0; r < table.numRows; r++) {
      assert.equal(ids[r], items.ids[r]);
      assertSameFloats(vectors.get(r)!.toArray() as Float32Array, items.vectors.subarray(r * items.dim, (r + 1) * items.dim), `row ${r}`);
    }
    assert.deepEqual(Array.from(table.getChild("count")!.toArray() as Int32Array), Array.from(mf.itemCounts));
  });

  it(".npy: the header parses (magic, version, shape, little-endian f32, 64-byte aligned data) and the matrix and sidecar match", async () => {
    const users = userEmbeddings(mf);
    const bytes = await collectBytes(embeddingsNpy(users));
    const npy = parseNpy(bytes);
    assert.deepEqual(npy.shape, [mf.nUsers, mf.dim]);
    assert.equal(npy.dataOffset % 64, 0);
    assertSameFloats(npy.data, users.vectors, "matrix");
    const lines = text(await collectBytes(npyRowsNdjson(users)))
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, mf.nUsers);
    lines.forEach((line, u) => {
      assert.equal(line.id, mf.users.id(u));
      assert.equal(line.count, users.counts[u]);
    });
  });

  it("NDJSON: the shortest decimals read back as the same f32 values", async () => {
    const items = itemEmbeddings(mf, { rerank: 0.3 });
    const lines = text(await collectBytes(embeddingsNdjson(items)))
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    lines.forEach((line, r) => {
      assert.equal(line.id, items.ids[r]);
      assertSameFloats(line.vector, items.vectors.subarray(r * items.dim, (r + 1) * items.dim), `row ${r}`);
    });
  });
});

describe("the exported vectors are the served ones", () => {
  it("matrix factorisation with the gradient-perspective projection: the projected vectors rank like recommend()", () => {
    const model = MatrixFactorization.fromModelFile(kernels, mf.toModelFile());
    try {
      const plainItems = itemEmbeddings(model);
      model.setPopularityAdjustment({ alphaItems: 0.8, alphaUsers: 0.4, source: "head-mean" });
      const items = itemEmbeddings(model);
      assert.notDeepEqual(items.vectors, plainItems.vectors, "the projection changes the served item vectors");
      assertServesLikeModel(model, items, userEmbeddings(model), (u) => model.recommend(u, K + 1));
    } finally {
      model.dispose();
    }
  });

  it("the re-ranking dimension: user · item = score − β·ln(1 + count), the re-ranker's order", () => {
    const beta = 0.02;
    const items = itemEmbeddings(mf, { rerank: beta });
    const users = userEmbeddings(mf, { rerank: beta });
    assert.equal(items.dim, mf.dim + 1);
    for (let u = 0; u < mf.nUsers; u++) assert.equal(users.vectors[u * users.dim + mf.dim], 1);
    for (let i = 0; i < mf.nItems; i++) assert.ok(Math.abs(items.vectors[i * items.dim + mf.dim]! + beta * Math.log1p(mf.itemCounts[i]!)) < 1e-6);
    let changed = 0;
    assertServesLikeModel(mf, items, users, (u) => {
      const reranked = mf.recommend(u, K + 1, { popularityPenalty: beta });
      const plain = mf.recommend(u, K);
      if (plain.items.join() !== reranked.items.slice(0, K).join()) changed++;
      return reranked;
    });
    assert.ok(changed > mf.nUsers / 4, `β = ${beta} changes ${changed} of ${mf.nUsers} lists: the test must see re-ranking at work`);
  });

  it("two-tower: the item tower's outputs and the user tower over each history rank like recommend(), as do its block-ranked lists", async () => {
    const model = new TwoTower(kernels, { dim: 16, epochs: 3, seed: 5 });
    try {
      await model.fit(data);
      const items = itemEmbeddings(model);
      const table = model.itemTable();
      try {
        assertSameFloats(items.vectors, table.view.slice(0, model.nItems * model.dim), "item tower outputs");
      } finally {
        table.free();
      }
      assertServesLikeModel(model, items, userEmbeddings(model), (u) => model.recommend(u, K + 1));
      // Every user's lists through the scored-block path (two-tower has no fused ranking).
      const all = rankAllUsers(model, K, { blockUsers: 64 });
      for (let u = 0; u < model.nUsers; u++) {
        assert.deepEqual(Array.from(all.indices.subarray(u * K, u * K + K)), Array.from(model.recommend(u, K).indices), `two-tower user ${u}`);
      }
    } finally {
      model.dispose();
    }
  });
});

describe("Vectorize's limits", () => {
  const table = (ids: string[], extra: Partial<EmbeddingTable> = {}): EmbeddingTable => ({
    side: "items",
    ids,
    dim: 2,
    vectors: new Float32Array(ids.length * 2).fill(0.5),
    counts: new Int32Array(ids.length),
    model: "mf",
    ...extra,
  });

  it("refuses a 65-byte id, naming the row and the id, and takes 64 bytes", async () => {
    const long = "x".repeat(65);
    assert.throws(
      () => vectorizeNdjson(table(["a", long])),
      (e: unknown) =>
        e instanceof ExportError && /item row 1 \(id "x{65}"\): the id is 65 bytes in UTF-8; Vectorize allows at most 64/.test((e as Error).message),
    );
    // 32 two-byte characters are 64 bytes: accepted; 33 are 66: refused.
    const lines = text(await collectBytes(vectorizeNdjson(table(["x".repeat(64), "é".repeat(32)]))))
      .trimEnd()
      .split("\n");
    assert.deepEqual(JSON.parse(lines[1]!), { id: "é".repeat(32), values: [0.5, 0.5], metadata: { count: 0 } });
    assert.throws(() => vectorizeNdjson(table(["é".repeat(33)])), /66 bytes in UTF-8/);
  });

  it("refuses more than 1536 dimensions and more than 10 KiB of metadata", () => {
    assert.throws(() => vectorizeNdjson({ ...table(["a"]), dim: 1537, vectors: new Float32Array(1537) }), /1537 dimensions; Vectorize allows at most 1536/);
    assert.throws(
      () => vectorizeNdjson(table(["a", "b"], { titles: [null, "t".repeat(11_000)] })),
      /item row 1 \(id "b"\): its metadata is 11\d{3} bytes; Vectorize allows at most 10240/,
    );
  });
});

describe("every user's top K", () => {
  it("equals recommend() for every user, plain and re-ranked, and writes CSV, NDJSON and Parquet rows", async () => {
    for (const popularityPenalty of [undefined, 0.05]) {
      const all = rankAllUsers(mf, K, { ...(popularityPenalty !== undefined && { popularityPenalty }), blockUsers: 37 });
      for (let u = 0; u < mf.nUsers; u++) {
        const own = mf.recommend(u, K, { ...(popularityPenalty !== undefined && { popularityPenalty }) });
        assert.deepEqual(Array.from(all.indices.subarray(u * K, u * K + K)), Array.from(own.indices), `user ${u}, β ${popularityPenalty}`);
      }
    }
    const ids = { users: mf.users.ids(), items: mf.items.ids() };
    const csv = text(await collectBytes(recommendationsFile(topKBlocks(mf, 3), ids, "csv")))
      .trimEnd()
      .split("\n");
    assert.equal(csv[0], "user,rank,item,score");
    assert.equal(csv.length, 1 + 3 * mf.nUsers);
    const first = mf.recommend(0, 3);
    assert.deepEqual(
      csv.slice(1, 4).map((l) => l.split(",").slice(0, 3)),
      first.items.map((item, r) => [mf.users.id(0), String(r + 1), item]),
    );
    const ndjson = text(await collectBytes(recommendationsFile(topKBlocks(mf, 3), ids, "ndjson")))
      .trimEnd()
      .split("\n");
    const third = JSON.parse(ndjson[2]!);
    assert.deepEqual({ ...third, score: undefined }, { user: mf.users.id(0), rank: 3, item: first.items[2], score: undefined });
    // The fused ranking sums in another order than recommend()'s scoring: the same lists, scores equal to a few ulps.
    assert.ok(Math.abs(third.score - first.scores[2]!) < 1e-5, `score ${third.score} vs ${first.scores[2]}`);
    const parquet = await collectBytes(recommendationsFile(topKBlocks(mf, 3, { blockUsers: 50 }), ids, "parquet"));
    const rows = (await parquetReadObjects({ file: arrayBuffer(parquet) })) as { user: string; rank: number; item: string; score: number }[];
    assert.equal(rows.length, 3 * mf.nUsers);
    const u50 = mf.recommend(50, 3);
    assert.deepEqual({ ...rows[152]!, score: 0 }, { user: mf.users.id(50), rank: 3, item: u50.items[2], score: 0 });
    assert.ok(Math.abs(rows[152]!.score - u50.scores[2]!) < 1e-5);
  });
});

/** A minimal .npy (format 1.0) reader: magic, version, the header dict's descr/fortran_order/shape, the data. */
function parseNpy(bytes: Uint8Array): { shape: number[]; dataOffset: number; data: Float32Array } {
  assert.deepEqual(Array.from(bytes.subarray(0, 6)), [0x93, ...Array.from("NUMPY", (c) => c.charCodeAt(0))], "magic");
  assert.deepEqual([bytes[6], bytes[7]], [1, 0], "version 1.0");
  const headerLength = bytes[8]! | (bytes[9]! << 8);
  const header = text(bytes.subarray(10, 10 + headerLength));
  assert.ok(header.endsWith("\n"), "the header ends in a newline");
  const m = /^\{'descr': '([^']+)', 'fortran_order': (True|False), 'shape': \((\d+), (\d+)\), \} *\n$/.exec(header);
  assert.ok(m, `header ${JSON.stringify(header)}`);
  assert.equal(m[1], "<f4");
  assert.equal(m[2], "False");
  const shape = [Number(m[3]), Number(m[4])];
  const dataOffset = 10 + headerLength;
  assert.equal(bytes.length - dataOffset, shape[0]! * shape[1]! * 4, "data length");
  const data = new Float32Array(arrayBuffer(bytes.subarray(dataOffset)));
  return { shape, dataOffset, data };
}

/**
 * Similar items (issue 15): model.similarItems(item, k) against a plain f64 cosine reference with
 * the item itself left out, for matrix factorisation (item factors as served) and the two-tower
 * model (the item tower's outputs); zero vectors, unknown items, memory, the engine API in a
 * worker and in this thread, and `longtail recommend --item`.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Kernels } from "../ts/kernels/kernels.js";
import { IdMap } from "../ts/data/id-map.js";
import { Interactions } from "../ts/data/interactions.js";
import { MatrixFactorization } from "../ts/mf/matrix-factorization.js";
import { UnknownIdError, type Recommendation } from "../ts/model/recommendation.js";
import { decodeModelFile, type ModelFileContents } from "../ts/model/model-file.js";
import { TwoTower } from "../ts/two-tower/two-tower.js";
import { createEngine, loadWasmInstance } from "../ts/node.js";
import { Rng } from "../ts/util/rng.js";
import { cli } from "./support/cli.js";
import { TINY_CSV } from "./support/runtime-fixture.js";

let kernels: Kernels;
before(async () => {
  kernels = new Kernels(await loadWasmInstance());
});

/** Cosine of every item with item `q` in f64 (0 where either vector is zero), from an m×d table. */
function referenceCosines(table: ArrayLike<number>, m: number, d: number, q: number): Float64Array {
  const norm = (i: number) => {
    let s = 0;
    for (let c = 0; c < d; c++) s += table[i * d + c] ** 2;
    return Math.sqrt(s);
  };
  const nq = norm(q);
  return Float64Array.from({ length: m }, (_, i) => {
    const ni = norm(i);
    if (nq === 0 || ni === 0) return 0;
    let dot = 0;
    for (let c = 0; c < d; c++) dot += table[q * d + c] * table[i * d + c];
    return dot / (nq * ni);
  });
}

/**
 * `rec` is the top-k of `cosines` without item q: min(k, m − 1) items, q never among them, each
 * score its item's cosine, best first, and none left out that beats one taken (ties within `tol`
 * may go either way; where the k-th and the next differ by more, the sets must be equal).
 */
function assertSimilar(rec: Recommendation, cosines: Float64Array, q: number, k: number, what: string, tol = 1e-5): void {
  const m = cosines.length;
  const kk = Math.min(k, m - 1);
  assert.equal(rec.indices.length, kk, `${what}: length`);
  assert.equal(rec.scores.length, kk, `${what}: scores length`);
  const taken = new Set(rec.indices);
  assert.equal(taken.size, kk, `${what}: distinct items`);
  assert.ok(!taken.has(q), `${what}: the item itself is left out`);
  rec.indices.forEach((i, r) => {
    assert.ok(i >= 0 && i < m, `${what}: index ${i}`);
    assert.ok(Number.isFinite(rec.scores[r]), `${what}: score ${rec.scores[r]} is finite`);
    assert.ok(Math.abs(rec.scores[r] - cosines[i]) <= tol, `${what}: item ${i} scores ${rec.scores[r]}, cosine ${cosines[i]}`);
    if (r > 0) assert.ok(rec.scores[r] <= rec.scores[r - 1], `${what}: best first`);
  });
  const order = Array.from({ length: m }, (_, i) => i)
    .filter((i) => i !== q)
    .sort((a, b) => cosines[b] - cosines[a]);
  const kth = cosines[order[kk - 1]];
  for (const i of rec.indices) assert.ok(cosines[i] >= kth - tol, `${what}: item ${i} (cosine ${cosines[i]}) is below the k-th best ${kth}`);
  if (kk < order.length && kth - cosines[order[kk]] > 1e-4)
    assert.deepEqual(
      [...taken].sort((a, b) => a - b),
      order.slice(0, kk).sort((a, b) => a - b),
      `${what}: top-k set`,
    );
}

function randomMf(rng: Rng, m: number, d: number, zeroItems: readonly number[] = []): ModelFileContents {
  const normal = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
  const items = normal(m * d);
  for (const z of zeroItems) items.fill(0, z * d, (z + 1) * d);
  return {
    kind: "mf",
    config: { loss: "bpr", dim: d },
    shapes: { nUsers: 3, nItems: m, dim: d },
    userIds: ["u0", "u1", "u2"],
    itemIds: Array.from({ length: m }, (_, i) => `i${i}`),
    tables: {
      userFactors: { rows: 3, cols: d, data: normal(3 * d) },
      itemFactors: { rows: m, cols: d, data: items },
      itemCounts: { rows: 1, cols: m, data: Int32Array.from({ length: m }, () => 1 + rng.int(100)) },
      seenIndptr: { rows: 1, cols: 4, data: Int32Array.from([0, 1, 1, 2]) },
      seenIndices: { rows: 1, cols: 2, data: Int32Array.from([0, m - 1]) },
    },
  };
}

/** A two-tower model file with random tables; with `genres`, each item gets 0-2 of 4 genres (the item tower adds their mean). */
function randomTwoTower(rng: Rng, m: number, d: number, genres: boolean): ModelFileContents {
  const normal = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
  const byItem = Array.from({ length: m }, () => [...new Set(Array.from({ length: rng.int(3) }, () => rng.int(4)))].sort());
  const indptr = Int32Array.from([0, ...byItem.map((_g, i) => byItem.slice(0, i + 1).reduce((s, x) => s + x.length, 0))]);
  const indices = Int32Array.from(byItem.flat());
  return {
    kind: "two-tower",
    config: { dim: d, ...(genres && { genreNames: ["A", "B", "C", "D"] }) },
    shapes: { nUsers: 2, nItems: m, dim: d },
    userIds: ["u0", "u1"],
    itemIds: Array.from({ length: m }, (_, i) => `i${i}`),
    tables: {
      itemInput: { rows: m, cols: d, data: normal(m * d) },
      itemOutput: { rows: m, cols: d, data: normal(m * d) },
      projection: { rows: d, cols: d, data: normal(d * d) },
      projectionBias: { rows: 1, cols: d, data: normal(d) },
      ...(genres && {
        genreEmbeddings: { rows: 4, cols: d, data: normal(4 * d) },
        itemGenreIndptr: { rows: 1, cols: m + 1, data: indptr },
        itemGenreIndices: { rows: 1, cols: indices.length, data: indices },
      }),
      itemCounts: { rows: 1, cols: m, data: Int32Array.from({ length: m }, () => 1 + rng.int(100)) },
      seenIndptr: { rows: 1, cols: 3, data: Int32Array.from([0, 2, 3]) },
      seenIndices: { rows: 1, cols: 3, data: Int32Array.from([0, 1, 2 % m]) },
    },
  };
}

/** The item tower's output in f64 from the file's tables: itemOutput[i] + the mean of item i's genre embeddings. */
function twoTowerItemVectors(c: ModelFileContents, m: number, d: number): Float64Array {
  const out = Float64Array.from(c.tables.itemOutput.data);
  const genres = c.tables.genreEmbeddings;
  if (!genres) return out;
  const indptr = c.tables.itemGenreIndptr.data,
    indices = c.tables.itemGenreIndices.data;
  for (let i = 0; i < m; i++) {
    const n = indptr[i + 1] - indptr[i];
    for (let e = indptr[i]; e < indptr[i + 1]; e++) for (let j = 0; j < d; j++) out[i * d + j] += genres.data[indices[e] * d + j] / n;
  }
  return out;
}

const SHAPES = [
  [2, 1],
  [7, 1],
  [9, 3],
  [13, 5],
  [37, 17],
  [130, 17],
  [61, 64],
  [203, 8],
] as const;

describe("similarItems: matrix factorisation", () => {
  it("gives the top-k by cosine of the item factors, the item itself left out (d = 1, 3, 5, 17, 64; catalogs not a multiple of 4; k above the catalog)", () => {
    const rng = new Rng(21);
    for (const [m, d] of SHAPES) {
      const contents = randomMf(rng, m, d);
      const model = MatrixFactorization.fromModelFile(kernels, contents);
      try {
        const items = contents.tables.itemFactors.data;
        for (const q of new Set([0, 1 % m, m >> 1, m - 1])) {
          const cosines = referenceCosines(items, m, d, q);
          for (const k of [1, 3, m - 1, m, m + 5]) {
            if (k < 1) continue;
            const rec = model.similarItems(q, k);
            assertSimilar(rec, cosines, q, k, `m=${m} d=${d} item ${q} k=${k}`);
            assert.deepEqual(
              rec.items,
              Array.from(rec.indices, (i) => `i${i}`),
            );
          }
          // An external id and its index give the same answer; the default k is 10.
          assert.deepEqual(model.similarItems(`i${q}`), model.similarItems(q, 10));
        }
      } finally {
        model.dispose();
      }
    }
  });

  it("gives cosine 0 for an all-zero item vector (no NaN), as the query and among the candidates", () => {
    const rng = new Rng(5);
    const m = 11,
      d = 5;
    const contents = randomMf(rng, m, d, [3]);
    const model = MatrixFactorization.fromModelFile(kernels, contents);
    try {
      const zero = model.similarItems(3, 20);
      assert.equal(zero.indices.length, m - 1);
      assert.ok(!zero.indices.includes(3));
      assert.ok(
        zero.scores.every((s) => s === 0),
        `scores ${zero.scores}`,
      );
      for (const q of [0, 7]) {
        const rec = model.similarItems(q, m);
        assertSimilar(rec, referenceCosines(contents.tables.itemFactors.data, m, d, q), q, m, `item ${q}`);
        assert.equal(rec.scores[rec.indices.indexOf(3)], 0);
      }
    } finally {
      model.dispose();
    }
  });

  it("throws UnknownIdError for an item the model does not know (ids cut short), and RangeError for a bad k", () => {
    const model = MatrixFactorization.fromModelFile(kernels, randomMf(new Rng(2), 6, 3));
    try {
      assert.throws(
        () => model.similarItems("nope", 3),
        (e: Error) => e instanceof UnknownIdError && /^item "nope" is not in the model \(it knows 6 items, e\.g\. "i0", "i1", "i2"\)$/.test(e.message),
      );
      const long = "x".repeat(5000);
      assert.throws(
        () => model.similarItems(long),
        (e: Error) => e instanceof UnknownIdError && e.message.length < 200 && e.message.includes("…"),
      );
      assert.throws(() => model.similarItems(6), UnknownIdError);
      assert.throws(() => model.similarItems(-1), UnknownIdError);
      assert.throws(() => model.similarItems(1.5), UnknownIdError);
      // The same kind of error recommend throws for an unknown user.
      assert.throws(() => model.recommend("nope"), UnknownIdError);
      for (const k of [0, -1, 2.5, NaN]) assert.throws(() => model.similarItems(0, k), /k must be a positive integer/);
      const one = MatrixFactorization.fromModelFile(kernels, randomMf(new Rng(3), 1, 4));
      try {
        assert.equal(one.similarItems(0, 5).indices.length, 0, "a one-item catalog has nothing similar");
      } finally {
        one.dispose();
      }
    } finally {
      model.dispose();
    }
    assert.throws(() => new MatrixFactorization(kernels, { dim: 4 }).similarItems("i0"), UnknownIdError);
  });

  it("follows the popularity projection serving uses (rebuilt when it changes) and frees its memory on dispose", () => {
    const rng = new Rng(9);
    const m = 45,
      d = 6;
    const start = kernels.wasm.allocatedBytes;
    const contents = randomMf(rng, m, d);
    const model = MatrixFactorization.fromModelFile(kernels, contents);
    const raw = contents.tables.itemFactors.data;
    assertSimilar(model.similarItems(4, 7), referenceCosines(raw, m, d, 4), 4, 7, "raw factors");
    model.setPopularityAdjustment({ alphaItems: 1, alphaUsers: 0, source: "head-mean" });
    const served = model.servedTables();
    const projected = served.items.view.slice();
    served.users.free();
    served.items.free();
    const cosines = referenceCosines(projected, m, d, 4);
    assert.notDeepEqual(cosines, referenceCosines(raw, m, d, 4));
    assertSimilar(model.similarItems(4, 7), cosines, 4, 7, "projected factors");
    model.setPopularityAdjustment({ alphaItems: 0, alphaUsers: 0, source: "head-mean" });
    assertSimilar(model.similarItems(4, 7), referenceCosines(raw, m, d, 4), 4, 7, "raw factors again");
    assert.ok(kernels.wasm.allocatedBytes > start);
    model.dispose();
    assert.equal(kernels.wasm.allocatedBytes, start, "similarItems leaked wasm memory");
  });

  it("is rebuilt after a new fit", async () => {
    const start = kernels.wasm.allocatedBytes;
    const model = new MatrixFactorization(kernels, { loss: "bpr", dim: 5, epochs: 1, seed: 1 });
    const data = (seed: number) => {
      const r = new Rng(seed);
      return Interactions.fromTriples(
        Array.from({ length: 300 }, () => [`u${r.int(30)}`, `i${r.int(23)}`] as const),
        { items: fixedItems(23) },
      );
    };
    try {
      for (const seed of [1, 2]) {
        await model.fit(data(seed));
        const items = model.itemFactors.view.slice();
        assertSimilar(model.similarItems(0, 5), referenceCosines(items, 23, 5, 0), 0, 5, `fit ${seed}`);
      }
    } finally {
      model.dispose();
    }
    assert.equal(kernels.wasm.allocatedBytes, start);
  });
});

function fixedItems(m: number): IdMap {
  const items = IdMap.from(Array.from({ length: m }, (_, i) => `i${i}`));
  items.freeze();
  return items;
}

describe("similarItems: two-tower", () => {
  it("gives the top-k by cosine of the item tower's outputs (output embedding + genre mean), the item itself left out", () => {
    const rng = new Rng(33);
    const start = kernels.wasm.allocatedBytes;
    for (const [m, d] of SHAPES) {
      for (const genres of [false, true]) {
        const contents = randomTwoTower(rng, m, d, genres);
        const model = TwoTower.fromModelFile(kernels, contents);
        try {
          const vectors = twoTowerItemVectors(contents, m, d);
          for (const q of new Set([0, m - 1, m >> 1])) {
            const cosines = referenceCosines(vectors, m, d, q);
            for (const k of [1, 4, m + 2]) assertSimilar(model.similarItems(q, k), cosines, q, k, `two-tower m=${m} d=${d} genres=${genres} item ${q} k=${k}`);
          }
          assert.deepEqual(model.similarItems(`i${m - 1}`, 3), model.similarItems(m - 1, 3));
          assert.throws(
            () => model.similarItems("nope"),
            (e: Error) => e instanceof UnknownIdError && /^item "nope" is not in the model/.test(e.message),
          );
        } finally {
          model.dispose();
        }
      }
    }
    assert.equal(kernels.wasm.allocatedBytes, start, "two-tower similarItems leaked wasm memory");
  });

  it("is rebuilt when training changes the item tables", async () => {
    const start = kernels.wasm.allocatedBytes;
    const model = new TwoTower(kernels, { dim: 5, epochs: 1, batchSize: 32 });
    try {
      for (const seed of [1, 2]) {
        const r = new Rng(seed);
        await model.fit(
          Interactions.fromTriples(
            Array.from({ length: 300 }, (_, t) => [`u${r.int(30)}`, `i${r.int(23)}`, 1, t] as const),
            { items: fixedItems(23) },
          ),
        );
        const table = model.itemTable();
        const vectors = table.view.slice();
        table.free();
        assertSimilar(model.similarItems(2, 6), referenceCosines(vectors, 23, 5, 2), 2, 6, `two-tower fit ${seed}`);
      }
    } finally {
      model.dispose();
    }
    assert.equal(kernels.wasm.allocatedBytes, start);
  });
});

describe("similarItems: the engine API", () => {
  it("answers the same in a worker and in this thread, as the model itself does, and rejects an unknown item", async () => {
    const worker = await createEngine({ thread: "worker" });
    const inThread = await createEngine({ thread: "in-thread" });
    try {
      const csv = readFileSync(TINY_CSV, "utf8");
      const answers: Recommendation[][] = [];
      let saved: Uint8Array | null = null;
      for (const engine of [worker, inThread]) {
        const { train } = await engine.readInteractions(csv, { fileName: "interactions.csv" });
        const model = await engine.train(train, { loss: "bpr", dim: 8, epochs: 2 });
        answers.push([await engine.similarItems(model, "i088", 5), await engine.similarItems(model, 3), await engine.similarItems(model, "i088", 500)]);
        await assert.rejects(engine.similarItems(model, "no-such-item", 5), /item "no-such-item" is not in the model/);
        await assert.rejects(engine.similarItems(model, "i088", 0), /k must be a positive integer/);
        saved ??= await engine.saveModel(model);
        await engine.release(model);
      }
      assert.deepEqual(answers[0], answers[1]);
      const [top, byIndex, all] = answers[0];
      assert.ok(top.scores instanceof Float32Array && top.indices instanceof Int32Array);
      assert.equal(top.items.length, 5);
      assert.equal(byIndex.items.length, 10, "the default k is 10");
      assert.equal(all.items.length, 140, "k is capped at nItems − 1");
      assert.ok(!all.items.includes("i088"));
      const local = MatrixFactorization.fromModelFile(kernels, decodeModelFile(saved!));
      try {
        assert.deepEqual(local.similarItems("i088", 5), top);
        assertSimilar(
          top,
          referenceCosines(local.itemFactors.view.slice(), local.nItems, local.dim, local.items.index("i088")!),
          local.items.index("i088")!,
          5,
          "engine",
        );
      } finally {
        local.dispose();
      }
    } finally {
      await worker.close();
      await inThread.close();
    }
  });
});

describe("longtail recommend --item", () => {
  let dir: string;
  let modelPath: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "longtail-similar-"));
    modelPath = join(dir, "m.ltm");
    const trained = cli("train", "--data", TINY_CSV, "--epochs", "1", "--dim", "8", "--out", modelPath, "--quiet");
    assert.equal(trained.status, 0, trained.stderr);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("prints the k most similar items, the same as the library, as text and as JSON", async () => {
    const json = cli("recommend", "--model", modelPath, "--item", "i088", "--k", "4", "--json");
    assert.equal(json.status, 0, json.stderr);
    const answer = JSON.parse(json.stdout) as { item: string; k: number; items: Array<{ rank: number; item: string; score: number; popularity: number }> };
    assert.equal(answer.item, "i088");
    assert.equal(answer.k, 4);
    const model = MatrixFactorization.fromModelFile(kernels, decodeModelFile(readFileSync(modelPath)));
    try {
      const rec = model.similarItems("i088", 4);
      assert.deepEqual(
        answer.items.map((p) => p.item),
        rec.items,
      );
      assert.deepEqual(
        answer.items.map((p) => p.rank),
        [1, 2, 3, 4],
      );
      assert.deepEqual(
        answer.items.map((p) => p.score),
        Array.from(rec.scores),
      );
      assert.deepEqual(
        answer.items.map((p) => p.popularity),
        Array.from(rec.indices, (i) => model.itemCounts[i]),
      );
    } finally {
      model.dispose();
    }
    const text = cli("recommend", "--model", modelPath, "--item", "i088", "--k", "4");
    assert.equal(text.status, 0, text.stderr);
    const lines = text.stdout.trimEnd().split("\n");
    assert.match(lines[0], /^top 4 similar to item i088 by cosine similarity:$/);
    assert.equal(lines.length, 5);
    lines
      .slice(1)
      .forEach((line, r) => assert.match(line, new RegExp(`^ +${r + 1}\\. ${answer.items[r].item} +cosine -?\\d\\.\\d{4}  \\(\\d+ training interactions\\)$`)));
    assert.ok(
      lines.slice(1).every((line) => !line.includes(" i088 ")),
      "the item itself is left out",
    );
    // k above the catalog: every other item.
    const all = cli("recommend", "--model", modelPath, "--item", "i088", "--k", "1000", "--json");
    assert.equal(all.status, 0, all.stderr);
    const items = (JSON.parse(all.stdout) as { items: Array<{ item: string }> }).items.map((p) => p.item);
    assert.equal(items.length, 140);
    assert.equal(new Set(items).size, 140);
    assert.ok(!items.includes("i088"));
  });

  it("shows titles and genres from --movies", () => {
    const movies = join(dir, "movies.csv");
    writeFileSync(
      movies,
      "movieId,title,genres\ni088,The Query Film (1999),Drama|War\n" +
        Array.from({ length: 141 }, (_, i) => `i${String(i).padStart(3, "0")}`)
          .filter((id) => id !== "i088")
          .map((id) => `${id},Film ${id} (2001),War`)
          .join("\n") +
        "\n",
    );
    const text = cli("recommend", "--model", modelPath, "--item", "i088", "--k", "3", "--movies", movies);
    assert.equal(text.status, 0, text.stderr);
    const lines = text.stdout.trimEnd().split("\n");
    assert.equal(lines[0], "top 3 similar to item i088 (The Query Film (1999)) by cosine similarity:");
    for (const line of lines.slice(1)) assert.match(line, /^ +\d\. Film i\d{3} \(2001\) {2}\[War\] {2}cosine -?\d\.\d{4} {2}\(\d+ training interactions\)$/);
    const json = JSON.parse(cli("recommend", "--model", modelPath, "--item", "i088", "--k", "2", "--movies", movies, "--json").stdout);
    assert.equal(json.title, "The Query Film (1999)");
    assert.equal(json.movies, movies);
    assert.match(json.items[0].title, /^Film i\d{3} \(2001\)$/);
    assert.deepEqual(json.items[0].genres, ["War"]);
  });

  it("answers for a two-tower model too", () => {
    const ttPath = join(dir, "tt.ltm");
    const trained = cli("train", "--model", "two-tower", "--data", TINY_CSV, "--epochs", "1", "--dim", "8", "--out", ttPath, "--quiet");
    assert.equal(trained.status, 0, trained.stderr);
    const r = cli("recommend", "--model", ttPath, "--item", "i088", "--k", "3", "--json");
    assert.equal(r.status, 0, r.stderr);
    const model = TwoTower.fromModelFile(kernels, decodeModelFile(readFileSync(ttPath)));
    try {
      assert.deepEqual(
        JSON.parse(r.stdout).items.map((p: { item: string }) => p.item),
        model.similarItems("i088", 3).items,
      );
    } finally {
      model.dispose();
    }
  });

  it("refuses --item with --user or --history (exit 2, naming both), and an unknown item (exit 1)", () => {
    for (const [extra, message] of [
      [["--user", "u000"], /give --user or --item, not both/],
      [["--history", "i001"], /give --item or --history, not both/],
      [["--user", "u000", "--history", "i001"], /give only one of --user, --item, --history and --all-users/],
      [["--include-seen"], /--include-seen applies to --user/],
      [["--rerank", "0.1"], /--rerank applies to --user and --history/],
    ] as const) {
      const r = cli("recommend", "--model", modelPath, "--item", "i088", ...extra);
      assert.equal(r.status, 2, `${extra.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    const unknown = cli("recommend", "--model", modelPath, "--item", "no-such-item");
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /item "no-such-item" is not in the model \(it knows 141 items/);
    assert.equal(unknown.stdout, "");
  });

  it("documents --item in the help", () => {
    const help = cli("recommend", "--help");
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--item <id>/);
    assert.match(help.stdout, /longtail recommend --model \S+ --item \S+/);
  });
});

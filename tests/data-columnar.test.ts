/**
 * Parquet and Arrow IPC in (issue 16): files written here with hyparquet-writer and apache-arrow,
 * with several row groups and record batches, int32, int64, string and dictionary-encoded id
 * columns, float ratings and timestamps, read with readInteractions and compared with the same
 * table read from csv (or lines): the same users, items and interactions, rating and time. Then
 * the errors (nulls, missing columns, names and bytes that disagree, codecs), the CLI end to
 * end, and the streaming text path at every chunk boundary.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { Dictionary, Int32, type Table, TimestampSecond, Utf8, makeData, makeVector, tableFromArrays, tableToIPC, vectorFromArray } from "apache-arrow";
import { parquetMetadata } from "hyparquet";
import { parquetWriteBuffer, type ColumnSource } from "hyparquet-writer";
import { BLOCK_LENGTH, ChunkedArray } from "../ts/data/chunked-array.js";
import { DataError } from "../ts/data/errors.js";
import { InteractionsBuilder, type Interactions } from "../ts/data/interactions.js";
import { readInteractions, type ReadInteractionsOptions } from "../ts/data/read.js";
import { fileSource } from "../ts/node/dataset-files.js";
import { NODE_DECOMPRESSORS } from "../ts/node/decompressors.js";
import { Rng } from "../ts/util/rng.js";
import { cli } from "./support/cli.js";
import { interactionsSummary } from "./support/interactions-summary.js";

let dir: string;
const path = (name: string) => join(dir, name);
before(() => {
  dir = mkdtempSync(join(tmpdir(), "longtail-columnar-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A table of interactions: 40 users, 30 items, repeats, ratings in half stars (exact in float32), whole-second times out of order. */
function table(rows = 300, seed = 7): { user: number[]; item: number[]; rating: number[]; ts: number[] } {
  const rng = new Rng(seed);
  const t = { user: [] as number[], item: [] as number[], rating: [] as number[], ts: [] as number[] };
  for (let r = 0; r < rows; r++) {
    t.user.push(1 + rng.int(40));
    t.item.push(100 + rng.int(30));
    t.rating.push(0.5 * (1 + rng.int(10)));
    t.ts.push(1_600_000_000 + rng.int(1_000_000));
  }
  return t;
}

const T = table();

function csvOf(t: ReturnType<typeof table>, prefix = { user: "", item: "" }): string {
  const lines = ["user_id,item_id,rating,timestamp"];
  for (let r = 0; r < t.user.length; r++) lines.push(`${prefix.user}${t.user[r]},${prefix.item}${t.item[r]},${t.rating[r]},${t.ts[r]}`);
  return lines.join("\n") + "\n";
}

/** Bytes as a byte source, in chunks of `chunk` bytes (not seekable: the gathering path). */
function bytesSource(bytes: Uint8Array, chunk = bytes.length): AsyncIterable<Uint8Array> {
  return {
    async *[Symbol.asyncIterator]() {
      for (let at = 0; at < bytes.length; at += Math.max(1, chunk)) yield bytes.subarray(at, at + chunk);
    },
  };
}

const text = (s: string) => new TextEncoder().encode(s);

async function readFile(name: string, options: ReadInteractionsOptions = {}): Promise<Interactions> {
  return readInteractions(fileSource(path(name)), { fileName: path(name), name, ...options });
}

function writeParquet(name: string, columnData: ColumnSource[], options: { rowGroupSize?: number; codec?: "GZIP" } = {}): Uint8Array {
  const bytes = new Uint8Array(
    parquetWriteBuffer({
      columnData,
      rowGroupSize: options.rowGroupSize ?? 64,
      ...(options.codec === "GZIP" && { codec: "GZIP", compressors: { GZIP: (input: Uint8Array) => gzipSync(input) } }),
    }),
  );
  writeFileSync(path(name), bytes);
  return bytes;
}

async function expectDataError(promise: Promise<unknown>, message: RegExp): Promise<DataError> {
  let caught: unknown;
  await assert.rejects(promise, (e: unknown) => {
    caught = e;
    assert.ok(e instanceof DataError, `expected a DataError, got ${String((e as Error)?.stack ?? e)}`);
    assert.match(e.message, message);
    return true;
  });
  return caught as DataError;
}

describe("Parquet", () => {
  it("int32, int64, string and dictionary-encoded id columns over several row groups read as their csv export does", async () => {
    writeFileSync(path("t.csv"), csvOf(T));
    writeFileSync(path("s.csv"), csvOf(T, { user: "u", item: "i" }));
    const csv = await readFile("t.csv");
    const fromCsv = interactionsSummary(csv);
    const fromStringCsv = interactionsSummary(await readFile("s.csv"));
    assert.equal(csv.nnz > 200, true);

    writeParquet("int32.parquet", [
      { name: "user_id", data: Int32Array.from(T.user), type: "INT32" },
      { name: "item_id", data: Int32Array.from(T.item), type: "INT32" },
      { name: "rating", data: Float32Array.from(T.rating), type: "FLOAT" },
      { name: "timestamp", data: BigInt64Array.from(T.ts, BigInt), type: "INT64" },
    ]);
    // int64 ids (BigInt), double ratings, a TIMESTAMP (milliseconds) column: read as seconds, as the csv's numbers.
    writeParquet("int64.parquet", [
      { name: "userId", data: BigInt64Array.from(T.user, BigInt), type: "INT64" },
      { name: "itemId", data: BigInt64Array.from(T.item, BigInt), type: "INT64" },
      { name: "rating", data: Float64Array.from(T.rating), type: "DOUBLE" },
      { name: "ts", data: T.ts.map((s) => new Date(s * 1000)), type: "TIMESTAMP" },
    ]);
    // Required (non-null) columns decode to typed arrays, optional ones to arrays: both paths.
    writeParquet("required.parquet", [
      { name: "user", data: Int32Array.from(T.user), type: "INT32", nullable: false },
      { name: "item", data: Int32Array.from(T.item), type: "INT32", nullable: false },
      { name: "rating", data: Float32Array.from(T.rating), type: "FLOAT", nullable: false },
      { name: "timestamp", data: Float64Array.from(T.ts), type: "DOUBLE", nullable: false },
    ]);
    const dictionary = writeParquet("strings.parquet", [
      { name: "user_id", data: T.user.map((u) => `u${u}`), type: "STRING", encoding: "RLE_DICTIONARY" },
      { name: "item_id", data: T.item.map((i) => `i${i}`), type: "STRING", encoding: "RLE_DICTIONARY" },
      { name: "rating", data: Float32Array.from(T.rating), type: "FLOAT" },
      { name: "timestamp", data: BigInt64Array.from(T.ts, BigInt), type: "INT64" },
    ]);
    const metadata = parquetMetadata(dictionary.buffer as ArrayBuffer);
    assert.ok(metadata.row_groups.length >= 4, "several row groups");
    assert.ok(metadata.row_groups[1]!.columns[0]!.meta_data!.encodings.includes("RLE_DICTIONARY"), "the string ids are dictionary-encoded");

    for (const name of ["int32.parquet", "int64.parquet", "required.parquet"]) {
      const data = await readFile(name);
      assert.deepEqual(interactionsSummary(data), fromCsv, name);
      assert.match(
        data.describe(),
        /\(read as Parquet \(columns user=\w+, item=\w+, rating=rating, timestamp=\w+, guessed from their names; 5 row groups\), chosen from its first bytes "PAR1"\)/,
      );
    }
    assert.deepEqual(interactionsSummary(await readFile("strings.parquet")), fromStringCsv);
    // A source that cannot be read at offsets (a stream) is gathered first: the same result.
    assert.deepEqual(interactionsSummary(await readInteractions(bytesSource(dictionary, 1000), { name: "stream" })), fromStringCsv);
  });

  it("user and item only read as a lines file of the same pairs", async () => {
    const byUser = new Map<number, number[]>();
    T.user.forEach((u, r) => byUser.set(u, [...(byUser.get(u) ?? []), T.item[r]!]));
    writeFileSync(path("pairs.txt"), [...byUser].map(([u, items]) => `${u} ${items.join(" ")}`).join("\n") + "\n");
    const order = [...byUser].flatMap(([u, items]) => items.map((i) => [u, i] as const));
    writeParquet("pairs.parquet", [
      { name: "user", data: Int32Array.from(order, (p) => p[0]), type: "INT32" },
      { name: "item", data: Int32Array.from(order, (p) => p[1]), type: "INT32" },
    ]);
    assert.deepEqual(interactionsSummary(await readFile("pairs.parquet")), interactionsSummary(await readFile("pairs.txt")));
  });

  it("columns by name (visitor,product,-,ts), by position, and the library's per-role names", async () => {
    writeParquet("named.parquet", [
      { name: "visitor", data: Int32Array.from(T.user), type: "INT32" },
      { name: "product", data: Int32Array.from(T.item), type: "INT32" },
      { name: "score", data: Float32Array.from(T.rating), type: "FLOAT" },
      { name: "when", data: BigInt64Array.from(T.ts, BigInt), type: "INT64" },
    ]);
    writeFileSync(path("t.csv"), csvOf(T));
    const csv = await readFile("t.csv");
    const noRatings = await readFile("t.csv", { columns: ["user_id", "item_id", "-", "timestamp"] });
    assert.match(noRatings.describe(), /read as csv \(columns user=user_id, item=item_id, timestamp=timestamp\)/);

    const named = await readFile("named.parquet", { columns: ["visitor", "product", "-", "when"] });
    assert.deepEqual(interactionsSummary(named), interactionsSummary(noRatings));
    assert.match(named.describe(), /Parquet \(columns user=visitor, item=product, timestamp=when; 5 row groups\)/);
    const byPosition = await readFile("named.parquet", { columns: ["user", "item", "rating", "timestamp"] });
    assert.deepEqual(interactionsSummary(byPosition), interactionsSummary(csv));
    assert.match(byPosition.describe(), /by position/);
    const options = await readFile("named.parquet", { user: "visitor", item: "product", rating: "score", timestamp: "when" });
    assert.deepEqual(interactionsSummary(options), interactionsSummary(csv));
  });

  it("minRating, a frozen train map with unknown ids dropped, and a rating column that is text", async () => {
    writeParquet("r.parquet", [
      { name: "user_id", data: Int32Array.from(T.user), type: "INT32" },
      { name: "item_id", data: Int32Array.from(T.item), type: "INT32" },
      { name: "rating", data: T.rating.map(String), type: "STRING" },
    ]);
    writeFileSync(path("r.csv"), ["user_id,item_id,rating", ...T.user.map((u, r) => `${u},${T.item[r]},${T.rating[r]}`)].join("\n") + "\n");
    const csv = await readFile("r.csv", { minRating: 3 });
    const parquet = await readFile("r.parquet", { minRating: 3 });
    assert.deepEqual(interactionsSummary(parquet), interactionsSummary(csv));
    assert.ok(parquet.rowsBelowMinRating > 0);

    const train = await readFile("r.parquet");
    train.users.freeze();
    train.items.freeze();
    writeParquet("test.parquet", [
      { name: "user_id", data: Int32Array.of(1, 999, 2, 2), type: "INT32" },
      { name: "item_id", data: Int32Array.of(T.item[0]!, T.item[0]!, 5555, T.item[1]!), type: "INT32" },
    ]);
    const test = await readFile("test.parquet", { users: train.users, items: train.items, onUnknown: "drop" });
    assert.deepEqual(test.unknownDropped, { interactions: 2, users: 1, items: 1 });
    const refused = await expectDataError(
      readFile("test.parquet", { users: train.users, items: train.items }),
      /^test\.parquet: row 1 \(row group 0\): field "user_id": user "999" is not in the training data/,
    );
    assert.equal(refused.row, 1);
  });

  it("nulls in ids, a missing column and unrecognised columns are DataErrors naming the file, row group, row and column", async () => {
    const users: Array<number | null> = T.user.slice(0, 100);
    users[70] = null;
    writeParquet("null.parquet", [
      { name: "user_id", data: users, type: "INT32" },
      { name: "item_id", data: Int32Array.from(T.item.slice(0, 100)), type: "INT32" },
    ]);
    const e = await expectDataError(readFile("null.parquet"), /^null\.parquet: row 70 \(row group 1\): field "user_id": expected a user id, got null/);
    assert.deepEqual([e.file, e.row, e.rowIn, e.field], ["null.parquet", 70, "row group 1", "user_id"]);

    writeParquet("cols.parquet", [
      { name: "a", data: Int32Array.of(1, 2), type: "INT32" },
      { name: "b", data: Int32Array.of(3, 4), type: "INT32" },
    ]);
    await expectDataError(
      readFile("cols.parquet"),
      /^cols\.parquet: no user column recognised among the file's columns "a", "b": name the columns \(CLI: --columns/,
    );
    await expectDataError(
      readFile("cols.parquet", { columns: ["visitor", "b"] }),
      /^cols\.parquet: field "visitor": no such column \(asked for as the user column\); the file's columns are "a", "b"/,
    );
    await expectDataError(readFile("cols.parquet", { columns: ["A", "b"] }), /did you mean "a"\?/);
    await expectDataError(readFile("cols.parquet", { columns: ["a", "b"], minRating: 3 }), /minRating .* needs a rating column/);
    writeParquet("floats.parquet", [
      { name: "user", data: Float64Array.of(1, 2.5), type: "DOUBLE" },
      { name: "item", data: Int32Array.of(3, 4), type: "INT32" },
    ]);
    await expectDataError(
      readFile("floats.parquet"),
      /^floats\.parquet: row 1 \(row group 0\): field "user": expected a user id \(an integer or a string\), got 2\.5/,
    );
  });

  it("the first bytes decide; a name or a format that disagrees is an error, not a misread", async () => {
    const bytes = writeParquet("no-extension", [
      { name: "user", data: Int32Array.of(1, 2), type: "INT32" },
      { name: "item", data: Int32Array.of(3, 4), type: "INT32" },
    ]);
    assert.match((await readFile("no-extension")).describe(), /2 interactions \(read as Parquet .*chosen from its first bytes "PAR1"\)/);
    assert.match((await readFile("no-extension", { format: "parquet" })).describe(), /, as requested\)$/);
    writeFileSync(path("text.parquet"), "user,item\n1,2\n");
    await expectDataError(readFile("text.parquet"), /^text\.parquet: the name says Parquet, but it starts with "user,ite", not "PAR1"/);
    await expectDataError(readFile("no-extension", { format: "csv" }), /a Parquet file \(its first bytes "PAR1"\), not csv text/);
    await expectDataError(readFile("text.parquet", { format: "arrow" }), /not an Arrow IPC file as requested/);
    writeFileSync(path("cut.parquet"), bytes.subarray(0, bytes.length - 20));
    await expectDataError(readFile("cut.parquet"), /^cut\.parquet: not a readable Parquet file/);
    writeFileSync(path("old.feather"), "FEA1\0\0\0\0");
    await expectDataError(readFile("old.feather"), /Feather V1/);
  });

  it("gzip pages: a DataError naming the codec without decompressors, read with node:zlib's", async () => {
    writeParquet(
      "gzip.parquet",
      [
        { name: "user", data: Int32Array.from(T.user), type: "INT32" },
        { name: "item", data: Int32Array.from(T.item), type: "INT32" },
      ],
      { codec: "GZIP" },
    );
    await expectDataError(readFile("gzip.parquet"), /^gzip\.parquet: field "user": compressed with GZIP, which this reader cannot decompress here/);
    const data = await readFile("gzip.parquet", { compressors: NODE_DECOMPRESSORS });
    assert.equal(data.nUsers, new Set(T.user).size);
  });
});

describe("Arrow IPC", () => {
  /** The table as Arrow in two record batches (slices of one table: one dictionary, as the file format requires). */
  function arrowTable(user: (values: number[]) => unknown, item: (values: number[]) => unknown): Table {
    const whole = tableFromArrays({
      user_id: user(T.user) as Int32Array,
      item_id: item(T.item) as Int32Array,
      rating: Float32Array.from(T.rating),
      timestamp: makeVector(makeData({ type: new TimestampSecond(), length: T.user.length, data: BigInt64Array.from(T.ts, BigInt) })) as never,
    });
    const half = T.user.length / 2;
    return whole.slice(0, half).concat(whole.slice(half));
  }

  it("files and streams with int32, int64, string and dictionary ids read as the csv export does, batch by batch", async () => {
    writeFileSync(path("t.csv"), csvOf(T));
    writeFileSync(path("s.csv"), csvOf(T, { user: "u", item: "i" }));
    const fromCsv = interactionsSummary(await readFile("t.csv"));
    const fromStringCsv = interactionsSummary(await readFile("s.csv"));
    const tables: Array<[string, Table, object]> = [
      [
        "int32",
        arrowTable(
          (v) => Int32Array.from(v),
          (v) => Int32Array.from(v),
        ),
        fromCsv,
      ],
      [
        "int64",
        arrowTable(
          (v) => BigInt64Array.from(v, BigInt),
          (v) => BigInt64Array.from(v, BigInt),
        ),
        fromCsv,
      ],
      [
        "utf8",
        arrowTable(
          (v) =>
            vectorFromArray(
              v.map((u) => `u${u}`),
              new Utf8(),
            ),
          (v) =>
            vectorFromArray(
              v.map((i) => `i${i}`),
              new Utf8(),
            ),
        ),
        fromStringCsv,
      ],
      [
        "dictionary",
        arrowTable(
          (v) =>
            vectorFromArray(
              v.map((u) => `u${u}`),
              new Dictionary(new Utf8(), new Int32()),
            ),
          (v) =>
            vectorFromArray(
              v.map((i) => `i${i}`),
              new Dictionary(new Utf8(), new Int32()),
            ),
        ),
        fromStringCsv,
      ],
    ];
    for (const [kind, t, expected] of tables) {
      assert.equal(t.batches.length, 2, "two record batches");
      if (kind === "dictionary") assert.equal(String(t.schema.fields[0]!.type), "Dictionary<Int32, Utf8>");
      for (const [ext, format] of [
        ["arrow", "file"],
        ["feather", "file"],
        ["arrows", "stream"],
      ] as const) {
        const name = `${kind}.${ext}`;
        const bytes = tableToIPC(t, format);
        writeFileSync(path(name), bytes);
        const data = await readFile(name);
        assert.deepEqual(interactionsSummary(data), expected, name);
        assert.match(
          data.describe(),
          new RegExp(
            `read as Arrow IPC ${format} \\(columns user=user_id, item=item_id, rating=rating, timestamp=timestamp, guessed from their names; 2 record batches\\)`,
          ),
        );
        // From a plain stream in small chunks (no random access): the same.
        assert.deepEqual(interactionsSummary(await readInteractions(bytesSource(bytes, 999), { name })), expected, `${name} as a stream`);
      }
    }
    // A stream may replace a dictionary between batches (a file may not): each batch's ids are its own dictionary's.
    const half = T.user.length / 2;
    const part = (from: number, to: number) =>
      tableFromArrays({
        user_id: vectorFromArray(
          T.user.slice(from, to).map((u) => `u${u}`),
          new Dictionary(new Utf8(), new Int32()),
        ) as never,
        item_id: vectorFromArray(
          T.item.slice(from, to).map((i) => `i${i}`),
          new Dictionary(new Utf8(), new Int32()),
        ) as never,
        rating: Float32Array.from(T.rating.slice(from, to)),
        timestamp: Float64Array.from(T.ts.slice(from, to)),
      });
    writeFileSync(path("replaced.arrows"), tableToIPC(part(0, half).concat(part(half, T.user.length)), "stream"));
    assert.deepEqual(interactionsSummary(await readFile("replaced.arrows")), fromStringCsv);
  });

  it("a null id is a DataError naming the record batch, the row and the column", async () => {
    const items = vectorFromArray(["a", "b", null, "d"], new Utf8());
    const batch = tableFromArrays({ user: Int32Array.of(1, 2, 3, 4), item: items as never });
    const t = tableFromArrays({ user: Int32Array.of(5), item: vectorFromArray(["e"], new Utf8()) as never }).concat(batch);
    writeFileSync(path("null.arrow"), tableToIPC(t, "file"));
    await expectDataError(readFile("null.arrow"), /^null\.arrow: row 3 \(record batch 1\): field "item": expected an item id, got null/);
  });
});

describe("the CLI reads Parquet and Arrow", () => {
  it("train --data x.parquet end to end, compare on an Arrow file, --columns with the file's names", () => {
    writeParquet("cli.parquet", [
      { name: "visitor", data: Int32Array.from(T.user), type: "INT32" },
      { name: "product", data: Int32Array.from(T.item), type: "INT32" },
      { name: "ts", data: BigInt64Array.from(T.ts, BigInt), type: "INT64" },
    ]);
    const missing = cli("train", "--data", path("cli.parquet"), "--out", path("m.ltm"));
    assert.equal(missing.status, 1, missing.stderr);
    assert.match(missing.stderr, /^longtail: .*cli\.parquet: no user column recognised among the file's columns "visitor", "product", "ts"/);
    const r = cli("train", "--data", path("cli.parquet"), "--columns", "visitor,product,-,ts", "--epochs", "2", "--dim", "4", "--out", path("m.ltm"));
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stderr,
      /train: .*cli\.parquet: 40 users, 30 items, \d+ interactions, \d+ duplicate pairs dropped \(read as Parquet \(columns user=visitor, item=product, timestamp=ts; 5 row groups\), chosen from its first bytes "PAR1"\)/,
    );
    const rec = cli("recommend", "--model", path("m.ltm"), "--user", String(T.user[0]), "--k", "3");
    assert.equal(rec.status, 0, rec.stderr);

    writeFileSync(path("cli.arrow"), tableToIPC(tableFromArrays({ user: Int32Array.from(T.user), item: Int32Array.from(T.item) }), "file"));
    const compared = cli("compare", "--data", path("cli.arrow"), "--k", "5", "a: --epochs 1 --dim 4");
    assert.equal(compared.status, 0, compared.stderr);
    assert.match(compared.stderr, /read as Arrow IPC file \(columns user=user, item=item, guessed from their names; 1 record batch\)/);
    const bad = cli("train", "--data", path("cli.parquet"), "--columns", "visitor,,ts", "--out", path("m.ltm"));
    assert.equal(bad.status, 2, bad.stderr);
    assert.match(bad.stderr, /--columns: an empty entry/);
  });
});

describe("the streaming text path", () => {
  it("reads a file the same whatever its chunks: lines, \\r\\n and multi-byte characters split across chunks", async () => {
    const csv = "user_id,item_id,rating\r\nü1,ítem-α,4\r\nü1,ítem-β,3.5\r\n€2,ítem-α,5\r\n€2,😀,1\r\n";
    const bytes = text(csv);
    const whole = interactionsSummary(await readInteractions(bytesSource(bytes), { name: "t.csv" }));
    assert.deepEqual((whole as { users: string[] }).users, ["ü1", "€2"]);
    assert.deepEqual((whole as { items: string[] }).items, ["ítem-α", "ítem-β", "😀"]);
    for (let cut = 1; cut < bytes.length; cut++) {
      const chunks = [bytes.subarray(0, cut), bytes.subarray(cut)];
      const source: AsyncIterable<Uint8Array> = {
        async *[Symbol.asyncIterator]() {
          yield* chunks;
        },
      };
      assert.deepEqual(interactionsSummary(await readInteractions(source, { name: "t.csv" })), whole, `cut at byte ${cut}`);
    }
    assert.deepEqual(interactionsSummary(await readInteractions(bytesSource(bytes, 1), { name: "t.csv" })), whole, "1-byte chunks");
    // A lone \r ends a line too, at any cut.
    const lines = text("1 2 3\r4 5\r\n6 7");
    const expected = interactionsSummary(await readInteractions(bytesSource(lines), { name: "l.txt", format: "lines" }));
    for (let size = 1; size <= lines.length; size++) {
      assert.deepEqual(
        interactionsSummary(await readInteractions(bytesSource(lines, size), { name: "l.txt", format: "lines" })),
        expected,
        `${size}-byte chunks`,
      );
    }
  });

  it("keeps the interactions in blocks: more than one block of rows builds the same CSR, time-ordered and without repeats", () => {
    const blocks = new ChunkedArray(Int32Array);
    const n = BLOCK_LENGTH + 1000;
    for (let k = 0; k < n; k++) blocks.push(k % 977);
    const taken = blocks.takeBlocks();
    assert.deepEqual(
      taken.map((b) => b.length),
      [BLOCK_LENGTH, 1000],
    );
    assert.equal(taken[1]![999], (n - 1) % 977);

    // Users grouped (kept as runs), in no order (one user per interaction from the start), and
    // grouped then shuffled (runs, then the switch to one per interaction halfway).
    const rng = new Rng(3);
    const rows: Array<[number, number, number, number]> = [];
    for (let u = 0; rows.length < n; u++) {
      const length = 1 + rng.int(400);
      for (let k = 0; k < length; k++) rows.push([u, rng.int(3000), rng.int(1000), 0.5 * (1 + rng.int(10))]);
    }
    // In no order, the runs are dropped after a few thousand: a smaller sample shows that.
    const shuffled = rows.slice(0, 60_000);
    for (let k = shuffled.length - 1; k > 0; k--) {
      const j = rng.int(k + 1);
      [shuffled[k], shuffled[j]] = [shuffled[j]!, shuffled[k]!];
    }
    const orders: Array<[string, typeof rows]> = [
      ["grouped", rows],
      ["shuffled", shuffled],
      ["grouped, then shuffled", [...rows.slice(0, 10_000), ...shuffled.filter((r) => r[0] > rows[10_000]![0])]],
    ];
    for (const [label, order] of orders) {
      const builder = new InteractionsBuilder();
      // The kept copy of a repeated pair is its earliest (ties: the first added).
      const expected = new Map<string, Map<string, [number, number, number]>>();
      order.forEach(([u, i, t, r], k) => {
        builder.add(`u${u}`, `i${i}`, r, t);
        const row = expected.get(`u${u}`) ?? new Map<string, [number, number, number]>();
        expected.set(`u${u}`, row);
        const seen = row.get(`i${i}`);
        if (seen === undefined || t < seen[0]) row.set(`i${i}`, [t, k, r]);
      });
      const data = builder.build();
      assert.equal(
        data.nnz,
        [...expected.values()].reduce((sum, row) => sum + row.size, 0),
        label,
      );
      assert.equal(data.duplicatesDropped, order.length - data.nnz, label);
      const { indptr, indices } = data.byUser;
      for (let u = 0; u < data.nUsers; u++) {
        const want = [...expected.get(data.users.id(u))!].sort((a, b) => a[1][0] - b[1][0] || a[1][1] - b[1][1]);
        const got = Array.from(indices.subarray(indptr[u]!, indptr[u + 1]!), (item, j) => {
          const k = indptr[u]! + j;
          return [data.items.id(item), data.timestamps![k], data.ratings![k]];
        });
        assert.deepEqual(
          got,
          want.map(([item, [t, , r]]) => [item, t, r]),
          `${label}: user ${data.users.id(u)}`,
        );
      }
    }
  });
});

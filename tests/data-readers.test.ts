import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DataError } from "../ts/data/errors.js";
import { readDelimited } from "../ts/data/readers/delimited.js";
import { readUserItemLines } from "../ts/data/readers/lines.js";
import { readMovieLensMovies, readMovieLensRatings } from "../ts/data/readers/movielens-csv.js";
import { readMovieLensDatMovies, readMovieLensDatRatings } from "../ts/data/readers/movielens-dat.js";
import { forEachLine, type TextEncoding } from "../ts/data/readers/text-lines.js";
import { Rng } from "../ts/util/rng.js";
import { interactionsSummary } from "./support/interactions-summary.js";

const encoder = new TextEncoder();

function sourceOf(chunks: Uint8Array[]): AsyncIterable<Uint8Array> {
  return {
    async *[Symbol.asyncIterator]() {
      for (const c of chunks) yield c;
    },
  };
}

function textSource(text: string): AsyncIterable<Uint8Array> {
  return sourceOf([encoder.encode(text)]);
}

/**
 * Ways to feed the same bytes: whole, 1-byte chunks, every single cut (so a cut falls inside
 * every \r\n and every multi-byte character), and random chunkings with empty chunks mixed in.
 */
function* chunkings(bytes: Uint8Array, seed = 1): Generator<[string, Uint8Array[]]> {
  yield ["whole", [bytes]];
  yield ["1-byte chunks", Array.from(bytes, (b) => Uint8Array.of(b))];
  for (let cut = 1; cut < bytes.length; cut++) yield [`cut at byte ${cut}`, [bytes.subarray(0, cut), bytes.subarray(cut)]];
  const rng = new Rng(seed);
  for (let r = 0; r < 25; r++) {
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < bytes.length; ) {
      const size = rng.int(8);
      chunks.push(bytes.subarray(at, at + size));
      at += size;
    }
    yield [`random chunking ${r}`, chunks];
  }
}

async function linesOf(chunks: Uint8Array[], encoding?: TextEncoding): Promise<string[]> {
  const lines: string[] = [];
  const count = await forEachLine(sourceOf(chunks), { name: "t", ...(encoding && { encoding }) }, (line, n) => {
    assert.equal(n, lines.length + 1);
    lines.push(line);
  });
  assert.equal(count, lines.length);
  return lines;
}

async function expectDataError(promise: Promise<unknown>, where: { file: string; line?: number; field?: string }, detail: RegExp): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof DataError, `expected a DataError, got ${String(e)}`);
    assert.equal(e.file, where.file);
    assert.equal(e.line, where.line);
    assert.equal(e.field, where.field);
    const prefix = `${where.file}${where.line === undefined ? "" : `:${where.line}`}: ${where.field === undefined ? "" : `field "${where.field}": `}`;
    assert.ok(e.message.startsWith(prefix), `message ${JSON.stringify(e.message)} should start with ${JSON.stringify(prefix)}`);
    assert.match(e.detail, detail);
    return true;
  });
}

describe("forEachLine", () => {
  it("splits LF and CRLF text the same way under every chunking", async () => {
    const text = "first\r\nsecond line\n\r\n\nlast without newline";
    const expected = ["first", "second line", "", "", "last without newline"];
    for (const [label, chunks] of chunkings(encoder.encode(text))) assert.deepEqual(await linesOf(chunks), expected, label);
  });

  it("decodes multi-byte UTF-8 characters split across chunks", async () => {
    const text = "é—😀 user\r\n中文 ü\n\u{1F600}\n";
    for (const [label, chunks] of chunkings(encoder.encode(text))) {
      assert.deepEqual(await linesOf(chunks), ["é—😀 user", "中文 ü", "\u{1F600}"], label);
    }
  });

  it("handles empty input, a lone newline, a byte order mark and empty chunks", async () => {
    assert.deepEqual(await linesOf([]), []);
    assert.deepEqual(await linesOf([new Uint8Array(0)]), []);
    assert.deepEqual(await linesOf([encoder.encode("\n")]), [""]);
    assert.deepEqual(await linesOf([encoder.encode("a\n")]), ["a"]);
    assert.deepEqual(await linesOf([Uint8Array.of(0xef, 0xbb), Uint8Array.of(0xbf, 0x61, 0x0a, 0x62)]), ["a", "b"]);
  });

  it("reports bytes that are not UTF-8 with their line, and reads them as latin1 when asked", async () => {
    const bytes = Uint8Array.of(0x6f, 0x6b, 0x0a, 0x43, 0x61, 0x66, 0xe9, 0x0a, 0x78);
    for (const [label, chunks] of chunkings(bytes)) {
      await expectDataError(linesOf(chunks), { file: "t", line: 2 }, /not valid UTF-8/);
      assert.deepEqual(await linesOf(chunks, "latin1"), ["ok", "Café", "x"], label);
    }
    // A multi-byte sequence cut off by the end of the file.
    await expectDataError(linesOf([Uint8Array.of(0x61, 0x0a, 0x62, 0xe4, 0xb8)]), { file: "t", line: 2 }, /not valid UTF-8/);
  });
});

describe("lines format (user item item ...)", () => {
  const text = "0 10 11 12\r\n1\t11  13\n\n2\n3 10 10 14\n  4 15  \n5 16";
  it("reads users, items, users without items, repeats and blank lines under every chunking", async () => {
    const reference = interactionsSummary(await readUserItemLines(textSource(text), { name: "train.txt" }));
    assert.deepEqual(reference, {
      users: ["0", "1", "2", "3", "4", "5"],
      items: ["10", "11", "12", "13", "14", "15", "16"],
      rows: {
        "0": [
          ["10", undefined, undefined],
          ["11", undefined, undefined],
          ["12", undefined, undefined],
        ],
        "1": [
          ["11", undefined, undefined],
          ["13", undefined, undefined],
        ],
        "2": [],
        "3": [
          ["10", undefined, undefined],
          ["14", undefined, undefined],
        ],
        "4": [["15", undefined, undefined]],
        "5": [["16", undefined, undefined]],
      },
      duplicatesDropped: 1,
      rowsBelowMinRating: 0,
    });
    for (const [label, chunks] of chunkings(encoder.encode(text), 2)) {
      assert.deepEqual(interactionsSummary(await readUserItemLines(sourceOf(chunks), { name: "train.txt" })), reference, label);
    }
  });

  it("keeps ids as strings (no numeric reinterpretation)", async () => {
    const data = await readUserItemLines(textSource("007 01 1 1.0\n7 1\n"));
    assert.deepEqual([...data.users.ids()], ["007", "7"]);
    assert.deepEqual([...data.items.ids()], ["01", "1", "1.0"]);
  });

  it("an empty or blank file is a DataError", async () => {
    await expectDataError(readUserItemLines(textSource(""), { name: "train.txt" }), { file: "train.txt" }, /no data lines/);
    await expectDataError(readUserItemLines(textSource("\n  \r\n"), { name: "train.txt" }), { file: "train.txt" }, /no data lines/);
  });

  it("reads a test part against frozen train maps: unknown ids are errors with file, line and field, or dropped", async () => {
    const train = await readUserItemLines(textSource("u1 a b\nu2 b c\n"), { name: "train.txt" });
    train.users.freeze();
    train.items.freeze();
    const shared = { users: train.users, items: train.items };
    await expectDataError(
      readUserItemLines(textSource("u1 c\n\nu2 a zz\n"), { ...shared, name: "test.txt" }),
      { file: "test.txt", line: 3, field: "item" },
      /^item "zz" is not in the training data$/,
    );
    await expectDataError(
      readUserItemLines(textSource("u9 a\n"), { ...shared, name: "test.txt", unknownHint: "pass --drop" }),
      { file: "test.txt", line: 1, field: "user" },
      /^user "u9" is not in the training data \(pass --drop\)$/,
    );
    const test = await readUserItemLines(textSource("u1 c zz\nu9 a\nu2 a\n"), { ...shared, name: "test.txt", onUnknown: "drop" });
    assert.equal(test.nnz, 2);
    assert.equal(test.nItems, 3);
    assert.deepEqual(test.unknownDropped, { interactions: 2, users: 1, items: 1 });
  });

  it("refuses minRating (the format has no ratings)", async () => {
    await assert.rejects(readUserItemLines(textSource("1 2\n"), { minRating: 4 }), /minRating \(CLI: --min-rating\) needs a rating per row/);
  });
});

describe("MovieLens ratings.csv", () => {
  const header = "userId,movieId,rating,timestamp\r\n";
  const body = "1,31,2.5,1260759144\r\n1,1029,3.0,1260759179\r\n1,31,4.0,1260759100\r\n2,10,4.0,835355493\r\n2,17,5,835355681\r\n";

  it("reads ratings and timestamps, orders each user's row by time and drops repeats keeping the earliest", async () => {
    const reference = interactionsSummary(await readMovieLensRatings(textSource(header + body)));
    assert.deepEqual(reference, {
      users: ["1", "2"],
      items: ["31", "1029", "10", "17"],
      rows: {
        "1": [
          ["31", 4, 1260759100],
          ["1029", 3, 1260759179],
        ],
        "2": [
          ["10", 4, 835355493],
          ["17", 5, 835355681],
        ],
      },
      duplicatesDropped: 1,
      rowsBelowMinRating: 0,
    });
    for (const [label, chunks] of chunkings(encoder.encode(header + body), 3)) {
      assert.deepEqual(interactionsSummary(await readMovieLensRatings(sourceOf(chunks))), reference, label);
    }
  });

  it("minRating keeps rows with rating ≥ minRating and counts the rest", async () => {
    const data = await readMovieLensRatings(textSource(header + body), { minRating: 4 });
    assert.deepEqual((interactionsSummary(data) as { rows: unknown }).rows, {
      "1": [["31", 4, 1260759100]],
      "2": [
        ["10", 4, 835355493],
        ["17", 5, 835355681],
      ],
    });
    assert.equal(data.rowsBelowMinRating, 2);
    assert.deepEqual([...data.items.ids()], ["31", "10", "17"], "skipped rows add no ids");
    await assert.rejects(readMovieLensRatings(textSource(header + body), { minRating: NaN }), RangeError);
  });

  it("reports a header mismatch, malformed lines, non-numeric fields and empty files with file, line and field", async () => {
    const name = "ratings.csv";
    await expectDataError(
      readMovieLensRatings(textSource("userId,itemId,rating,timestamp\n1,2,3,4\n")),
      { file: name, line: 1, field: "header" },
      /expected "userId,movieId,rating,timestamp", got "userId,itemId,rating,timestamp"/,
    );
    await expectDataError(readMovieLensRatings(textSource(header + "1,2,3,4\n1,2,3\n")), { file: name, line: 3 }, /expected 4 comma-separated fields .* got 3/);
    await expectDataError(
      readMovieLensRatings(textSource(header + "1,2,3,4\n\n1,2,x,4\n")),
      { file: name, line: 4, field: "rating" },
      /^expected a number, got "x"$/,
    );
    await expectDataError(readMovieLensRatings(textSource(header + "1,2,3,\n")), { file: name, line: 2, field: "timestamp" }, /got ""/);
    await expectDataError(readMovieLensRatings(textSource(header + "1,2,0x10,5\n")), { file: name, line: 2, field: "rating" }, /got "0x10"/);
    await expectDataError(readMovieLensRatings(textSource(header + ",2,3,5\n")), { file: name, line: 2, field: "userId" }, /expected a user id/);
    await expectDataError(readMovieLensRatings(textSource("")), { file: name }, /empty file/);
    await expectDataError(readMovieLensRatings(textSource(header)), { file: name }, /no data rows/);
    await expectDataError(readMovieLensRatings(textSource(header), { name: "data/r.csv" }), { file: "data/r.csv" }, /no data rows/);
  });
});

describe("MovieLens movies.csv", () => {
  const text =
    "movieId,title,genres\r\n1,Toy Story (1995),Adventure|Animation|Children\r\n" +
    '11,"American President, The (1995)",Comedy|Drama|Romance\r\n' +
    '7789,"11\'09""01 - September 11 (2002)",Drama\r\n' +
    "114335,La cravate (1957),(no genres listed)\r\n" +
    '5,"A title with a\r\nline break",Comedy\n' +
    "6,Amélie (2001),Comedy|Romance";
  it("reads quoted titles with commas, doubled quotes and line breaks, and genre lists, under every chunking", async () => {
    const expected = new Map([
      ["1", { title: "Toy Story (1995)", genres: ["Adventure", "Animation", "Children"] }],
      ["11", { title: "American President, The (1995)", genres: ["Comedy", "Drama", "Romance"] }],
      ["7789", { title: "11'09\"01 - September 11 (2002)", genres: ["Drama"] }],
      ["114335", { title: "La cravate (1957)", genres: [] }],
      ["5", { title: "A title with a\nline break", genres: ["Comedy"] }],
      ["6", { title: "Amélie (2001)", genres: ["Comedy", "Romance"] }],
    ]);
    for (const [label, chunks] of chunkings(encoder.encode(text), 4)) {
      assert.deepEqual(await readMovieLensMovies(sourceOf(chunks)), expected, label);
    }
  });

  it("reports malformed rows, bad quotes, repeated ids and headers with file and line", async () => {
    const h = "movieId,title,genres\n";
    await expectDataError(readMovieLensMovies(textSource(h + "1,Heat, The (1995),Action\n")), { file: "movies.csv", line: 2 }, /expected 3 fields .* got 4/);
    await expectDataError(readMovieLensMovies(textSource(h + '1,"Heat" (1995),Action\n')), { file: "movies.csv", line: 2 }, /after the closing quote/);
    await expectDataError(readMovieLensMovies(textSource(h + '1,Heat,Action\n2,"Open,Drama\n3,x,y\n')), { file: "movies.csv", line: 3 }, /never closed/);
    await expectDataError(
      readMovieLensMovies(textSource(h + "1,A,B\n1,C,D\n")),
      { file: "movies.csv", line: 3, field: "movieId" },
      /listed twice \(first on line 2\)/,
    );
    await expectDataError(
      readMovieLensMovies(textSource("id,title,genres\n1,a,b\n")),
      { file: "movies.csv", line: 1, field: "header" },
      /expected "movieId,title,genres"/,
    );
    await expectDataError(readMovieLensMovies(textSource(h)), { file: "movies.csv" }, /no movies/);
  });
});

describe("MovieLens .dat", () => {
  it("reads ratings.dat under every chunking, with minRating", async () => {
    const text = "1::1193::5::978300760\r\n1::661::3::978302109\r\n2::1357::5::978298709\r\n1::914::3::978301968\r\n";
    const reference = interactionsSummary(await readMovieLensDatRatings(textSource(text)));
    assert.deepEqual((reference as { rows: unknown }).rows, {
      "1": [
        ["1193", 5, 978300760],
        ["914", 3, 978301968],
        ["661", 3, 978302109],
      ],
      "2": [["1357", 5, 978298709]],
    });
    for (const [label, chunks] of chunkings(encoder.encode(text), 5)) {
      assert.deepEqual(interactionsSummary(await readMovieLensDatRatings(sourceOf(chunks))), reference, label);
    }
    const implicit = await readMovieLensDatRatings(textSource(text), { minRating: 4 });
    assert.equal(implicit.nnz, 2);
    assert.equal(implicit.rowsBelowMinRating, 2);
  });

  it("reports malformed and non-numeric rows and empty files", async () => {
    await expectDataError(readMovieLensDatRatings(textSource("1::2::3::4\n1::2::3\n")), { file: "ratings.dat", line: 2 }, /expected 4 "::"-separated fields/);
    await expectDataError(readMovieLensDatRatings(textSource("1::2::five::4\n")), { file: "ratings.dat", line: 1, field: "rating" }, /got "five"/);
    await expectDataError(readMovieLensDatRatings(textSource("1::2::5::soon\n")), { file: "ratings.dat", line: 1, field: "timestamp" }, /got "soon"/);
    await expectDataError(readMovieLensDatRatings(textSource("\n")), { file: "ratings.dat" }, /no data rows/);
  });

  it("reads movies.dat, in latin1 when asked", async () => {
    const bytes = Uint8Array.from(
      [..."1::Toy Story (1995)::Animation|Children's\n2::Mis"]
        .map((c) => c.charCodeAt(0))
        .concat(
          [0xe9],
          [..."rables (1995)::Drama\n"].map((c) => c.charCodeAt(0)),
        ),
    );
    await expectDataError(readMovieLensDatMovies(sourceOf([bytes])), { file: "movies.dat", line: 2 }, /not valid UTF-8/);
    const movies = await readMovieLensDatMovies(sourceOf([bytes]), { encoding: "latin1" });
    assert.deepEqual(movies.get("2"), { title: "Misérables (1995)", genres: ["Drama"] });
    assert.deepEqual(movies.get("1"), { title: "Toy Story (1995)", genres: ["Animation", "Children's"] });
    await expectDataError(readMovieLensDatMovies(textSource("1::a\n")), { file: "movies.dat", line: 1 }, /expected 3/);
  });
});

describe("delimited CSV/TSV", () => {
  it("auto-detects tab, comma and semicolon and reads named columns under every chunking", async () => {
    for (const d of ["\t", ",", ";"]) {
      const text =
        ["ts", "uid", "extra", "iid", "stars"].join(d) +
        "\r\n" +
        [
          ["2024-01-02T10:00:00Z", "u1", '"x"', "i1", "4"],
          ["2024-01-01", "u1", '"quoted ' + d + ' with ""quotes"""', "i2", "2.5"],
          ["1704067200", "u2", "", "i1", "5"],
        ]
          .map((r) => r.join(d))
          .join("\r\n");
      const read = (chunks: Uint8Array[]) => readDelimited(sourceOf(chunks), { user: "uid", item: "iid", rating: "stars", timestamp: "ts", name: "log.tsv" });
      const reference = interactionsSummary(await read([encoder.encode(text)]));
      assert.deepEqual(
        (reference as { rows: unknown }).rows,
        {
          u1: [
            ["i2", 2.5, 1704067200],
            ["i1", 4, 1704189600],
          ],
          u2: [["i1", 5, 1704067200]],
        },
        `delimiter ${JSON.stringify(d)}`,
      );
      for (const [label, chunks] of chunkings(encoder.encode(text), 6)) assert.deepEqual(interactionsSummary(await read(chunks)), reference, label);
    }
  });

  it("reads without rating and timestamp columns, and honours an explicit delimiter", async () => {
    const data = await readDelimited(textSource("a;b,c;d\n1;x,y;2\n"), { user: "a", item: "d", delimiter: ";" });
    assert.deepEqual((interactionsSummary(data) as { rows: unknown }).rows, { "1": [["2", undefined, undefined]] });
    assert.equal(data.ratings, undefined);
    assert.equal(data.timestamps, undefined);
  });

  it("reports missing or repeated columns, field counts, bad numbers and empty files with file, line and field", async () => {
    const opts = { user: "user", item: "item", rating: "rating", name: "f.csv" };
    await expectDataError(
      readDelimited(textSource("User,item,rating\n1,2,3\n"), opts),
      { file: "f.csv", line: 1, field: "user" },
      /column not in the header \(did you mean "User"\?\); the columns are "User", "item", "rating"/,
    );
    await expectDataError(readDelimited(textSource("user,item,item,rating\n"), opts), { file: "f.csv", line: 1, field: "item" }, /more than once/);
    await expectDataError(readDelimited(textSource("user item rating\n"), opts), { file: "f.csv", line: 1, field: "header" }, /could not find a delimiter/);
    await expectDataError(
      readDelimited(textSource("user,item,rating\n1,2,3\n1,2\n"), opts),
      { file: "f.csv", line: 3 },
      /expected 3 comma-separated fields as in the header, got 2/,
    );
    await expectDataError(
      readDelimited(textSource("user,item,rating\n1,2,good\n"), opts),
      { file: "f.csv", line: 2, field: "rating" },
      /expected a number, got "good"/,
    );
    await expectDataError(
      readDelimited(textSource("user,item,t\n1,2,yesterday\n"), { user: "user", item: "item", timestamp: "t", name: "f.csv" }),
      { file: "f.csv", line: 2, field: "t" },
      /expected a number or an ISO-8601 date, got "yesterday"/,
    );
    await expectDataError(readDelimited(textSource(""), opts), { file: "f.csv" }, /empty file/);
    await expectDataError(readDelimited(textSource("user,item,rating\n"), opts), { file: "f.csv" }, /no data rows/);
    await assert.rejects(
      readDelimited(textSource("user,item\n1,2\n"), { user: "user", item: "item", minRating: 3 }),
      /minRating \(CLI: --min-rating\) needs a rating column/,
    );
  });

  it("applies minRating", async () => {
    const data = await readDelimited(textSource("u,i,r\n1,a,1\n1,b,5\n2,a,3.5\n"), { user: "u", item: "i", rating: "r", minRating: 3.5 });
    assert.equal(data.nnz, 2);
    assert.equal(data.rowsBelowMinRating, 1);
  });
});

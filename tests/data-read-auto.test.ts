import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DataError } from "../ts/data/errors.js";
import { chooseFormat, formatFromFileName, readInteractions } from "../ts/data/read.js";

const encoder = new TextEncoder();

/** A source in small chunks that records whether it was closed early (return() called). */
function trackedSource(text: string, chunkBytes = 7): { source: AsyncIterable<Uint8Array>; state: { closed: boolean; finished: boolean } } {
  const bytes = encoder.encode(text);
  const state = { closed: false, finished: false };
  const source: AsyncIterable<Uint8Array> = {
    async *[Symbol.asyncIterator]() {
      try {
        for (let at = 0; at < bytes.length; at += chunkBytes) yield bytes.subarray(at, at + chunkBytes);
        state.finished = true;
      } finally {
        state.closed = true;
      }
    },
  };
  return { source, state };
}

const MOVIELENS = "userId,movieId,rating,timestamp\n1,10,4.0,100\n1,11,2.0,50\n2,10,5.0,70\n";
const DAT = "1::10::4::100\n1::11::2::50\n2::10::5::70\n";
const LINES = "1 10 11\n2 10\n";
const CSV = "user_id,item_id,score,time\n1,10,4,100\n1,11,2,50\n2,10,5,70\n";

describe("format detection", () => {
  it("maps file names to formats", () => {
    assert.equal(formatFromFileName("data/ml/ratings.csv"), "movielens");
    assert.equal(formatFromFileName("C:\\ml\\RATINGS.CSV"), "movielens");
    assert.equal(formatFromFileName("ratings.dat"), "movielens-dat");
    assert.equal(formatFromFileName("train.txt"), "lines");
    assert.equal(formatFromFileName("log.tsv"), "csv");
    assert.equal(formatFromFileName("events.csv"), "csv");
    assert.equal(formatFromFileName("events"), undefined);
  });

  it("reads every format from its name, and from its first line when the name says nothing", async () => {
    const cases: Array<[string, string, number, boolean]> = [
      [MOVIELENS, "ratings.csv", 3, true],
      [DAT, "ratings.dat", 3, true],
      [LINES, "train.txt", 3, false],
      [CSV, "events.csv", 3, true],
    ];
    for (const [text, fileName, nnz, timed] of cases) {
      for (const name of [fileName, "data"]) {
        const { source, state } = trackedSource(text);
        const data = await readInteractions(source, { fileName: name });
        assert.equal(data.nnz, nnz, `${fileName} as ${name}`);
        assert.equal(data.nUsers, 2);
        assert.equal(data.timestamps !== undefined, timed, `${fileName} as ${name}`);
        assert.equal(data.name, name);
        assert.ok(state.closed && state.finished);
        if (timed) assert.deepEqual(Array.from(data.timestamps!.subarray(0, 2)), [50, 100], "time order");
      }
    }
  });

  it("guessed csv columns: user/item/rating/timestamp by common names", () => {
    assert.deepEqual(chooseFormat("x.csv", ["user_id,item_id,score,time"]), {
      format: "csv",
      reason: "from the file name",
      columns: { user: "user_id", item: "item_id", delimiter: ",", rating: "score", timestamp: "time" },
    });
    assert.deepEqual(chooseFormat("x.tsv", ["UserID\tMovieID\tother"]).columns, { user: "UserID", item: "MovieID", delimiter: "\t" });
    assert.equal(chooseFormat("x.tsv", ["customer\tproduct"], { user: "customer", item: "product" }).format, "csv");
  });

  it("falls back from the name to the first line: a ratings.csv that is not MovieLens, a .txt that is csv", () => {
    assert.deepEqual(chooseFormat("ratings.csv", ["user,item,rating"]).format, "csv");
    assert.equal(chooseFormat("ratings.csv", ["user,item,rating"]).reason, "from its first line");
    assert.equal(chooseFormat("train.txt", ["1::2::3::4"]).format, "movielens-dat");
    assert.equal(chooseFormat("data", ["12 7 9", "13 7"]).format, "lines");
  });

  it("equal-length lines: triples when a rating or timestamp shows, an error naming both formats when nothing does", async () => {
    // MovieLens 100K's u.data: tab-separated user item rating timestamp.
    const uData = Array.from({ length: 40 }, (_, r) => `${196 + r}\t${242 + r}\t${1 + (r % 5)}\t${881250949 + r}`).join("\n") + "\n";
    const data = await readInteractions(trackedSource(uData).source, { fileName: "u.data" });
    assert.equal(data.nItems, 40, "the ratings and timestamps are not items");
    assert.equal(data.nnz, 40);
    assert.ok(data.timestamps !== undefined);
    // Last.fm-style: hashed ids, a play count.
    const lastfm = "00000c28\t3bd73256\t2137\n00000c28\tf2fb0a0f\t1099\n00001411\t3bd73256\t12.5\n";
    const plays = await readInteractions(trackedSource(lastfm).source, { fileName: "usersha1-artmbid-artname-plays.tsv" });
    assert.equal(plays.nItems, 2);
    // Nothing tells lines of 3 integer ids from triples of integers: stop and say so.
    const ambiguous = Array.from({ length: 30 }, (_, r) => `${r} ${100 + r} ${200 + 7 * r}`).join("\n");
    await assert.rejects(readInteractions(trackedSource(ambiguous).source, { fileName: "pairs" }), (e: unknown) => {
      assert.ok(e instanceof DataError);
      assert.match(
        e.message,
        /^pairs:1: could not tell the format of "0 100 200": every one of its first 30 lines has 3 fields, which fit "lines" \(a user and 2 items\) and "triples" \(user item rating\)\. Pass format "lines" or "triples" \(CLI: --format lines, or --format triples with --columns user,item,rating,timestamp\)$/,
      );
      return true;
    });
    assert.equal((await readInteractions(trackedSource(ambiguous).source, { fileName: "pairs", format: "lines" })).nItems, 60);
    const asTriples = await readInteractions(trackedSource(ambiguous).source, { fileName: "pairs", format: "triples", columns: ["user", "item", "weight"] });
    assert.equal(asTriples.nItems, 30);
  });

  it("triples: a header line, named columns, a comma separator, minRating on the rating", async () => {
    const csvish = "user,item,rating,ts\n1,10,4.5,100\n1,11,1,90\n2,10,5,80\n";
    const read = await readInteractions(trackedSource(csvish).source, { fileName: "log", format: "triples", minRating: 4 });
    assert.equal(read.nnz, 2);
    assert.equal(read.rowsBelowMinRating, 1);
    const skipped = await readInteractions(trackedSource("7 u1 x9\n8 u2 x9\n").source, { fileName: "f", columns: ["-", "user", "item"] });
    assert.deepEqual([...skipped.users.ids()], ["u1", "u2"]);
    await assert.rejects(
      readInteractions(trackedSource("1 2\n").source, { fileName: "f", columns: ["user", "user"] as never }),
      /exactly one "user" and one "item"/,
    );
    await assert.rejects(
      readInteractions(trackedSource("1 2\n").source, { fileName: "f", format: "lines", columns: ["user", "item"] }),
      /columns are the layout of the triples format/,
    );
    await assert.rejects(
      readInteractions(trackedSource("1\t2\t3\n1\t5\n").source, { fileName: "f", format: "triples" }),
      /f:2: expected 3 tab-separated fields \(user item rating\), got 2/,
    );
  });

  it("line endings: \\r\\n and a lone \\r end lines as \\n does", async () => {
    for (const eol of ["\n", "\r\n", "\r"]) {
      const text = ["1 10 11", "2 10", "3 12 13 14"].join(eol) + eol;
      for (const chunk of [1, 3, 64]) {
        const data = await readInteractions(trackedSource(text, chunk).source, { fileName: "train.txt" });
        assert.equal(data.nUsers, 3, `${JSON.stringify(eol)} in chunks of ${chunk}`);
        assert.equal(data.nnz, 6, `${JSON.stringify(eol)} in chunks of ${chunk}`);
      }
    }
  });

  it("ids with control characters and negative ratings without minRating are errors, not data", async () => {
    await assert.rejects(
      readInteractions(trackedSource("227\u0000 10\n").source, { fileName: "train.txt" }),
      /train\.txt: holds NUL bytes near its start: a binary file/,
    );
    await assert.rejects(
      readInteractions(trackedSource("227\u0001 10\n").source, { fileName: "train.txt" }),
      /train\.txt:1: field "user": expected a user id, got "227\\u0001", which holds the control character U\+0001/,
    );
    const late = "1 2\n".repeat(300) + "227\u0000 10\n";
    await assert.rejects(
      readInteractions(trackedSource(late).source, { fileName: "train.txt" }),
      /train\.txt:301: field "user": expected a user id, got "227\\u0000", which holds the control character U\+0000/,
    );
    await assert.rejects(
      readInteractions(trackedSource("1 3,5,6\n").source, { fileName: "train.txt" }),
      /train\.txt:1: could not tell the format of "1 3,5,6"; tried lines: the first line holds , ; or ::/,
    );
    await assert.rejects(
      readInteractions(trackedSource("1 3,5,6\n").source, { fileName: "train.txt", format: "lines" }),
      /train\.txt:1: field "item": expected an id, got "3,5,6": a comma inside an id/,
    );
    await assert.rejects(
      readInteractions(trackedSource("userId,movieId,rating,timestamp\n1,10,-5,100\n").source, { fileName: "ratings.csv" }),
      /ratings\.csv:2: field "rating": a negative rating \("-5"\).*--min-rating/,
    );
    const kept = await readInteractions(trackedSource("userId,movieId,rating,timestamp\n1,10,-5,100\n1,11,4,100\n").source, {
      fileName: "ratings.csv",
      minRating: 1,
    });
    assert.equal(kept.nnz, 1);
  });

  it("a file no format fits is a DataError listing what was tried and the flag to pass", async () => {
    const { source, state } = trackedSource("who what when\nmore lines\n".repeat(5000), 5);
    await assert.rejects(readInteractions(source, { fileName: "mystery" }), (e: unknown) => {
      assert.ok(e instanceof DataError);
      assert.equal(e.file, "mystery");
      assert.equal(e.line, 1);
      assert.match(
        e.message,
        /^mystery:1: could not tell the format of "who what when"; tried movielens: .*; movielens-dat: .*; csv: no comma, tab or semicolon in the first line; lines: not every line is integer ids \(a header\?\); triples: line 1 has 3 fields, not 2\. Pass format: "movielens" \| "movielens-dat" \| "csv" \| "lines" \| "triples" \(CLI: --format\)$/,
      );
      return true;
    });
    assert.ok(state.closed && !state.finished, "the source is released without reading it all");
    await assert.rejects(
      readInteractions(trackedSource("a,b,c\n1,2,3\n").source, { fileName: "x.csv" }),
      /csv: no user and item column recognised among "a", "b", "c"/,
    );
  });

  it("an error after an automatic choice says which format was used and how to choose another", async () => {
    await assert.rejects(readInteractions(trackedSource("1::2::3::4\n5::6::7::8\n5::6\n").source, { fileName: "data" }), (e: unknown) => {
      assert.ok(e instanceof DataError);
      assert.equal(e.line, 3);
      assert.equal(e.file, "data");
      assert.match(
        e.message,
        /^data:3: expected 4 "::"-separated fields .*; read as movielens-dat \(chosen from its first line\); pass format to choose another \(CLI: --format\)$/,
      );
      return true;
    });
    // Not for unknown ids: the format was right.
    const train = await readInteractions(trackedSource(LINES).source, { fileName: "train.txt" });
    train.items.freeze();
    await assert.rejects(readInteractions(trackedSource("1 99\n").source, { fileName: "test.txt", items: train.items, users: train.users }), (e: unknown) => {
      assert.ok(e instanceof DataError);
      assert.equal(e.message, 'test.txt:1: field "item": item "99" is not in the training data');
      return true;
    });
  });

  it("an explicit format skips detection; an empty source is a DataError", async () => {
    const data = await readInteractions(trackedSource("5 6\n").source, { fileName: "odd.csv", format: "lines" });
    assert.deepEqual([...data.items.ids()], ["6"]);
    await assert.rejects(
      readInteractions(trackedSource("x,y\n1,2\n").source, { fileName: "f", format: "csv" }),
      /f:1: field "header": no user and item column/,
    );
    const named = await readInteractions(trackedSource("x,y\n1,2\n").source, { fileName: "f", format: "csv", user: "x", item: "y" });
    assert.equal(named.nnz, 1);
    await assert.rejects(readInteractions(trackedSource("\n\n").source, { fileName: "e.txt" }), /^DataError: e\.txt: empty file/);
  });

  it("passes minRating, shared maps and policies through to the reader", async () => {
    const data = await readInteractions(trackedSource(MOVIELENS).source, { fileName: "ratings.csv", minRating: 4 });
    assert.equal(data.nnz, 2);
    assert.equal(data.rowsBelowMinRating, 1);
    data.users.freeze();
    data.items.freeze();
    const other = await readInteractions(trackedSource("userId,movieId,rating,timestamp\n1,10,5,1\n9,10,5,1\n1,77,5,1\n").source, {
      fileName: "ratings.csv",
      users: data.users,
      items: data.items,
      onUnknown: "drop",
    });
    assert.equal(other.nnz, 1);
    assert.deepEqual(other.unknownDropped, { interactions: 2, users: 1, items: 1 });
  });
});

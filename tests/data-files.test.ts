import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DataError } from "../ts/data/errors.js";
import { fileSource, loadTrainTest } from "../ts/node/dataset-files.js";

let root = "";

before(async () => {
  root = await mkdtemp(join(tmpdir(), "longtail-data-"));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function folder(name: string, files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) await writeFile(join(dir, file), content);
  return dir;
}

function isDataError(file: string, line?: number, field?: string, detail?: RegExp) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof DataError, `expected a DataError, got ${String(e)}`);
    assert.equal(e.file, file);
    assert.equal(e.line, line);
    assert.equal(e.field, field);
    if (detail) assert.match(e.detail, detail);
    return true;
  };
}

describe("fileSource", () => {
  it("streams a file's bytes and can be read twice", async () => {
    const dir = await folder("source", { "a.txt": "x".repeat(3_000_000) });
    for (let pass = 0; pass < 2; pass++) {
      let bytes = 0;
      let chunks = 0;
      for await (const chunk of fileSource(join(dir, "a.txt"))) {
        assert.ok(chunk instanceof Uint8Array);
        bytes += chunk.length;
        chunks++;
      }
      assert.equal(bytes, 3_000_000);
      assert.equal(chunks, 3, "1 MiB chunks");
    }
  });
});

describe("loadTrainTest", () => {
  it("reads a train.txt + test.txt folder with shared, frozen maps", async () => {
    const dir = await folder("lines", { "train.txt": "0 1 2\n1 2 3\n2\n", "test.txt": "0 3\n1 1\n" });
    const loaded = await loadTrainTest(dir);
    assert.equal(loaded.train.nnz, 4);
    assert.equal(loaded.test!.nnz, 2);
    assert.equal(loaded.test!.users, loaded.train.users);
    assert.equal(loaded.test!.items, loaded.train.items);
    assert.equal(loaded.train.nUsers, 3);
    assert.equal(loaded.test!.nItems, 3);
    assert.ok(loaded.train.users.isFrozen && loaded.train.items.isFrozen);
    assert.equal(loaded.items, undefined);
    assert.match(
      loaded.describe,
      /^train: .*train\.txt: 3 users, 3 items, 4 interactions \(read as lines \(user item item …\), the layout of train\.txt folders, since its first line is integer ids\)\ntest: .*test\.txt: 3 users, 3 items, 2 interactions \(read as lines/,
    );
  });

  it("an unknown test id is a DataError naming test.txt and the line, unless dropped or added", async () => {
    const dir = await folder("unknown", { "train.txt": "0 1 2\n1 2\n", "test.txt": "0 2\n1 1 9\n7 1\n" });
    const testPath = join(dir, "test.txt");
    await assert.rejects(
      loadTrainTest(dir),
      isDataError(testPath, 2, "item", /item "9" is not in the training data \(set unknownInTest to "drop" or "extend"/),
    );

    const dropped = await loadTrainTest(dir, { unknownInTest: "drop" });
    assert.equal(dropped.test!.nnz, 2);
    assert.deepEqual(dropped.test!.unknownDropped, { interactions: 2, users: 1, items: 1 });
    assert.equal(dropped.train.nItems, 2);
    assert.match(dropped.describe, /2 interactions dropped for ids not in the training data \(1 unknown users, 1 unknown items\)/);

    const extended = await loadTrainTest(dir, { unknownInTest: "extend" });
    assert.equal(extended.test!.nnz, 4);
    assert.equal(extended.train.nItems, 3);
    assert.equal(extended.train.nUsers, 3);
    assert.equal(extended.test!.nUsers, 3);
    assert.deepEqual(Array.from(extended.train.itemCounts()), [1, 2, 0]);
    assert.deepEqual(Array.from(extended.train.byUser.indptr), [0, 2, 3, 3]);
    assert.ok(extended.train.items.isFrozen);
    assert.match(extended.describe, /added to the catalog .*: 1 users, 1 items/);
  });

  it("reads a MovieLens folder (ratings.csv + movies.csv), and the ratings file on its own", async () => {
    const dir = await folder("ml", {
      "ratings.csv": "userId,movieId,rating,timestamp\r\n1,1,4.0,10\r\n1,2,3.5,5\r\n2,1,1.0,7\r\n",
      "movies.csv": 'movieId,title,genres\r\n1,"Heat, The (1995)",Action|Crime\r\n2,Up (2009),(no genres listed)\r\n',
    });
    for (const path of [dir, join(dir, "ratings.csv")]) {
      const loaded = await loadTrainTest(path, { minRating: 3.5 });
      assert.equal(loaded.train.nnz, 2);
      assert.equal(loaded.train.rowsBelowMinRating, 1);
      assert.equal(loaded.test, undefined);
      assert.deepEqual(loaded.items?.get("1"), { title: "Heat, The (1995)", genres: ["Action", "Crime"] });
      assert.deepEqual(loaded.items?.get("2"), { title: "Up (2009)", genres: [] });
      assert.match(loaded.describe, /items: 2 titles from .*movies\.csv/);
    }
  });

  it("reads a ratings.dat folder with a latin1 movies.dat", async () => {
    const latin1 = Uint8Array.from([..."1::Caf\u00e9 (1995)::Comedy\n2::B::Drama|War\n"].map((c) => c.charCodeAt(0)));
    const dir = await folder("dat", { "ratings.dat": "1::1::5::978300760\n2::2::3::978302109\n", "movies.dat": latin1 });
    const loaded = await loadTrainTest(dir);
    assert.equal(loaded.train.nnz, 2);
    assert.deepEqual(loaded.items?.get("1"), { title: "Café (1995)", genres: ["Comedy"] });
  });

  it("a missing path or a folder without data files is an error naming the path and what was expected", async () => {
    const missing = join(root, "nope");
    await assert.rejects(
      loadTrainTest(missing),
      isDataError(missing, undefined, undefined, /no such file or folder; expected a data file .* train\.txt \(\+ test\.txt\)/),
    );
    const empty = await folder("empty", {});
    await assert.rejects(loadTrainTest(empty), isDataError(empty, undefined, undefined, /no data files found \(it is empty\); expected/));
    const other = await folder("other", { "notes.md": "hi" });
    await assert.rejects(loadTrainTest(other), isDataError(other, undefined, undefined, /it holds notes\.md/));
  });

  it("bad data in a file is reported with its path and line", async () => {
    const dir = await folder("bad", { "ratings.csv": "userId,movieId,rating,timestamp\n1,2,3,4\n1,2,three,4\n" });
    await assert.rejects(loadTrainTest(dir), isDataError(join(dir, "ratings.csv"), 3, "rating", /expected a number, got "three"/));
  });
});

describe("loadTrainTest: formats of folders", () => {
  it("a train.txt with a header line is detected, not read as a user holding items", async () => {
    const dir = await folder("headered", {
      "train.txt": "user\titem\trating\n1\t10\t4\n1\t11\t5\n2\t10\t3\n",
      "test.txt": "user\titem\trating\n1\t12\t4\n",
    });
    const { train, test } = await loadTrainTest(dir, { unknownInTest: "extend" });
    assert.deepEqual([...train.users.ids()], ["1", "2"], "the header is not a user");
    assert.equal(train.nnz, 3);
    assert.equal(test!.nnz, 1);
  });

  it("an explicit format is honoured for every part of a folder", async () => {
    const dir = await folder("explicit", { "train.txt": "1 10 4\n2 11 5\n", "test.txt": "1 11 3\n" });
    const asLines = await loadTrainTest(dir, { unknownInTest: "extend", format: "lines" });
    assert.equal(asLines.train.items.size, 5, "lines: the third fields read as items (4 in train, 1 more in test)");
    const asTriples = await loadTrainTest(dir, { unknownInTest: "extend", format: "triples" });
    assert.deepEqual([...asTriples.train.items.ids()], ["10", "11"]);
    assert.equal(asTriples.test!.nnz, 1);
  });

  it("MovieLens 100K: u.data as triples, u.item's titles and genre flags (Latin-1), u.genre's names", async () => {
    const flags = (...on: number[]) => Array.from({ length: 19 }, (_, i) => (on.includes(i) ? "1" : "0")).join("|");
    const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
    const dir = await folder("ml-100k", {
      "u.data": "196\t242\t3\t881250949\n186\t302\t3\t891717742\n22\t242\t1\t878887116\n",
      "u.item": latin1(
        `242|Kolya (1996)|24-Jan-1997||http://x|${flags(5)}\n302|L.A. Confidential (1997)|01-Jan-1997||http://y|${flags(6, 10, 16)}\n1533|Misérables (1995)|01-Jan-1995||http://z|${flags(0)}\n`,
      ),
      "u.genre":
        "unknown|0\nAction|1\nAdventure|2\nAnimation|3\nChildren's|4\nComedy|5\nCrime|6\nDocumentary|7\nDrama|8\nFantasy|9\nFilm-Noir|10\nHorror|11\nMusical|12\nMystery|13\nRomance|14\nSci-Fi|15\nThriller|16\nWar|17\nWestern|18\n",
    });
    const loaded = await loadTrainTest(dir);
    assert.equal(loaded.train.nItems, 2);
    assert.equal(loaded.train.nnz, 3);
    assert.ok(loaded.train.timestamps !== undefined);
    assert.deepEqual(loaded.items!.get("302"), { title: "L.A. Confidential (1997)", genres: ["Crime", "Film-Noir", "Thriller"] });
    assert.deepEqual(loaded.items!.get("1533"), { title: "Misérables (1995)", genres: [] }, "Latin-1 decoded; the unknown flag is no genre");
    const bad = await folder("ml-100k-bad", { "u.data": "1\t2\t3\t4\n", "u.item": "242|Kolya|x||y|0|1\n" });
    await assert.rejects(loadTrainTest(bad), isDataError(join(bad, "u.item"), 1, undefined, /expected 24 "\|"-separated fields/));
  });
});

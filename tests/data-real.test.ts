import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { DataError } from "../ts/data/errors.js";
import { randomHoldout } from "../ts/data/splits.js";
import { loadTrainTest } from "../ts/node/dataset-files.js";
import { Rng } from "../ts/util/rng.js";

// Compiled to dist/tests/: the repo root is two levels up, the shared data sits beside the repo.
const DATA = fileURLToPath(new URL("../../../shared/data/", import.meta.url));
const skip = existsSync(DATA) ? false : `real data folder ${DATA} (../shared/data from the repo root) is missing`;

function unknownItemError(file: string, line: number, item: string) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof DataError, String(e));
    assert.equal(e.file, file);
    assert.equal(e.line, line);
    assert.equal(e.field, "item");
    assert.match(e.detail, new RegExp(`^item "${item}" is not in the training data`));
    return true;
  };
}

describe("real data sets in ../shared/data", { skip }, () => {
  it("gowalla: 29,858 users, 40,981 items, 810,128 train and 217,242 test interactions", async () => {
    const { train, test } = await loadTrainTest(join(DATA, "gowalla"));
    assert.equal(train.nUsers, 29_858);
    assert.equal(train.nItems, 40_981);
    assert.equal(train.nnz, 810_128);
    assert.equal(train.duplicatesDropped, 0);
    assert.equal(train.usersWithInteractions().length, 29_858);
    assert.equal(test!.nnz, 217_242);
    assert.equal(test!.nItems, 40_981);
    assert.equal(test!.usersWithInteractions().length, 29_858);
    assert.deepEqual(test!.unknownDropped, { interactions: 0, users: 0, items: 0 });
    const counts = train.itemCounts();
    assert.equal(
      counts.reduce((s, c) => s + c, 0),
      810_128,
    );
    assert.ok(
      counts.every((c) => c > 0),
      "every catalog item has a training interaction",
    );
  });

  it("ml-latest-small: 610 users, 9,724 rated movies, 100,836 ratings, 9,742 titles", async () => {
    const { train, items } = await loadTrainTest(join(DATA, "ml-latest-small"));
    assert.equal(train.nUsers, 610);
    assert.equal(train.nItems, 9_724);
    assert.equal(train.nnz, 100_836);
    assert.equal(train.duplicatesDropped, 0);
    assert.equal(items!.size, 9_742);
    assert.deepEqual(items!.get("1"), { title: "Toy Story (1995)", genres: ["Adventure", "Animation", "Children", "Comedy", "Fantasy"] });
    assert.deepEqual(items!.get("7789"), { title: "11'09\"01 - September 11 (2002)", genres: ["Drama"] });
    assert.deepEqual(items!.get("114335")?.genres, []);
    const { indptr } = train.byUser;
    const ts = train.timestamps!;
    for (let u = 0; u < train.nUsers; u++) {
      for (let k = indptr[u]! + 1; k < indptr[u + 1]!; k++) assert.ok(ts[k - 1]! <= ts[k]!, `user ${train.users.id(u)} in time order`);
    }
    const implicit = await loadTrainTest(join(DATA, "ml-latest-small", "ratings.csv"), { minRating: 4 });
    assert.equal(implicit.train.nnz, 48_580);
    assert.equal(implicit.train.rowsBelowMinRating, 100_836 - 48_580);
    const { train: tr, test: te } = randomHoldout(train, { testFraction: 0.2, rng: new Rng(1) });
    assert.equal(tr.nnz + te.nnz, 100_836);
  });

  it("ml-1m-resn: 800,167 train interactions; 28 test interactions name 23 items absent from train", async () => {
    const dir = join(DATA, "ml-1m-resn");
    await assert.rejects(loadTrainTest(dir), unknownItemError(join(dir, "test.txt"), 195, "716"));
    const dropped = await loadTrainTest(dir, { unknownInTest: "drop" });
    assert.equal(dropped.train.nUsers, 6_040);
    assert.equal(dropped.train.nItems, 3_683);
    assert.equal(dropped.train.nnz, 800_167);
    assert.equal(dropped.test!.nnz, 200_042 - 28);
    assert.deepEqual(dropped.test!.unknownDropped, { interactions: 28, users: 0, items: 23 });
    const extended = await loadTrainTest(dir, { unknownInTest: "extend" });
    assert.equal(extended.train.nItems, 3_706);
    assert.equal(extended.test!.nnz, 200_042);
    assert.equal(extended.test!.usersWithInteractions().length, 6_039);
  });

  it("coat: 1,905 train and 860 test interactions over 290 users; 11 test items absent from train", async () => {
    const dir = join(DATA, "coat");
    await assert.rejects(loadTrainTest(dir), unknownItemError(join(dir, "test.txt"), 25, "124"));
    const { train, test } = await loadTrainTest(dir, { unknownInTest: "extend" });
    assert.equal(train.nUsers, 290);
    assert.equal(train.nnz, 1_905);
    assert.equal(test!.nnz, 860);
    assert.equal(test!.usersWithInteractions().length, 237);
    assert.equal(train.nItems, 295);
    assert.equal(train.itemCounts().filter((c) => c > 0).length, 284);
    const dropped = await loadTrainTest(dir, { unknownInTest: "drop" });
    assert.deepEqual(dropped.test!.unknownDropped, { interactions: 20, users: 0, items: 11 });
  });
});

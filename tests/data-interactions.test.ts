import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { csrRow, transposeCsr } from "../ts/data/csr.js";
import { DataError } from "../ts/data/errors.js";
import { IdMap } from "../ts/data/id-map.js";
import { Interactions, InteractionsBuilder } from "../ts/data/interactions.js";
import { Rng } from "../ts/util/rng.js";

type Row = { item: string; rating?: number; timestamp?: number };

/** The user's rows as the contract defines them: time order (ties: input order), first of each item kept. */
function expectedRows(triples: Array<[string, string, number?, number?]>): Map<string, Row[]> {
  const byUser = new Map<string, Array<Row & { pos: number }>>();
  triples.forEach(([u, i, rating, timestamp], pos) => {
    if (!byUser.has(u)) byUser.set(u, []);
    byUser.get(u)!.push({ item: i, pos, ...(rating !== undefined && { rating }), ...(timestamp !== undefined && { timestamp }) });
  });
  const out = new Map<string, Row[]>();
  for (const [u, rows] of byUser) {
    const sorted = rows.slice().sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0) || a.pos - b.pos);
    const seen = new Set<string>();
    out.set(
      u,
      sorted.filter((r) => !seen.has(r.item) && seen.add(r.item)).map(({ pos: _pos, ...r }) => r),
    );
  }
  return out;
}

function actualRows(data: Interactions): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  for (let u = 0; u < data.nUsers; u++) {
    const start = data.byUser.indptr[u]!;
    const rows = Array.from(csrRow(data.byUser, u), (item, k) => ({
      item: data.items.id(item),
      ...(data.ratings && { rating: data.ratings[start + k]! }),
      ...(data.timestamps && { timestamp: data.timestamps[start + k]! }),
    }));
    if (rows.length > 0) out.set(data.users.id(u), rows);
  }
  return out;
}

function randomTriples(rng: Rng, n: number, nUsers: number, nItems: number, withTime: boolean): Array<[string, string, number?, number?]> {
  return Array.from({ length: n }, () => {
    const u = `u${rng.int(nUsers)}`;
    const i = `i${Math.floor(nItems * rng.next() ** 2)}`;
    const rating = rng.int(10) / 2;
    return withTime ? [u, i, rating, rng.int(50)] : [u, i, rating];
  });
}

describe("InteractionsBuilder", () => {
  it("groups by user, orders by time (ties in input order) and drops repeated pairs keeping the first", () => {
    const rng = new Rng(3);
    for (const withTime of [true, false]) {
      for (const n of [0, 1, 5, 97, 2000]) {
        const triples = randomTriples(rng, n, 13, 41, withTime);
        const data = Interactions.fromTriples(triples, { name: "random" });
        const expected = expectedRows(triples);
        assert.deepEqual(actualRows(data), expected, `n=${n} withTime=${withTime}`);
        const kept = [...expected.values()].reduce((s, r) => s + r.length, 0);
        assert.equal(data.nnz, kept);
        assert.equal(data.duplicatesDropped, n - kept);
        assert.equal(data.timestamps !== undefined, withTime && n > 0);
        assert.equal(data.ratings !== undefined, n > 0);
        assert.equal(data.nUsers, data.users.size);
        assert.equal(data.nItems, data.items.size);
      }
    }
  });

  it("keeps the earliest occurrence of a repeated pair when timestamps exist", () => {
    const data = Interactions.fromTriples([
      ["a", "x", 1, 30],
      ["a", "y", 2, 10],
      ["a", "x", 3, 5],
      ["a", "x", 4, 5],
    ]);
    assert.deepEqual(actualRows(data).get("a"), [
      { item: "x", rating: 3, timestamp: 5 },
      { item: "y", rating: 2, timestamp: 10 },
    ]);
    assert.equal(data.duplicatesDropped, 2);
  });

  it("addUser registers a user without interactions", () => {
    const b = new InteractionsBuilder();
    b.add("1", "a");
    b.addUser("2");
    b.add("3", "a");
    const data = b.build();
    assert.equal(data.nUsers, 3);
    assert.deepEqual(Array.from(data.userCounts()), [1, 0, 1]);
    assert.deepEqual(Array.from(data.usersWithInteractions()), [0, 2]);
  });

  it("counts, transposes and lists entry users consistently with brute force", () => {
    const rng = new Rng(8);
    const items = IdMap.from(Array.from({ length: 60 }, (_, i) => `i${i}`)); // some items never used
    const b = new InteractionsBuilder({ items });
    for (const [u, i] of randomTriples(rng, 1500, 37, 50, false)) b.add(u, i);
    b.addUser("lonely");
    const data = b.build();
    assert.equal(data.nItems, 60);
    const itemCounts = new Array(60).fill(0);
    const userCounts = new Array(data.nUsers).fill(0);
    const entryUsers: number[] = [];
    for (let u = 0; u < data.nUsers; u++) {
      for (const i of csrRow(data.byUser, u)) {
        itemCounts[i]++;
        userCounts[u]++;
        entryUsers.push(u);
      }
    }
    assert.deepEqual(Array.from(data.itemCounts()), itemCounts);
    assert.deepEqual(Array.from(data.userCounts()), userCounts);
    assert.deepEqual(Array.from(data.entryUsers()), entryUsers);
    assert.deepEqual(
      Array.from(data.usersWithInteractions()),
      userCounts.flatMap((c, u) => (c > 0 ? [u] : [])),
    );
    const byItem = data.byItem();
    assert.equal(byItem, data.byItem(), "cached");
    assert.deepEqual(byItem, transposeCsr(data.byUser, 60));
    for (let i = 0; i < 60; i++) assert.equal(csrRow(byItem, i).length, itemCounts[i]);
  });

  it("a frozen shared map makes an unknown id a DataError naming file, line and field", () => {
    const train = Interactions.fromTriples([
      ["u1", "a"],
      ["u2", "b"],
    ]);
    train.users.freeze();
    train.items.freeze();
    const b = new InteractionsBuilder({ users: train.users, items: train.items, name: "test.txt" });
    b.add("u2", "a", undefined, undefined, 1);
    assert.throws(
      () => b.add("u1", "zz", undefined, undefined, 4),
      (e: unknown) =>
        e instanceof DataError &&
        e.file === "test.txt" &&
        e.line === 4 &&
        e.field === "item" &&
        e.message === 'test.txt:4: field "item": item "zz" is not in the training data',
    );
    assert.throws(() => b.add("u9", "a", undefined, undefined, 5), /test\.txt:5: field "user": user "u9" is not in the training data/);
  });

  it('the "drop" policy leaves unknown ids out and counts them', () => {
    const users = IdMap.from(["u1", "u2"]).freeze();
    const items = IdMap.from(["a", "b"]).freeze();
    const b = new InteractionsBuilder({ users, items, onUnknown: "drop" });
    b.add("u1", "a");
    b.add("u1", "c");
    b.add("u1", "c");
    b.add("u3", "a");
    b.add("u3", "d");
    b.addUser("u4");
    b.add("u2", "b");
    const data = b.build();
    assert.equal(data.nnz, 2);
    assert.deepEqual(data.unknownDropped, { interactions: 4, users: 2, items: 1 });
    assert.equal(users.size, 2);
    assert.equal(items.size, 2);
    assert.match(data.describe(), /4 interactions dropped for ids not in the training data \(2 unknown users, 1 unknown items\)/);
  });

  it("rejects rows that disagree with the first row about ratings or timestamps, and non-finite values", () => {
    const b = new InteractionsBuilder({ name: "f.csv" });
    b.add("u", "i", 4, 100, 2);
    assert.throws(() => b.add("u", "j", undefined, 100, 3), /f\.csv:3: field "rating": expected a rating on every row/);
    assert.throws(() => b.add("u", "j", 4, undefined, 4), /f\.csv:4: field "timestamp"/);
    assert.throws(() => b.add("u", "j", NaN, 1, 5), /f\.csv:5: field "rating": expected a finite number, got NaN/);
    const c = new InteractionsBuilder({ name: "g" });
    c.add("u", "i");
    assert.throws(() => c.add("u", "j", 3), /g: field "rating": the first row had no rating/);
    assert.throws(() => c.add("", "j"), /g: field "user": expected a user id, got ""/);
  });

  it("is single use", () => {
    const b = new InteractionsBuilder();
    b.add("u", "i");
    b.build();
    assert.throws(() => b.add("u", "j"), /already built/);
    assert.throws(() => b.build(), /already built/);
  });

  it("builds an empty part over shared maps", () => {
    const users = IdMap.from(["a", "b"]);
    const items = IdMap.from(["x"]);
    const data = new InteractionsBuilder({ users, items }).build();
    assert.equal(data.nnz, 0);
    assert.equal(data.nUsers, 2);
    assert.equal(data.nItems, 1);
    assert.deepEqual(Array.from(data.byUser.indptr), [0, 0, 0]);
    assert.deepEqual(Array.from(data.itemCounts()), [0]);
    assert.equal(data.byItem().indices.length, 0);
  });
});

describe("Interactions", () => {
  it("checks its parts on construction", () => {
    const users = IdMap.from(["a", "b"]);
    const items = IdMap.from(["x", "y"]);
    const ok = { indptr: Int32Array.of(0, 1, 2), indices: Int32Array.of(1, 0) };
    assert.equal(new Interactions({ users, items, byUser: ok }).nnz, 2);
    assert.throws(() => new Interactions({ users, items, byUser: { indptr: Int32Array.of(0, 2), indices: Int32Array.of(0, 1) } }), /2 ids/);
    assert.throws(() => new Interactions({ users, items, byUser: { indptr: Int32Array.of(0, 1, 2), indices: Int32Array.of(0, 2) } }), /item index 2/);
    assert.throws(() => new Interactions({ users, items, byUser: { indptr: Int32Array.of(0, 2, 1), indices: Int32Array.of(0, 1) } }), RangeError);
    assert.throws(() => new Interactions({ users, items, byUser: ok, ratings: new Float32Array(1) }), /1 ratings for 2/);
  });

  it("resizedToMaps pads rows for users added after it was built", () => {
    const data = Interactions.fromTriples([
      ["a", "x", 1, 5],
      ["b", "y", 2, 6],
    ]);
    assert.equal(data.resizedToMaps(), data);
    data.users.indexOrAdd("c");
    data.items.indexOrAdd("z");
    const wider = data.resizedToMaps();
    assert.equal(wider.nUsers, 3);
    assert.equal(wider.nItems, 3);
    assert.deepEqual(Array.from(wider.byUser.indptr), [0, 1, 2, 2]);
    assert.deepEqual(Array.from(wider.itemCounts()), [1, 1, 0]);
    assert.deepEqual(Array.from(wider.ratings!), [1, 2]);
    assert.deepEqual(Array.from(wider.timestamps!), [5, 6]);
  });
});

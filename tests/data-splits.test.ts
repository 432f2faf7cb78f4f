import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { csrRow } from "../ts/data/csr.js";
import { Interactions, InteractionsBuilder } from "../ts/data/interactions.js";
import { randomHoldout, validationSplit } from "../ts/data/splits.js";
import { Rng } from "../ts/util/rng.js";

/** Users with 0, 1, 2, 3, 5, 7, 10 and up to 60 interactions, with ratings and timestamps. */
function sampleData(seed: number, nUsers = 300): Interactions {
  const rng = new Rng(seed);
  const b = new InteractionsBuilder({ name: "sample" });
  const fixed = [0, 1, 2, 3, 5, 7, 10];
  for (let u = 0; u < nUsers; u++) {
    const n = u < fixed.length ? fixed[u]! : 1 + rng.int(60);
    if (n === 0) b.addUser(`u${u}`);
    const items = rng.shuffle(Array.from({ length: 200 }, (_, i) => i)).slice(0, n);
    for (const i of items) b.add(`u${u}`, `i${i}`, 1 + rng.int(5), rng.int(1000));
  }
  return b.build();
}

type Entry = { item: number; rating: number; timestamp: number };

function rowEntries(data: Interactions, u: number): Entry[] {
  const start = data.byUser.indptr[u]!;
  return Array.from(csrRow(data.byUser, u), (item, k) => ({
    item,
    rating: data.ratings![start + k]!,
    timestamp: data.timestamps![start + k]!,
  }));
}

function isSubsequence(part: Entry[], whole: Entry[]): boolean {
  let at = 0;
  for (const e of whole) if (at < part.length && JSON.stringify(part[at]) === JSON.stringify(e)) at++;
  return at === part.length;
}

describe("randomHoldout", () => {
  for (const [testFraction, minTrainPerUser] of [
    [0.2, 1],
    [0.5, 1],
    [0.3, 0],
    [0.9, 3],
    [0, 1],
  ] as const) {
    it(`puts every interaction in exactly one part with round(n·${testFraction}) test items and ≥ ${minTrainPerUser} in train`, () => {
      const data = sampleData(1);
      const { train, test } = randomHoldout(data, { testFraction, minTrainPerUser, rng: new Rng(42) });
      assert.equal(train.users, data.users);
      assert.equal(test.items, data.items);
      assert.equal(train.nUsers, data.nUsers);
      assert.equal(test.nItems, data.nItems);
      assert.equal(train.nnz + test.nnz, data.nnz);
      for (let u = 0; u < data.nUsers; u++) {
        const all = rowEntries(data, u);
        const tr = rowEntries(train, u);
        const te = rowEntries(test, u);
        const n = all.length;
        const expectedTest = Math.min(Math.round(n * testFraction), Math.max(0, n - minTrainPerUser));
        assert.equal(te.length, expectedTest, `user ${u} with ${n}`);
        assert.equal(tr.length + te.length, n);
        const key = (e: Entry) => e.item;
        assert.deepEqual(
          [...tr.map(key), ...te.map(key)].sort((a, b) => a - b),
          all.map(key).sort((a, b) => a - b),
          `user ${u}: parts are a partition`,
        );
        assert.ok(isSubsequence(tr, all) && isSubsequence(te, all), `user ${u}: order, ratings and timestamps kept`);
      }
    });
  }

  it("same seed → same split; another seed → another split", () => {
    const data = sampleData(2);
    const a = randomHoldout(data, { rng: new Rng(7) });
    const b = randomHoldout(data, { rng: new Rng(7) });
    const c = randomHoldout(data, { rng: new Rng(8) });
    assert.deepEqual(a.test.byUser, b.test.byUser);
    assert.deepEqual(a.train.byUser, b.train.byUser);
    assert.notDeepEqual(a.test.byUser, c.test.byUser);
  });

  it("chooses each position of a row with about the same probability (no bias toward the start or end)", () => {
    const b = new InteractionsBuilder();
    const nUsers = 4000;
    const n = 10;
    for (let u = 0; u < nUsers; u++) for (let i = 0; i < n; i++) b.add(`u${u}`, `i${i}`);
    const data = b.build();
    const { test } = randomHoldout(data, { testFraction: 0.2, rng: new Rng(3) });
    const picks = new Array(n).fill(0);
    for (const i of test.byUser.indices) picks[i]++;
    // Each position is in the test part with probability 0.2: 800 expected, sd = sqrt(4000·0.2·0.8) ≈ 25.
    for (let i = 0; i < n; i++) assert.ok(Math.abs(picks[i] - 800) < 5 * 25.3, `position ${i} picked ${picks[i]} times`);
  });

  it("validationSplit is the holdout applied to a train part, sharing the maps", () => {
    const data = sampleData(4);
    const { train } = randomHoldout(data, { rng: new Rng(1) });
    const inner = validationSplit(train, { testFraction: 0.25, rng: new Rng(2) });
    assert.equal(inner.train.nnz + inner.test.nnz, train.nnz);
    assert.equal(inner.test.items, data.items);
    assert.deepEqual(inner.test.byUser, randomHoldout(train, { testFraction: 0.25, rng: new Rng(2) }).test.byUser);
  });

  it("works without ratings or timestamps and on empty data", () => {
    const data = Interactions.fromTriples([
      ["a", "x"],
      ["a", "y"],
      ["b", "x"],
    ]);
    const { train, test } = randomHoldout(data, { testFraction: 0.5, rng: new Rng(1) });
    assert.equal(train.nnz, 2);
    assert.equal(test.nnz, 1);
    assert.equal(test.ratings, undefined);
    const empty = new InteractionsBuilder().build();
    assert.equal(randomHoldout(empty, { rng: new Rng(1) }).test.nnz, 0);
  });

  it("rejects a fraction outside [0, 1) and a bad minTrainPerUser", () => {
    const data = sampleData(5, 10);
    assert.throws(() => randomHoldout(data, { testFraction: 1, rng: new Rng(1) }), RangeError);
    assert.throws(() => randomHoldout(data, { testFraction: -0.1, rng: new Rng(1) }), RangeError);
    assert.throws(() => randomHoldout(data, { testFraction: NaN, rng: new Rng(1) }), RangeError);
    assert.throws(() => randomHoldout(data, { minTrainPerUser: 1.5, rng: new Rng(1) }), RangeError);
  });
});

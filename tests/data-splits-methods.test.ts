import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DataError } from "../ts/data/errors.js";
import { Interactions, InteractionsBuilder } from "../ts/data/interactions.js";
import { readUserItemLines } from "../ts/data/readers/lines.js";
import { itemBalancedSplit } from "../ts/data/splits/item-balanced.js";
import { itemEqualCountSplit } from "../ts/data/splits/item-equal-count.js";
import { linesText } from "../ts/data/splits/lines-text.js";
import { mergeParts } from "../ts/data/splits/merge.js";
import type { SplitParts } from "../ts/data/splits/parts.js";
import { randomSplit } from "../ts/data/splits/random.js";
import { splitInteractions, type SplitSpec } from "../ts/data/splits/split-by-method.js";
import { summarizeSplit } from "../ts/data/splits/summary.js";
import { leaveLastSplit, temporalSplit } from "../ts/data/splits/temporal.js";
import { Rng } from "../ts/util/rng.js";

/** 300 users with 0..60 interactions over 200 items, with ratings and timestamps from few distinct values (many ties). */
function timedData(seed: number, distinctTimes = 500): Interactions {
  const rng = new Rng(seed);
  const b = new InteractionsBuilder({ name: "timed.csv" });
  for (let u = 0; u < 300; u++) {
    const n = u < 4 ? u : 1 + rng.int(60);
    if (n === 0) b.addUser(`u${u}`);
    for (const i of rng.shuffle(Array.from({ length: 200 }, (_, i) => i)).slice(0, n)) b.add(`u${u}`, `i${i}`, 1 + rng.int(5), rng.int(distinctTimes));
  }
  return b.build();
}

/**
 * Strongly skewed popularity: item i is held by 300 + floor(2700 / (i + 1)) distinct users of 3000
 * (item 0 by 3000, item 99 by 327), so no item runs out of interactions at a 30% test share.
 */
function skewedData(seed: number, nItems = 100, base = 300): Interactions {
  const rng = new Rng(seed);
  const users = Array.from({ length: 3000 }, (_, u) => u);
  const b = new InteractionsBuilder({ name: "skewed" });
  for (let i = 0; i < nItems; i++) {
    const n = Math.min(3000, base + Math.floor(2700 / (i + 1)));
    for (const u of rng.shuffle(users.slice()).slice(0, n)) b.add(`u${u}`, `i${i}`);
  }
  return b.build();
}

/** Every entry as "user item rating timestamp", sorted: a multiset to compare parts with their source. */
function entries(...parts: Interactions[]): string[] {
  const out: string[] = [];
  for (const p of parts) {
    const users = p.entryUsers();
    for (let k = 0; k < p.nnz; k++) {
      out.push(`${p.users.id(users[k]!)} ${p.items.id(p.byUser.indices[k]!)} ${p.ratings?.[k] ?? "-"} ${p.timestamps?.[k] ?? "-"}`);
    }
  }
  return out.sort();
}

function assertPartition(data: Interactions, split: SplitParts): void {
  const parts = [split.train, ...(split.valid ? [split.valid] : []), split.test];
  for (const p of parts) {
    assert.equal(p.users, data.users);
    assert.equal(p.items, data.items);
    assert.equal(p.nItems, data.nItems);
  }
  assert.deepEqual(entries(...parts), entries(data), "every interaction in exactly one part, with its rating and time");
}

function times(p: Interactions): number[] {
  return Array.from(p.timestamps!);
}

/** Test interactions per item (items of the data), as numbers. */
function testCounts(split: SplitParts): number[] {
  return Array.from(split.test.itemCounts());
}

/** Pearson's chi-square statistic of counts against a uniform spread of their total. */
function chiSquareUniform(counts: number[]): number {
  const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
  return counts.reduce((s, c) => s + (c - mean) ** 2 / mean, 0);
}

describe("temporalSplit", () => {
  it("by share: every test interaction is at or after every train one, ties never straddle the cutoff", () => {
    const data = timedData(1, 50); // 50 distinct times over ~9,000 interactions: heavy ties
    for (const share of [0.1, 0.2, 0.5]) {
      const split = temporalSplit(data, { testShare: share });
      assertPartition(data, split);
      assert.ok(Math.max(...times(split.train)) < Math.min(...times(split.test)), `share ${share}`);
      assert.ok(split.test.nnz >= Math.round(share * data.nnz), "ties at the cutoff go to test, so test holds at least the share");
      assert.ok(split.test.nnz < Math.round(share * data.nnz) + (data.nnz / 50) * 1.5, "and not much more than one time step's worth");
    }
  });

  it("by cutoff: test = exactly the interactions at or after it; validation between the cutoffs", () => {
    const data = timedData(2);
    const split = temporalSplit(data, { cutoff: 400, validCutoff: 300 });
    assertPartition(data, split);
    assert.ok(times(split.test).every((t) => t >= 400));
    assert.ok(times(split.valid!).every((t) => t >= 300 && t < 400));
    assert.ok(times(split.train).every((t) => t < 300));
    assert.equal(split.test.nnz, times(data).filter((t) => t >= 400).length);
  });

  it("validShare takes the latest interactions before the test cutoff", () => {
    const data = timedData(3);
    const split = temporalSplit(data, { testShare: 0.2, validShare: 0.1 });
    assertPartition(data, split);
    assert.ok(Math.max(...times(split.train)) < Math.min(...times(split.valid!)));
    assert.ok(Math.max(...times(split.valid!)) < Math.min(...times(split.test)));
    assert.ok(Math.abs(split.valid!.nnz - 0.1 * data.nnz) < data.nnz * 0.01);
  });

  it("says which formats carry times when the data has none, naming the data", () => {
    const data = Interactions.fromTriples(
      [
        ["a", "x"],
        ["b", "y"],
      ],
      { name: "gowalla/train.txt" },
    );
    assert.throws(
      () => temporalSplit(data, { testShare: 0.5 }),
      (e: Error) =>
        e instanceof DataError && /gowalla\/train\.txt: has no timestamps/.test(e.message) && /ratings\.csv/.test(e.message) && /lines format/.test(e.message),
    );
    assert.throws(
      () => leaveLastSplit(data),
      (e: Error) => e instanceof DataError && /leave-last/.test(e.message),
    );
  });

  it("rejects a cutoff that leaves train or test empty, and contradictory options", () => {
    const data = timedData(4);
    assert.throws(() => temporalSplit(data, { cutoff: -1 }), /no interaction is before the test cutoff -1 \(its times run from 0 to 499\)/);
    assert.throws(() => temporalSplit(data, { cutoff: 10_000 }), /test part would be empty/);
    assert.throws(() => temporalSplit(data, { cutoff: 10, testShare: 0.2 }), /exactly one of cutoff/);
    assert.throws(() => temporalSplit(data, {}), /exactly one of cutoff/);
    assert.throws(() => temporalSplit(data, { testShare: 1 }), /testShare must be a number in \[0, 1\), got 1/);
    assert.throws(() => temporalSplit(data, { testShare: 0.00001 }), /rounds to an empty test part/);
    assert.throws(() => temporalSplit(data, { testShare: 0.5, validShare: 0.6 }), /nothing would stay in train/);
    assert.throws(() => temporalSplit(data, { cutoff: 300, validCutoff: 400 }), /validCutoff \(400\) must not be after the test cutoff \(300\)/);
  });
});

describe("leaveLastSplit", () => {
  it("holds out each user's last n in time order, ties broken by input order", () => {
    const data = Interactions.fromTriples(
      [
        ["a", "x", 1, 5],
        ["a", "y", 1, 5],
        ["a", "z", 1, 5],
        ["b", "p", 1, 9],
        ["b", "q", 1, 1],
        ["b", "r", 1, 5],
        ["c", "x", 1, 1],
      ],
      { name: "hand" },
    );
    const split = leaveLastSplit(data, { n: 1, validN: 1 });
    assertPartition(data, split);
    const row = (p: Interactions, u: string) =>
      Array.from(p.byUser.indices.subarray(p.byUser.indptr[p.users.index(u)!]!, p.byUser.indptr[p.users.index(u)! + 1]!), (i) => p.items.id(i));
    assert.deepEqual(row(split.test, "a"), ["z"], "three ties at t=5: the last line is the latest");
    assert.deepEqual(row(split.valid!, "a"), ["y"]);
    assert.deepEqual(row(split.test, "b"), ["p"]);
    assert.deepEqual(row(split.valid!, "b"), ["r"]);
    assert.deepEqual(row(split.train, "c"), ["x"], "a user with one interaction keeps it in train");
    assert.deepEqual(row(split.test, "c"), []);
  });

  it("on larger data: the test part of each user is the tail of its time-ordered row", () => {
    const data = timedData(5);
    for (const n of [1, 3]) {
      const split = leaveLastSplit(data, { n });
      assertPartition(data, split);
      const { indptr } = data.byUser;
      for (let u = 0; u < data.nUsers; u++) {
        const len = indptr[u + 1]! - indptr[u]!;
        const nTest = Math.min(n, Math.max(0, len - 1));
        const expected = Array.from(data.byUser.indices.subarray(indptr[u + 1]! - nTest, indptr[u + 1]!));
        const got = Array.from(split.test.byUser.indices.subarray(split.test.byUser.indptr[u]!, split.test.byUser.indptr[u + 1]!));
        assert.deepEqual(got, expected, `user ${u}`);
        const trainTimes = data.timestamps!.subarray(indptr[u]!, indptr[u + 1]! - nTest);
        const testTimes = data.timestamps!.subarray(indptr[u + 1]! - nTest, indptr[u + 1]!);
        assert.ok(Math.max(...trainTimes) <= Math.min(...testTimes));
      }
    }
  });

  it("rejects n = 0 and non-integers", () => {
    const data = timedData(6);
    assert.throws(() => leaveLastSplit(data, { n: 0 }), /n must be at least 1/);
    assert.throws(() => leaveLastSplit(data, { n: 1.5 }), /n must be a non-negative integer, got 1.5/);
    assert.throws(() => leaveLastSplit(data, { validN: -1 }), /validN must be a non-negative integer/);
  });
});

describe("itemBalancedSplit (Ren et al.: equal probability per item)", () => {
  it("spreads the test part evenly over items however skewed their popularity (chi-square bound), unlike a random split", () => {
    const data = skewedData(7);
    const split = itemBalancedSplit(data, { testShare: 0.3, validShare: 0.1, rng: new Rng(1) });
    assertPartition(data, split);
    assert.equal(split.test.nnz, Math.round(0.3 * data.nnz));
    assert.equal(split.valid!.nnz, Math.round(0.1 * data.nnz));
    const k = data.nItems;
    // Each draw picks one of the k items uniformly (none runs out here), so the per-item counts are
    // multinomial: the chi-square statistic has mean k − 1 and sd sqrt(2(k − 1)); allow 5 sd.
    const bound = k - 1 + 5 * Math.sqrt(2 * (k - 1));
    for (const part of [split.test, split.valid!]) {
      const stat = chiSquareUniform(Array.from(part.itemCounts()));
      assert.ok(stat < bound, `chi-square ${stat.toFixed(1)} >= ${bound.toFixed(1)}`);
    }
    const counts = data.itemCounts();
    assert.ok(counts[0]! / counts[99]! > 9, "the data is skewed");
    const random = randomSplit(data, { testShare: 0.3, rng: new Rng(1) });
    assert.ok(chiSquareUniform(testCounts(random)) > 20 * bound, "the same check rejects a popularity-biased test set");
  });

  it("keeps every item and user in train, and says when the items ran out before the share was reached", () => {
    const data = timedData(8);
    const split = itemBalancedSplit(data, { testShare: 0.99, rng: new Rng(2) });
    assertPartition(data, split);
    const all = data.itemCounts();
    const train = split.train.itemCounts();
    for (let i = 0; i < data.nItems; i++) if (all[i]! > 0) assert.ok(train[i]! >= 1, `item ${i}`);
    const users = data.userCounts();
    const trainUsers = split.train.userCounts();
    for (let u = 0; u < data.nUsers; u++) if (users[u]! > 0) assert.ok(trainUsers[u]! >= 1, `user ${u}`);
    assert.ok(split.test.nnz < Math.round(0.99 * data.nnz));
    assert.match(split.notes.join("\n"), new RegExp(`${split.test.nnz} of the ${Math.round(0.99 * data.nnz)} held-out interactions asked for`));
    const summary = summarizeSplit(split);
    assert.equal(summary.itemsWithoutTraining, 0);
    assert.equal(summary.usersWithoutTraining, 0);
  });

  it("with minTrainPerItem 0 an item can leave train entirely, and the summary counts it", () => {
    const data = Interactions.fromTriples([
      ["a", "x"],
      ["b", "x"],
      ["c", "x"],
      ["a", "y"],
      ["b", "z"],
      ["c", "z"],
    ]);
    const split = itemBalancedSplit(data, { testShare: 0.5, minTrainPerItem: 0, minTrainPerUser: 0, rng: new Rng(3) });
    assertPartition(data, split);
    const summary = summarizeSplit(split);
    const trainItems = split.train.itemCounts();
    const testItems = split.test.itemCounts();
    const expected = [0, 1, 2].filter((i) => trainItems[i] === 0 && testItems[i]! > 0).length;
    assert.equal(summary.itemsWithoutTraining, expected);
  });
});

describe("itemEqualCountSplit (ReSN: the same number of test interactions per item)", () => {
  it("gives every item exactly c = round(share·N/M) test interactions when it has enough, and min(c, 90%, n − 1) otherwise", () => {
    const data = skewedData(9, 200, 2); // items with 2 + floor(2700/(i+1)) users: from 2,702 down to 15
    // No user minimum here, so the counts follow the per-item rule alone.
    const split = itemEqualCountSplit(data, { testShare: 0.2, minTrainPerUser: 0, rng: new Rng(4) });
    assertPartition(data, split);
    const counts = data.itemCounts();
    const c = Math.round((0.2 * data.nnz) / data.nItems);
    const got = testCounts(split);
    let capped = 0;
    for (let i = 0; i < data.nItems; i++) {
      const n = counts[i]!;
      const expected = Math.min(c, Math.floor(0.9 * n), n - 1);
      if (expected < c) capped++;
      assert.equal(got[i], expected, `item ${i} with ${n} interactions`);
    }
    assert.ok(capped > 0 && capped < data.nItems, "the data has items above and below c");
    assert.match(split.notes.join("\n"), new RegExp(`${capped} items have fewer than ${c} test interactions`));
  });

  it("adds a validation part with its own equal count, and rejects a share that rounds to zero per item", () => {
    const data = skewedData(10, 40);
    const split = itemEqualCountSplit(data, { testShare: 0.2, validShare: 0.1, rng: new Rng(5) });
    assertPartition(data, split);
    const cv = Math.round((0.1 * data.nnz) / data.nItems);
    assert.ok(Array.from(split.valid!.itemCounts()).every((n) => n === cv));
    assert.throws(
      () => itemEqualCountSplit(data, { testShare: 1e-6, rng: new Rng(1) }),
      (e: Error) => e instanceof DataError && /rounds to 0 test interactions per item; raise testShare/.test(e.message),
    );
    assert.throws(() => itemEqualCountSplit(data, { maxItemShare: 0, rng: new Rng(1) }), /maxItemShare must be in \(0, 1\]/);
  });
});

describe("every method", () => {
  const specs = (seed: number): SplitSpec[] => [
    { method: "random", testShare: 0.2, validShare: 0.1, rng: new Rng(seed) },
    { method: "temporal", testShare: 0.2, validShare: 0.1 },
    { method: "leave-last", n: 2, validN: 1 },
    { method: "item-balanced", testShare: 0.3, validShare: 0.1, rng: new Rng(seed) },
    { method: "item-equal-count", testShare: 0.2, validShare: 0.05, rng: new Rng(seed) },
  ];

  it("keeps every interaction exactly once; same seed, same split; another seed, another split", () => {
    const data = timedData(11);
    for (const [k, spec] of specs(1).entries()) {
      const a = splitInteractions(data, spec);
      assertPartition(data, a);
      const b = splitInteractions(data, specs(1)[k]!);
      assert.deepEqual(entries(a.test), entries(b.test), spec.method);
      assert.deepEqual(entries(a.valid!), entries(b.valid!), spec.method);
      if ("rng" in spec) assert.notDeepEqual(entries(splitInteractions(data, specs(2)[k]!).test), entries(a.test), spec.method);
    }
  });

  it("rejects shares that leave nothing to train on, naming the option", () => {
    const data = timedData(12);
    for (const method of ["random", "item-balanced", "item-equal-count"] as const) {
      assert.throws(() => splitInteractions(data, { method, testShare: 0.6, validShare: 0.4, rng: new Rng(1) }), /testShare \+ validShare must be below 1/);
      assert.throws(() => splitInteractions(data, { method, testShare: -0.1, rng: new Rng(1) }), /testShare must be a number in \[0, 1\), got -0.1/);
    }
    assert.throws(() => itemBalancedSplit(data, { minTrainPerItem: 1.5, rng: new Rng(1) }), /minTrainPerItem must be a non-negative integer, got 1.5/);
  });
});

describe("writing and merging parts", () => {
  it("linesText writes the external ids that read back to the same interactions", async () => {
    const data = timedData(13);
    const split = itemBalancedSplit(data, { testShare: 0.3, rng: new Rng(6) });
    for (const part of [split.train, split.test]) {
      const text = [...linesText(part, { allUsers: part === split.train })].join("");
      const back = await readUserItemLines(bytes(text), { name: "back.txt" });
      const pairs = (p: Interactions) => entries(p).map((e) => e.split(" ").slice(0, 2).join(" "));
      assert.deepEqual(pairs(back), pairs(part));
      if (part === split.train) assert.equal(back.nUsers, data.nUsers, "train.txt lists every user, also those without interactions");
    }
  });

  it("linesText refuses an id with whitespace, naming it", () => {
    const data = Interactions.fromTriples([["a b", "x"]], { name: "odd.csv" });
    assert.throws(
      () => [...linesText(data)],
      (e: Error) =>
        e instanceof DataError &&
        e.message === 'odd.csv: field "user": user id "a b" holds whitespace, which the lines format ("user item item ...") cannot represent',
    );
  });

  it("mergeParts joins parts over shared maps, keeping a repeated pair once", () => {
    const train = Interactions.fromTriples([
      ["a", "x"],
      ["a", "y"],
      ["b", "x"],
    ]);
    const b = new InteractionsBuilder({ users: train.users, items: train.items });
    b.add("a", "z");
    b.add("b", "x");
    const merged = mergeParts([train, b.build()], "merged");
    assert.deepEqual(entries(merged), ["a x - -", "a y - -", "a z - -", "b x - -"]);
    assert.equal(merged.duplicatesDropped, 1);
    assert.throws(() => mergeParts([train, Interactions.fromTriples([["a", "x"]])], "m"), /does not share the id maps/);
  });

  it("summarizeSplit counts each part and what is left without training data (hand-computed)", () => {
    const data = Interactions.fromTriples([
      ["a", "x", 1, 1],
      ["a", "y", 1, 2],
      ["b", "x", 1, 3],
      ["b", "z", 1, 4],
      ["c", "z", 1, 5],
    ]);
    const split = temporalSplit(data, { cutoff: 4 });
    const s = summarizeSplit(split);
    assert.deepEqual(s.parts.train, { interactions: 3, share: 0.6, users: 2, items: 2 });
    assert.deepEqual(s.parts.test, { interactions: 2, share: 0.4, users: 2, items: 1 });
    assert.equal(s.usersWithoutTraining, 1); // c
    assert.equal(s.itemsWithoutTraining, 1); // z
    assert.equal(s.heldOutOnItemsWithoutTraining, 2);
    assert.deepEqual(s.testPerItem, { min: 2, median: 2, max: 2 });
  });
});

function bytes(text: string): AsyncIterable<Uint8Array> {
  return (async function* () {
    yield new TextEncoder().encode(text);
  })();
}

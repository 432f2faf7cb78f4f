import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../ts/util/rng.js";
import { generateSyntheticWorld, MAX_GENRES, type SyntheticWorld } from "../ts/synthetic/world.js";
import { worldToInteractions } from "../ts/synthetic/to-interactions.js";

// The default world is the demo data set: generated once here and shared by the tests that
// check its properties.
let defaultWorld: SyntheticWorld | undefined;
const world = (): SyntheticWorld => (defaultWorld ??= generateSyntheticWorld());

const small = { nUsers: 60, nItems: 90, nGenres: 5, meanInteractionsPerUser: 12 };

function itemCounts(w: SyntheticWorld): Int32Array {
  const counts = new Int32Array(w.items.length);
  for (const i of w.interactions.item) counts[i]!++;
  return counts;
}

describe("synthetic world", () => {
  test("same seed gives identical output; another seed gives another world", () => {
    const a = generateSyntheticWorld({ ...small, seed: 7 });
    const b = generateSyntheticWorld({ ...small, seed: 7 });
    const c = generateSyntheticWorld({ ...small, seed: 8 });
    const { trueRelevance: ra, isRelevant: ia, ...restA } = a;
    const { trueRelevance: rb, isRelevant: ib, ...restB } = b;
    assert.deepEqual(restA, restB);
    for (let u = 0; u < small.nUsers; u += 7) {
      for (let i = 0; i < small.nItems; i += 5) {
        assert.equal(ra(u, i), rb(u, i));
        assert.equal(ia(u, i), ib(u, i));
      }
    }
    assert.notDeepEqual(c.interactions, a.interactions);
    assert.notDeepEqual(c.itemTitles, a.itemTitles);
    assert.notDeepEqual(c.userTastes, a.userTastes);
    assert.notDeepEqual(c.exposure, a.exposure);
  });

  test("more users leave the items unchanged (independent random streams)", () => {
    const a = generateSyntheticWorld({ ...small, seed: 3 });
    const b = generateSyntheticWorld({ ...small, seed: 3, nUsers: 80 });
    assert.deepEqual(b.itemTitles, a.itemTitles);
    assert.deepEqual(b.itemGenres, a.itemGenres);
    assert.deepEqual(b.exposure, a.exposure);
  });

  test("defaults: 2,000 users, 3,000 items, about 100k interactions, consistent shapes", () => {
    const w = world();
    assert.equal(w.users.length, 2000);
    assert.equal(w.items.length, 3000);
    assert.equal(w.users[0], "u0000");
    assert.equal(w.items[2999], "i2999");
    const n = w.interactions.user.length;
    assert.ok(n > 80_000 && n < 130_000, `${n} interactions`);
    assert.equal(w.interactions.item.length, n);
    assert.equal(w.interactions.timestamp.length, n);
    assert.equal(w.genreNames.length, w.options.nGenres);
    assert.equal(new Set(w.genreNames).size, w.genreNames.length);
    assert.equal(w.userTastes.length, 2000 * w.options.nGenres);
    assert.equal(w.itemQuality.length, 3000);
    assert.ok(Math.abs(w.exposure.reduce((s, e) => s + e, 0) - 1) < 1e-9, "exposure sums to 1");
  });

  test("items have 1-3 distinct valid genres and unique titles that use their genre's words", () => {
    const w = world();
    const genreCounts = [0, 0, 0, 0];
    for (const genres of w.itemGenres) {
      assert.ok(genres.length >= 1 && genres.length <= 3);
      assert.equal(new Set(genres).size, genres.length);
      for (const g of genres) assert.ok(Number.isInteger(g) && g >= 0 && g < w.options.nGenres);
      genreCounts[genres.length]!++;
    }
    assert.ok(genreCounts[1]! > 0 && genreCounts[2]! > 0 && genreCounts[3]! > 0, String(genreCounts));
    assert.equal(new Set(w.itemTitles).size, w.itemTitles.length, "titles are unique");
    assert.ok(w.itemTitles.every((t) => t.length > 0 && t.trim() === t));
  });

  test("popularity is long-tailed: the top 10% of items hold more than half of the interactions", () => {
    const w = world();
    const counts = [...itemCounts(w)].sort((a, b) => b - a);
    const top = counts.slice(0, counts.length / 10).reduce((s, c) => s + c, 0);
    assert.ok(top / w.interactions.user.length > 0.5, `top-10% share ${top / w.interactions.user.length}`);
  });

  test("exposure drives interactions: the most exposed items are consumed far more than the least exposed", () => {
    const w = world();
    const counts = itemCounts(w);
    const byExposure = Array.from(counts.keys()).sort((a, b) => w.exposure[b]! - w.exposure[a]!);
    const mean = (items: number[]) => items.reduce((s, i) => s + counts[i]!, 0) / items.length;
    const head = mean(byExposure.slice(0, 300));
    const tail = mean(byExposure.slice(1500));
    assert.ok(head > 10 * tail, `head ${head} vs tail ${tail}`);
  });

  test("relevance drives interactions: observed pairs are more relevant than random pairs", () => {
    const w = world();
    const rng = new Rng(99);
    const n = w.interactions.user.length;
    let observed = 0;
    let observedRelevant = 0;
    for (let k = 0; k < n; k++) {
      observed += w.trueRelevance(w.interactions.user[k]!, w.interactions.item[k]!);
      if (w.isRelevant(w.interactions.user[k]!, w.interactions.item[k]!)) observedRelevant++;
    }
    let random = 0;
    let randomRelevant = 0;
    const samples = 50_000;
    for (let s = 0; s < samples; s++) {
      const u = rng.int(w.users.length);
      const i = rng.int(w.items.length);
      random += w.trueRelevance(u, i);
      if (w.isRelevant(u, i)) randomRelevant++;
    }
    assert.ok(observed / n > random / samples + 0.2, `observed ${observed / n}, random ${random / samples}`);
    assert.ok(observedRelevant / n > 2 * (randomRelevant / samples), `${observedRelevant / n} vs ${randomRelevant / samples}`);
    assert.ok(randomRelevant > 0 && randomRelevant < samples / 2, "a minority of pairs is relevant");
  });

  test("true relevance is mean genre taste plus weighted quality (checked in f64)", () => {
    const w = world();
    const { nGenres, qualityWeight, relevanceThreshold } = w.options;
    const rng = new Rng(5);
    for (let s = 0; s < 2000; s++) {
      const u = rng.int(w.users.length);
      const i = rng.int(w.items.length);
      const genres = w.itemGenres[i]!;
      const expected = genres.reduce((t, g) => t + w.userTastes[u * nGenres + g]!, 0) / genres.length + qualityWeight * w.itemQuality[i]!;
      assert.ok(Math.abs(w.trueRelevance(u, i) - expected) <= 1e-6 * (1 + Math.abs(expected)));
      assert.equal(w.isRelevant(u, i), w.trueRelevance(u, i) > relevanceThreshold);
    }
    assert.throws(() => w.trueRelevance(2000, 0), /user must be an integer in \[0, 2000\) and item in \[0, 3000\)/);
    assert.throws(() => w.trueRelevance(0, -1), RangeError);
    assert.throws(() => w.trueRelevance(0.5, 1), RangeError);
  });

  test("every user has a favourite genre and at least the minimum number of interactions", () => {
    const w = world();
    const { nGenres, minInteractionsPerUser } = w.options;
    const perUser = new Int32Array(w.users.length);
    for (const u of w.interactions.user) perUser[u]!++;
    for (let u = 0; u < w.users.length; u++) {
      assert.ok(perUser[u]! >= minInteractionsPerUser, `user ${u} has ${perUser[u]}`);
      assert.ok(Math.max(...w.userTastes.subarray(u * nGenres, (u + 1) * nGenres)) >= 0.7);
    }
    assert.ok(Math.max(...perUser) > 3 * 50, "some heavy users");
  });

  test("the log is grouped by user, time-ordered within a user, inside the log period, without repeated pairs", () => {
    const w = world();
    const { user, item, timestamp } = w.interactions;
    const { startTime, durationDays } = w.options;
    const seen = new Set<number>();
    for (let k = 0; k < user.length; k++) {
      if (k > 0) {
        assert.ok(user[k]! >= user[k - 1]!);
        if (user[k] === user[k - 1]) assert.ok(timestamp[k]! >= timestamp[k - 1]!);
      }
      assert.ok(timestamp[k]! >= startTime && timestamp[k]! < startTime + durationDays * 86_400);
      assert.ok(Number.isInteger(timestamp[k]));
      const key = user[k]! * w.items.length + item[k]!;
      assert.ok(!seen.has(key), `pair ${user[k]}, ${item[k]} repeated`);
      seen.add(key);
    }
  });

  test("tiny and edge-case worlds", () => {
    const one = generateSyntheticWorld({ nUsers: 1, nItems: 2, nGenres: 1, minInteractionsPerUser: 0, meanInteractionsPerUser: 1 });
    assert.deepEqual(one.genreNames, ["Noir"]);
    assert.ok(one.interactions.user.length <= 1);
    const allGenres = generateSyntheticWorld({ ...small, nGenres: MAX_GENRES, minInteractionsPerUser: 45, meanInteractionsPerUser: 45 });
    const perUser = new Int32Array(small.nUsers);
    for (const u of allGenres.interactions.user) perUser[u]!++;
    assert.ok(
      perUser.every((c) => c === 45),
      "users can take half the catalog",
    );
    const uniform = generateSyntheticWorld({ ...small, popularityExponent: 0 });
    assert.ok(uniform.exposure.every((e) => Math.abs(e - 1 / small.nItems) < 1e-12));
  });

  test("bad options are refused with the option's name and rule", () => {
    const bad = (options: Record<string, unknown>, message: string) =>
      assert.throws(() => generateSyntheticWorld(options), { name: "RangeError", message: `generateSyntheticWorld: ${message}` });
    bad({ nGenres: 25 }, `options.nGenres must be an integer from 1 to ${MAX_GENRES}, got 25`);
    bad({ nUsers: 0 }, "options.nUsers must be a positive integer, got 0");
    bad({ nItems: 2.5 }, "options.nItems must be a positive integer, got 2.5");
    bad({ nItems: 8 }, "options.minInteractionsPerUser must be an integer from 0 to half the catalog (4), got 5");
    bad({ meanInteractionsPerUser: 3 }, "options.meanInteractionsPerUser must be a number >= minInteractionsPerUser (5), got 3");
    bad({ popularityQualityCorrelation: 2 }, "options.popularityQualityCorrelation must be a number from 0 to 1, got 2");
    bad({ durationDays: 0 }, "options.durationDays must be a positive number, got 0");
    bad({ nUser: 10 }, 'unknown option "nUser"');
  });
});

describe("worldToInteractions", () => {
  test("keeps the world's indices, every user and item, the pairs and their timestamps", () => {
    const w = generateSyntheticWorld({ ...small, seed: 11 });
    const data = worldToInteractions(w);
    assert.equal(data.nUsers, small.nUsers);
    assert.equal(data.nItems, small.nItems);
    assert.equal(data.nnz, w.interactions.user.length);
    assert.equal(data.duplicatesDropped, 0);
    assert.equal(data.name, "synthetic world");
    for (let u = 0; u < small.nUsers; u++) assert.equal(data.users.id(u), w.users[u]);
    for (let i = 0; i < small.nItems; i++) assert.equal(data.items.id(i), w.items[i]);
    const { user, item, timestamp } = w.interactions;
    const { indptr, indices } = data.byUser;
    // The world's log is already grouped by user and time-ordered, so the rows match it entry by entry.
    for (let k = 0; k < user.length; k++) {
      assert.ok(k >= indptr[user[k]!]! && k < indptr[user[k]! + 1]!);
      assert.equal(indices[k], item[k]);
      assert.equal(data.timestamps![k], timestamp[k]);
    }
  });
});

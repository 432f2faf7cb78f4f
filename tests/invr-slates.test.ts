/**
 * Slate assembly on hand-made cases: where InvR items go for each ordering, how the main list
 * shifts and is cut so the slate stays K long, dedup against the slate, training items never
 * served, a seeded random ordering, and bad input.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Csr } from "../ts/data/csr.js";
import { InverseRetrievalError } from "../ts/inverse-retrieval/errors.js";
import type { ItemTopUsers } from "../ts/inverse-retrieval/item-top-users.js";
import { assembleSlates, checkSlots, type SlateOrdering } from "../ts/inverse-retrieval/slates.js";
import { userCandidates } from "../ts/inverse-retrieval/user-candidates.js";
import { Rng } from "../ts/util/rng.js";

/** Item → users rows given as [item, [[user, score], ...best first]]. */
function topUsers(rows: ReadonlyArray<[number, ReadonlyArray<[number, number]>]>): ItemTopUsers {
  const indptr = [0],
    users: number[] = [],
    scores: number[] = [];
  for (const [, list] of rows) {
    for (const [u, s] of list) {
      users.push(u);
      scores.push(s);
    }
    indptr.push(users.length);
  }
  return {
    items: Int32Array.from(rows.map(([i]) => i)),
    topN: 3,
    indptr: Int32Array.from(indptr),
    users: Int32Array.from(users),
    scores: Float32Array.from(scores),
  };
}

function csr(rows: number[][]): Csr {
  const indptr = [0];
  for (const r of rows) indptr.push(indptr[indptr.length - 1] + r.length);
  return { indptr: Int32Array.from(indptr), indices: Int32Array.from(rows.flat()) };
}

const main = (lists: number[][]) => ({ users: Int32Array.from(lists.map((_, u) => u)), k: lists[0].length, items: Int32Array.from(lists.flat()) });
const slate = (s: { items: Int32Array; k: number }, r: number) => Array.from(s.items.subarray(r * s.k, r * s.k + s.k));

// User 0: main list 10..14 (K = 5). Its candidates: 22 (rank 2, score 0.8), 12 (rank 0, 0.7; but 12 is
// kept in the slate by the main list), 20 (rank 1, 0.5), 21 (rank 0, 0.4).
// User 1: main list 30, 31, 32, 20, 33; its one candidate is 20 (rank 0, 0.9), which its main list
// holds at place 4, beyond the three main places that surely stay in the slate.
// Users 2 and 3 have one candidate each, 22 (its best and second user); user 4 has none.
const TOP = topUsers([
  [
    20,
    [
      [1, 0.9],
      [0, 0.5],
    ],
  ],
  [21, [[0, 0.4]]],
  [
    22,
    [
      [2, 0.95],
      [3, 0.9],
      [0, 0.8],
    ],
  ],
  [12, [[0, 0.7]]],
]);
const MAIN = main([
  [10, 11, 12, 13, 14],
  [30, 31, 32, 20, 33],
  [40, 41, 42, 43, 44],
  [50, 51, 52, 53, 54],
  [60, 61, 62, 63, 64],
]);
const CANDIDATES = userCandidates(TOP, 5);

describe("InvR candidates per user", () => {
  it("inverts item → users into user → (item, score, the user's rank among the item's users)", () => {
    const c = CANDIDATES;
    const row = (u: number) =>
      Array.from({ length: c.indptr[u + 1] - c.indptr[u] }, (_, j) => {
        const p = c.indptr[u] + j;
        return [c.items[p], Math.round(c.scores[p] * 100) / 100, c.ranks[p]];
      });
    assert.deepEqual(row(0), [
      [20, 0.5, 1],
      [21, 0.4, 0],
      [22, 0.8, 2],
      [12, 0.7, 0],
    ]);
    assert.deepEqual(row(1), [[20, 0.9, 0]]);
    assert.deepEqual(row(3), [[22, 0.9, 1]]);
    assert.deepEqual(row(4), []);
  });
});

describe("slate assembly", () => {
  it("score ordering: InvR items at slots 2 and 4, the main list shifted down and cut at K, dedup against the slate", () => {
    const s = assembleSlates(MAIN, CANDIDATES, { slots: [2, 4], ordering: "score" });
    // 22 (0.8) then 12 (0.7) is in the slate already, then 20 (0.5).
    assert.deepEqual(slate(s, 0), [10, 22, 11, 20, 12]);
    assert.deepEqual(Array.from(s.fromInvr.subarray(0, 5)), [0, 1, 0, 1, 0]);
    // One candidate: slot 2 takes it, slot 4 keeps the next main item; the main list's own 20 is skipped.
    assert.deepEqual(slate(s, 1), [30, 20, 31, 32, 33]);
    assert.deepEqual(slate(s, 2), [40, 22, 41, 42, 43]);
    assert.deepEqual(slate(s, 4), [60, 61, 62, 63, 64], "no candidates: the main list as it is");
    assert.equal(s.invrItems, 5);
    assert.equal(s.usersWithInvr, 4);
  });

  it("user-rank ordering: the items the user ranks best for come first, ties by score", () => {
    const s = assembleSlates(MAIN, CANDIDATES, { slots: [2, 4], ordering: "user-rank" });
    // rank 0: 12 (0.7, in the slate) and 21 (0.4); rank 1: 20; rank 2: 22.
    assert.deepEqual(slate(s, 0), [10, 21, 11, 20, 12]);
    assert.deepEqual(slate(s, 3), [50, 22, 51, 52, 53]);
  });

  it("never serves a training item, whatever the ordering", () => {
    const train = csr([[20, 22], [], [], [], []]);
    for (const ordering of ["score", "user-rank", "random"] as SlateOrdering[]) {
      const s = assembleSlates(MAIN, CANDIDATES, { slots: [2, 4], ordering, rng: new Rng(1), exclude: train });
      const row = slate(s, 0);
      assert.ok(!row.includes(20) && !row.includes(22), `${ordering}: ${row}`);
      // Only 21 is left to insert: slot 2 takes it, slot 4 a main item.
      assert.deepEqual(row, [10, 21, 11, 12, 13], ordering);
    }
  });

  it("keeps slates K long, without repeats, and InvR only at the slots (random lists, every ordering)", () => {
    const rng = new Rng(9);
    const nUsers = 40,
      nItems = 60,
      k = 8;
    const lists = Array.from({ length: nUsers }, () => rng.shuffle(Array.from({ length: nItems }, (_, i) => i)).slice(0, k));
    const rows: [number, [number, number][]][] = [];
    for (let i = 0; i < nItems; i++)
      rows.push([
        i,
        rng
          .shuffle(Array.from({ length: nUsers }, (_, u) => u))
          .slice(0, 6)
          .map((u, j) => [u, 1 - j / 10] as [number, number]),
      ]);
    const candidates = userCandidates(topUsers(rows), nUsers);
    const slots = [8, 1, 5];
    for (const ordering of ["score", "user-rank", "random"] as SlateOrdering[]) {
      const s = assembleSlates(main(lists), candidates, { slots, ordering, rng: new Rng(2) });
      for (let u = 0; u < nUsers; u++) {
        const row = slate(s, u);
        assert.equal(row.filter((x) => x >= 0).length, k, `${ordering}: user ${u} has a full slate`);
        assert.equal(new Set(row).size, k, `${ordering}: user ${u} has no repeats: ${row}`);
        const invr = row.filter((_, p) => s.fromInvr[u * k + p] === 1);
        row.forEach((_, p) => {
          if (s.fromInvr[u * k + p] === 1) assert.ok([1, 5, 8].includes(p + 1), `InvR at position ${p + 1}`);
        });
        const own = new Set(Array.from(candidates.items.subarray(candidates.indptr[u], candidates.indptr[u + 1])));
        for (const item of invr) assert.ok(own.has(item), `${ordering}: user ${u} got ${item}, not one of its candidates`);
        // The main items keep their order.
        const kept = row.filter((_, p) => s.fromInvr[u * k + p] === 0);
        const positions = kept.map((item) => lists[u].indexOf(item));
        assert.deepEqual(
          positions,
          [...positions].sort((a, b) => a - b),
          `${ordering}: main order kept`,
        );
      }
    }
  });

  it("random ordering: the same seed gives the same slates, another seed others", () => {
    const rng = new Rng(21);
    const nUsers = 30,
      nItems = 50;
    const rows: [number, [number, number][]][] = [];
    for (let i = 0; i < nItems; i++)
      rows.push([
        i,
        rng
          .shuffle(Array.from({ length: nUsers }, (_, u) => u))
          .slice(0, 10)
          .map((u) => [u, 0.5] as [number, number]),
      ]);
    const candidates = userCandidates(topUsers(rows), nUsers);
    const lists = main(Array.from({ length: nUsers }, () => [100, 101, 102, 103, 104, 105]));
    const a = assembleSlates(lists, candidates, { slots: [2, 5], ordering: "random", rng: new Rng(42) });
    const b = assembleSlates(lists, candidates, { slots: [2, 5], ordering: "random", rng: new Rng(42) });
    const c = assembleSlates(lists, candidates, { slots: [2, 5], ordering: "random", rng: new Rng(43) });
    assert.deepEqual(Array.from(a.items), Array.from(b.items));
    assert.notDeepEqual(Array.from(a.items), Array.from(c.items));
  });

  it("a main list shorter than K stays short; a slot at position 1 comes first", () => {
    const s = assembleSlates({ users: Int32Array.from([1]), k: 4, items: Int32Array.from([30, 31, -1, -1]) }, CANDIDATES, { slots: [1], ordering: "score" });
    assert.deepEqual(slate(s, 0), [20, 30, 31, -1]);
  });

  it("rejects slots outside 1..K, repeated or missing slots, unknown orderings and a random ordering without a generator", () => {
    const bad = (options: Parameters<typeof assembleSlates>[2], pattern: RegExp) =>
      assert.throws(
        () => assembleSlates(MAIN, CANDIDATES, options),
        (e: Error) => e instanceof InverseRetrievalError && pattern.test(e.message),
        String(pattern),
      );
    bad({ slots: [0, 3], ordering: "score" }, /slot 0 is outside 1\.\.5/);
    bad({ slots: [3, 6], ordering: "score" }, /slot 6 is outside 1\.\.5/);
    bad({ slots: [2.5], ordering: "score" }, /slot 2.5 is outside/);
    bad({ slots: [3, 3], ordering: "score" }, /slot 3 is given twice/);
    bad({ slots: [], ordering: "score" }, /at least one slot/);
    bad({ slots: [2], ordering: "best" as SlateOrdering }, /unknown ordering "best": choose one of random, score, user-rank/);
    bad({ slots: [2], ordering: "random" }, /needs a seeded Rng/);
    assert.deepEqual(checkSlots([8, 3], 10), [3, 8]);
  });
});

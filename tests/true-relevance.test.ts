/**
 * Ground truth of served lists in the synthetic world: true precision and recall, split over
 * head and tail items, on hand-made lists with hand-computed values; the relevant-items table
 * against the world's own isRelevant.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Csr } from "../ts/data/csr.js";
import { generateSyntheticWorld } from "../ts/synthetic/world.js";
import { trulyRelevantItems } from "../ts/synthetic/relevant-items.js";
import { measureTrueRelevance } from "../ts/synthetic/true-relevance.js";

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} != ${b}`);

function csr(rows: number[][]): Csr {
  const indptr = new Int32Array(rows.length + 1);
  rows.forEach((r, u) => (indptr[u + 1] = indptr[u] + r.length));
  return { indptr, indices: Int32Array.from(rows.flat()) };
}

// Items 0 and 1 are head, 2..5 tail. u0 likes {0, 2, 4} and already has 4; u1 likes {1, 5}; u2 likes nothing and has 3.
const relevant = csr([[0, 2, 4], [1, 5], []]);
const exclude = csr([[4], [], [3]]);
const isHead = Uint8Array.from([1, 1, 0, 0, 0, 0]);
// u0 [0 head ✓, 3 tail ✗, 2 tail ✓]; u1 [5 tail ✓, empty, 0 head ✗]; u2 [1 head ✗, 2 tail ✗, 5 tail ✗].
const lists = { users: Int32Array.from([0, 1, 2]), k: 3, items: Int32Array.from([0, 3, 2, 5, -1, 0, 1, 2, 5]) };

describe("measureTrueRelevance", () => {
  it("counts true precision over all, head and tail slots, empty slots left out", () => {
    const t = measureTrueRelevance(lists, relevant, { isHead, exclude });
    assert.equal(t.users, 3);
    assert.equal(t.slots, 8);
    assert.equal(t.relevantSlots, 3);
    close(t.precision, 3 / 8, "precision");
    assert.deepEqual([t.head.slots, t.head.relevantSlots], [3, 1]);
    close(t.head.precision, 1 / 3, "head precision");
    assert.deepEqual([t.tail.slots, t.tail.relevantSlots], [5, 2]);
    close(t.tail.precision, 2 / 5, "tail precision");
    close(t.relevantTailShare, 2 / 8, "relevant tail share");
  });

  it("measures recall against each user's servable relevant items (excluded ones left out), users without any not counted", () => {
    const t = measureTrueRelevance(lists, relevant, { isHead, exclude });
    // u0: {0, 2} servable, both served → 1; u1: {1, 5}, 5 served → 1/2; u2: none.
    close(t.recall, (1 + 1 / 2) / 2, "recall");
    assert.equal(t.recallUsers, 2);
    // Head: u0 {0} → 1, u1 {1} → 0. Tail: u0 {2} → 1, u1 {5} → 1.
    close(t.head.recall, 1 / 2, "head recall");
    close(t.tail.recall, 1, "tail recall");
    assert.equal(t.head.recallUsers, 2);
    // Without exclusions u0's item 4 counts against it: 2 of 3.
    const all = measureTrueRelevance(lists, relevant, { isHead });
    close(all.recall, (2 / 3 + 1 / 2) / 2, "recall without exclusions");
    close(all.tail.recall, (1 / 2 + 1) / 2, "tail recall without exclusions");
    close(all.precision, 3 / 8, "precision does not depend on exclusions");
  });

  it("is all zeros for lists with nothing served", () => {
    const t = measureTrueRelevance({ users: Int32Array.from([2]), k: 2, items: Int32Array.from([-1, -1]) }, relevant, { isHead });
    assert.deepEqual([t.slots, t.precision, t.head.precision, t.tail.precision, t.recall, t.relevantTailShare], [0, 0, 0, 0, 0, 0]);
  });

  it("refuses bad lists with a message that says what is wrong", () => {
    const bad =
      (items: number[], users = [0], k = 2) =>
      () =>
        measureTrueRelevance({ users: Int32Array.from(users), k, items: Int32Array.from(items) }, relevant, { isHead });
    assert.throws(bad([0, 6]), /list 0, slot 2: item index 6 is outside \[0, 6\)/);
    assert.throws(bad([2, 2]), /list 0 holds item index 2 twice/);
    assert.throws(bad([0, 1, 2]), /1 lists of K = 2 need 2 items, got 3/);
    assert.throws(bad([0, 1], [3]), /list 0 belongs to user index 3, outside \[0, 3\)/);
    assert.throws(bad([], [], 0), /k must be a positive integer, got 0/);
    assert.throws(() => measureTrueRelevance(lists, relevant, { isHead, exclude: csr([[4]]) }), /exclusions have 1 users but the relevant items 3/);
  });
});

describe("trulyRelevantItems", () => {
  it("lists exactly the pairs the world marks relevant, items ascending", () => {
    const world = generateSyntheticWorld({ seed: 3, nUsers: 40, nItems: 70 });
    const table = trulyRelevantItems(world);
    assert.equal(table.indptr.length, 41);
    let pairs = 0;
    for (let u = 0; u < 40; u++) {
      const expected = Array.from({ length: 70 }, (_, i) => i).filter((i) => world.isRelevant(u, i));
      assert.deepEqual(Array.from(table.indices.subarray(table.indptr[u], table.indptr[u + 1])), expected, `user ${u}`);
      pairs += expected.length;
    }
    assert.ok(pairs > 0.05 * 40 * 70 && pairs < 0.4 * 40 * 70, `a plausible share of relevant pairs: ${pairs / 2800}`);
  });
});

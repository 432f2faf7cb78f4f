import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DataError } from "../ts/data/errors.js";
import { InteractionsBuilder, type Interactions } from "../ts/data/interactions.js";
import { splitInteractions } from "../ts/data/splits/split-by-method.js";
import { usersSplit } from "../ts/data/splits/users.js";
import { Rng } from "../ts/util/rng.js";

/** 200 users (user 0 without interactions) with rows in time order over 80 items. */
function timed(): Interactions {
  const rng = new Rng(3);
  const b = new InteractionsBuilder({ name: "timed.csv" });
  b.addUser("u0");
  for (let u = 1; u < 200; u++) {
    for (const [t, i] of rng
      .shuffle(Array.from({ length: 80 }, (_, i) => i))
      .slice(0, 1 + rng.int(30))
      .entries())
      b.add(`u${u}`, `i${i}`, 4, 100 * u + t);
  }
  return b.build();
}

function row(data: Interactions, u: number): number[] {
  const { indptr, indices } = data.byUser;
  return Array.from(indices.subarray(indptr[u], indptr[u + 1]));
}

describe("split --method users (held-out users)", () => {
  it("sends the whole rows of a seeded 10% of the users to test, in order, and keeps every interaction once", () => {
    const data = timed();
    const parts = splitInteractions(data, { method: "users", rng: new Rng(1) });
    assert.equal(parts.valid, undefined);
    let testUsers = 0;
    for (let u = 0; u < data.nUsers; u++) {
      const all = row(data, u),
        train = row(parts.train, u),
        test = row(parts.test, u);
      assert.ok(train.length === 0 || test.length === 0, `user ${u} is in both parts`);
      assert.deepEqual([...train, ...test], all, `user ${u}: every interaction once, in time order`);
      if (test.length > 0) testUsers++;
      const ts = parts.test.timestamps!.subarray(parts.test.byUser.indptr[u], parts.test.byUser.indptr[u + 1]);
      for (let k = 1; k < ts.length; k++) assert.ok(ts[k] >= ts[k - 1]);
    }
    assert.equal(testUsers, Math.round(0.1 * 199));
    assert.equal(parts.train.nnz + parts.test.nnz, data.nnz);
  });

  it("adds a validation part of other users, and the seed decides which users", () => {
    const data = timed();
    const a = usersSplit(data, { testShare: 0.2, validShare: 0.1, rng: new Rng(5) });
    const b = usersSplit(data, { testShare: 0.2, validShare: 0.1, rng: new Rng(5) });
    const c = usersSplit(data, { testShare: 0.2, validShare: 0.1, rng: new Rng(6) });
    assert.equal(a.train.nnz + a.valid!.nnz + a.test.nnz, data.nnz);
    assert.equal(a.valid!.usersWithInteractions().length, Math.round(0.1 * 199));
    for (const u of a.valid!.usersWithInteractions()) assert.equal(row(a.test, u).length + row(a.train, u).length, 0);
    assert.deepEqual(a.test.usersWithInteractions(), b.test.usersWithInteractions());
    assert.notDeepEqual(a.test.usersWithInteractions(), c.test.usersWithInteractions());
  });

  it("refuses shares that leave no test user or no training user", () => {
    const data = timed();
    assert.throws(() => usersSplit(data, { testShare: 0.001, rng: new Rng(1) }), DataError);
    assert.throws(() => usersSplit(data, { testShare: 0.5, validShare: 0.499, rng: new Rng(1) }), /leave none of the 199 users/);
  });
});

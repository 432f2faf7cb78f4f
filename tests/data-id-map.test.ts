import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { IdMap } from "../ts/data/id-map.js";

describe("IdMap", () => {
  it("round-trips ids and indices in order of first appearance", () => {
    const ids = ["u7", "3", "", "a long user identifier 0123456789", "ü", "3", "u7", "z"];
    const map = IdMap.from(ids);
    assert.deepEqual(map.ids(), ["u7", "3", "", "a long user identifier 0123456789", "ü", "z"]);
    assert.equal(map.size, 6);
    for (const id of ids) assert.equal(map.id(map.index(id)!), id);
    for (let i = 0; i < map.size; i++) assert.equal(map.index(map.id(i)), i);
    assert.equal(map.index("missing"), undefined);
    assert.equal(map.has("z"), true);
    assert.equal(map.has("Z"), false);
  });

  it("treats names of Object.prototype members as ordinary ids", () => {
    const ids = ["__proto__", "constructor", "toString", "hasOwnProperty", "0", "4294967295", "-1", "1.5"];
    const map = new IdMap();
    assert.equal(map.index("constructor"), undefined);
    assert.equal(map.has("toString"), false);
    ids.forEach((id, i) => assert.equal(map.indexOrAdd(id), i));
    ids.forEach((id, i) => assert.equal(map.index(id), i));
    assert.deepEqual(map.ids(), ids);
  });

  it("indexOrAdd returns the existing index or appends", () => {
    const map = new IdMap();
    assert.equal(map.indexOrAdd("b"), 0);
    assert.equal(map.indexOrAdd("a"), 1);
    assert.equal(map.indexOrAdd("b"), 0);
    assert.equal(map.size, 2);
  });

  it("a frozen map answers for known ids and throws for new ones", () => {
    const map = IdMap.from(["x", "y"]);
    assert.equal(map.isFrozen, false);
    assert.equal(map.freeze(), map);
    assert.equal(map.isFrozen, true);
    assert.equal(map.indexOrAdd("y"), 1);
    assert.throws(() => map.indexOrAdd("w"), /"w" is not in this frozen id map/);
    assert.equal(map.size, 2);
  });

  it("id() rejects indices outside the map", () => {
    const map = IdMap.from(["x"]);
    assert.throws(() => map.id(1), RangeError);
    assert.throws(() => map.id(-1), RangeError);
    assert.throws(() => map.id(0.5), RangeError);
    assert.throws(() => new IdMap().id(0), RangeError);
  });
});

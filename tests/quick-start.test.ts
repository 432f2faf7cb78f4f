/**
 * The README's quick start (examples/node/quick-start.mjs) runs as printed, with no data files,
 * and the front door it uses: models that load their kernels on first use, a split from a seed,
 * the built-in synthetic data, and disposal (also through Symbol.dispose, for `using`).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, it } from "node:test";
import { loadModel, MatrixFactorization, randomHoldout, saveModel, syntheticInteractions, TwoTower } from "../ts/node.js";
import { Rng } from "../ts/util/rng.js";
import { REPO_ROOT } from "./support/runtime-fixture.js";

const run = promisify(execFile);

describe("the quick start", () => {
  it("runs as printed: a top 5, 5 similar items, and a recall well above chance", async () => {
    const { stdout } = await run(process.execPath, [join(REPO_ROOT, "examples/node/quick-start.mjs")], { cwd: REPO_ROOT });
    const lines = stdout.trim().split("\n");
    assert.equal(lines.length, 3, stdout);
    const ids = (line: string) => [...line.matchAll(/'([ui]\d+)'/g)].map((m) => m[1]!);
    assert.equal(ids(lines[0]!).length, 5, lines[0]);
    assert.ok(
      ids(lines[0]!).every((id) => id.startsWith("i")),
      lines[0],
    );
    assert.equal(ids(lines[1]!).length, 5, lines[1]);
    assert.ok(!ids(lines[1]!).includes("i0042"), "the item itself is not among its similar items");
    // 3,000 items: a random top 20 finds about 0.7% of a user's test items.
    const recall = Number(lines[2]);
    assert.ok(recall > 0.1, `recall@20 ${recall}`);
  });

  it("models load their kernels on the first fit, share them, and free their memory on dispose and Symbol.dispose", async () => {
    const data = syntheticInteractions({ seed: 3, nUsers: 200, nItems: 300 });
    const mf = new MatrixFactorization({ epochs: 2, dim: 8 });
    assert.throws(() => mf.kernels, /no kernels yet: fit\(\) loads them/);
    await mf.fit(data);
    const tower = new TwoTower({ epochs: 1, dim: 8 });
    await tower.fit(data);
    assert.equal(tower.kernels, mf.kernels, "one set of kernels per process");
    const engine = mf.kernels.wasm;
    const before = engine.allocatedBytes;
    mf[Symbol.dispose]();
    tower[Symbol.dispose]();
    assert.ok(engine.allocatedBytes < before, "the models' tables were freed");
  });

  it("saveModel and loadModel round-trip a model without kernels passed by hand", async () => {
    const data = syntheticInteractions({ seed: 5, nUsers: 150, nItems: 200 });
    const model = new MatrixFactorization({ epochs: 2, dim: 8 });
    await model.fit(data);
    const loaded = await loadModel(saveModel(model, { trainedOn: "synthetic" }), { fileName: "m.ltm" });
    assert.ok(loaded instanceof MatrixFactorization);
    assert.deepEqual(loaded.recommend("u001", 5).items, model.recommend("u001", 5).items);
    await assert.rejects(loadModel(new Uint8Array(10), { fileName: "bad.ltm" }), /bad\.ltm/);
    loaded.dispose();
    model.dispose();
  });

  it("a split from a seed equals the split from a generator of that seed", () => {
    const data = syntheticInteractions({ seed: 4, nUsers: 100, nItems: 150 });
    const a = randomHoldout(data, { testFraction: 0.3, seed: 9 });
    const b = randomHoldout(data, { testFraction: 0.3, rng: new Rng(9) });
    const c = randomHoldout(data, { testFraction: 0.3, seed: 10 });
    assert.deepEqual(a.test.byUser.indices, b.test.byUser.indices);
    assert.notDeepEqual(a.test.byUser.indices, c.test.byUser.indices);
    assert.throws(() => randomHoldout(data, { seed: 1, rng: new Rng(1) }), /a seed or an rng, not both/);
  });
});

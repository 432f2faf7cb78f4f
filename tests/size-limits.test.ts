/**
 * Sizes checked before anything is allocated (issue 14): every size a user can set is weighed
 * against what it will allocate; a request that cannot fit is refused at once with an error that
 * names the setting (the flag in the CLI), the bytes and the limit, not a wasm trap, a typed-array
 * RangeError or a heap crash a minute later.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import type { Interactions } from "../ts/data/interactions.js";
import { Kernels } from "../ts/kernels/kernels.js";
import { SizeLimitError, WASM_BUFFER_LIMIT_BYTES } from "../ts/kernels/memory-limits.js";
import { MatrixFactorization } from "../ts/mf/matrix-factorization.js";
import { TwoTower } from "../ts/two-tower/two-tower.js";
import { loadWasmInstance } from "../ts/node.js";
import { generateSyntheticWorld } from "../ts/synthetic/world.js";
import { worldToInteractions } from "../ts/synthetic/to-interactions.js";
import { resolveMfConfig } from "../ts/mf/config.js";
import { totalBytes } from "../ts/train/memory-plan.js";
import { checkMfTraining, planMfTraining } from "../ts/mf/memory-plan.js";
import { cli } from "./support/cli.js";

const DATA = fileURLToPath(new URL("../../examples/data/interactions.csv", import.meta.url));
// The data summary line may come first; the error is one line, the last, with no stack trace.
const ONE_LINE = /(?:^|\n)longtail: [^\n]+\n$/;

let kernels: Kernels;
let train: Interactions;
let dir: string;
let model: string;

before(async () => {
  kernels = new Kernels(await loadWasmInstance());
  train = worldToInteractions(generateSyntheticWorld({ seed: 5, nUsers: 120, nItems: 90 }));
  dir = mkdtempSync(join(tmpdir(), "longtail-sizes-"));
  model = join(dir, "m.ltm");
  const r = cli("train", "--data", DATA, "--epochs", "1", "--dim", "8", "--quiet", "--out", model);
  assert.equal(r.status, 0, r.stderr);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("sizes: the library refuses before allocating", () => {
  it("fit() with a dimension whose buffers cannot fit: SizeLimitError naming the setting, bytes and limit; nothing allocated", async () => {
    const start = kernels.wasm.allocatedBytes;
    const mf = new MatrixFactorization(kernels, { dim: 10_000_000, epochs: 1 });
    const err = await mf.fit(train).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof SizeLimitError, String(err));
    assert.match(err.message, /^dim 10000000 needs .* GiB .*lower dim$/);
    assert.equal(err.setting, "dim");
    assert.ok(err.neededBytes > err.limitBytes && err.limitBytes > 0);
    assert.equal(kernels.wasm.allocatedBytes, start, "refused before anything was allocated");
    mf.dispose();
  });

  it("two-tower fit() with a huge batch is refused the same way", async () => {
    const tower = new TwoTower(kernels, { batchSize: 50_000_000, epochs: 1 });
    await assert.rejects(tower.fit(train), (e: unknown) => e instanceof SizeLimitError && /^batchSize 50000000 needs/.test(e.message));
    tower.dispose();
  });

  it("the plan grows with the settings and blames the one furthest above its default", () => {
    const shape = { users: 1000, items: 5000, interactions: 50_000 };
    // BPR: its plan is the tables and their optimizer state (the full softmax's is mostly the batch's logits, which dim does not change).
    const small = planMfTraining(resolveMfConfig({ loss: "bpr", dim: 16 }), shape);
    const large = planMfTraining(resolveMfConfig({ loss: "bpr", dim: 160 }), shape);
    assert.ok(totalBytes(large, "wasm") > 5 * totalBytes(small, "wasm"), "the factor tables, optimizer state and gradients scale with dim");
    assert.doesNotThrow(() => checkMfTraining(resolveMfConfig({}), shape));
    const big = resolveMfConfig({ loss: "sampled-softmax", negatives: 4096, batchSize: 1_000_000 });
    assert.throws(
      () => checkMfTraining(big, shape),
      (e: unknown) => e instanceof SizeLimitError && e.setting === "batchSize",
    );
  });

  it("plans per-positive CCL's batch gradients at no more rows than the catalog has, and dense Adam's stamps", () => {
    const shape = { users: 1000, items: 5000, interactions: 50_000 };
    const gradients = (negatives: number) => {
      const plan = planMfTraining(resolveMfConfig({ loss: "ccl", negativeDraws: "per-positive", negatives, batchSize: 256 }), shape);
      return plan.entries.find((e) => e.what === "the batch's item gradients")!.each;
    };
    assert.equal(gradients(4), 256 * 5 * 64 * 4);
    assert.equal(gradients(800), 5000 * 64 * 4, "a batch of 256 positives × 801 items touches at most the 5,000 of the catalog");
    const lazy = planMfTraining(resolveMfConfig({ loss: "sampled-softmax", historyWeight: 0, adamUpdates: "lazy" }), shape);
    const dense = planMfTraining(resolveMfConfig({ loss: "sampled-softmax", historyWeight: 0, adamUpdates: "dense" }), shape);
    assert.ok(totalBytes(dense, "wasm") - totalBytes(lazy, "wasm") >= (1000 + 5000) * 4);
  });

  it("the engine's allocator refuses one block over its limit with a SizeLimitError, not a trap", () => {
    assert.throws(
      () => kernels.wasm.f32(WASM_BUFFER_LIMIT_BYTES / 4 + 1024),
      (e: unknown) => e instanceof SizeLimitError && /1 GiB/.test(e.message),
    );
    assert.ok(kernels.wasm.f32(16).view.length === 16, "the engine still works");
  });
});

describe("sizes: the CLI refuses with one line naming the flag (exit 1)", () => {
  const refused: [string, string[], RegExp][] = [
    ["train --dim 10⁷", ["train", "--data", DATA, "--dim", "10000000", "--out", join(tmpdir(), "never.ltm")], /--dim 10000000 needs .*GiB.*lower --dim/],
    [
      "train --batch 2147483647",
      ["train", "--data", DATA, "--loss", "bpr", "--batch", "2147483647", "--out", join(tmpdir(), "never.ltm")],
      /--batch 2147483647 needs .*GiB of wasm memory.*4 GiB a WebAssembly memory can hold.*lower --batch/,
    ],
    [
      "train --negatives 10⁸ (sampled softmax)",
      ["train", "--data", DATA, "--loss", "sampled-softmax", "--negatives", "100000000", "--out", join(tmpdir(), "never.ltm")],
      /--negatives 100000000 needs .*lower --negatives/,
    ],
    [
      "train --hard-negatives 10⁶ on 141 items",
      ["train", "--data", DATA, "--loss", "bpr", "--hard-negatives", "1000000", "--out", join(tmpdir(), "never.ltm")],
      /--hard-negatives 1000000 .* 141 items .*give at most 141/,
    ],
    [
      "two-tower --dim 100000",
      ["train", "--data", DATA, "--model", "two-tower", "--dim", "100000", "--out", join(tmpdir(), "never.ltm")],
      /--dim 100000 needs .*lower --dim/,
    ],
    ["simulate --users 10⁹", ["simulate", "--users", "1000000000", "--items", "10"], /--users 1000000000 needs .*JavaScript memory.*lower --users/],
    ["simulate --items 10⁹", ["simulate", "--items", "1000000000"], /--items 1000000000 needs .*lower --items/],
    ["serve --users 10⁹", ["serve", "--users", "1000000000"], /--users 1000000000 needs .*lower --users/],
  ];
  for (const [name, args, message] of refused) {
    it(name, () => {
      const r = cli(...args);
      assert.equal(r.status, 1, `${name}: exit ${r.status}\n${r.stderr}`);
      assert.match(r.stderr, ONE_LINE, `${name}: one line\n${r.stderr}`);
      assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
      assert.match(r.stderr, message);
    });
  }

  it("evaluate --k 10⁹ is capped at the catalog (as recommend caps it) and finishes", () => {
    const r = cli("evaluate", "--model", model, "--data", DATA, "--test", DATA, "--k", "1000000000", "--json");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /--k 1000000000 is more than the 141 items of the catalog: K = 141/);
    assert.ok("recall@141" in (JSON.parse(r.stdout) as { metrics: Record<string, number> }).metrics, r.stdout.slice(0, 300));
  });
});

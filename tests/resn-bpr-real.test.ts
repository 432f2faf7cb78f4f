/**
 * ReSN on BPR, on real data: at the authors' λ = 0.01 the served lists move to the tail (coverage
 * up, median served popularity down). docs/methods-and-metrics.md ("ReSN on BPR") records the
 * whole λ sweep, where the effect turns back above λ ≈ 0.3 and why.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { cli } from "./support/cli.js";

// Compiled to dist/tests/: the repo root is two levels up, the shared data sits beside the repo.
const DATA = fileURLToPath(new URL("../../../shared/data/ml-latest-small", import.meta.url));
const skip = existsSync(DATA) ? false : `real data folder ${DATA} (../shared/data from the repo root) is missing`;

describe("ReSN on BPR (ml-latest-small, the CLI's split and defaults, 10 epochs)", { skip }, () => {
  it("λ = 0.01 raises coverage@20 by ≥ 20% and lowers the median served popularity by ≥ 20%", () => {
    const r = cli("compare", "--data", DATA, "--quiet", "--json", "plain: --loss bpr --epochs 10", "resn: --loss bpr --epochs 10 --resn 0.01");
    assert.equal(r.status, 0, r.stderr);
    const [plain, resn] = JSON.parse(r.stdout).configurations.map((c: { metrics: Record<string, number> }) => c.metrics);
    // Measured: coverage 0.122 → 0.166, median popularity 89 → 54, recall@20 0.223 → 0.198.
    assert.ok(resn["coverage@20"] >= 1.2 * plain["coverage@20"], `coverage ${plain["coverage@20"]} → ${resn["coverage@20"]}`);
    assert.ok(resn["medianPopularity@20"] <= 0.8 * plain["medianPopularity@20"], `median ${plain["medianPopularity@20"]} → ${resn["medianPopularity@20"]}`);
  });
});

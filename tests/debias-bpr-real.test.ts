/**
 * Debiasing BPR on real data moves the served lists to the tail (coverage up, median served
 * popularity down): ReSN at the authors' λ = 0.01, and TTEN. docs/methods-and-metrics.md ("ReSN on
 * BPR") records the whole λ sweep, where ReSN's effect turns back above λ ≈ 0.3, and why.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { cli } from "./support/cli.js";

// Compiled to dist/tests/: the repo root is two levels up, the shared data sits beside the repo.
const DATA = fileURLToPath(new URL("../../../shared/data/ml-latest-small", import.meta.url));
const skip = existsSync(DATA) ? false : `real data folder ${DATA} (../shared/data from the repo root) is missing`;

describe("debiasing BPR (ml-latest-small, the CLI's split and defaults, 10 epochs)", { skip }, () => {
  it("ReSN λ = 0.01 and TTEN each raise coverage@20 by ≥ 20% and lower the median served popularity by ≥ 20%", () => {
    const r = cli(
      "compare",
      "--data",
      DATA,
      "--quiet",
      "--json",
      "plain: --loss bpr --epochs 10",
      "resn: --loss bpr --epochs 10 --resn 0.01",
      "tten: --loss bpr --epochs 10 --tten",
    );
    assert.equal(r.status, 0, r.stderr);
    const [plain, ...debiased] = JSON.parse(r.stdout).configurations.map((c: { metrics: Record<string, number> }) => c.metrics);
    // Measured: coverage 0.122 → 0.166 (ReSN), 0.197 (TTEN); median popularity 89 → 54, 52; recall@20 0.223 → 0.198, 0.177.
    for (const [name, m] of [
      ["resn", debiased[0]],
      ["tten", debiased[1]],
    ] as const) {
      assert.ok(m["coverage@20"] >= 1.2 * plain["coverage@20"], `${name}: coverage ${plain["coverage@20"]} → ${m["coverage@20"]}`);
      assert.ok(
        m["medianPopularity@20"] <= 0.8 * plain["medianPopularity@20"],
        `${name}: median ${plain["medianPopularity@20"]} → ${m["medianPopularity@20"]}`,
      );
    }
  });
});

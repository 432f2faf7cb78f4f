/** A small data folder for CLI tests whose item popularity falls with the item number, and a model trained on it. */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { cli } from "./cli.js";

/**
 * Writes train.txt and test.txt (users × 30 items; item i is in the lists of fewer users the larger
 * i is; every fourth item of a user's list is held out) into `dir`, trains a 2-epoch d = 4 model
 * with the CLI and returns its path.
 */
export function writeFallingPopularityFolder(dir: string, users: number): string {
  const train: string[] = [];
  const test: string[] = [];
  for (let u = 0; u < users; u++) {
    const items = Array.from({ length: 30 }, (_, i) => i).filter((i) => (i * 7 + u * 3) % 30 < 30 - i);
    train.push(`${u} ${items.filter((_, j) => j % 4 !== 0).join(" ")}`);
    test.push(`${u} ${items.filter((_, j) => j % 4 === 0).join(" ")}`);
  }
  writeFileSync(join(dir, "train.txt"), train.join("\n") + "\n");
  writeFileSync(join(dir, "test.txt"), test.join("\n") + "\n");
  const model = join(dir, "model.ltm");
  const t = cli("train", "--data", dir, "--epochs", "2", "--dim", "4", "--out", model, "--quiet");
  assert.equal(t.status, 0, t.stderr);
  return model;
}

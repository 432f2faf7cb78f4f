import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { promisify } from "node:util";
import { Rng } from "../ts/util/rng.js";
import { REPO_ROOT } from "./support/docs.js";

const run = promisify(execFile);
const SCORE_BUILDS = join(REPO_ROOT, "dist/bench/score-builds.js");
const TRAIN_BUILDS = join(REPO_ROOT, "dist/bench/train-builds.js");
const RELAXED = join(REPO_ROOT, "build/longtail.relaxed.wasm");
const SIMD = join(REPO_ROOT, "build/longtail.simd.wasm");
const SCALAR = join(REPO_ROOT, "build/longtail.scalar.wasm");

/** Runs a bench script; resolves with its exit code and output instead of throwing on a non-zero exit. */
async function bench(script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [script, ...args], { cwd: REPO_ROOT });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const failed = e as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("kernel builds side by side (bench/score-builds, bench/train-builds)", () => {
  const dir = mkdtempSync(join(tmpdir(), "longtail-builds-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("times gemm_nn and gemm_tn of several builds, and refuses an unknown kernel", async () => {
    for (const kernel of ["gemm_nn", "gemm_tn"]) {
      const out = await bench(SCORE_BUILDS, [RELAXED, SIMD, SCALAR, "--kernel", kernel, "--users", "7", "--items", "301", "--rounds", "2"]);
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, kernel === "gemm_nn" ? /^gemm_nn 7×301 · 301×64, 2 interleaved rounds/m : /^gemm_tn Gᵀ: 301×7 · 7×64, 2 interleaved rounds/m);
      for (const build of ["relaxed", "simd", "scalar"]) assert.match(out.stdout, new RegExp(`longtail\\.${build}\\.wasm \\(${build}\\): [\\d.]+ GFLOP/s`));
    }
    const bad = await bench(SCORE_BUILDS, [RELAXED, "--kernel", "gemm"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--kernel: expected one of score_packed, gemm_nn, gemm_tn, got "gemm"/);
  });

  it("trains the same model with every build in turn, and says so", async () => {
    const rng = new Rng(5);
    const lines = (n: number) => Array.from({ length: n }, () => `u${rng.int(40)} i${rng.int(60)}`).join("\n");
    writeFileSync(join(dir, "train.txt"), `${lines(600)}\n`);
    writeFileSync(join(dir, "test.txt"), `${lines(100)}\n`);
    const config = JSON.stringify({ loss: "softmax", epochs: 2, dim: 5 });
    const out = await bench(TRAIN_BUILDS, [RELAXED, RELAXED, "--data", dir, "--config", config, "--rounds", "1"]);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /1 thread, 1 round:/);
    assert.match(out.stdout, /every build trained the same model \(tables [0-9a-f]{16}\)/);
    // The scalar build sums in another order: its model is not byte-identical to the relaxed one.
    const mixed = await bench(TRAIN_BUILDS, [RELAXED, SCALAR, "--data", dir, "--config", config, "--rounds", "1"]);
    assert.equal(mixed.code, 0, mixed.stderr);
    assert.match(mixed.stdout, /the models differ: [0-9a-f]{16} \| [0-9a-f]{16}/);
    const missing = await bench(TRAIN_BUILDS, [RELAXED]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--data <train\/test folder> is required/);
  });
});

describe("the graph filter against numpy/scipy (bench/graph-filter)", () => {
  const dir = mkdtempSync(join(tmpdir(), "longtail-gf-bench-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("fits and ranks on 1 and N threads and in numpy, with the same Recall@20 on every engine side", async () => {
    // 60 users × 40 items in the LightGCN layout: "user item item ...".
    const rng = new Rng(8);
    const lines = (from: number, count: number) =>
      Array.from({ length: 60 }, (_, u) => `${u} ${Array.from({ length: count }, (_, j) => (u * 7 + from + j * 3 + rng.int(2)) % 40).join(" ")}`).join("\n");
    writeFileSync(join(dir, "train.txt"), `${lines(0, 6)}\n`);
    writeFileSync(join(dir, "test.txt"), `${lines(20, 2)}\n`);
    const out = await bench(join(REPO_ROOT, "dist/bench/graph-filter.js"), ["--data", dir, "--rank", "8"]);
    assert.equal(out.code, 0, out.stderr);
    const recalls = [...out.stdout.matchAll(/^longtail, \d+ threads?\s+fit [\d.]+ s\s+rank [\d.]+ s\s+total [\d.]+ s\s+Recall@20 ([\d.]+)/gm)].map((m) => m[1]);
    assert.equal(recalls.length, 2, out.stdout);
    assert.equal(recalls[0], recalls[1], "1 thread and N threads rank the same");
    assert.match(out.stdout, /^numpy\/scipy\s+fit|numpy\/scipy side not run/m);
    const bad = await bench(join(REPO_ROOT, "dist/bench/graph-filter.js"), ["--data", dir, "--rounds", "0"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--rounds must be a positive integer/);
  });
});

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { BIN, cli } from "./support/cli.js";

/**
 * A user's mistakes end in one line on stderr (`longtail: ...`) and exit status 1 (2 for a flag),
 * never a stack trace; long work is not started when its result could not be written.
 */
let dir: string;
let model: string;

function assertOneLineError(r: { status: number; stdout: string; stderr: string }, status: number, pattern: RegExp): void {
  assert.equal(r.status, status, r.stderr);
  const lines = r.stderr
    .trimEnd()
    .split("\n")
    .filter((l) => l.startsWith("longtail: "));
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at |unexpected error/, "a stack trace");
}

/** A pid that is certainly not running: a child that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(child.stdout);
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), "longtail-mistakes-"));
  const lines: string[] = [];
  for (let u = 0; u < 40; u++) lines.push(`${u} ${[0, 1, 2, 3].map((k) => (u * 7 + k * 13) % 300).join(" ")}`);
  writeFileSync(join(dir, "train.txt"), lines.join("\n") + "\n");
  model = join(dir, "model.ltm");
  const t = cli("train", "--data", join(dir, "train.txt"), "--format", "lines", "--epochs", "1", "--dim", "4", "--out", model, "--quiet");
  assert.equal(t.status, 0, t.stderr);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("a user's mistake is one line, not a stack trace", () => {
  it("--model that is missing, a folder, a symlink loop or unreadable", () => {
    assertOneLineError(cli("recommend", "--model", join(dir, "nope.ltm"), "--user", "1"), 1, /nope\.ltm: no such model file \(write one with "longtail train/);
    mkdirSync(join(dir, "a-folder"));
    assertOneLineError(cli("recommend", "--model", join(dir, "a-folder"), "--user", "1"), 1, /a-folder: is a folder, not a model file/);
    symlinkSync(join(dir, "loop-b"), join(dir, "loop-a"));
    symlinkSync(join(dir, "loop-a"), join(dir, "loop-b"));
    assertOneLineError(cli("recommend", "--model", join(dir, "loop-a"), "--user", "1"), 1, /loop-a: too many levels of symbolic links/);
    assertOneLineError(cli("train", "--data", join(dir, "loop-a"), "--out", join(dir, "m.ltm")), 1, /loop-a: too many levels of symbolic links/);
    assertOneLineError(cli("evaluate", "--model", model, "--data", join(dir, "train.txt"), "--test", join(dir, "loop-a")), 1, /loop-a: too many levels/);
    // Permission bits do not stop root: the check only means something for other users.
    if (process.getuid?.() !== 0) {
      const locked = join(dir, "locked.ltm");
      writeFileSync(locked, "x");
      chmodSync(locked, 0);
      assertOneLineError(cli("recommend", "--model", locked, "--user", "1"), 1, /locked\.ltm: permission denied/);
    }
  });

  it("a file of NUL bytes, and a model file given as data, are refused as binary", () => {
    const nul = join(dir, "zeros.bin");
    writeFileSync(nul, new Uint8Array(1 << 20));
    assertOneLineError(cli("train", "--data", nul, "--out", join(dir, "m.ltm")), 1, /zeros\.bin: holds NUL bytes near its start: a binary file/);
    assertOneLineError(cli("train", "--data", nul, "--format", "lines", "--out", join(dir, "m.ltm")), 1, /holds NUL bytes/);
    assertOneLineError(cli("train", "--data", model, "--out", join(dir, "m.ltm")), 1, /model\.ltm: holds NUL bytes/);
  });

  it("a training set that --min-rating leaves empty says so", () => {
    const ratings = join(dir, "ratings.tsv");
    writeFileSync(ratings, "user\titem\trating\nu1\ti1\t3\nu2\ti2\t4\n");
    assertOneLineError(
      cli("train", "--data", ratings, "--min-rating", "5", "--out", join(dir, "m.ltm")),
      1,
      /no interactions left: all 2 rows have a rating below the minimum 5; lower minRating \(CLI: --min-rating\)/,
    );
  });

  it("--history-weight with a loss or setting it cannot train with, or out of range, names the fix", () => {
    const train = (...flags: string[]) =>
      cli("train", "--data", join(dir, "train.txt"), "--format", "lines", "--epochs", "1", "--dim", "4", ...flags, "--out", join(dir, "h.ltm"));
    assertOneLineError(
      train("--sampling", "users", "--history-weight", "0.5"),
      1,
      /historyWeight \(the history tower\) trains with the losses over shared negatives: .*not "sampled-softmax" with sampling "users" \(no loss was named, so the default "sampled-softmax" was used: name one with --loss \/ loss\)$/,
    );
    assertOneLineError(train("--loss", "bpr", "--history-weight", "0.5"), 1, /use loss "sampled-softmax".*not "bpr"$/);
    assertOneLineError(train("--loss", "sampled-softmax", "--history-weight", "1"), 1, /historyWeight must be a number in \[0, 1\)/);
    assertOneLineError(train("--loss", "sampled-softmax", "--history-length", "10"), 1, /does nothing while historyWeight is 0/);
    const ok = train("--loss", "sampled-softmax", "--negatives", "16", "--history-weight", "0.5", "--history-length", "2", "--quiet");
    assert.equal(ok.status, 0, ok.stderr);
  });

  it("--out is checked before training: a missing folder, a folder as the file", () => {
    const r = cli("train", "--data", join(dir, "train.txt"), "--out", join(dir, "no", "such", "m.ltm"));
    assertOneLineError(r, 1, /the folder .*no\/such does not exist; create it first/);
    assert.doesNotMatch(r.stderr, /epoch/, "training started");
    assertOneLineError(cli("train", "--data", join(dir, "train.txt"), "--out", dir), 1, /is a folder; give a file name \(--out\)/);
    assertOneLineError(cli("compare", "--data", join(dir, "train.txt"), "--out", join(dir, "no", "c.json"), "a: --epochs 1"), 1, /does not exist/);
  });

  it("ids in messages are cut short", () => {
    const huge = "u".repeat(100_000); // one argument may hold at most 128 KiB on Linux
    const r = cli("recommend", "--model", model, "--user", huge);
    assertOneLineError(r, 1, /user "u{60}…" is not in the model/);
    assert.ok(r.stderr.length < 1000, `${r.stderr.length} characters on stderr`);
    const test = join(dir, "test-huge.txt");
    writeFileSync(test, `1 ${"7".repeat(1 << 20)}\n`);
    const e = cli("evaluate", "--model", model, "--data", join(dir, "train.txt"), "--test", test, "--format", "lines");
    assertOneLineError(e, 1, /item "7{60}…" is not in the training data/);
    assert.ok(e.stderr.length < 1000, `${e.stderr.length} characters on stderr`);
  });

  it("a closed stdout ends the program quietly (longtail ... | head -1)", async () => {
    const child = spawn(process.execPath, [BIN, "recommend", "--model", model, "--user", "1", "--k", "300"], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    // Like `head -1`: read the first chunk, then close the pipe before the rest is written.
    child.stdout.once("data", () => child.stdout.destroy());
    const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(stderr, "");
    assert.equal(status, 0);
  });
});

describe("stale temporary files of a killed write are removed by the next write", () => {
  it("removes a dead process's temp file beside --out and keeps a live one's", () => {
    const out = join(dir, "stale.ltm");
    const stale = join(dir, `.stale.ltm.${deadPid()}.0.tmp`);
    const live = join(dir, `.stale.ltm.${process.pid}.0.tmp`);
    const unrelated = join(dir, ".other.ltm.1.0.tmp");
    for (const p of [stale, live, unrelated]) writeFileSync(p, "partial");
    const t = cli("train", "--data", join(dir, "train.txt"), "--format", "lines", "--epochs", "1", "--dim", "4", "--out", out, "--quiet");
    assert.equal(t.status, 0, t.stderr);
    assert.ok(existsSync(out));
    assert.ok(!existsSync(stale), `left ${readdirSync(dir).join(", ")}`);
    assert.ok(existsSync(live), "removed the temp file of a running process");
    assert.ok(existsSync(unrelated), "removed a temp file of another target");
  });
});

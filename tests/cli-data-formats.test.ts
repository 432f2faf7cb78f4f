/**
 * The data formats from the CLI (issue 14): a file is never misread without an error. Triples
 * are read with their columns, ambiguous files stop with the choices, --format, --columns and
 * --separator are honoured by every command that reads data (train, compare), and every file
 * read is summarised on stderr.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cli } from "./support/cli.js";

let dir: string;
const path = (name: string) => join(dir, name);

/** `rows` users × 6 items each, as "user item rating timestamp" with ratings 1-5 and Unix times. */
function quadruples(users: number, separator: string): string {
  const lines: string[] = [];
  for (let u = 1; u <= users; u++) {
    for (let k = 0; k < 6; k++) lines.push([u, 100 + ((u * 7 + k * 11) % 40), 1 + ((u + k) % 5), 881250949 + u * 10 + k].join(separator));
  }
  return lines.join("\n") + "\n";
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), "longtail-formats-"));
  writeFileSync(path("u.data"), quadruples(30, "\t"));
  writeFileSync(path("ambiguous.txt"), "1 2 3\n4 5 6\n7 8 9\n");
  // user, a skipped column, item, weight: only --columns says so.
  writeFileSync(path("plays.txt"), Array.from({ length: 60 }, (_, r) => `u${r % 12} x ${r % 17} ${1 + (r % 9)}`).join("\n") + "\n");
  mkdirSync(path("folder"));
  writeFileSync(path("folder/train.txt"), "user\titem\n" + Array.from({ length: 40 }, (_, r) => `${r % 10}\t${r % 13}`).join("\n") + "\n");
  writeFileSync(path("folder/test.txt"), "user\titem\n0\t5\n1\t6\n");
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** The `train:` summary line a command printed on stderr. */
const summary = (stderr: string): string => stderr.split("\n").find((l) => l.startsWith("train: ")) ?? `(no summary in: ${stderr})`;

describe("data formats from the CLI", () => {
  it("tab-separated user item rating timestamp rows are triples: 40 items, not ratings and timestamps as items", () => {
    const r = cli("train", "--data", path("u.data"), "--epochs", "1", "--dim", "4", "--out", path("m.ltm"));
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      summary(r.stderr),
      /u\.data: 30 users, 40 items, 180 interactions \(read as triples \(tab-separated user item rating timestamp\), chosen from its first 180 lines: /,
    );
    const kept = cli("train", "--data", path("u.data"), "--min-rating", "4", "--epochs", "1", "--dim", "4", "--out", path("m.ltm"));
    assert.equal(kept.status, 0, kept.stderr);
    assert.match(summary(kept.stderr), /72 interactions, 108 rows below minRating skipped/);
  });

  it("a file that fits lines and triples without evidence stops with the choices", () => {
    const r = cli("train", "--data", path("ambiguous.txt"), "--out", path("m.ltm"));
    assert.equal(r.status, 1, r.stderr);
    assert.match(
      r.stderr,
      /ambiguous\.txt:1: could not tell the format of "1 2 3": .*fit "lines" \(a user and 2 items\) and "triples" \(user item rating\)\. Pass format "lines" or "triples" \(CLI: --format lines/,
    );
    const lines = cli("train", "--data", path("ambiguous.txt"), "--format", "lines", "--epochs", "1", "--dim", "4", "--out", path("m.ltm"));
    assert.equal(lines.status, 0, lines.stderr);
    assert.match(summary(lines.stderr), /3 users, 6 items, 6 interactions \(read as lines/);
  });

  it("--columns and --separator are honoured by train and by compare", () => {
    const flags = ["--columns", "user,-,item,weight", "--separator", "whitespace"];
    const r = cli("train", "--data", path("plays.txt"), ...flags, "--epochs", "1", "--dim", "4", "--out", path("m.ltm"));
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      summary(r.stderr),
      /plays\.txt: 12 users, 17 items, 60 interactions \(read as triples \(whitespace-separated user - item weight\), as requested\)/,
    );
    const compared = cli("compare", "--data", path("plays.txt"), ...flags, "--min-rating", "5", "--k", "5", "a: --epochs 1 --dim 4");
    assert.equal(compared.status, 0, compared.stderr);
    assert.match(
      summary(compared.stderr),
      /plays\.txt: \d+ users, \d+ items, \d+ interactions, \d+ rows below minRating skipped \(read as triples \(whitespace-separated user - item weight\)/,
    );
  });

  it("flags that contradict each other, or a rating filter on data without ratings, are one-line errors", () => {
    const mixed = cli("train", "--data", path("u.data"), "--format", "lines", "--separator", "tab", "--out", path("m.ltm"));
    assert.equal(mixed.status, 2, mixed.stderr);
    assert.match(mixed.stderr, /--separator tab is the separator of a triples file; it does not go with --format lines/);
    const noRatings = cli("train", "--data", path("ambiguous.txt"), "--format", "lines", "--min-rating", "3", "--out", path("m.ltm"));
    assert.equal(noRatings.status, 1, noRatings.stderr);
    assert.match(noRatings.stderr, /^longtail: .*ambiguous\.txt: minRating \(CLI: --min-rating\) needs a rating per row, and the lines format has none/m);
  });

  it("--format is honoured for a folder: a train.txt with a header and tabs, as csv", () => {
    const r = cli("train", "--data", path("folder"), "--format", "csv", "--epochs", "1", "--dim", "4", "--out", path("m.ltm"));
    assert.equal(r.status, 0, r.stderr);
    assert.match(summary(r.stderr), /train\.txt: 10 users, 13 items, 40 interactions \(read as csv \(columns user=user, item=item\), as requested\)/);
  });
});

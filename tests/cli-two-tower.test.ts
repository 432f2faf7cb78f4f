import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Rng } from "../ts/util/rng.js";
import { cli } from "./support/cli.js";

let dir: string;
const M = 30;

/** A MovieLens folder of chain histories (item s, s+1, ... in time order) with genres in movies.csv. */
before(() => {
  dir = mkdtempSync(join(tmpdir(), "longtail-two-tower-"));
  const rng = new Rng(8);
  const ratings = ["userId,movieId,rating,timestamp"];
  for (let u = 1; u <= 200; u++) {
    const s = Math.floor(M * rng.next() ** 2);
    for (let t = 0; t < 6; t++) ratings.push(`${u},${100 + ((s + t) % M)},4,${1000 * u + t}`);
  }
  mkdirSync(join(dir, "ml"));
  writeFileSync(join(dir, "ml", "ratings.csv"), ratings.join("\n") + "\n");
  const movies = ["movieId,title,genres", ...Array.from({ length: M }, (_, i) => `${100 + i},Movie ${i} (2000),${["Drama", "War", "Comedy|Drama"][i % 3]}`)];
  writeFileSync(join(dir, "ml", "movies.csv"), movies.join("\n") + "\n");
});

after(() => rmSync(dir, { recursive: true, force: true }));

const TRAIN = [
  "--dim",
  "16",
  "--epochs",
  "12",
  "--batch",
  "64",
  "--lr",
  "0.01",
  "--temperature",
  "0.5",
  "--history-weighting",
  "recency",
  "--half-life",
  "1",
  "--quiet",
];

describe("longtail CLI with --model two-tower", () => {
  it("split --method users, train (genres from movies.csv), evaluate sequentially, recommend", () => {
    const split = cli("split", "--data", join(dir, "ml"), "--method", "users", "--test-share", "0.2", "--out", join(dir, "users"), "--json", "--quiet");
    assert.equal(split.status, 0, split.stderr);
    const lines = (name: string) =>
      readFileSync(join(dir, "users", name), "utf8")
        .trim()
        .split("\n")
        .map((l) => l.split(" "));
    const test = lines("test.txt"),
      train = lines("train.txt").filter((l) => l.length > 1);
    assert.equal(test.length, 40);
    assert.equal(
      [...test, ...train].reduce((s, l) => s + l.length - 1, 0),
      1200,
      "every interaction once",
    );
    for (const row of test) for (let t = 2; t < row.length; t++) assert.equal((+row[t] - 100) % M, (+row[t - 1] - 99) % M, "test rows keep time order");

    const trained = cli(
      "train",
      "--model",
      "two-tower",
      "--data",
      join(dir, "users"),
      "--movies",
      join(dir, "ml", "movies.csv"),
      ...TRAIN,
      "--out",
      join(dir, "tt.ltm"),
      "--json",
    );
    assert.equal(trained.status, 0, trained.stderr);
    const summary = JSON.parse(trained.stdout);
    assert.equal(summary.kind, "two-tower");
    assert.equal(summary.genres, 3);
    assert.equal(summary.config.historyWeighting, "recency");

    const evaluated = cli("evaluate", "--model", join(dir, "tt.ltm"), "--data", join(dir, "users"), "--k", "5", "--json", "--quiet");
    assert.equal(evaluated.status, 0, evaluated.stderr);
    const result = JSON.parse(evaluated.stdout);
    assert.equal(result.protocol, "sequential");
    assert.equal(result.contexts, 40 * 5);
    assert.equal(result.heldOutUsers, 40);
    const popular = JSON.parse(
      cli("evaluate", "--model", join(dir, "tt.ltm"), "--data", join(dir, "users"), "--k", "5", "--most-popular", "--json", "--quiet").stdout,
    );
    assert.ok(
      result.metrics["recall@5"] > 0.8 && result.metrics["recall@5"] > 2 * popular.metrics["recall@5"],
      `${result.metrics["recall@5"]} vs ${popular.metrics["recall@5"]}`,
    );
    const text = cli("evaluate", "--model", join(dir, "tt.ltm"), "--data", join(dir, "users"), "--k", "5", "--rerank", "0.01", "--quiet");
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /sequential protocol: 200 contexts \(every prefix → the next item\) of 40 held-out users/);

    const user = train[0][0];
    const rec = cli("recommend", "--model", join(dir, "tt.ltm"), "--user", user, "--k", "3", "--json");
    assert.equal(rec.status, 0, rec.stderr);
    const items = JSON.parse(rec.stdout).items.map((x: { item: string }) => x.item);
    assert.equal(items.length, 3);
    const newest = +train[0][train[0].length - 1];
    assert.equal(items[0], String(100 + ((newest - 100 + 1) % M)), "the next item of the user's chain comes first");
    for (const i of train[0].slice(1)) assert.ok(!items.includes(i), "the user's history is left out");
  });

  it("finds movies.csv next to ratings.csv by itself", () => {
    const trained = cli(
      "train",
      "--model",
      "two-tower",
      "--data",
      join(dir, "ml"),
      "--dim",
      "8",
      "--epochs",
      "1",
      "--out",
      join(dir, "auto.ltm"),
      "--json",
      "--quiet",
    );
    assert.equal(trained.status, 0, trained.stderr);
    assert.equal(JSON.parse(trained.stdout).genres, 3);
  });

  it("refuses flags that do not apply, naming them", () => {
    const data = join(dir, "ml");
    const out = join(dir, "x.ltm");
    const refused: Array<[string[], RegExp]> = [
      [["--model", "two-tower", "--resn", "0.1"], /--resn belongs to matrix factorisation/],
      [["--model", "two-tower", "--normalize", "both"], /--normalize belongs to matrix factorisation/],
      [["--model", "two-tower", "--distill", "5"], /--distill belongs to matrix factorisation/],
      [["--model", "two-tower", "--loss", "bpr"], /--loss bpr is not a two-tower loss: use --loss softmax or sampled-softmax/],
      [["--model", "two-tower", "--optimizer", "sgd"], /--optimizer sgd is not available for --model two-tower/],
      [["--model", "two-tower", "--negatives", "8"], /--negatives sets the sampled softmax's shared negatives/],
      [["--model", "two-tower", "--half-life", "5"], /--half-life is the recency weighting's half-life/],
      [["--model", "two-tower", "--max-history", "0"], /--max-history/],
      [["--movies", join(data, "movies.csv")], /--movies belongs to the two-tower model: add --model two-tower/],
      [["--history-weighting", "recency"], /--history-weighting belongs to the two-tower model/],
    ];
    for (const [flags, message] of refused) {
      const r = cli("train", "--data", data, ...flags, "--out", out, "--quiet");
      assert.notEqual(r.status, 0, flags.join(" "));
      assert.match(r.stderr, message, flags.join(" "));
    }
  });
});

/**
 * `longtail recommend --history` and `longtail walls` end to end on a tiny MovieLens-style data set
 * written to a temp folder: 40 users in two taste groups (war films, romantic comedies), a
 * movies.csv holding the blog's WW2 watchlist. The watchlist's taste must lead the answer.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { decodeModelFile, encodeModelFile } from "../ts/model/model-file.js";
import { cli } from "./support/cli.js";

const WAR = new Map([
  ["2028", "Saving Private Ryan (1998)"],
  ["4223", "Enemy at the Gates (2001)"],
  ["760", "Stalingrad (1993)"],
  ["1262", '"Great Escape, The (1963)"'],
  ["3", "Cross of Iron (1977)"],
  ["4", "Battle of Britain (1969)"],
  ["5", '"Devil\'s Brigade, The (1968)"'],
]);
const ROMANCE = new Map([
  ["11", "Notting Hill (1999)"],
  ["12", "Love Actually (2003)"],
  ["13", '"Holiday, The (2006)"'],
  ["14", "Sleepless in Seattle (1993)"],
  ["15", "You've Got Mail (1998)"],
  ["16", "Pretty Woman (1990)"],
  ["17", "Stalingrad (2013)"],
]);

let dir: string;
let modelA: string;
let modelB: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), "longtail-walls-"));
  const movies = ["movieId,title,genres"];
  for (const [id, title] of WAR) movies.push(`${id},${title},Action|Drama|War`);
  for (const [id, title] of ROMANCE) movies.push(`${id},${title},Comedy|Romance`);
  movies.push("99,Never Rated (2000),Drama");
  writeFileSync(join(dir, "movies.csv"), movies.join("\n") + "\n");
  // 20 war fans and 20 romance fans, each watching all but one film of their group (in rotation);
  // Stalingrad (2013) (a romance here) has 2 ratings against 17 for Stalingrad (1993).
  const ratings = ["userId,movieId,rating,timestamp"];
  const war = [...WAR.keys()];
  const romance = [...ROMANCE.keys()].filter((id) => id !== "17");
  for (let u = 1; u <= 40; u++) {
    const pool = u % 2 === 0 ? war : romance;
    for (let n = 0; n < pool.length - 1; n++) ratings.push(`${u},${pool[(u + n) % pool.length]},4.0,${1000 + u * 10 + n}`);
  }
  ratings.push("1,17,4.0,5000", "3,17,4.0,5001");
  writeFileSync(join(dir, "ratings.csv"), ratings.join("\n") + "\n");
  modelA = join(dir, "a.ltm");
  modelB = join(dir, "b.ltm");
  for (const [out, extra] of [
    [modelA, []],
    [modelB, ["--logit-adjustment", "0.5"]],
  ] as const) {
    const t = cli("train", "--data", dir, "--loss", "softmax", "--epochs", "200", "--batch", "4", "--dim", "8", ...extra, "--out", out, "--quiet");
    assert.equal(t.status, 0, t.stderr);
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("longtail recommend --history", () => {
  it("recommends the watchlist's taste, leaves the watchlist out, and finds movies.csv next to the training data", () => {
    const r = cli("recommend", "--model", modelA, "--history", "Saving Private Ryan; great escape, the (1963); 4223", "--k", "3", "--json");
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.movies, join(dir, "movies.csv"));
    assert.deepEqual(
      out.watchlist.map((w: { item: string }) => w.item),
      ["2028", "1262", "4223"],
    );
    assert.deepEqual(
      out.watchlist.map((w: { rule: string }) => w.rule),
      ["name", "title", "id"],
    );
    assert.equal(out.items.length, 3);
    for (const pick of out.items) {
      assert.ok(WAR.has(pick.item), `${pick.item} (${pick.title}) is not a war film`);
      assert.ok(!["2028", "1262", "4223"].includes(pick.item), `watchlist item ${pick.item} recommended`);
      assert.deepEqual(pick.genres, ["Action", "Drama", "War"]);
      assert.ok(pick.popularity > 0);
    }
  });

  it("prints titles, genres and popularity as text, with a note when a title matched several movies", () => {
    const r = cli("recommend", "--model", modelA, "--history", "Stalingrad; Cross of Iron", "--k", "2", "--movies", join(dir, "movies.csv"));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /watchlist \(2 entries, titles from .*movies\.csv\):/);
    assert.match(r.stdout, /note: "Stalingrad" matches 2 movies; took the most popular in the model/);
    assert.match(r.stdout, /top 2 for the watchlist:\n +1\. .+ \[Action\|Drama\|War\] +\d+ training interactions +score -?\d/);
  });

  it("rejects bad input with errors that say what to fix", () => {
    const cases: Array<[string[], number, RegExp]> = [
      [["--history", " ; "], 1, /the watchlist is empty/],
      [
        ["--history", "Stalingrd; Cross of Iorn"],
        1,
        /"Stalingrd": no movie in .*movies\.csv.*close matches: "Stalingrad \(1993\)".*\n.*"Cross of Iorn".*close matches: "Cross of Iron \(1977\)"/,
      ],
      [["--history", "Never Rated"], 1, /"Never Rated \(2000\)" \(id 99\), which has no training interactions in the model/],
      [["--history", "Notting Hill", "--k", "0"], 2, /--k must be a positive integer, got "0"/],
      [["--history", "Notting Hill", "--user", "2"], 2, /give --user or --history, not both/],
      [[], 2, /give --user <id> or --history <watchlist>/],
      [["--history", "Notting Hill", "--include-seen"], 2, /--include-seen applies to --user/],
    ];
    for (const [args, status, message] of cases) {
      const r = cli("recommend", "--model", modelA, ...args);
      assert.equal(r.status, status, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(" "));
      assert.doesNotMatch(r.stderr, /unexpected error/);
    }
  });

  it("a model kind that cannot answer a watchlist is a clear error", () => {
    const contents = decodeModelFile(readFileSync(modelA), modelA);
    const other = join(dir, "other.ltm");
    writeFileSync(other, encodeModelFile({ ...contents, kind: "item-knn" }, other));
    const r = cli("recommend", "--model", other, "--history", "Notting Hill");
    assert.equal(r.status, 1);
    assert.match(r.stderr, /other\.ltm: a model of kind "item-knn" cannot recommend for a watchlist; kinds that can: "mf"/);
  });
});

describe("longtail walls", () => {
  it("shows two models' walls for a built-in persona with the wall statistics (--json)", () => {
    const r = cli("walls", "--left", modelA, "--right", modelB, "--left-label", "α = 0", "--right-label", "α = 0.5", "--persona", "ww2", "--k", "4", "--json");
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.left, { model: modelA, label: "α = 0" });
    assert.equal(out.walls.length, 1);
    const [w] = out.walls;
    assert.equal(w.persona, "ww2");
    assert.deepEqual(
      w.watchlist.map((x: { item: string }) => x.item),
      ["2028", "4223", "760", "1262"],
    );
    for (const side of [w.left, w.right]) {
      assert.equal(side.picks.length, 4);
      const picked = side.picks.map((p: { item: string }) => p.item);
      for (const id of ["2028", "4223", "760", "1262"]) assert.ok(!picked.includes(id), `watchlist item ${id} on a wall`);
      const onGenre = side.picks.filter((p: { genres: string[] }) => p.genres.includes("War")).length / 4;
      assert.equal(side.statistics.onGenreShare, onGenre);
      assert.deepEqual(side.statistics.dominantGenres, ["Action", "Drama", "War"]);
      const pops = side.picks.map((p: { popularity: number }) => p.popularity).sort((a: number, b: number) => a - b);
      assert.equal(side.statistics.medianPopularity, (pops[1] + pops[2]) / 2);
    }
    // Three war films are left after the watchlist; they lead both walls.
    assert.deepEqual(new Set(w.left.picks.slice(0, 3).map((p: { item: string }) => p.item)), new Set(["3", "4", "5"]));
  });

  it("prints the walls side by side for a --history watchlist", () => {
    const r = cli("walls", "--left", modelA, "--right", modelB, "--history", "Notting Hill; Love Actually", "--k", "3");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^watchlist: Notting Hill \(1999\); Love Actually \(2003\)\n/);
    assert.match(r.stdout, /a\.ltm +\| .*b\.ltm/);
    assert.match(r.stdout, /\n 1\. .+\| +1\. /);
    assert.match(r.stdout, /median popularity +\d+(\.5)? +\| median popularity +\d+/);
    assert.match(r.stdout, /on-genre share +[01]\.\d\d +\| on-genre share/);
    assert.match(r.stdout, /dominant-genre share \(Comedy\|Romance\) +[01]\.\d\d/);
  });

  it("rejects a missing or doubled watchlist and bad k", () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /give --persona <name> or --history <watchlist>/],
      [["--persona", "ww2", "--history", "Notting Hill"], /give --persona or --history, not both/],
      [["--persona", "western"], /--persona must be one of ww2, blockbuster, scifi, all/],
      [["--persona", "ww2", "--k", "-1"], /--k must be a positive integer/],
    ];
    for (const [args, message] of cases) {
      const r = cli("walls", "--left", modelA, "--right", modelB, ...args);
      assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    const scifi = cli("walls", "--left", modelA, "--right", modelB, "--persona", "scifi");
    assert.equal(scifi.status, 1);
    assert.match(scifi.stderr, /watchlist entry "Inception \(2010\)": no movie in .*movies\.csv/);
  });
});

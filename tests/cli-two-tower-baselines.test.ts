/**
 * The CLI around the two-tower model's baselines and InvR: `evaluate --protocol sequential` for an
 * MF model (fold-in on the held-out users' contexts, and its Most Popular shelf), the protocol a
 * two-tower model refuses, and `invr --model <two-tower>` end to end.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Rng } from "../ts/util/rng.js";
import { cli } from "./support/cli.js";

let dir: string;
const M = 30,
  USERS = 120,
  LENGTH = 6;

/** A MovieLens folder of chain histories (item s, s+1, ... in time order), a users split and a random split of it. */
before(() => {
  dir = mkdtempSync(join(tmpdir(), "longtail-tt-baselines-"));
  const rng = new Rng(12);
  const ratings = ["userId,movieId,rating,timestamp"];
  for (let u = 1; u <= USERS; u++) {
    const s = Math.floor(M * rng.next() ** 2);
    for (let t = 0; t < LENGTH; t++) ratings.push(`${u},${100 + ((s + t) % M)},4,${1000 * u + t}`);
  }
  mkdirSync(join(dir, "ml"));
  writeFileSync(join(dir, "ml", "ratings.csv"), ratings.join("\n") + "\n");
  const movies = ["movieId,title,genres", ...Array.from({ length: M }, (_, i) => `${100 + i},Movie ${i} (2000),${["Drama", "War", "Comedy|Drama"][i % 3]}`)];
  writeFileSync(join(dir, "ml", "movies.csv"), movies.join("\n") + "\n");
  for (const [method, out] of [
    ["users", "users"],
    ["random", "random"],
  ]) {
    const split = cli("split", "--data", join(dir, "ml"), "--method", method, "--test-share", "0.2", "--out", join(dir, out), "--quiet");
    assert.equal(split.status, 0, split.stderr);
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

const TT = ["--model", "two-tower", "--dim", "8", "--epochs", "4", "--batch", "64", "--lr", "0.01", "--temperature", "0.5", "--quiet"];

describe("evaluate --protocol and invr with two-tower models", () => {
  it("evaluate --protocol sequential runs MF by fold-in on every prefix of the held-out users; classic stays MF's default", () => {
    const mf = join(dir, "mf.ltm");
    const trained = cli("train", "--data", join(dir, "users"), "--loss", "softmax", "--dim", "8", "--epochs", "10", "--out", mf, "--quiet");
    assert.equal(trained.status, 0, trained.stderr);
    const run = (...extra: string[]) => cli("evaluate", "--model", mf, "--data", join(dir, "users"), "--k", "5", "--quiet", ...extra);
    const seq = run("--protocol", "sequential", "--json");
    assert.equal(seq.status, 0, seq.stderr);
    const result = JSON.parse(seq.stdout);
    const heldOut = USERS * 0.2;
    assert.equal(result.protocol, "sequential");
    assert.equal(result.heldOutUsers, heldOut);
    assert.equal(result.contexts, heldOut * (LENGTH - 1));
    assert.equal(result.users, result.contexts);
    const popular = JSON.parse(run("--protocol", "sequential", "--most-popular", "--json").stdout);
    assert.equal(popular.scorer, "most-popular");
    assert.equal(popular.contexts, result.contexts);
    assert.notDeepEqual(popular.metrics, result.metrics, "the Most Popular shelf is not the MF model");
    const text = run("--protocol", "sequential");
    assert.match(text.stdout, new RegExp(`sequential protocol: ${heldOut * (LENGTH - 1)} contexts .* MF folds in its last 50 items \\(λ = 10\\)`));
    // Without the flag (or with classic) an MF model is evaluated on the test part's users: here every one of them is new
    // to the model (a users split), so there is nothing to rank, and the error points to the sequential protocol.
    for (const classic of [run("--json"), run("--protocol", "classic", "--json")]) {
      assert.equal(classic.status, 2, classic.stderr);
      assert.match(classic.stderr, /every test user of .* is new to the model .*--protocol sequential/);
    }
    const bad = run("--protocol", "nextitem");
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /--protocol/);
    assert.match(bad.stderr, /nextitem/);
  });

  it("a two-tower model refuses --protocol classic, naming the flag", () => {
    const tt = join(dir, "tt-users.ltm");
    assert.equal(cli("train", ...TT, "--data", join(dir, "users"), "--out", tt).status, 0);
    const r = cli("evaluate", "--model", tt, "--data", join(dir, "users"), "--protocol", "classic", "--quiet");
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /--protocol classic: .* is a two-tower model, which is evaluated by the sequential protocol only/);
    assert.equal(
      JSON.parse(cli("evaluate", "--model", tt, "--data", join(dir, "users"), "--protocol", "sequential", "--json", "--quiet").stdout).protocol,
      "sequential",
    );
  });

  it("invr --model <two-tower> retrieves users per item from the towers and fills the slates", () => {
    const tt = join(dir, "tt-random.ltm");
    const trained = cli("train", ...TT, "--data", join(dir, "random"), "--out", tt);
    assert.equal(trained.status, 0, trained.stderr);
    const r = cli("invr", "--model", tt, "--data", join(dir, "random"), "--k", "6", "--top-n", "10", "--slots", "2,5", "--json", "--quiet");
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.modelUsers, USERS);
    assert.equal(out.catalogItems, M);
    assert.equal(out.selectedItems, M);
    assert.ok(out.itemUsers.retrievedPairs > 0 && out.itemUsers.retrievedPairs <= 10 * M, `${out.itemUsers.retrievedPairs} pairs`);
    assert.deepEqual(
      out.orderings.map((o: { ordering: string }) => o.ordering),
      ["random", "score", "user-rank"],
    );
    for (const o of out.orderings) {
      assert.ok(o.invrItems > 0 && o.invrItems <= 2 * out.users, `${o.ordering}: ${o.invrItems} InvR slots`);
      assert.ok(Number.isFinite(o.metrics["recall@6"]) && Number.isFinite(o.metrics["b50ps@6"]), o.ordering);
    }
  });

  it("walls takes the titles from --right's data when --left's (a split folder) has no movies file", () => {
    const mf = join(dir, "mf-walls.ltm"),
      tt = join(dir, "tt-ml.ltm");
    assert.equal(cli("train", "--data", join(dir, "users"), "--loss", "softmax", "--dim", "8", "--epochs", "2", "--out", mf, "--quiet").status, 0);
    assert.equal(cli("train", ...TT, "--data", join(dir, "ml"), "--out", tt).status, 0);
    for (const [left, right] of [
      [mf, tt],
      [tt, mf],
    ]) {
      const r = cli("walls", "--left", left, "--right", right, "--history", "Movie 3; Movie 4", "--k", "3", "--json");
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.equal(out.movies, join(dir, "ml", "movies.csv"));
      assert.deepEqual(
        out.walls[0].watchlist.map((m: { item: string }) => m.item),
        ["103", "104"],
      );
    }
  });
});

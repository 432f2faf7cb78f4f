import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadTrainTest } from "../ts/node/dataset-files.js";
import type { Interactions } from "../ts/data/interactions.js";
import { Rng } from "../ts/util/rng.js";
import { cli } from "./support/cli.js";

let dir: string;
/** "user item" → timestamp of the ratings.csv written in before(). */
const ratingTimes = new Map<string, number>();

/** The (user, item) pairs of parts, as sorted "user item" strings (a multiset: repeats stay). */
function pairs(...parts: (Interactions | undefined)[]): string[] {
  const out: string[] = [];
  for (const p of parts) {
    if (p === undefined) continue;
    const users = p.entryUsers();
    for (let k = 0; k < p.nnz; k++) out.push(`${p.users.id(users[k]!)} ${p.items.id(p.byUser.indices[k]!)}`);
  }
  return out.sort();
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), "longtail-split-"));
  const rng = new Rng(5);
  const rows = ["userId,movieId,rating,timestamp"];
  for (let u = 1; u <= 80; u++) {
    for (const i of rng.shuffle(Array.from({ length: 50 }, (_, i) => i + 1)).slice(0, 4 + rng.int(20))) {
      const t = 1_000_000 + rng.int(5000);
      rows.push(`${u},${i},${1 + rng.int(5)},${t}`);
      ratingTimes.set(`${u} ${i}`, t);
    }
  }
  mkdirSync(join(dir, "ml"));
  writeFileSync(join(dir, "ml", "ratings.csv"), rows.join("\n") + "\n");
  mkdirSync(join(dir, "lines"));
  const train: string[] = [];
  const test: string[] = [];
  for (let u = 0; u < 60; u++) {
    const items = rng.shuffle(Array.from({ length: 40 }, (_, i) => i)).slice(0, 10);
    train.push(`${u} ${items.slice(0, 8).join(" ")}`);
    test.push(`${u} ${items.slice(8).join(" ")}`);
  }
  test.push("60 99"); // a user and an item only the test part has
  writeFileSync(join(dir, "lines", "train.txt"), train.join("\n") + "\n");
  writeFileSync(join(dir, "lines", "test.txt"), test.join("\n") + "\n");
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("longtail split", () => {
  it("temporal: writes train.txt and test.txt that read back to the input, test after the cutoff", async () => {
    const out = join(dir, "temporal");
    const r = cli("split", "--data", join(dir, "ml"), "--method", "temporal", "--test-share", "0.25", "--out", out, "--json", "--quiet");
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(readdirSync(out).sort(), ["split.json", "test.txt", "train.txt"]);
    assert.deepEqual(JSON.parse(readFileSync(join(out, "split.json"), "utf8")).summary, report.summary);
    const back = await loadTrainTest(out, { unknownInTest: "extend" });
    assert.deepEqual(pairs(back.train, back.test), [...ratingTimes.keys()].sort(), "every rating exactly once");
    const trainTimes = pairs(back.train).map((p) => ratingTimes.get(p)!);
    const testTimes = pairs(back.test).map((p) => ratingTimes.get(p)!);
    assert.ok(Math.max(...trainTimes) < Math.min(...testTimes));
    assert.equal(report.summary.parts.test.interactions, back.test!.nnz);
    assert.equal(report.summary.parts.train.interactions, back.train.nnz);
    assert.equal(back.train.nUsers, 80, "train.txt lists every user, also those whose interactions all fell after the cutoff");
  });

  it("leave-last with a validation part: valid.txt is read back by loadTrainTest", async () => {
    const out = join(dir, "last");
    const r = cli("split", "--data", join(dir, "ml", "ratings.csv"), "--method", "leave-last", "--last", "2", "--valid-last", "1", "--out", out);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^valid +80 /m);
    assert.match(r.stdout, /^test +160 /m);
    const back = await loadTrainTest(out);
    assert.equal(back.valid!.nnz, 80);
    assert.equal(back.test!.nnz, 160);
    assert.deepEqual(pairs(back.train, back.valid, back.test), [...ratingTimes.keys()].sort());
    for (let u = 0; u < back.test!.nUsers; u++) {
      const user = back.test!.users.id(u);
      const held = pairs(back.test)
        .filter((p) => p.startsWith(`${user} `))
        .map((p) => ratingTimes.get(p)!);
      const kept = pairs(back.train, back.valid)
        .filter((p) => p.startsWith(`${user} `))
        .map((p) => ratingTimes.get(p)!);
      assert.ok(Math.min(...held) >= Math.max(...kept), `user ${user}: the test part holds the latest`);
    }
  });

  it("a folder that is already split needs --merge; with it the item-balanced split covers train+test", async () => {
    const data = join(dir, "lines");
    const refused = cli("split", "--data", data, "--method", "item-balanced", "--out", join(dir, "never"));
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /holds train\.txt and test\.txt, a split already; pass --merge/);
    assert.ok(!existsSync(join(dir, "never")));
    const out = join(dir, "balanced");
    const r = cli(
      "split",
      "--data",
      data,
      "--merge",
      "--method",
      "item-balanced",
      "--test-share",
      "0.3",
      "--valid",
      "0.1",
      "--seed",
      "3",
      "--out",
      out,
      "--json",
    );
    assert.equal(r.status, 0, r.stderr);
    const original = await loadTrainTest(data, { unknownInTest: "extend" });
    const back = await loadTrainTest(out, { unknownInTest: "extend" });
    assert.deepEqual(pairs(back.train, back.valid, back.test), pairs(original.train, original.test));
    assert.equal(back.test!.nnz, Math.round(0.3 * 601));
    assert.equal(back.valid!.nnz, Math.round(0.1 * 601));
    const again = join(dir, "balanced-again");
    assert.equal(
      cli("split", "--data", data, "--merge", "--method", "item-balanced", "--test-share", "0.3", "--valid", "0.1", "--seed", "3", "--out", again).status,
      0,
    );
    for (const f of ["train.txt", "valid.txt", "test.txt"])
      assert.equal(readFileSync(join(again, f), "utf8"), readFileSync(join(out, f), "utf8"), `same seed, same ${f}`);
    const trained = cli("train", "--data", out, "--loss", "bpr", "--epochs", "1", "--dim", "4", "--out", join(dir, "m.ltm"), "--quiet");
    assert.equal(trained.status, 0, trained.stderr);
  });

  it("replaces an earlier split folder as a whole, and never a folder holding other files", () => {
    const out = join(dir, "replace");
    assert.equal(cli("split", "--data", join(dir, "ml"), "--method", "temporal", "--valid", "0.1", "--out", out, "--quiet").status, 0);
    assert.ok(existsSync(join(out, "valid.txt")));
    assert.equal(cli("split", "--data", join(dir, "ml"), "--method", "random", "--out", out, "--quiet").status, 0);
    assert.deepEqual(readdirSync(out).sort(), ["split.json", "test.txt", "train.txt"], "no stale valid.txt from the earlier split");
    const r = cli("split", "--data", join(dir, "ml"), "--method", "random", "--out", join(dir, "ml"));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /the folder holds files this command did not write \(ratings\.csv\)/);
    assert.deepEqual(readdirSync(join(dir, "ml")), ["ratings.csv"], "the data folder is untouched");
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.startsWith(".")),
      [],
      "no staging folder left behind",
    );
  });

  it("errors that teach: flags for another method, shares, data without times", () => {
    const ml = join(dir, "ml");
    const cases: [string[], number, RegExp][] = [
      [["--method", "random", "--cutoff", "5"], 2, /--cutoff applies to --method temporal, not random/],
      [["--method", "temporal", "--last", "2"], 2, /--last applies to --method leave-last, not temporal/],
      [["--method", "item-balanced", "--test-share", "1"], 2, /--test-share must be below 1, got 1/],
      [["--method", "item-balanced", "--test-share", "0.7", "--valid", "0.3"], 2, /add up to 1 or more; nothing would stay in train/],
      [["--method", "temporal", "--cutoff", "1000000", "--test-share", "0.2"], 2, /give --cutoff \(a time\) or --test-share \(a share\), not both/],
      [["--method", "temporal", "--cutoff", "1"], 1, /no interaction is before the test cutoff 1/],
      [["--method", "banana"], 2, /--method must be one of random, temporal, leave-last, item-balanced, item-equal-count, users, got "banana"/],
    ];
    for (const [flags, status, message] of cases) {
      const r = cli("split", "--data", ml, ...flags, "--out", join(dir, "bad"));
      assert.equal(r.status, status, `${flags.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    const noTime = cli("split", "--data", join(dir, "lines", "train.txt"), "--method", "leave-last", "--out", join(dir, "bad"));
    assert.equal(noTime.status, 1);
    assert.match(noTime.stderr, /lines\/train\.txt: has no timestamps, and the leave-last split orders interactions by time; formats that carry a time/);
    const merge = cli("split", "--data", ml, "--merge", "--method", "random", "--out", join(dir, "bad"));
    assert.match(merge.stderr, /--merge needs a folder holding train\.txt and test\.txt/);
    assert.ok(!existsSync(join(dir, "bad")));
  });
});

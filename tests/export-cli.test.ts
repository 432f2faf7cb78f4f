/**
 * `longtail export` and `longtail recommend --all-users` from the command line: the files each
 * format writes (and their names with --users and npy's sidecar), the same export twice gives the
 * same bytes, a limit broken is one line naming the row and id with no file written or replaced,
 * flags that do not go together are refused, and every user's top K lands in the file the
 * extension names, equal to `recommend --user`.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { parquetReadObjects } from "hyparquet";
import { cli } from "./support/cli.js";

const DATA = fileURLToPath(new URL("../../examples/data/interactions.csv", import.meta.url));

let dir: string;
let model: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "longtail-export-cli-"));
  model = join(dir, "tiny.ltm");
  const r = cli("train", "--data", DATA, "--loss", "softmax", "--epochs", "5", "--dim", "8", "--seed", "3", "--out", model, "--quiet");
  assert.equal(r.status, 0, r.stderr);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const ok = (...args: string[]) => {
  const r = cli(...args, "--quiet");
  assert.equal(r.status, 0, `longtail ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
};

describe("longtail export", () => {
  it("writes each format, the users next to the items, npy's sidecars; the same export twice is the same bytes", () => {
    assert.match(ok("export", "--help"), /One of: parquet, arrow, ndjson, npy,\s+vectorize, pgvector/);
    for (const [format, name] of [
      ["parquet", "items.parquet"],
      ["arrow", "items.arrow"],
      ["ndjson", "items.ndjson"],
      ["npy", "items.npy"],
      ["vectorize", "vectors.ndjson"],
      ["pgvector", "items.sql"],
    ]) {
      const target = join(dir, `${format}-${name}`);
      const stdout = ok("export", "--model", model, "--to", format!, "--out", target, ...(format === "vectorize" ? [] : ["--users"]));
      assert.match(stdout, new RegExp(`wrote ${target.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: 141 items`));
      const again = join(dir, `again-${format}-${name}`);
      ok("export", "--model", model, "--to", format!, "--out", again, ...(format === "vectorize" ? [] : ["--users"]));
      assert.ok(readFileSync(target).equals(readFileSync(again)), `${format}: the same bytes twice`);
    }
    const files = readdirSync(dir).filter((f) => f.startsWith("npy-") || f.startsWith("parquet-"));
    assert.deepEqual(files.sort(), [
      "npy-items.npy",
      "npy-items.rows.ndjson",
      "npy-items.users.npy",
      "npy-items.users.rows.ndjson",
      "parquet-items.parquet",
      "parquet-items.users.parquet",
    ]);
    const sql = readFileSync(join(dir, "pgvector-items.sql"), "utf8");
    assert.match(sql, /CREATE TABLE items \(id text PRIMARY KEY, embedding vector\(8\) NOT NULL, count integer NOT NULL\);/);
    assert.match(
      sql,
      /CREATE TABLE items_users \(id text PRIMARY KEY, embedding vector\(8\) NOT NULL, count integer NOT NULL, training_items text\[\] NOT NULL\);/,
    );
  });

  it("--rerank adds one value per vector; --table and --copy shape the SQL", () => {
    const path = join(dir, "rerank.ndjson");
    ok("export", "--model", model, "--to", "ndjson", "--out", path, "--rerank", "0.1");
    const first = JSON.parse(readFileSync(path, "utf8").split("\n")[0]!) as { vector: number[]; count: number };
    assert.equal(first.vector.length, 9);
    assert.ok(Math.abs(first.vector[8]! + 0.1 * Math.log1p(first.count)) < 1e-6);
    const sql = join(dir, "movies.sql");
    ok("export", "--model", model, "--to", "pgvector", "--out", sql, "--users", "--table", "catalog.movies", "--copy");
    const text = readFileSync(sql, "utf8");
    assert.match(text, /COPY catalog\.movies \(id, embedding, count\) FROM stdin;\n/);
    assert.match(text, /COPY catalog\.movies_users \(id, embedding, count, training_items\) FROM stdin;\n/);
    assert.equal(text.match(/^\\\.$/gm)?.length, 2, "each COPY block ends with \\.");
  });

  it("a broken Vectorize limit is one line naming the row and the id; nothing is written or replaced", () => {
    const data = join(dir, "long-ids.csv");
    const longId = "item-with-a-very-long-identifier-that-no-vector-index-would-take-at-all";
    writeFileSync(data, `user,item\nu1,a\nu1,${longId}\nu2,a\nu2,b\nu3,b\n`);
    const longModel = join(dir, "long.ltm");
    ok("train", "--data", data, "--loss", "softmax", "--epochs", "2", "--dim", "4", "--out", longModel);
    const target = join(dir, "long.ndjson");
    writeFileSync(target, "previous\n");
    const r = cli("export", "--model", longModel, "--to", "vectorize", "--out", target, "--quiet");
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`^longtail: vectorize: item row 1 \\(id "${longId}"\\): the id is ${longId.length} bytes in UTF-8; Vectorize allows at most 64`),
    );
    assert.equal(readFileSync(target, "utf8"), "previous\n", "the existing file is untouched");
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.includes(".tmp")),
      [],
      "no temporary file left behind",
    );
  });

  it("refuses flags that do not go together, and a table name SQL would need quoting for", () => {
    const bad = (status: number, pattern: RegExp, ...args: string[]) => {
      const r = cli("export", "--model", model, ...args);
      assert.equal(r.status, status, r.stderr);
      assert.match(r.stderr, pattern);
    };
    bad(2, /--table names the pgvector table; --to parquet writes files/, "--to", "parquet", "--out", join(dir, "x.parquet"), "--table", "t");
    bad(2, /--copy is how the pgvector script loads its rows/, "--to", "ndjson", "--out", join(dir, "x.ndjson"), "--copy");
    bad(1, /pgvector: the table name "Items; DROP" is not a plain SQL name/, "--to", "pgvector", "--out", join(dir, "x.sql"), "--table", "Items; DROP");
    assert.equal(existsSync(join(dir, "x.sql")), false);
  });
});

describe("longtail recommend --all-users", () => {
  it("writes every user's top K as Parquet, CSV or NDJSON by extension, equal to recommend --user", async () => {
    const parquet = join(dir, "recs.parquet");
    ok("recommend", "--model", model, "--all-users", "--k", "5", "--out", parquet, "--threads", "1");
    const bytes = readFileSync(parquet);
    const rows = (await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer })) as {
      user: string;
      rank: number;
      item: string;
    }[];
    assert.equal(rows.length, 200 * 5);
    for (const user of ["u000", "u101", "u199"]) {
      const own = JSON.parse(ok("recommend", "--model", model, "--user", user, "--k", "5", "--json")) as { items: { item: string }[] };
      assert.deepEqual(
        rows.filter((r) => r.user === user).map((r) => [r.rank, r.item]),
        own.items.map((it, r) => [r + 1, it.item]),
        user,
      );
    }
    const csv = join(dir, "recs.csv");
    ok("recommend", "--model", model, "--all-users", "--k", "5", "--out", csv, "--rerank", "0.05");
    const lines = readFileSync(csv, "utf8").trimEnd().split("\n");
    assert.equal(lines[0], "user,rank,item,score");
    assert.equal(lines.length, 1 + 200 * 5);
    const reranked = JSON.parse(ok("recommend", "--model", model, "--user", "u000", "--k", "5", "--rerank", "0.05", "--json")) as { items: { item: string }[] };
    assert.deepEqual(
      lines.slice(1, 6).map((l) => l.split(",")[2]),
      reranked.items.map((it) => it.item),
    );
    const ndjson = join(dir, "recs.ndjson");
    ok("recommend", "--model", model, "--all-users", "--k", "2", "--out", ndjson);
    assert.deepEqual(Object.keys(JSON.parse(readFileSync(ndjson, "utf8").split("\n")[0]!)), ["user", "rank", "item", "score"]);
  });

  it("needs --out with a known extension, and --out needs --all-users", () => {
    let r = cli("recommend", "--model", model, "--all-users");
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--all-users writes a file: give --out recs.parquet/);
    r = cli("recommend", "--model", model, "--all-users", "--out", join(dir, "recs.txt"));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /the name must end in \.parquet, \.csv or \.ndjson/);
    r = cli("recommend", "--model", model, "--user", "u000", "--out", join(dir, "recs.csv"));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--out is the file of --all-users/);
    r = cli("recommend", "--model", model, "--user", "u000", "--all-users", "--out", join(dir, "recs.csv"));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /give --user or --all-users, not both/);
  });
});

/**
 * The server behind `longtail serve`: content types, 404, 405, paths outside the page's folder
 * refused (raw and percent-encoded), the data routes; the command's flags (bad --port, bad --data,
 * a port in use) and Ctrl-C; and the synthetic world as MovieLens files read back unchanged.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pageFile, startDemoServer, type DemoServer } from "../ts/node/demo-server.js";
import { readMovieLensMovies, readMovieLensRatings } from "../ts/data/readers/movielens-csv.js";
import { worldToMovieLensFiles } from "../ts/synthetic/movielens-files.js";
import { generateSyntheticWorld } from "../ts/synthetic/world.js";
import { cli } from "./support/cli.js";
import { startServe } from "./support/serve-process.js";

/** A GET with the path sent exactly as written (fetch would normalise `..` away). */
function rawGet(origin: string, path: string, method = "GET"): Promise<{ status: number; type: string; body: string; headers: Record<string, unknown> }> {
  const { hostname, port } = new URL(origin);
  return new Promise((done, fail) => {
    const req = request({ host: hostname, port, path, method }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => done({ status: res.statusCode!, type: String(res.headers["content-type"]), body, headers: res.headers }));
    });
    req.on("error", fail);
    req.end();
  });
}

async function* chunk(text: string): AsyncGenerator<Uint8Array> {
  yield new TextEncoder().encode(text);
}

describe("the demo server", () => {
  const root = mkdtempSync(join(tmpdir(), "longtail-serve-"));
  const pageDir = join(root, "page");
  let server: DemoServer;

  before(async () => {
    mkdirSync(join(pageDir, "sub"), { recursive: true });
    writeFileSync(join(pageDir, "index.html"), "<!doctype html><title>t</title>");
    writeFileSync(join(pageDir, "demo.js"), "export {};");
    writeFileSync(join(pageDir, "demo.css"), "body{}");
    writeFileSync(join(pageDir, "longtail.simd.wasm"), new Uint8Array([0, 97, 115, 109]));
    writeFileSync(join(pageDir, "sub", "page.html"), "<p>sub</p>");
    writeFileSync(join(root, "secret.txt"), "TOP SECRET");
    writeFileSync(join(root, "ratings.csv"), "userId,movieId,rating,timestamp\n1,10,4,0\n");
    server = await startDemoServer({
      pageDir,
      ratings: { path: join(root, "ratings.csv") },
      movies: { text: "movieId,title,genres\n10,A,Drama\n" },
      config: { alphas: [0, 1] },
    });
  });
  after(() => server.close());

  it("listens on 127.0.0.1 and serves the page's files with their content types", async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const expected: Record<string, string> = {
      "/": "text/html; charset=utf-8",
      "/demo.js": "text/javascript; charset=utf-8",
      "/demo.css": "text/css; charset=utf-8",
      "/longtail.simd.wasm": "application/wasm",
      "/sub/page.html": "text/html; charset=utf-8",
      "/demo.json": "application/json",
      "/data/ratings.csv": "text/csv; charset=utf-8",
      "/data/movies.csv": "text/csv; charset=utf-8",
    };
    for (const [path, type] of Object.entries(expected)) {
      const r = await rawGet(server.url, path);
      assert.equal(r.status, 200, path);
      assert.equal(r.type, type, path);
      // Cross-origin isolation: the page may create shared memory, so its engine trains on every core.
      assert.equal(r.headers["cross-origin-opener-policy"], "same-origin", path);
      assert.equal(r.headers["cross-origin-embedder-policy"], "require-corp", path);
    }
    assert.deepEqual(JSON.parse((await rawGet(server.url, "/demo.json")).body), { alphas: [0, 1] });
    assert.equal((await rawGet(server.url, "/data/ratings.csv")).body, "userId,movieId,rating,timestamp\n1,10,4,0\n");
    assert.equal((await rawGet(server.url, "/data/movies.csv")).body, "movieId,title,genres\n10,A,Drama\n");
    const head = await rawGet(server.url, "/demo.js", "HEAD");
    assert.equal(head.status, 200);
    assert.equal(head.body, "");
  });

  it("answers 404 for a missing file, 405 for other methods, 400 for broken percent-encoding", async () => {
    const missing = await rawGet(server.url, "/nothing.js");
    assert.equal(missing.status, 404);
    assert.match(missing.body, /not found: \/nothing\.js/);
    assert.equal((await rawGet(server.url, "/sub")).status, 404, "a folder is not a file");
    const post = await rawGet(server.url, "/demo.json", "POST");
    assert.equal(post.status, 405);
    assert.match(post.body, /only serves files/);
    assert.equal((await rawGet(server.url, "/%E0%A4%A")).status, 400);
  });

  it("refuses paths that leave the page's folder, raw or percent-encoded", async () => {
    for (const path of ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/sub/../../secret.txt", "/..%5csecret.txt", "/%00"]) {
      const r = await rawGet(server.url, path);
      assert.equal(r.status, 403, path);
      assert.match(r.body, /^forbidden: .* is outside the demo page's folder$/);
      assert.ok(!r.body.includes("TOP SECRET"), `${path} leaked the file`);
    }
    assert.equal(pageFile(pageDir, "/sub/page.html"), join(pageDir, "sub", "page.html"));
    assert.equal(pageFile(pageDir, "/a/../demo.js"), "outside");
    assert.equal(pageFile(pageDir, "/"), join(pageDir, "index.html"));
  });
});

describe("longtail serve", () => {
  it("rejects a bad --port, a missing --data folder and a folder without movies.csv, naming the flag", () => {
    for (const port of ["70000", "-1", "http"]) {
      const r = cli("serve", "--port", port);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /--port/);
    }
    const missing = cli("serve", "--data", "/no/such/folder");
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /--data \/no\/such\/folder: not a folder/);
    const host = cli("serve", "--host", "203.0.113.7", "--port", "0");
    assert.equal(host.status, 2);
    assert.match(host.stderr, /--host 203\.0\.113\.7 --port 0: cannot listen there \(EADDRNOTAVAIL\)/);
    const folder = mkdtempSync(join(tmpdir(), "longtail-serve-data-"));
    writeFileSync(join(folder, "ratings.csv"), "userId,movieId,rating,timestamp\n");
    const noMovies = cli("serve", "--data", folder);
    assert.equal(noMovies.status, 2);
    assert.match(noMovies.stderr, /no movies\.csv there/);
  });

  it("prints its URL, says so when the port is taken, and stops cleanly on Ctrl-C", async () => {
    const first = await startServe("--users", "50", "--items", "40");
    try {
      assert.match(first.output(), /longtail demo page: http:\/\/127\.0\.0\.1:\d+\/ +\(data: synthetic world \(50 users, 40 items, seed 42\); Ctrl-C stops\)/);
      const ratings = await (await fetch(`${first.url}data/ratings.csv`)).text();
      assert.match(ratings, /^userId,movieId,rating,timestamp\nu\d+,i\d+,5,\d+\n/);
      const port = new URL(first.url).port;
      const taken = cli("serve", "--port", port);
      assert.equal(taken.status, 2);
      assert.match(taken.stderr, new RegExp(`--port ${port}: the port is in use on 127\\.0\\.0\\.1`));
    } finally {
      assert.equal(await first.stop(), 0);
    }
    assert.match(first.output(), /stopped\n$/);
  });
});

describe("the synthetic world as MovieLens files", () => {
  it("reads back as the same interactions, titles and genres", async () => {
    const world = generateSyntheticWorld({ seed: 3, nUsers: 60, nItems: 50 });
    world.itemTitles[0] = 'A "quoted", comma title';
    const files = worldToMovieLensFiles(world);
    const ratings = await readMovieLensRatings(chunk(files.ratings), { name: "ratings.csv" });
    assert.equal(ratings.nnz, world.interactions.user.length);
    const movies = await readMovieLensMovies(chunk(files.movies));
    assert.equal(movies.size, world.items.length);
    assert.deepEqual(movies.get(world.items[0]!), { title: 'A "quoted", comma title', genres: world.itemGenres[0]!.map((g) => world.genreNames[g]) });
    world.items.forEach((id, i) => assert.equal(movies.get(id)!.title, world.itemTitles[i]));
  });
});

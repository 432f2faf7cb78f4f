/**
 * The kernels' thread pool where it runs for real beyond Node (tests/threads.test.ts covers Node):
 * a cross-origin isolated page in Chromium (the page's own kernels and a Web Worker engine, each on
 * 2 threads), the same page without the isolation headers (1 thread, and why), and workerd (no
 * threads, and why). Deno's pool is tested by `deno test tests/deno/` (tests/runtimes.test.ts).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { chromium } from "playwright-core";
import { BUNDLES_DIR } from "../scripts/bundles.js";
import { startWorker } from "./support/workerd.js";
import { CHROMIUM_ARGS, chromiumOrSkip } from "./support/chromium.js";
import { REPO_ROOT } from "./support/runtime-fixture.js";
import { serveStatic } from "./support/static-server.js";

/** The headers that make a page cross-origin isolated: what `longtail serve` sends, and what a user's own page needs. */
const ISOLATION_HEADERS = { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" };

interface PageRun {
  count: number;
  reason: string;
  users: number[];
  items: number[];
  top: string[];
}
interface PageResult {
  crossOriginIsolated: boolean;
  page: Record<"1" | "2", PageRun>;
  worker: { mode: string; count: number; reason: string; top: string[] };
}

async function runPage(executablePath: string, headers: Record<string, string>): Promise<PageResult> {
  const server = await serveStatic(
    {
      "/": join(REPO_ROOT, "tests/pages/threads"),
      "/longtail/": join(BUNDLES_DIR, "browser"),
      "/data/": join(REPO_ROOT, "examples/data"),
    },
    headers,
  );
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${server.origin}/index.html`);
    await page
      .waitForFunction(() => "longtailThreads" in globalThis, null, { timeout: 120_000 })
      .catch(() => assert.fail(`the page did not finish: ${errors.join("; ")}`));
    return (await page.evaluate(() => (globalThis as unknown as { longtailThreads: unknown }).longtailThreads)) as PageResult;
  } finally {
    await browser.close();
    await server.close();
  }
}

describe("the thread pool in Chromium and workerd", () => {
  it("Chromium, a cross-origin isolated page: the page and a worker engine run on 2 threads, with the same model as 1", async (t) => {
    const executablePath = chromiumOrSkip(t);
    if (!executablePath) return;
    const r = await runPage(executablePath, ISOLATION_HEADERS);
    assert.equal(r.crossOriginIsolated, true);
    assert.equal(r.page[2].count, 2, r.page[2].reason);
    assert.equal(r.page[1].count, 1);
    assert.deepEqual(r.page[2].users, r.page[1].users, "the softmax model's user table is the same on 1 and 2 threads");
    assert.deepEqual(r.page[2].items, r.page[1].items, "and its item table");
    assert.equal(r.page[2].top.length, 10);
    assert.equal(r.worker.mode, "worker");
    assert.equal(r.worker.count, 2, r.worker.reason);
    assert.deepEqual(r.worker.top, r.page[1].top, "the worker engine's pool trains the same model");
  });

  it("Chromium, the same page without COOP/COEP: 1 thread, and the reason names the headers", async (t) => {
    const executablePath = chromiumOrSkip(t);
    if (!executablePath) return;
    const r = await runPage(executablePath, {});
    assert.equal(r.crossOriginIsolated, false);
    for (const run of [r.page[2], r.worker]) {
      assert.equal(run.count, 1);
      assert.match(
        run.reason,
        /1 thread instead of 2: this page is not cross-origin isolated.*Cross-Origin-Opener-Policy: same-origin.*Cross-Origin-Embedder-Policy: require-corp/,
      );
    }
    assert.deepEqual(r.page[2].users, r.page[1].users);
  });

  it("workerd: the kernels run in the request's thread and say why", async () => {
    const dir = mkdtempSync(join(tmpdir(), "longtail-workerd-threads-"));
    try {
      const mf = await startWorker(join(REPO_ROOT, "tests/workerd/threads-worker.js"), dir);
      try {
        const body = (await (await mf.dispatchFetch("http://127.0.0.1/")).json()) as { threads: { count: number; reason: string } };
        assert.equal(body.threads.count, 1);
        assert.match(body.threads.reason, /1 thread instead of 4: (Cloudflare Workers cannot start threads|.*shared)/);
      } finally {
        await mf.dispose();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

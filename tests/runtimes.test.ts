/**
 * longtail in every runtime it ships for, each started for real: Node (the README example and
 * the worker_threads engine), Deno (`deno test`, the npm binary), Cloudflare's workerd (miniflare
 * serving the README's Worker), headless Chromium (the README page through the bundle, with the
 * engine in a Web Worker and in the page) and an MV3 extension (its page and its service worker).
 * One model is saved once; every runtime must return Node's top-k for the same users.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { chromium, type BrowserContext } from "playwright-core";
import { createEngine } from "../ts/node.js";
import { BUNDLES_DIR } from "../scripts/bundles.js";
import { startWorker } from "./support/workerd.js";
import { browsersRequired, CHROMIUM_ARGS, chromiumOrSkip, findChromium } from "./support/chromium.js";
import { createRuntimeFixture, REPO_ROOT, TINY_CSV, type RuntimeFixture } from "./support/runtime-fixture.js";
import { serveStatic } from "./support/static-server.js";

const run = promisify(execFile);
type TopK = Record<string, string[]>;

describe("the same saved model in every runtime", () => {
  let fixture: RuntimeFixture;
  /** Each runtime's answer, compared with Node's at the end. */
  const answers = new Map<string, TopK>();
  const record = (runtime: string, topK: TopK) => {
    answers.set(runtime, topK);
    assert.deepEqual(topK, fixture.expected, `${runtime} answered differently from Node`);
  };

  before(async () => {
    fixture = await createRuntimeFixture();
  });
  after(() => rmSync(fixture.dir, { recursive: true, force: true }));

  it("Node: the README example prints the top-k", async () => {
    const { stdout } = await run(process.execPath, [join(REPO_ROOT, "examples/node/recommend.mjs"), fixture.modelPath, ...fixture.users], { cwd: REPO_ROOT });
    const lines = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { user: string; items: string[] });
    record("node", Object.fromEntries(lines.map(({ user, items }) => [user, items])));
  });

  it("Node: the worker_threads engine loads the same file and answers the same", async () => {
    const engine = await createEngine({ thread: "worker" });
    try {
      assert.equal(engine.mode, "worker");
      const model = await engine.loadModel(new Uint8Array(readFileSync(fixture.modelPath)), "model.ltm");
      const lists = await engine.recommendMany(model, fixture.users, 10);
      record("node worker_threads", Object.fromEntries(fixture.users.map((u, n) => [u, lists[n].items])));
    } finally {
      await engine.close();
    }
  });

  it("Node: the README worker example trains, evaluates and saves a model", async () => {
    const out = join(fixture.dir, "tiny.ltm");
    const { stdout, stderr } = await run(process.execPath, [join(REPO_ROOT, "examples/node/train-in-worker.mjs"), TINY_CSV, out], { cwd: REPO_ROOT });
    const result = JSON.parse(stdout) as { mode: string; recall: number; top: string[] };
    assert.equal(result.mode, "worker");
    assert.ok(result.recall > 0.15, `Recall@10 ${result.recall} (a random top-10 of 141 items: about 0.07)`);
    assert.match(stderr, /epoch 10\/10 loss/);
    assert.ok(readFileSync(out).byteLength > 1000);
  });

  it("Deno: deno test runs the Deno example and the Deno Worker engine", async () => {
    const deno = join(REPO_ROOT, "node_modules/.bin/deno");
    try {
      await run(deno, ["test", "--allow-read", "--allow-write", "--allow-env", "--allow-run", "tests/deno/"], {
        cwd: REPO_ROOT,
        env: { ...process.env, LONGTAIL_RUNTIME_FIXTURE: fixture.dir, NO_COLOR: "1" },
        timeout: 240_000,
      });
    } catch (e) {
      const { stdout, stderr } = e as { stdout?: string; stderr?: string };
      assert.fail(`deno test failed:\n${stdout ?? ""}\n${stderr ?? ""}`);
    }
    record("deno", JSON.parse(readFileSync(join(fixture.dir, "answers-deno.json"), "utf8")) as TopK);
  });

  it("workerd: the README Worker answers /recommend?user=… from the model in KV", async () => {
    const mf = await startWorker(join(REPO_ROOT, "examples/cloudflare-worker/worker.js"), join(fixture.dir, "worker"), { kvNamespaces: ["MODELS"] });
    try {
      // miniflare's KV type comes from @cloudflare/workers-types, which this project does not install.
      const kv = (await mf.getKVNamespace("MODELS")) as unknown as { put(key: string, value: ArrayBuffer): Promise<void> };
      await kv.put("model.ltm", new Uint8Array(readFileSync(fixture.modelPath)).buffer);
      const topK: TopK = {};
      for (const user of fixture.users) {
        const response = await mf.dispatchFetch(`http://127.0.0.1/recommend?user=${encodeURIComponent(user)}&k=10`);
        assert.equal(response.status, 200);
        topK[user] = ((await response.json()) as { items: string[] }).items;
      }
      const unknown = await mf.dispatchFetch("http://127.0.0.1/recommend?user=ghost");
      assert.equal(unknown.status, 400);
      assert.match(((await unknown.json()) as { error: string }).error, /user "ghost" is not in the model/);
      record("workerd", topK);
    } finally {
      await mf.dispose();
    }
  });

  describe("Chromium", () => {
    let executablePath: string | null = null;

    it("the README page loads the bundle, trains a tiny model and recommends in a Web Worker and in the page", async (t) => {
      executablePath = chromiumOrSkip(t);
      if (!executablePath) return;
      const server = await serveStatic({
        "/": join(REPO_ROOT, "examples/browser"),
        "/longtail/": join(BUNDLES_DIR, "browser"),
        "/data/": join(REPO_ROOT, "examples/data"),
        "/model.ltm": fixture.modelPath,
      });
      const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
      try {
        for (const thread of ["auto", "in-thread"]) {
          const page = await browser.newPage();
          const errors: string[] = [];
          page.on("pageerror", (e) => errors.push(e.message));
          await page.goto(`${server.origin}/index.html?thread=${thread}&users=${fixture.users.join(",")}`);
          await page
            .waitForFunction(() => "longtailResult" in window, null, { timeout: 60_000 })
            .catch(() => assert.fail(`the page did not finish: ${errors.join("; ")}`));
          const result = (await page.evaluate(() => (window as unknown as { longtailResult: unknown }).longtailResult)) as {
            mode: string;
            variant: string;
            epochs: number;
            recall: number;
            recommendations: TopK;
          };
          assert.equal(result.mode, thread === "auto" ? "worker" : "in-thread");
          assert.equal(result.epochs, 10, "one progress report per epoch reached the page");
          assert.ok(result.recall > 0.15, `Recall@10 ${result.recall}`);
          t.diagnostic(`Chromium, engine ${result.mode}: kernel build ${result.variant}`);
          record(`chromium (${result.mode})`, result.recommendations);
          await page.close();
        }
        const wasm = server.requests.filter((r) => r.path.endsWith(".wasm"));
        assert.ok(wasm.length > 0 && wasm.every((r) => r.status === 200 && r.type === "application/wasm"), JSON.stringify(wasm));
        assert.ok(server.requests.some((r) => r.path === "/longtail/longtail-worker.js" && r.status === 200));
      } finally {
        await browser.close();
        await server.close();
      }
    });

    it("an MV3 extension computes recommendations in its page (Worker) and its service worker (in-thread)", async (t) => {
      executablePath ??= chromiumOrSkip(t);
      if (!executablePath) return;
      const extension = join(fixture.dir, "extension");
      cpSync(join(REPO_ROOT, "examples/mv3-extension"), extension, { recursive: true });
      cpSync(join(BUNDLES_DIR, "browser"), join(extension, "longtail"), { recursive: true });
      cpSync(fixture.modelPath, join(extension, "model.ltm"));
      const profile = mkdtempSync(join(tmpdir(), "longtail-chromium-"));
      let context: BrowserContext | undefined;
      try {
        context = await chromium.launchPersistentContext(profile, {
          executablePath,
          args: [...CHROMIUM_ARGS, `--disable-extensions-except=${extension}`, `--load-extension=${extension}`],
        });
        const serviceWorker = context.serviceWorkers()[0] ?? (await context.waitForEvent("serviceworker", { timeout: 30_000 }));
        const extensionId = new URL(serviceWorker.url()).host;

        const fromWorker = (await serviceWorker.evaluate(
          (users) => (globalThis as unknown as { recommendFor(u: string[]): Promise<unknown> }).recommendFor(users),
          fixture.users,
        )) as {
          mode: string;
          reason: string;
          recommendations: TopK;
        };
        assert.equal(fromWorker.mode, "in-thread");
        assert.match(fromWorker.reason, /no Worker constructor/);
        record("mv3 service worker (in-thread)", fromWorker.recommendations);

        const page = await context.newPage();
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(e.message));
        await page.goto(`chrome-extension://${extensionId}/popup.html?users=${fixture.users.join(",")}`);
        await page
          .waitForFunction(() => "longtailResult" in globalThis, null, { timeout: 60_000 })
          .catch(() => assert.fail(`the extension page did not finish: ${errors.join("; ")}`));
        const fromPage = (await page.evaluate(() => (globalThis as unknown as { longtailResult: unknown }).longtailResult)) as {
          mode: string;
          recommendations: TopK;
        };
        assert.equal(fromPage.mode, "worker");
        record("mv3 extension page (worker)", fromPage.recommendations);
      } finally {
        await context?.close();
        rmSync(profile, { recursive: true, force: true });
      }
    });
  });

  it("all five runtimes gave Node's top-k for the same users", () => {
    const runtimes = [...answers.keys()];
    const required = ["node", "deno", "workerd"];
    if (findChromium() || browsersRequired()) required.push("chromium (worker)", "mv3 extension page (worker)");
    for (const runtime of required) assert.ok(answers.has(runtime), `no answer from ${runtime} (got ${runtimes.join(", ")})`);
    for (const [runtime, topK] of answers) assert.deepEqual(topK, fixture.expected, runtime);
  });
});

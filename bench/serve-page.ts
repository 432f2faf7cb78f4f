/**
 * How long the demo page of `longtail serve` takes in headless Chromium: reading the data in the
 * worker, training each α model, and the wall-clock time from opening the page until the first
 * wall can be drawn (α = 0 trained). Optionally picks a watchlist, sets α and takes a screenshot
 * (docs/serve.png).
 *
 *   node dist/bench/serve-page.js [--data <MovieLens folder>] [--epochs 20] [--dim 64]
 *     [--watchlist "title; title"] [--alpha 0.5] [--screenshot docs/serve.png]
 */
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, findChromium } from "../tests/support/chromium.js";
import { startServe } from "../tests/support/serve-process.js";

interface PageState {
  trained: number[];
  trainSeconds: Record<string, number>;
  readSeconds: number;
  wall: { alpha: number; watchlist: string[] } | null;
  error: string | null;
}

const { values } = parseArgs({
  options: {
    data: { type: "string" },
    epochs: { type: "string", default: "20" },
    dim: { type: "string", default: "64" },
    watchlist: { type: "string" },
    alpha: { type: "string", default: "0.5" },
    screenshot: { type: "string" },
  },
});
const executablePath = findChromium();
if (!executablePath) throw new Error("no Chromium found: apt-get install -y chromium, or set CHROMIUM_PATH");
const server = await startServe(...(values.data ? ["--data", values.data] : []), "--epochs", values.epochs!, "--dim", values.dim!);
const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 860 } });
  const state = () => page.evaluate(() => (window as unknown as { longtailDemo: PageState }).longtailDemo);
  const opened = performance.now();
  await page.goto(server.url);
  await page.waitForFunction(() => (window as unknown as { longtailDemo?: PageState }).longtailDemo?.trained.includes(0) ?? false, null, {
    timeout: 600_000,
    polling: 50,
  });
  const firstWall = (performance.now() - opened) / 1000;
  await page.waitForFunction(() => (window as unknown as { longtailDemo: PageState }).longtailDemo.trained.length === 5, null, {
    timeout: 600_000,
    polling: 200,
  });
  const all = (performance.now() - opened) / 1000;
  const s = await state();
  if (s.error) throw new Error(`the page failed: ${s.error}`);
  console.log(`data: ${(await page.textContent("#dataset"))!}`);
  console.log(
    `epochs ${values.epochs}, d = ${values.dim}: read ${s.readSeconds.toFixed(2)} s; ` +
      Object.entries(s.trainSeconds)
        .map(([a, t]) => `α = ${a}: ${t.toFixed(2)} s`)
        .join(", "),
  );
  console.log(`page opened → first wall possible (α = 0 trained): ${firstWall.toFixed(1)} s; → all five models: ${all.toFixed(1)} s`);
  if (values.watchlist) {
    const titles = values.watchlist
      .split(";")
      .map((t) => t.trim())
      .filter((t) => t !== "");
    for (const title of titles) {
      await page.fill("#search", title);
      await page.locator("#results button", { hasText: title }).first().click();
    }
    const alpha = Number(values.alpha);
    await page.focus("#alpha");
    await page.keyboard.press("Home");
    for (let a = 0; a < alpha; a += 0.25) await page.keyboard.press("ArrowRight");
    await page.waitForFunction(
      ([a, n]) => {
        const wall = (window as unknown as { longtailDemo: PageState }).longtailDemo.wall;
        return wall !== null && wall.alpha === a && wall.watchlist.length === n;
      },
      [alpha, titles.length] as const,
    );
    await page.locator("#alpha").blur();
  }
  if (values.screenshot) {
    await page.screenshot({ path: values.screenshot, fullPage: true });
    console.log(`screenshot: ${values.screenshot}`);
  }
} finally {
  await browser.close();
  await server.stop();
}

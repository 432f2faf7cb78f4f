/**
 * The demo page of `longtail serve` in headless Chromium: the page trains the α grid in a Web
 * Worker, a watchlist picked through the search box gets a wall, moving the α slider changes the
 * wall and its statistics, moving it back restores the first wall, and nothing logs an error.
 * The screenshot goes to $LONGTAIL_SERVE_SCREENSHOT when set (docs/serve.png is made that way).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chromium, type Page } from "playwright-core";
import { CHROMIUM_ARGS, chromiumOrSkip } from "./support/chromium.js";
import { startServe } from "./support/serve-process.js";
import { generateSyntheticWorld } from "../ts/synthetic/world.js";

const WORLD = { users: 400, items: 300, seed: 42 };

interface PageWall {
  alpha: number;
  watchlist: string[];
  picks: { item: string; title: string; popularity: number }[];
  statistics: { medianPopularity: number; onGenreShare: number; dominantGenreShare: number };
}

function demoState(page: Page): Promise<{ trained: number[]; trainSeconds: Record<string, number>; wall: PageWall | null; error: string | null }> {
  return page.evaluate(() => (window as unknown as { longtailDemo: never }).longtailDemo);
}

async function waitForWall(page: Page, alpha: number, watchlistLength: number): Promise<PageWall> {
  await page.waitForFunction(
    ([a, n]) => {
      const wall = (window as unknown as { longtailDemo: { wall: PageWall | null } }).longtailDemo.wall;
      return wall !== null && wall.alpha === a && wall.watchlist.length === n;
    },
    [alpha, watchlistLength] as const,
    { timeout: 60_000 },
  );
  return (await demoState(page)).wall!;
}

/** What the page shows: the wall's titles in order and the three statistics. */
async function shown(page: Page): Promise<{ titles: string[]; median: string; onGenre: string; dominant: string }> {
  return {
    titles: await page.locator("#wall li .title").allTextContents(),
    median: (await page.textContent("#stat-median"))!,
    onGenre: (await page.textContent("#stat-on-genre"))!,
    dominant: (await page.textContent("#stat-dominant"))!,
  };
}

/** The watchlist: the three most-logged items of the world's smallest genre (a niche fan), by title. */
function nicheWatchlist(): string[] {
  const world = generateSyntheticWorld({ seed: WORLD.seed, nUsers: WORLD.users, nItems: WORLD.items });
  const counts = new Int32Array(world.items.length);
  for (const i of world.interactions.item) counts[i]!++;
  const genreSizes = world.genreNames.map((_, g) => world.itemGenres.filter((gs) => gs[0] === g).length);
  const niche = genreSizes.indexOf(Math.min(...genreSizes.filter((n) => n >= 3)));
  return world.items
    .map((_, i) => i)
    .filter((i) => world.itemGenres[i]![0] === niche)
    .sort((a, b) => counts[b]! - counts[a]! || a - b)
    .slice(0, 3)
    .map((i) => world.itemTitles[i]!);
}

describe("longtail serve: the demo page in Chromium", () => {
  it("picks movies by title, shows the wall with its statistics, and the α slider changes the wall", async (t) => {
    const executablePath = chromiumOrSkip(t);
    if (!executablePath) return;
    const server = await startServe(
      "--users",
      String(WORLD.users),
      "--items",
      String(WORLD.items),
      "--seed",
      String(WORLD.seed),
      "--epochs",
      "5",
      "--dim",
      "16",
    );
    const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 860 } });
      const problems: string[] = [];
      page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()} (${m.location().url})`);
      });
      const offsite: string[] = [];
      page.on("request", (r) => {
        // The kernels' pool threads start from a blob: URL the page made itself: same origin.
        const origin = server.url.replace(/\/$/, "");
        if (!r.url().startsWith(server.url) && !r.url().startsWith(`blob:${origin}/`)) offsite.push(r.url());
      });
      await page.goto(server.url);
      await page.waitForSelector("#search:not([disabled])", { timeout: 60_000 });
      // Served cross-origin isolated: the worker engine's kernels run on a thread pool (2 cores here, and on CI).
      assert.match((await page.textContent("#dataset"))!, /synthetic world \(400 users, 300 items, seed 42\).*engine worker \(\w+, ([2-9]|\d\d+) threads\)/);

      const titles = nicheWatchlist();
      for (const [n, title] of titles.entries()) {
        await page.fill("#search", title.slice(0, -1));
        await page.locator("#results button", { hasText: title }).first().click();
        await waitForWall(page, 0, n + 1);
      }
      assert.deepEqual(
        await page.locator("#watchlist li").allTextContents(),
        titles.map((title) => `${title}×`),
      );
      const first = await waitForWall(page, 0, titles.length);
      assert.equal(first.picks.length, 10);
      assert.ok(
        first.picks.every((p) => !first.watchlist.includes(p.item)),
        "watchlist movies never appear on the wall",
      );
      const firstShown = await shown(page);
      assert.deepEqual(
        firstShown.titles,
        first.picks.map((p) => p.title),
      );
      assert.equal(firstShown.median, String(first.statistics.medianPopularity));
      assert.equal(firstShown.onGenre, first.statistics.onGenreShare.toFixed(2));

      await page.waitForFunction(() => (window as unknown as { longtailDemo: { trained: number[] } }).longtailDemo.trained.length === 5, null, {
        timeout: 120_000,
      });
      await page.focus("#alpha");
      await page.keyboard.press("End");
      assert.equal(await page.textContent("#alpha-value"), "α = 1");
      const last = await waitForWall(page, 1, titles.length);
      const lastShown = await shown(page);
      assert.notDeepEqual(lastShown.titles, firstShown.titles, "α = 1 shows another wall");
      assert.deepEqual(
        lastShown.titles,
        last.picks.map((p) => p.title),
      );
      assert.equal(lastShown.median, String(last.statistics.medianPopularity));
      assert.equal(await page.textContent("#base-median"), `α = 0: ${first.statistics.medianPopularity}`, "the α = 0 wall's median beside the current one");
      assert.ok(
        last.statistics.medianPopularity < first.statistics.medianPopularity,
        `logit adjustment moves the wall into the tail: median popularity ${first.statistics.medianPopularity} at α = 0, ${last.statistics.medianPopularity} at α = 1`,
      );

      await page.keyboard.press("Home");
      await waitForWall(page, 0, titles.length);
      assert.deepEqual((await shown(page)).titles, firstShown.titles, "back at α = 0, the first wall again");
      await page.keyboard.press("End");
      await waitForWall(page, 1, titles.length);

      const state = await demoState(page);
      assert.equal(state.error, null);
      t.diagnostic(`in-browser training (s): ${JSON.stringify(state.trainSeconds)}`);
      const screenshot = process.env.LONGTAIL_SERVE_SCREENSHOT;
      if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
      assert.deepEqual(problems, []);
      assert.deepEqual(offsite, [], "the page reaches nothing but its own server");
    } finally {
      await browser.close();
      assert.equal(await server.stop(), 0, `Ctrl-C stops the server cleanly: ${server.output()}`);
    }
  });
});

/**
 * The demo's HTML report in headless Chromium: it renders from disk with no request besides the
 * file itself and no console errors, every section and chart is there, and screenshots are taken
 * (to $LONGTAIL_SCREENSHOT_DIR when set, else a temporary folder) for a person to look at.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, describe, it } from "node:test";
import { chromium } from "playwright-core";
import { REPORT_SECTIONS } from "../ts/report/report-document.js";
import { CHROMIUM_ARGS, chromiumOrSkip } from "./support/chromium.js";
import { cli } from "./support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "longtail-report-browser-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("the demo report in Chromium", () => {
  it("renders offline with every section, chart and wall, and no console errors", async (t) => {
    const executablePath = chromiumOrSkip(t);
    if (!executablePath) return;
    const report = join(dir, "report.html");
    const run = cli(
      "demo",
      "--users",
      "300",
      "--items",
      "400",
      "--epochs",
      "3",
      "--alphas",
      "0,0.5,1",
      "--rounds",
      "2",
      "--loop-users",
      "200",
      "--loop-items",
      "300",
      "--quiet",
      "--out",
      report,
    );
    assert.equal(run.status, 0, run.stderr);
    const shots = process.env.LONGTAIL_SCREENSHOT_DIR ?? join(dir, "screenshots");
    mkdirSync(shots, { recursive: true });

    const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const errors: string[] = [];
      const requests: string[] = [];
      const url = pathToFileURL(report).href;
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") errors.push(`${m.type()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => errors.push(e.message));
      page.on("request", (r) => {
        if (r.url() !== url) requests.push(r.url());
      });
      await page.goto(url, { waitUntil: "load" });

      for (const id of REPORT_SECTIONS) {
        const heading = page.locator(`section#${id} > h2`);
        assert.equal(await heading.count(), 1, `section #${id} has its heading`);
        assert.equal(await page.locator(`section#${id} p.skipped`).count(), 0, `section #${id} was not skipped by default`);
      }
      const svgs = page.locator("svg.chart");
      // True precision (1), the frontier (2: accuracy and true precision), Lorenz (1), groups (2), the loop (4).
      assert.equal(await svgs.count(), 10);
      for (let i = 0; i < (await svgs.count()); i++) {
        const svg = svgs.nth(i);
        assert.ok((await svg.locator(":scope > title").textContent())?.trim(), `chart ${i} has a <title>`);
        const box = await svg.boundingBox();
        assert.ok(box && box.width > 200 && box.height > 150, `chart ${i} is drawn at a readable size (${JSON.stringify(box)})`);
        assert.ok((await svg.locator(".axis-label").count()) >= 2, `chart ${i} labels both axes`);
      }
      assert.equal(await page.locator("#lorenz polyline.series-line").count(), 4, "the diagonal and three models' Lorenz curves");
      assert.equal(await page.locator("#popularity-groups rect.bar").count(), 2 * 5 * 3, "five groups × three models, twice");
      assert.equal(await page.locator("#alpha-frontier circle.series-point").count(), 2 * 3, "one point per α, on both frontier charts");
      assert.equal(await page.locator("#feedback-loop polyline.series-line").count(), 4 * 7, "four plots of seven configurations");
      assert.ok((await page.locator("#walls section.persona").count()) >= 1, "at least one persona wall");
      assert.ok((await page.locator("#walls .fits, #walls .misfit").count()) > 0, "picks carry the ground-truth mark");
      assert.equal(await page.locator("#before-after table caption").count(), 1);
      assert.ok((await page.locator("#before-after tbody tr").count()) >= 10);

      await page.screenshot({ path: join(shots, "report-top.png") });
      await page.screenshot({ path: join(shots, "report-full.png"), fullPage: true });
      for (const id of ["walls", "lorenz", "feedback-loop"]) await page.locator(`section#${id}`).screenshot({ path: join(shots, `report-${id}.png`) });
      t.diagnostic(`screenshots in ${shots}`);
      assert.deepEqual(errors, [], "no console errors or warnings");
      assert.deepEqual(requests, [], "no request besides the report file");
    } finally {
      await browser.close();
    }
  });
});

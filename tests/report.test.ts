/** The report's builders: escaping, axes, empty data, one point, Lorenz arithmetic, tables, walls and the whole document. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareMetricRecords } from "../ts/experiments/comparison.js";
import { barChart } from "../ts/report/bar-chart.js";
import { domainOf, niceTicks } from "../ts/report/chart-scale.js";
import { escapeHtml } from "../ts/report/escape.js";
import { lineChart } from "../ts/report/line-chart.js";
import { exposureCounts, lorenzCurve } from "../ts/report/lorenz-curve.js";
import { metricsTable } from "../ts/report/metrics-table.js";
import type { DemoReport } from "../ts/report/report-data.js";
import { REPORT_SECTIONS, renderReport } from "../ts/report/report-document.js";
import { wallView } from "../ts/report/wall-view.js";
import { tastePersonas } from "../ts/synthetic/taste-personas.js";

const NASTY = `Lock, Stock & Two <Smoking> "Barrels" 'n' more`;
const NASTY_ESCAPED = "Lock, Stock &amp; Two &lt;Smoking&gt; &quot;Barrels&quot; &#39;n&#39; more";

/** Text nodes and attribute values must not hold a raw <, > or unescaped & of the input. */
function assertNoRawNasty(markup: string): void {
  assert.ok(!markup.includes("<Smoking>"), "a raw <Smoking> tag leaked");
  assert.ok(!markup.includes('"Barrels"'), "raw quotes leaked (they would end an attribute)");
  assert.ok(!markup.includes("& Two"), "a raw & leaked");
}

describe("escapeHtml", () => {
  it("escapes the five characters of HTML text and attributes", () => {
    assert.equal(escapeHtml(NASTY), NASTY_ESCAPED);
    assert.equal(escapeHtml("plain"), "plain");
    assert.equal(escapeHtml(42), "42");
    assert.equal(escapeHtml("&amp;"), "&amp;amp;", "already escaped text is text too");
  });
});

describe("chart scales", () => {
  it("pads a single value and the empty set into a usable domain", () => {
    assert.deepEqual(domainOf([]), { min: 0, max: 1 });
    assert.deepEqual(domainOf([0]), { min: -1, max: 1 });
    assert.deepEqual(domainOf([5]), { min: 4.5, max: 5.5 });
    assert.deepEqual(domainOf([NaN, 2, Infinity, 4]), { min: 2, max: 4 });
    assert.deepEqual(domainOf([0.2, 0.4], [0, 1]), { min: 0, max: 1 });
  });

  it("puts round ticks over the domain and widens it to them", () => {
    assert.deepEqual(niceTicks({ min: 0, max: 1 }), { ticks: [0, 0.2, 0.4, 0.6, 0.8, 1], domain: { min: 0, max: 1 } });
    assert.deepEqual(niceTicks({ min: 3, max: 97 }).ticks, [0, 20, 40, 60, 80, 100]);
    assert.deepEqual(niceTicks({ min: 1, max: 2 }, 5, true).ticks, [1, 2], "whole rounds only");
    assert.deepEqual(niceTicks({ min: 0.61, max: 0.66 }).ticks, [0.61, 0.62, 0.63, 0.64, 0.65, 0.66]);
  });
});

describe("lineChart", () => {
  it("labels both axes, titles the SVG and escapes every text", () => {
    const svg = lineChart({
      title: NASTY,
      description: NASTY,
      xLabel: "median popularity",
      yLabel: "ndcg@10",
      series: [
        {
          label: NASTY,
          points: [
            { x: 10, y: 0.2, label: NASTY },
            { x: 20, y: 0.3 },
          ],
        },
      ],
    });
    assert.match(svg, /^<svg [^>]*role="img"/);
    assert.match(svg, /<title id="chart-[a-z0-9-]+-title">/);
    assert.ok(svg.includes(NASTY_ESCAPED));
    assertNoRawNasty(svg);
    assert.match(svg, /class="axis-label"[^>]*>median popularity</);
    assert.match(svg, /class="axis-label"[^>]*>ndcg@10</);
    assert.equal((svg.match(/<polyline /g) ?? []).length, 1);
    assert.equal((svg.match(/<circle /g) ?? []).length, 2);
    assert.ok(svg.includes(">10<") && svg.includes(">20<"), "x ticks at the data's round values");
  });

  it("draws one point as a dot with a padded axis, and no data as a note", () => {
    const one = lineChart({ title: "one", xLabel: "x", yLabel: "y", series: [{ label: "s", points: [{ x: 3, y: 0.5 }], mark: "line" }] });
    assert.equal((one.match(/<circle /g) ?? []).length, 1, "a line of one point still shows the point");
    assert.ok(!one.includes("<polyline"));
    assert.ok(!one.includes("NaN"));
    const empty = lineChart({ title: "empty", xLabel: "x", yLabel: "y", series: [{ label: "s", points: [{ x: NaN, y: 1 }] }] });
    assert.match(empty, />no data</);
    assert.ok(!empty.includes("NaN") && !empty.includes("<circle"));
    const none = lineChart({ title: "none", xLabel: "x", yLabel: "y", series: [] });
    assert.match(none, />no data</);
  });

  it("gives a series its own colour and dashes reference lines", () => {
    const svg = lineChart({
      title: "t",
      xLabel: "x",
      yLabel: "y",
      series: [
        {
          label: "diagonal",
          points: [
            { x: 0, y: 0 },
            { x: 1, y: 1 },
          ],
          mark: "line",
          dashed: true,
          colour: "#888888",
        },
        {
          label: "model",
          points: [
            { x: 0, y: 0 },
            { x: 1, y: 1 },
          ],
          mark: "line",
        },
      ],
    });
    assert.match(svg, /stroke="#888888" stroke-width="2" stroke-dasharray/);
    assert.match(svg, /stroke="#0072B2"/, "the first series without a colour takes the palette's first");
  });
});

describe("barChart", () => {
  it("draws one bar per category and series from a zero baseline, escaped", () => {
    const svg = barChart({
      title: "groups",
      xLabel: "group",
      yLabel: "share",
      categories: ["top 5%", NASTY],
      series: [
        { label: "a", values: [0.5, 0.25] },
        { label: "b", values: [0.1, NaN] },
      ],
    });
    assert.equal((svg.match(/<rect class="bar"/g) ?? []).length, 3, "a non-finite value draws no bar");
    assertNoRawNasty(svg);
    assert.match(svg, />0\.0</, "the y axis starts at 0");
  });

  it("rejects a series of the wrong length and shows empty data as a note", () => {
    assert.throws(
      () => barChart({ title: "t", xLabel: "x", yLabel: "y", categories: ["a", "b"], series: [{ label: "s", values: [1] }] }),
      /series "s" has 1 values for 2 categories/,
    );
    assert.match(barChart({ title: "t", xLabel: "x", yLabel: "y", categories: [], series: [] }), />no data</);
  });
});

describe("lorenzCurve", () => {
  it("accumulates exposure from the least shown item", () => {
    // Sorted exposure 0, 0, 1, 3 (total 4): after 1, 2, 3, 4 items 0, 0, 1/4, 1.
    assert.deepEqual(lorenzCurve([3, 0, 1, 0]), [
      { x: 0, y: 0 },
      { x: 0.25, y: 0 },
      { x: 0.5, y: 0 },
      { x: 0.75, y: 0.25 },
      { x: 1, y: 1 },
    ]);
    assert.deepEqual(lorenzCurve([2, 2, 2, 2], 2), [
      { x: 0, y: 0 },
      { x: 0.5, y: 0.5 },
      { x: 1, y: 1 },
    ]);
    assert.deepEqual(lorenzCurve([]), [
      { x: 0, y: 0 },
      { x: 1, y: 1 },
    ]);
    assert.deepEqual(lorenzCurve([0, 0]), [
      { x: 0, y: 0 },
      { x: 1, y: 1 },
    ]);
  });

  it("counts exposure over top-K lists, skipping empty slots", () => {
    assert.deepEqual([...exposureCounts(Int32Array.from([0, 2, -1, 2, 1, 2]), 4)], [1, 1, 3, 0]);
  });
});

describe("metricsTable", () => {
  it("writes a captioned table whose changes are marked better or worse by the metric's direction", () => {
    const c = compareMetricRecords([
      { label: "plain", metrics: { "recall@10": 0.2, "gini@10": 0.9, "medianPopularity@10": 260 } },
      { label: NASTY, metrics: { "recall@10": 0.1, "gini@10": 0.6, "medianPopularity@10": 65 } },
    ]);
    const html = metricsTable(c, ["recall@10", "gini@10", "medianPopularity@10"], NASTY);
    assert.match(html, /^<table class="metrics"><caption>/);
    assertNoRawNasty(html);
    assert.match(html, /recall@10<\/th><td>0\.2000<\/td><td>0\.1000<\/td><td class="change worse">-50\.0%/);
    assert.match(html, /gini@10<\/th><td>0\.9000<\/td><td>0\.6000<\/td><td class="change better">-33\.3%/);
    assert.match(html, /medianPopularity@10<\/th><td>260<\/td><td>65<\/td>/, "whole numbers without decimals");
  });
});

describe("wallView", () => {
  const statistics = { picks: 2, medianPopularity: 5, onGenreShare: 1, dominantGenres: ["War"], dominantGenreShare: 0.5 };
  it("shows each pick's title, popularity, genres and ground-truth mark, escaped", () => {
    const html = wallView(
      {
        persona: NASTY,
        description: "likes War",
        sides: [
          {
            label: "plain",
            statistics,
            picks: [
              { rank: 1, title: NASTY, genres: ["War", "Drama"], popularity: 9, fits: true },
              { rank: 2, title: "B", genres: [], popularity: 1, fits: false },
            ],
          },
        ],
      },
      99,
    );
    assertNoRawNasty(html);
    assert.equal((html.match(/class="fits"/g) ?? []).length, 1);
    assert.equal((html.match(/class="misfit"/g) ?? []).length, 1);
    assert.match(html, /class="popularity-bar" style="width:50\.0%"/, "log scale: log(1 + 9) / log(1 + 99) = 0.5");
    assert.match(html, /truly fits 1 of 2/);
    assert.match(html, /War, Drama/);
  });

  it("leaves the mark out without ground truth and says when a wall is empty", () => {
    const html = wallView(
      {
        persona: "p",
        description: "d",
        sides: [
          { label: "a", statistics, picks: [{ rank: 1, title: "A", genres: [], popularity: 3 }] },
          { label: "b", statistics: { ...statistics, picks: 0 }, picks: [] },
        ],
      },
      0,
    );
    assert.ok(!html.includes("fits") && !html.includes("misfit"));
    assert.match(html, /no picks/);
    assert.match(html, /width:0\.0%/, "no popularity at all draws empty bars, not NaN");
  });
});

describe("renderReport", () => {
  const comparison = compareMetricRecords([
    { label: "plain", metrics: { "recall@10": 0.2 } },
    { label: "debiased", metrics: { "recall@10": 0.15 } },
  ]);
  const minimal: DemoReport = {
    title: NASTY,
    about: [NASTY],
    k: 10,
    plainLabel: "plain",
    debiasedLabel: "debiased",
    comparison,
    tableMetrics: ["recall@10"],
    trueRelevance: { skipped: "no ground truth & no walls" },
    walls: { skipped: "skipped" },
    alphaSweep: { skipped: "skipped" },
    rerankAgainstAlpha: {
      alpha: 0.5,
      accuracyMetric: "recall@10",
      popularityMetric: "medianPopularity@10",
      debiased: { accuracy: 0.15, popularity: 5 },
      points: [],
      beats: null,
    },
    exposure: [{ label: "plain", exposure: [1, 2, 3], gini: 0.2 }],
    popularityGroups: {
      names: ["top 5%", "5-10%", "10-15%", "15-20%", "bottom 80%"],
      series: [{ label: "plain", slotShare: [0.5, 0.2, 0.1, 0.1, 0.1], recall: [0.3, 0.1, 0, 0, 0] }],
    },
    feedbackLoop: { skipped: "skipped" },
    seconds: 1.5,
  };

  it("is one self-contained document: every section, no scripts, no external resources", () => {
    const html = renderReport(minimal);
    assert.match(html, /^<!DOCTYPE html>\n<html lang="en">/);
    for (const id of REPORT_SECTIONS) assert.match(html, new RegExp(`<section id="${id}" aria-labelledby="${id}-heading"><h2 id="${id}-heading">`));
    assert.ok(!/<script|<link|<img|<iframe|@import|url\(|\ssrc=|\shref=/i.test(html), "nothing the browser would fetch or run");
    assert.deepEqual(
      html.match(/https?:\/\/[^"\s]*/g),
      Array(html.match(/<svg /g)!.length).fill("http://www.w3.org/2000/svg"),
      "the only URLs are SVG namespaces",
    );
    assertNoRawNasty(html);
    assert.match(html, /<p class="skipped">no ground truth &amp; no walls<\/p>/);
    assert.equal((html.match(/<svg /g) ?? []).length, 3, "Lorenz and the two group charts");
  });

  it("gives every chart a distinct id", () => {
    const html = renderReport(minimal);
    const ids = [...html.matchAll(/<title id="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(new Set(ids).size, ids.length);
  });
});

describe("tastePersonas", () => {
  it("takes the user with the widest taste gap per favourite genre, widest first, among users with enough history", () => {
    const world = {
      genreNames: ["War", "Drama", "Sci-Fi"],
      users: ["a", "b", "c", "d", "e"],
      // a: War by 0.5; b: War by 0.8 (wins War); c: Drama by 0.3; d: Sci-Fi by 0.9 but too little history; e: Sci-Fi by 0.1.
      userTastes: Float32Array.from([0.9, 0.4, 0.1, 0.9, 0.1, 0.0, 0.2, 0.8, 0.5, 0.0, 0.0, 0.9, 0.5, 0.4, 0.6]),
    };
    const logged = (u: number) => (u === 3 ? 2 : 20);
    const personas = tastePersonas(world, 5, logged);
    assert.deepEqual(
      personas.map((p) => [p.user, world.genreNames[p.genre], world.genreNames[p.runnerUpGenre]]),
      [
        [1, "War", "Drama"],
        [2, "Drama", "Sci-Fi"],
        [4, "Sci-Fi", "War"],
      ],
    );
    assert.ok(Math.abs(personas[0]!.taste - 0.9) < 1e-6 && Math.abs(personas[0]!.runnerUpTaste - 0.1) < 1e-6);
    assert.equal(tastePersonas(world, 1, logged).length, 1);
    assert.deepEqual(
      tastePersonas(world, 3, () => 0),
      [],
    );
  });
});

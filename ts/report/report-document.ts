/**
 * The demo report as ONE self-contained HTML document: inline CSS and SVG, no scripts, no fonts, no
 * requests, so it opens from disk anywhere and can be mailed around. Sections: the before/after
 * table, true relevance, persona walls, the α frontier, exposure Lorenz curves, the five
 * popularity groups and the feedback loop.
 */
import { barChart } from "./bar-chart.js";
import { escapeHtml } from "./escape.js";
import { lineChart, type LineSeries } from "./line-chart.js";
import { lorenzCurve } from "./lorenz-curve.js";
import { metricsTable, simpleTable } from "./metrics-table.js";
import type { AlphaSweep, DemoReport, PersonaWalls, PopularityGroups, Section, TrueRelevanceRow } from "./report-data.js";
import { REPORT_CSS } from "./report-style.js";
import type { SimulationResult, SimulationRound } from "../simulation/feedback-loop.js";
import { wallView } from "./wall-view.js";

/** The section ids, in page order (the browser test and docs/demo.md refer to them). */
export const REPORT_SECTIONS = ["before-after", "true-relevance", "walls", "alpha-frontier", "lorenz", "popularity-groups", "feedback-loop"] as const;

export function renderReport(r: DemoReport): string {
  const sections = [
    section("before-after", "Before and after", beforeAfter(r)),
    section(
      "true-relevance",
      "True relevance: does what is served really fit?",
      sectionBody(r.trueRelevance, (rows) => trueRelevance(rows, r.k)),
    ),
    section("walls", "Persona walls", sectionBody(r.walls, walls)),
    section(
      "alpha-frontier",
      "Accuracy versus popularity: the α frontier",
      sectionBody(r.alphaSweep, (s) => alphaFrontier(s, r.k)),
    ),
    section("lorenz", "Exposure Lorenz curves", lorenz(r)),
    section("popularity-groups", "The five popularity groups", popularityGroups(r.popularityGroups, r.k)),
    section("feedback-loop", "Feedback loops: what the models do to their own data", sectionBody(r.feedbackLoop, feedbackLoop)),
  ];
  return (
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escapeHtml(r.title)}</title><style>${REPORT_CSS}</style></head><body><main>` +
    `<h1>${escapeHtml(r.title)}</h1>${r.about.map((a) => `<p class="about">${escapeHtml(a)}</p>`).join("")}` +
    sections.join("") +
    `</main><footer>Written by longtail demo in ${r.seconds.toFixed(1)} s. One self-contained file: no scripts, no network.</footer></body></html>\n`
  );
}

function section(id: string, heading: string, body: string): string {
  return `<section id="${id}" aria-labelledby="${id}-heading"><h2 id="${id}-heading">${escapeHtml(heading)}</h2>${body}</section>`;
}

function sectionBody<T>(s: Section<T>, render: (data: T) => string): string {
  return "data" in s ? render(s.data) : `<p class="skipped">${escapeHtml(s.skipped)}</p>`;
}

function beforeAfter(r: DemoReport): string {
  return (
    `<p>${escapeHtml(`Held-out accuracy (full ranking over the whole catalog, the users' training items excluded) and the popularity of what each model serves in its top ${r.k}. "${r.plainLabel}" is before, "${r.debiasedLabel}" after; green changes are improvements, red ones costs.`)}</p>` +
    metricsTable(r.comparison, r.tableMetrics, `${r.plainLabel} (before) against ${r.debiasedLabel} (after), top ${r.k}`)
  );
}

function trueRelevance(rows: readonly TrueRelevanceRow[], k: number): string {
  const f = (v: number) => v.toFixed(3);
  return (
    `<p>The synthetic world knows every user's true tastes, which a real log never reveals. True precision is the share of served slots the user truly likes; head and tail split it by the item's side of the head/tail boundary (do surfaced tail items really fit?).</p>` +
    simpleTable(
      `True precision of each model's top ${k}`,
      ["model", "true precision", "head items", "tail items", "tail share of slots"],
      rows.map((row) => [row.label, f(row.precision), f(row.head), f(row.tail), f(row.tailSlotShare)]),
    ) +
    `<div class="charts">${barChart({
      id: "true-precision",
      title: `True precision of the top ${k}`,
      xLabel: "served slots",
      yLabel: "share the user truly likes",
      categories: ["all", "head items", "tail items"],
      series: rows.map((row) => ({ label: row.label, values: [row.precision, row.head, row.tail] })),
      description: "For each model, the share of its served slots that the users truly like, over all slots, head-item slots and tail-item slots.",
      format: (v) => v.toFixed(3),
    })}</div>`
  );
}

function walls(all: readonly PersonaWalls[]): string {
  const max = Math.max(1, ...all.flatMap((w) => w.sides.flatMap((s) => s.picks.map((p) => p.popularity))));
  const truth = all.some((w) => w.sides.some((s) => s.picks.some((p) => p.fits !== undefined)));
  return (
    `<p>Each model's top picks for the same person. The bar is the pick's popularity (training interactions, log scale). ${
      truth
        ? "✓ marks a pick the person truly likes, ✗ one they do not (the world's ground truth)."
        : "Real data has no ground truth: whether a pick fits is for the reader to judge."
    }</p>` + all.map((w) => wallView(w, max)).join("")
  );
}

function alphaFrontier(s: AlphaSweep, k: number): string {
  const point = (metric: string) => s.points.map((p) => ({ x: p.metrics[s.popularityMetric]!, y: p.metrics[metric]!, label: `α = ${p.alpha}` }));
  const chart = (metric: string, yLabel: string, id: string) =>
    lineChart({
      id,
      title: `${yLabel} against ${s.popularityMetric}`,
      xLabel: `${s.popularityMetric} (served, lower = less popular)`,
      yLabel,
      description: `One point per logit-adjustment strength α, joined in order of α: ${yLabel} against the median popularity of the served items.`,
      series: [{ label: "logit adjustment, α from 0 upward", points: point(metric) }],
    });
  const rows = s.points.map((p) => [
    `α = ${p.alpha}`,
    ...[s.accuracyMetric, s.popularityMetric, ...(s.truthMetric ? [s.truthMetric] : [])].map((m) => formatNumber(p.metrics[m])),
  ]);
  return (
    `<p>${escapeHtml(`Models trained with logit adjustment α (training logits s/T + α·log(1 + count), served on the raw scores). Moving right to left the served items get less popular; held-out accuracy measures what the biased log rewards${s.truthMetric ? ", true precision what the users really like" : ""}.`)}</p>` +
    `<div class="charts">${chart(s.accuracyMetric, s.accuracyMetric, "frontier-accuracy")}${s.truthMetric ? chart(s.truthMetric, "true precision", "frontier-truth") : ""}</div>` +
    simpleTable(`The α sweep, top ${k}`, ["α", s.accuracyMetric, s.popularityMetric, ...(s.truthMetric ? ["true precision"] : [])], rows)
  );
}

function lorenz(r: DemoReport): string {
  const series: LineSeries[] = [
    {
      label: "perfect equality",
      points: [
        { x: 0, y: 0 },
        { x: 1, y: 1 },
      ],
      mark: "line",
      dashed: true,
      colour: "#8a94a6",
    },
    ...r.exposure.map((e) => ({ label: `${e.label} (Gini ${e.gini.toFixed(3)})`, points: lorenzCurve(e.exposure), mark: "line" as const })),
  ];
  return (
    `<p>Items sorted from least to most shown over every user's top ${r.k}: the share of the catalog (x) against the share of all served slots it receives (y). The further below the diagonal, the more the exposure concentrates on few items.</p>` +
    `<div class="charts">${lineChart({
      id: "lorenz",
      title: `Exposure Lorenz curves, top ${r.k}`,
      xLabel: "share of items, least shown first",
      yLabel: "share of served slots",
      description: "Lorenz curves of item exposure for each model, with the diagonal of perfect equality.",
      series,
      xInclude: [0, 1],
      yInclude: [0, 1],
      height: 380,
    })}</div>`
  );
}

function popularityGroups(g: PopularityGroups, k: number): string {
  const common = { categories: g.names, xLabel: "items by popularity (training interactions), most popular first", format: (v: number) => v.toFixed(3) };
  return (
    `<p>The catalog in five groups by popularity (Ren et al.): four of 5% each from the top, the other 80% last. Where each model's slots go, and how well it finds each group's held-out items.</p>` +
    `<div class="charts">${barChart({
      ...common,
      id: "group-slots",
      title: `Share of served slots per group, top ${k}`,
      yLabel: "share of served slots",
      series: g.series.map((s) => ({ label: s.label, values: s.slotShare })),
      description: "The share of all served top-K slots holding each popularity group's items, per model.",
    })}${barChart({
      ...common,
      id: "group-recall",
      title: `Recall@${k} per group`,
      yLabel: `recall@${k} of the group's test items`,
      series: g.series.map((s) => ({ label: s.label, values: s.recall })),
      description: "Recall of each popularity group's held-out items, per model.",
    })}</div>`
  );
}

const LOOP_PLOTS: readonly { key: keyof SimulationRound; title: string; yLabel: string }[] = [
  { key: "gini", title: "Gini of the served slates", yLabel: "Gini of exposure" },
  { key: "coverage", title: "Catalog coverage of the served slates", yLabel: "share of items served" },
  { key: "truePrecision", title: "True precision of the served slates", yLabel: "share truly liked" },
  { key: "logGini", title: "Gini of the grown log", yLabel: "Gini of the log's item counts" },
];

function feedbackLoop(sim: SimulationResult): string {
  const charts = LOOP_PLOTS.map(({ key, title, yLabel }) =>
    lineChart({
      id: `loop-${key}`,
      title,
      xLabel: "round",
      yLabel,
      xInteger: true,
      width: 540,
      height: 340 + 18 * Math.max(0, sim.configurations.length - 3),
      description: `${title} after each round of recommend, choose by true taste, retrain; one line per configuration.`,
      series: sim.configurations.map((c) => ({ label: c.label, points: c.rounds.map((r) => ({ x: r.round, y: r[key] as number })) })),
    }),
  );
  const last = sim.configurations.map((c) => {
    const first = c.rounds[0]!,
      end = c.rounds[c.rounds.length - 1]!;
    const arrow = (a: number, b: number) => `${a.toFixed(3)} → ${b.toFixed(3)}`;
    return [
      c.label,
      arrow(first.gini, end.gini),
      arrow(first.coverage, end.coverage),
      arrow(first.truePrecision, end.truePrecision),
      arrow(sim.initialLog.gini, end.logGini),
    ];
  });
  return (
    `<p>${escapeHtml(`${sim.rounds} rounds in a world of ${sim.world.users} users and ${sim.world.items} items: every configuration trains on its log, serves each user ${sim.k} items, the users accept items by their true tastes (popularity plays no part in the choice), the accepted items join the log, and the model is retrained. Concentration that grows is the recommender's doing.`)}</p>` +
    `<div class="charts">${charts.join("")}</div>` +
    simpleTable(`Round 1 → round ${sim.rounds}`, ["configuration", "Gini", "coverage", "true precision", "log Gini (from the initial log)"], last)
  );
}

function formatNumber(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return "–";
  return Number.isInteger(v) ? v.toLocaleString("en-US") : v.toFixed(4);
}

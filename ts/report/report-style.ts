/** The report's inline stylesheet: readable on screen and in print, no web fonts (the file makes no requests). */
export const REPORT_CSS = `
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6475; --line: #d9dee7; --good: #0a7a3d; --bad: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1180px; padding: 24px 28px 48px; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
h1 { font-size: 1.7rem; margin: 0 0 4px; }
h2 { font-size: 1.3rem; margin: 36px 0 8px; padding-top: 8px; border-top: 2px solid var(--line); }
h3 { font-size: 1.05rem; margin: 18px 0 4px; }
h4 { font-size: 0.95rem; margin: 0 0 6px; }
p { margin: 6px 0; max-width: 80ch; }
.about { color: var(--muted); margin: 2px 0; }
.skipped { color: var(--muted); font-style: italic; }
table.metrics { border-collapse: collapse; margin: 10px 0; font-variant-numeric: tabular-nums; }
table.metrics caption { text-align: left; font-weight: 600; padding: 4px 0; caption-side: top; }
table.metrics th, table.metrics td { border-bottom: 1px solid var(--line); padding: 3px 12px; text-align: right; }
table.metrics th[scope="row"], table.metrics thead th:first-child { text-align: left; font-weight: 500; }
table.metrics thead th { border-bottom: 2px solid var(--ink); }
td.change.better { color: var(--good); }
td.change.worse { color: var(--bad); }
.charts { display: flex; flex-wrap: wrap; gap: 12px 20px; }
svg.chart { max-width: 100%; height: auto; font-size: 12px; font-family: inherit; }
svg.chart .chart-title { font-size: 14px; font-weight: 600; fill: var(--ink); }
svg.chart .axis-line, svg.chart .tick-mark { stroke: var(--ink); }
svg.chart .grid { stroke: #eceff4; }
svg.chart .tick, svg.chart .axis-label, svg.chart .legend-item text, svg.chart .point-label { fill: var(--ink); }
svg.chart .axis-label { font-size: 13px; }
svg.chart .point-label { font-size: 11px; }
svg.chart .empty-note { fill: var(--muted); font-style: italic; }
.walls { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 16px; }
.wall { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.persona-about, .wall-stats, .note { color: var(--muted); font-size: 0.9rem; }
ol.picks { margin: 0; padding-left: 26px; }
ol.picks li { margin: 3px 0; }
.pick-title { font-weight: 500; }
.pick-meta { display: flex; align-items: center; gap: 6px; font-size: 0.82rem; color: var(--muted); }
.popularity { display: inline-block; width: 70px; height: 8px; background: #eceff4; border-radius: 4px; overflow: hidden; flex: none; }
.popularity-bar { display: block; height: 100%; background: #0072B2; }
.count { min-width: 3.5em; text-align: right; font-variant-numeric: tabular-nums; }
.fits { color: var(--good); font-weight: 700; margin-left: 6px; }
.misfit { color: var(--bad); margin-left: 6px; }
footer { margin-top: 40px; color: var(--muted); font-size: 0.85rem; }
`;

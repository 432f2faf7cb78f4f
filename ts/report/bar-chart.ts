/** Grouped bar charts (the five popularity groups per model) as inline SVG. */
import { domainOf } from "./chart-scale.js";
import { chartSvg, emptyNote, plotArea, px, seriesColour, xAxisLine, yAxis, type ChartText } from "./chart-frame.js";
import { escapeHtml } from "./escape.js";

export interface BarSeries {
  label: string;
  /** One value per category, in category order. */
  values: readonly number[];
}

export interface BarChartOptions extends ChartText {
  categories: readonly string[];
  series: readonly BarSeries[];
  /** How a value is written in its tooltip (default: 4 significant digits). */
  format?: (value: number) => string;
}

/** One group of bars per category, one bar per series; the y axis starts at 0. Non-finite values draw no bar. */
export function barChart(options: BarChartOptions): string {
  for (const s of options.series) {
    if (s.values.length !== options.categories.length) {
      throw new RangeError(`bar chart "${options.title}": series "${s.label}" has ${s.values.length} values for ${options.categories.length} categories`);
    }
  }
  const format = options.format ?? ((v: number) => String(Number(v.toPrecision(4))));
  const area = plotArea(options, options.series.length);
  const ys = yAxis(
    area,
    domainOf(
      options.series.flatMap((s) => s.values),
      [0],
    ),
    options.yLabel,
  );
  const nCat = options.categories.length,
    nSeries = options.series.length;
  const slot = (area.right - area.left) / Math.max(1, nCat);
  const barWidth = (slot * 0.8) / Math.max(1, nSeries);
  const bars = options.categories
    .map((category, c) => {
      const x0 = area.left + c * slot + slot * 0.1;
      const group = options.series
        .map((s, i) => {
          const v = s.values[c]!;
          if (!Number.isFinite(v)) return "";
          const top = ys.y(Math.max(v, 0)),
            base = ys.y(Math.min(v, 0));
          return (
            `<rect class="bar" x="${px(x0 + i * barWidth)}" y="${px(top)}" width="${px(Math.max(1, barWidth - 2))}" height="${px(Math.max(0, base - top))}" fill="${seriesColour(i)}">` +
            `<title>${escapeHtml(`${s.label}, ${category}: ${format(v)}`)}</title></rect>`
          );
        })
        .join("");
      const label = `<text class="tick" x="${px(area.left + (c + 0.5) * slot)}" y="${area.bottom + 18}" text-anchor="middle">${escapeHtml(category)}</text>`;
      return `<g class="bar-group">${group}${label}</g>`;
    })
    .join("");
  const empty = nCat === 0 || nSeries === 0;
  const body = ys.markup + `<g class="axis x-axis">${xAxisLine(area, options.xLabel)}</g>` + (empty ? emptyNote(area) : bars);
  return chartSvg(
    options,
    body,
    options.series.map((s, i) => ({ label: s.label, colour: seriesColour(i) })),
    "bar-chart",
  );
}

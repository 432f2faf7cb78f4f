/** Line and scatter charts (the α frontier, Lorenz curves, feedback-loop rounds) as inline SVG. */
import { domainOf } from "./chart-scale.js";
import { chartSvg, emptyNote, plotArea, px, seriesColour, xAxis, yAxis, type ChartText } from "./chart-frame.js";
import { escapeHtml } from "./escape.js";

export interface ChartPoint {
  x: number;
  y: number;
  /** Written next to the point (e.g. "α = 0.5") and in its tooltip. */
  label?: string;
}

export interface LineSeries {
  label: string;
  points: readonly ChartPoint[];
  /** "line" joins the points in order, "points" marks them, "both" does both (default). */
  mark?: "line" | "points" | "both";
  /** A dashed line (reference lines such as perfect equality). */
  dashed?: boolean;
  /** The series' colour (default: the next of SERIES_COLOURS, counting only series without their own). */
  colour?: string;
}

export interface LineChartOptions extends ChartText {
  series: readonly LineSeries[];
  /** Values the axes must include (e.g. 0 and 1 for shares). */
  xInclude?: readonly number[];
  yInclude?: readonly number[];
  /** Ticks on whole numbers of x only (rounds). */
  xInteger?: boolean;
}

/** A chart of one or more series over numeric x and y axes; non-finite points are left out. */
export function lineChart(options: LineChartOptions): string {
  const series = options.series.map((s) => ({ ...s, points: s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)) }));
  const area = plotArea(options, series.length);
  const all = series.flatMap((s) => s.points);
  const xs = xAxis(
    area,
    domainOf(
      all.map((p) => p.x),
      options.xInclude,
    ),
    options.xLabel,
    options.xInteger,
  );
  let palette = 0;
  const colours = series.map((s) => s.colour ?? seriesColour(palette++));
  const ys = yAxis(
    area,
    domainOf(
      all.map((p) => p.y),
      options.yInclude,
    ),
    options.yLabel,
  );
  const marks = series
    .map((s, index) => {
      const colour = colours[index]!;
      const mark = s.mark ?? "both";
      const coords = s.points.map((p) => `${px(xs.x(p.x))},${px(ys.y(p.y))}`);
      const line =
        mark !== "points" && coords.length > 1
          ? `<polyline class="series-line" fill="none" stroke="${colour}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ""} points="${coords.join(" ")}"/>`
          : "";
      const dots =
        mark !== "line" || coords.length === 1
          ? s.points
              .map((p) => {
                const cx = px(xs.x(p.x)),
                  cy = px(ys.y(p.y));
                const tip = `${s.label}${p.label ? ` (${p.label})` : ""}: ${options.xLabel} ${p.x}, ${options.yLabel} ${p.y}`;
                const text = p.label ? `<text class="point-label" x="${px(xs.x(p.x) + 6)}" y="${px(ys.y(p.y) - 6)}">${escapeHtml(p.label)}</text>` : "";
                return `<circle class="series-point" cx="${cx}" cy="${cy}" r="4" fill="${colour}"><title>${escapeHtml(tip)}</title></circle>${text}`;
              })
              .join("")
          : "";
      return `<g class="series" data-series="${escapeHtml(s.label)}">${line}${dots}</g>`;
    })
    .join("");
  const body = ys.markup + xs.markup + (all.length === 0 ? emptyNote(area) : marks);
  return chartSvg(
    options,
    body,
    series.map((s, i) => ({ label: s.label, colour: colours[i]! })),
    "line-chart",
  );
}

/**
 * What every chart of the report shares: the <svg> element with its accessible <title> and <desc>,
 * the plot area's margins, the axes with ticks and labels, the legend and the series colours.
 * Charts are plain strings of inline SVG, so the report stays one file and the browser page can
 * reuse them.
 */
import { formatTick, linearScale, niceTicks, type Domain } from "./chart-scale.js";
import { escapeHtml } from "./escape.js";

/** Colour-blind-safe series colours (Okabe–Ito), in series order. */
export const SERIES_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"] as const;

export function seriesColour(index: number): string {
  return SERIES_COLOURS[index % SERIES_COLOURS.length]!;
}

export interface ChartText {
  /** The chart's heading inside the SVG and its accessible name. */
  title: string;
  /** A sentence saying what the chart shows (the SVG's <desc>). */
  description?: string;
  xLabel: string;
  yLabel: string;
  /** The id the SVG's <title> and <desc> ids derive from; unique within a document (default: from the title). */
  id?: string;
  /** Pixel size of the drawing (default 540 × 340: two fit side by side on a wide screen). */
  width?: number;
  height?: number;
}

export interface PlotArea {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

const MARGIN = { left: 64, right: 16, top: 34, bottom: 50 };
const LEGEND_ROW = 18;

/** The plot area of a chart of this size with `legendRows` rows of legend below it. */
export function plotArea(text: ChartText, legendRows: number): PlotArea {
  const { width, height } = size(text);
  return { left: MARGIN.left, top: MARGIN.top, right: width - MARGIN.right, bottom: height - MARGIN.bottom - legendRows * LEGEND_ROW };
}

/** The <svg> element around `body` with title, description and legend; ids are unique within a document. */
export function chartSvg(text: ChartText, body: string, legend: readonly { label: string; colour: string }[], className: string): string {
  const { width, height } = size(text);
  const id = `chart-${text.id ?? slug(text.title)}`;
  const legendY = height - legend.length * LEGEND_ROW + 4;
  const legendItems = legend
    .map(
      ({ label, colour }, s) =>
        `<g class="legend-item"><rect x="${MARGIN.left}" y="${legendY + s * LEGEND_ROW - 10}" width="12" height="12" fill="${colour}"/>` +
        `<text x="${MARGIN.left + 18}" y="${legendY + s * LEGEND_ROW}">${escapeHtml(label)}</text></g>`,
    )
    .join("");
  return (
    `<svg class="chart ${className}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${id}-title${text.description ? ` ${id}-desc` : ""}">` +
    `<title id="${id}-title">${escapeHtml(text.title)}</title>` +
    (text.description ? `<desc id="${id}-desc">${escapeHtml(text.description)}</desc>` : "") +
    `<text class="chart-title" x="${width / 2}" y="18" text-anchor="middle">${escapeHtml(text.title)}</text>` +
    body +
    legendItems +
    `</svg>`
  );
}

/** A y axis with nice ticks and grid lines over the plot area; returns the markup and the scale. */
export function yAxis(area: PlotArea, domain: Domain, label: string): { markup: string; y: (v: number) => number; domain: Domain } {
  const nice = niceTicks(domain);
  const y = linearScale(nice.domain, area.bottom, area.top);
  const ticks = nice.ticks
    .map(
      (t) =>
        `<line class="grid" x1="${area.left}" x2="${area.right}" y1="${px(y(t))}" y2="${px(y(t))}"/>` +
        `<text class="tick" x="${area.left - 6}" y="${px(y(t) + 4)}" text-anchor="end">${escapeHtml(formatTick(t, nice.ticks))}</text>`,
    )
    .join("");
  const middle = (area.top + area.bottom) / 2;
  const markup =
    `<g class="axis y-axis">${ticks}<line class="axis-line" x1="${area.left}" x2="${area.left}" y1="${area.top}" y2="${area.bottom}"/>` +
    `<text class="axis-label" transform="translate(14 ${px(middle)}) rotate(-90)" text-anchor="middle">${escapeHtml(label)}</text></g>`;
  return { markup, y, domain: nice.domain };
}

/** An x axis with nice ticks along the bottom of the plot area. */
export function xAxis(area: PlotArea, domain: Domain, label: string, integer = false): { markup: string; x: (v: number) => number; domain: Domain } {
  const nice = niceTicks(domain, 5, integer);
  const x = linearScale(nice.domain, area.left, area.right);
  const ticks = nice.ticks
    .map(
      (t) =>
        `<line class="tick-mark" x1="${px(x(t))}" x2="${px(x(t))}" y1="${area.bottom}" y2="${area.bottom + 5}"/>` +
        `<text class="tick" x="${px(x(t))}" y="${area.bottom + 18}" text-anchor="middle">${escapeHtml(formatTick(t, nice.ticks))}</text>`,
    )
    .join("");
  return { markup: `<g class="axis x-axis">${ticks}${xAxisLine(area, label)}</g>`, x, domain: nice.domain };
}

/** The bottom axis line and its label (category axes draw their own ticks). */
export function xAxisLine(area: PlotArea, label: string): string {
  return (
    `<line class="axis-line" x1="${area.left}" x2="${area.right}" y1="${area.bottom}" y2="${area.bottom}"/>` +
    `<text class="axis-label" x="${px((area.left + area.right) / 2)}" y="${area.bottom + 38}" text-anchor="middle">${escapeHtml(label)}</text>`
  );
}

/** The "nothing to plot" note in the middle of an empty plot area. */
export function emptyNote(area: PlotArea): string {
  return `<text class="empty-note" x="${px((area.left + area.right) / 2)}" y="${px((area.top + area.bottom) / 2)}" text-anchor="middle">no data</text>`;
}

/** Pixel coordinates with two decimals: short markup, no visible rounding. */
export function px(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** "Exposure Lorenz curves (K = 10)" → "exposure-lorenz-curves-k-10". */
export function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .normalize("NFKD")
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "chart"
  );
}

function size(text: ChartText): { width: number; height: number } {
  return { width: text.width ?? 540, height: text.height ?? 340 };
}

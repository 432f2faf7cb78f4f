/** The before/after table: a Comparison (experiments/comparison.ts) as an HTML table with a caption. */
import type { Comparison } from "../experiments/comparison.js";
import { betterDirection } from "../experiments/frontier.js";
import { formatChange, formatValue } from "../experiments/comparison.js";
import { escapeHtml } from "./escape.js";

/**
 * One row per metric: the baseline's value, then every other model's value and its change against
 * the baseline. A change is marked better or worse by the metric's direction (accuracy and
 * coverage up, concentration down), so the reader need not know which way each metric points.
 */
export function metricsTable(c: Comparison, metrics: readonly string[], caption: string): string {
  const others = c.labels.slice(1);
  const head =
    `<tr><th scope="col">metric</th><th scope="col">${escapeHtml(c.baseline)}</th>` +
    others.map((l) => `<th scope="col">${escapeHtml(l)}</th><th scope="col">change</th>`).join("") +
    `</tr>`;
  const rows = metrics
    .map((name) => {
      const cells = others
        .map((label) => {
          const change = c.changes[label]?.[name] ?? null;
          return `<td>${escapeHtml(formatCell(c.values[label]?.[name]))}</td>${changeCell(change, betterDirection(name))}`;
        })
        .join("");
      return `<tr><th scope="row">${escapeHtml(name)}</th><td>${escapeHtml(formatCell(c.values[c.baseline]?.[name]))}</td>${cells}</tr>`;
    })
    .join("");
  return `<table class="metrics"><caption>${escapeHtml(caption)}</caption><thead>${head}</thead><tbody>${rows}</tbody></table>`;
}

/** A plain table of rows of already formatted cells; the first cell of each row is its header. */
export function simpleTable(caption: string, header: readonly string[], rows: readonly (readonly string[])[]): string {
  const head = `<tr>${header.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join("")}</tr>`;
  const body = rows
    .map((r) => `<tr>${r.map((cell, i) => (i === 0 ? `<th scope="row">${escapeHtml(cell)}</th>` : `<td>${escapeHtml(cell)}</td>`)).join("")}</tr>`)
    .join("");
  return `<table class="metrics"><caption>${escapeHtml(caption)}</caption><thead>${head}</thead><tbody>${body}</tbody></table>`;
}

/** Whole numbers (median popularity, counts) without decimals; other values as the text tables write them. */
function formatCell(v: number | undefined): string {
  return v !== undefined && Number.isInteger(v) ? v.toLocaleString("en-US") : formatValue(v);
}

function changeCell(change: number | null, better: "higher" | "lower"): string {
  if (change === null) return `<td class="change">–</td>`;
  const text = formatChange(change);
  const direction = change === 0 ? "same" : change > 0 === (better === "higher") ? "better" : "worse";
  return `<td class="change ${direction}">${escapeHtml(text)}</td>`;
}

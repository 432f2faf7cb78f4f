import type { ExperimentResult } from "./experiment.js";
import { formatColumns } from "./text-table.js";

/** Side-by-side metrics of several configurations, each against the first (the baseline). */
export interface Comparison {
  baseline: string;
  labels: string[];
  /** Metric names in report order (the union over configurations). */
  metrics: string[];
  /** values[label][metric]. */
  values: Record<string, Record<string, number>>;
  /** Relative change against the baseline: (value − base) / |base|; null where base is 0 or either is missing. */
  changes: Record<string, Record<string, number | null>>;
}

export function compareResults(results: readonly ExperimentResult[]): Comparison {
  return compareMetricRecords(results.map((r) => ({ label: r.label, metrics: r.evaluation.metrics })));
}

/** The same comparison of labelled metric records (any evaluation: served slates, re-ranked lists); the first is the baseline. */
export function compareMetricRecords(results: readonly { label: string; metrics: Record<string, number> }[]): Comparison {
  if (results.length === 0) throw new RangeError("nothing to compare: give at least one configuration");
  const metrics: string[] = [];
  const seen = new Set<string>();
  for (const r of results) {
    for (const name of Object.keys(r.metrics)) {
      if (!seen.has(name)) {
        seen.add(name);
        metrics.push(name);
      }
    }
  }
  const base = results[0];
  const values: Comparison["values"] = {};
  const changes: Comparison["changes"] = {};
  for (const r of results) {
    values[r.label] = { ...r.metrics };
    const change: Record<string, number | null> = {};
    for (const name of metrics) change[name] = relativeChange(base.metrics[name], r.metrics[name]);
    changes[r.label] = change;
  }
  return { baseline: base.label, labels: results.map((r) => r.label), metrics, values, changes };
}

export function relativeChange(before: number | undefined, after: number | undefined): number | null {
  if (before === undefined || after === undefined || !Number.isFinite(before) || !Number.isFinite(after) || before === 0) return null;
  return (after - before) / Math.abs(before);
}

/**
 * A plain-text table: one row per metric; the baseline's value, then for every other configuration
 * its value and its change against the baseline ("before, after, change").
 */
export function formatComparison(c: Comparison): string {
  const header = ["metric", c.baseline];
  for (const label of c.labels.slice(1)) header.push(label, "change");
  const rows = [header];
  for (const name of c.metrics) {
    const row = [name, formatValue(c.values[c.baseline][name])];
    for (const label of c.labels.slice(1)) row.push(formatValue(c.values[label][name]), formatChange(c.changes[label][name]));
    rows.push(row);
  }
  return formatColumns(rows);
}

export function formatValue(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return "–";
  if (Number.isInteger(v) && Math.abs(v) >= 1000) return v.toLocaleString("en-US");
  if (Math.abs(v) >= 100) return v.toFixed(1);
  return v.toFixed(4);
}

export function formatChange(r: number | null): string {
  if (r === null) return "–";
  const pct = r * 100;
  return `${pct >= 0 ? "+" : ""}${Math.abs(pct) >= 100 ? pct.toFixed(0) : pct.toFixed(1)}%`;
}

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
  /**
   * Absolute change against the baseline: value − base; null where either is missing. Beside the
   * relative change it keeps a change from a near-zero base honest (0.6% → 5.8% is +872%, +5.2 points).
   */
  differences: Record<string, Record<string, number | null>>;
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
  const differences: Comparison["differences"] = {};
  for (const r of results) {
    values[r.label] = { ...r.metrics };
    const change: Record<string, number | null> = {};
    const difference: Record<string, number | null> = {};
    for (const name of metrics) {
      change[name] = relativeChange(base.metrics[name], r.metrics[name]);
      difference[name] = absoluteChange(base.metrics[name], r.metrics[name]);
    }
    changes[r.label] = change;
    differences[r.label] = difference;
  }
  return { baseline: base.label, labels: results.map((r) => r.label), metrics, values, changes, differences };
}

export function relativeChange(before: number | undefined, after: number | undefined): number | null {
  if (before === undefined || after === undefined || !Number.isFinite(before) || !Number.isFinite(after) || before === 0) return null;
  return (after - before) / Math.abs(before);
}

export function absoluteChange(before: number | undefined, after: number | undefined): number | null {
  if (before === undefined || after === undefined || !Number.isFinite(before) || !Number.isFinite(after)) return null;
  return after - before;
}

/**
 * A plain-text table: one row per metric; the baseline's value, then for every other configuration
 * its value and its change against the baseline ("before, after, change"). With `points`, a
 * change of a share (both values in [0, 1]) also shows its absolute size in percentage points.
 */
export function formatComparison(c: Comparison, options: { points?: boolean } = {}): string {
  const header = ["metric", c.baseline];
  for (const label of c.labels.slice(1)) header.push(label, "change");
  const rows = [header];
  for (const name of c.metrics) {
    const before = c.values[c.baseline][name];
    const row = [name, formatValue(before)];
    for (const label of c.labels.slice(1)) {
      const after = c.values[label][name];
      const change = formatChange(c.changes[label][name]);
      const difference = c.differences[label][name];
      const isShare = before !== undefined && after !== undefined && before >= 0 && before <= 1 && after >= 0 && after <= 1;
      row.push(formatValue(after), options.points && isShare && difference !== null ? `${change} (${formatPoints(difference)})` : change);
    }
    rows.push(row);
  }
  return formatColumns(rows);
}

/** A difference of two shares in percentage points: "+5.2 pts". */
export function formatPoints(difference: number): string {
  const points = difference * 100;
  return `${points >= 0 ? "+" : ""}${points.toFixed(Math.abs(points) >= 10 ? 1 : 2)} pts`;
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

/**
 * The Lorenz curve of exposure: items sorted from least to most shown, the cumulative share of the
 * catalog (x) against the cumulative share of all served slots (y). The diagonal is perfect
 * equality; the area between the diagonal and the curve is half the Gini coefficient (eval/gini.ts).
 */
import type { ChartPoint } from "./line-chart.js";

/**
 * At most `maxPoints` + 1 points from (0, 0) to (1, 1) (evenly spaced in items; enough for a smooth
 * curve without writing one point per item of a large catalog). No items or no exposure: the diagonal.
 */
export function lorenzCurve(exposure: ArrayLike<number>, maxPoints = 100): ChartPoint[] {
  const m = exposure.length;
  const sorted = Float64Array.from(exposure).sort();
  const total = sorted.reduce((a, b) => a + b, 0);
  if (m === 0 || total <= 0)
    return [
      { x: 0, y: 0 },
      { x: 1, y: 1 },
    ];
  const steps = Math.max(1, Math.min(maxPoints, m));
  const points: ChartPoint[] = [{ x: 0, y: 0 }];
  let cumulative = 0,
    item = 0;
  for (let s = 1; s <= steps; s++) {
    const upTo = Math.round((s * m) / steps);
    for (; item < upTo; item++) cumulative += sorted[item]!;
    points.push({ x: upTo / m, y: cumulative / total });
  }
  return points;
}

/** How many times each item appears in top-K lists (-1 marks an empty slot). */
export function exposureCounts(lists: ArrayLike<number>, nItems: number): Int32Array {
  const exposure = new Int32Array(nItems);
  for (let p = 0; p < lists.length; p++) {
    const item = lists[p]!;
    if (item >= 0) exposure[item]++;
  }
  return exposure;
}

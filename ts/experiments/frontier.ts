/** Which way is better for a metric, from its name: accuracy, coverage and tail shares up; concentration down. */
export function betterDirection(metric: string): "higher" | "lower" {
  const base = metric.split(/[@.]/)[0];
  return LOWER_IS_BETTER.has(base) ? "lower" : "higher";
}

const LOWER_IS_BETTER = new Set(["gini", "medianPopularity", "meanPopularity", "t1ps"]);

export interface FrontierPoint {
  x: number;
  y: number;
}

/**
 * Pareto-optimal points of an accuracy-versus-popularity trade-off: a point is on the frontier
 * when no other point is at least as good on both axes and better on one. Returns a flag per point.
 */
export function paretoFrontier(points: readonly FrontierPoint[], xBetter: "higher" | "lower", yBetter: "higher" | "lower"): boolean[] {
  const sx = xBetter === "higher" ? 1 : -1;
  const sy = yBetter === "higher" ? 1 : -1;
  return points.map((p, i) => {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) return false;
    return !points.some((q, j) => {
      if (j === i || !Number.isFinite(q.x) || !Number.isFinite(q.y)) return false;
      const dx = sx * (q.x - p.x),
        dy = sy * (q.y - p.y);
      return dx >= 0 && dy >= 0 && (dx > 0 || dy > 0);
    });
  });
}

import { quoteFound } from "../data/errors.js";

/** One swept parameter and the values it takes, in order. */
export interface GridAxis {
  name: string;
  values: readonly string[];
}

/** Every combination of the axes' values; the first axis varies slowest, so rows read like nested loops. */
export function expandGrid(axes: readonly GridAxis[]): Array<Record<string, string>> {
  let rows: Array<Record<string, string>> = [{}];
  for (const axis of axes) {
    if (axis.values.length === 0) throw new RangeError(`parameter "${axis.name}" has no values to sweep`);
    const next: Array<Record<string, string>> = [];
    for (const row of rows) for (const value of axis.values) next.push({ ...row, [axis.name]: value });
    rows = next;
  }
  return rows;
}

/**
 * Parse "name=v1,v2,v3" (or "name=from:to:step" for an evenly spaced numeric range, ends
 * included). The range form keeps the step's decimals so 0:1:0.1 gives "0.3", not 0.30000000000000004.
 */
export function parseGridAxis(text: string): GridAxis {
  const eq = text.indexOf("=");
  const name = eq < 0 ? "" : text.slice(0, eq).trim().replace(/^--/, "");
  const spec = eq < 0 ? "" : text.slice(eq + 1).trim();
  if (!name || !spec) throw new RangeError(`a swept parameter is written name=v1,v2,... or name=from:to:step, got ${quoteFound(text)}`);
  const range = spec.split(":");
  if (range.length === 3) {
    const [from, to, step] = range.map(Number);
    if (![from, to, step].every(Number.isFinite) || !(step > 0) || to < from) {
      throw new RangeError(`${name}: a range is from:to:step with from ≤ to and step > 0, got ${JSON.stringify(spec)}`);
    }
    const decimals = Math.max(...range.map((part) => (part.split(".")[1] ?? "").length));
    const n = Math.floor((to - from) / step + 1e-9);
    if (n > 10_000) throw new RangeError(`${name}: ${spec} has ${n + 1} values; a sweep of that size would never finish`);
    const values: string[] = [];
    for (let i = 0; i <= n; i++) values.push((from + i * step).toFixed(decimals));
    return { name, values };
  }
  const values = spec.split(",").map((s) => s.trim());
  if (values.some((v) => v === "")) throw new RangeError(`${name}: empty value in ${JSON.stringify(spec)}`);
  return { name, values };
}

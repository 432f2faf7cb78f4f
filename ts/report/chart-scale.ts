/** Axis arithmetic of the report's charts: a padded domain, "nice" tick values and their labels. */

export interface Domain {
  min: number;
  max: number;
}

/**
 * The range the values span, widened so that a chart of one point or of equal values still has an
 * axis (±1 around 0, else ±10% around the value), and {0, 1} when there are no finite values.
 */
export function domainOf(values: readonly number[], include: readonly number[] = []): Domain {
  const finite = [...values, ...include].filter(Number.isFinite);
  if (finite.length === 0) return { min: 0, max: 1 };
  let min = Math.min(...finite),
    max = Math.max(...finite);
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  return { min, max };
}

/**
 * About `count` round tick values (1, 2 or 5 × 10ⁿ apart) covering the domain; the domain is widened
 * to the outer ticks. `integer`: ticks on whole numbers only (rounds, counts).
 */
export function niceTicks(domain: Domain, count = 5, integer = false): { ticks: number[]; domain: Domain } {
  const span = domain.max - domain.min;
  const raw = Math.max(span / Math.max(1, count), integer ? 1 : 0);
  const power = 10 ** Math.floor(Math.log10(raw));
  // The tolerance keeps binary noise (0.66 − 0.61 = 0.05000000000000004) from doubling the step.
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw * (1 - 1e-9)) ?? 10 * power;
  const first = Math.floor(domain.min / step + 1e-9) * step;
  const last = Math.ceil(domain.max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let t = first; t <= last + step / 2; t += step) ticks.push(roundTo(t, step));
  return { ticks, domain: { min: first, max: last } };
}

/** A tick label with no more decimals than the tick step needs (0.25 → "0.25", 2000 → "2,000"). */
export function formatTick(value: number, ticks: readonly number[]): string {
  const step = ticks.length > 1 ? Math.abs(ticks[1]! - ticks[0]!) : Math.abs(value) || 1;
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  return value.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** Maps a domain onto a pixel interval (reversed intervals flip the axis, as y axes need). */
export function linearScale(domain: Domain, from: number, to: number): (value: number) => number {
  const span = domain.max - domain.min || 1;
  return (value) => from + ((value - domain.min) / span) * (to - from);
}

/** Removes the binary noise of repeated additions (0.30000000000000004 → 0.3) at the step's precision. */
function roundTo(value: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 2);
  return Number(value.toFixed(Math.min(12, decimals)));
}

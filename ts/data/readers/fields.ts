import { DataError, quoteFound, type DataLocation } from "../errors.js";

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * A plain decimal number, or undefined. Stricter than Number(): "" , " ", "0x1F", "Infinity"
 * and "1,5" are not ratings anyone meant.
 */
export function parseDecimal(text: string): number | undefined {
  const t = text.trim();
  if (!DECIMAL.test(t)) return undefined;
  const value = Number(t);
  return Number.isFinite(value) ? value : undefined;
}

export function requireNumber(text: string, where: DataLocation): number {
  const value = parseDecimal(text);
  if (value === undefined) throw new DataError(where, `expected a number, got ${quoteFound(text)}`);
  return value;
}

/**
 * A timestamp: a number as written (any unit; only its order is used), or, when `allowDates`,
 * an ISO-8601 date or date-time, converted to seconds since 1970 (UTC unless an offset is given,
 * so the result does not depend on the machine's time zone).
 */
export function requireTimestamp(text: string, where: DataLocation, allowDates: boolean): number {
  const value = parseDecimal(text);
  if (value !== undefined) return value;
  const t = text.trim();
  const match = allowDates ? ISO_DATE.exec(t) : null;
  if (match !== null) {
    const hasTime = t.length > 10;
    const iso = t.replace(" ", "T") + (hasTime && match[1] === undefined ? "Z" : "");
    const ms = Date.parse(iso);
    if (Number.isFinite(ms)) return ms / 1000;
  }
  const expected = allowDates ? "a number or an ISO-8601 date" : "a number";
  throw new DataError(where, `expected ${expected}, got ${quoteFound(text)}`);
}

// A control character (NUL, a lone \r, an escape...) inside an id is a sign of a misread file (a
// binary file, a broken line ending), never part of a real id.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

/** A non-empty id, trimmed (a space after a comma is layout, not part of an id), without control characters. */
export function requireId(text: string, where: DataLocation, what: string): string {
  const id = text.trim();
  if (id.length === 0) throw new DataError(where, `expected ${what}, got ${quoteFound(text)}`);
  const control = CONTROL.exec(id);
  if (control !== null) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
    throw new DataError(
      where,
      `expected ${what}, got ${quoteFound(text)}, which holds the control character U+${code} (a binary file, or a broken line ending?)`,
    );
  }
  return id;
}

/** The largest rating in magnitude: ratings are kept as float32. */
export const MAX_RATING = 3.4e38;

/**
 * A rating: a number; one below 0 only when minRating is given (which then decides what counts as
 * a positive). Without minRating every row becomes a positive interaction, and a negative rating
 * (a dislike) read as one would turn the data upside down without a word.
 */
export function requireRating(text: string, where: DataLocation, minRating: number | undefined): number {
  return checkRating(requireNumber(text, where), text, where, minRating);
}

/** A rating already read as a number (a Parquet or Arrow column), checked as {@link requireRating} checks one read from text. */
export function checkRating(value: number, found: string, where: DataLocation, minRating: number | undefined): number {
  // Ratings are kept as 32-bit floats: a larger one would become Infinity and poison the weights.
  if (!(Math.abs(value) <= MAX_RATING)) {
    throw new DataError(where, `a rating of ${quoteFound(found)} is out of range (at most ${MAX_RATING.toExponential(1)} in magnitude)`);
  }
  if (value < 0 && minRating === undefined) {
    throw new DataError(
      where,
      `a negative rating (${quoteFound(found)}) while every row is kept as a positive interaction: pass minRating (CLI: --min-rating) to choose which ratings count as positive`,
    );
  }
  return value;
}

import { DataError, quoteFound } from "../errors.js";
import type { Interactions } from "../interactions.js";
import { parseDecimal, requireId, requireRating, requireTimestamp } from "./fields.js";
import { builderFor, minRatingOf, type ReaderOptions } from "./reader-options.js";
import { forEachLine } from "./text-lines.js";

/** What a column of a triples file holds: "-" for a column to skip. */
export type TripleColumn = "user" | "item" | "rating" | "weight" | "timestamp" | "-";
export const TRIPLE_COLUMNS: readonly TripleColumn[] = ["user", "item", "rating", "weight", "timestamp", "-"];

/** How the fields of a line are separated: a tab, a comma, or any run of spaces and tabs. */
export type TripleSeparator = "tab" | "comma" | "whitespace";

export interface TriplesOptions extends ReaderOptions {
  /** The columns in order (default by their count: user item, + rating, + timestamp). */
  readonly columns?: readonly TripleColumn[];
  /** Default: a tab if the first line holds one, else a comma if it holds one, else whitespace. */
  readonly separator?: TripleSeparator;
  /** Whether the first line names the columns (default: when a field that must be a number is not one). */
  readonly header?: boolean;
}

/** The default columns for a line of n fields (2 to 4). */
export function defaultTripleColumns(n: number): readonly TripleColumn[] | undefined {
  return n === 2 ? ["user", "item"] : n === 3 ? ["user", "item", "rating"] : n === 4 ? ["user", "item", "rating", "timestamp"] : undefined;
}

/** The separator of a first line (see TriplesOptions.separator). */
export function tripleSeparatorOf(line: string): TripleSeparator {
  return line.includes("\t") ? "tab" : line.includes(",") ? "comma" : "whitespace";
}

/** The fields of a line under a separator (tab and comma keep empty fields; whitespace splits runs). */
export function splitTriple(line: string, separator: TripleSeparator): string[] {
  if (separator === "whitespace") return line.trim().split(/\s+/);
  return line.split(separator === "tab" ? "\t" : ",").map((f) => f.trim());
}

/** Whether a line's numeric columns fail to be numbers: then it is a header naming the columns. */
export function isTripleHeader(fields: readonly string[], columns: readonly TripleColumn[]): boolean {
  return columns.some((c, i) => (c === "rating" || c === "weight" || c === "timestamp") && fields[i] !== undefined && parseDecimal(fields[i]!) === undefined);
}

/**
 * Interactions as one per line, `user item [rating|weight] [timestamp]`, the fields in fixed
 * positions (MovieLens 100K's u.data, Last.fm-style `user artist plays`, Spark/pandas exports
 * without quoting), separated by tabs, commas or spaces, with or without a header line.
 * `minRating` keeps rows whose rating (or weight) is at least that; a rating below 0 needs it.
 * Every line must have as many fields as the columns.
 */
export async function readTriples(source: AsyncIterable<Uint8Array>, options: TriplesOptions = {}): Promise<Interactions> {
  const name = options.name ?? "interactions";
  const minRating = minRatingOf(options);
  let columns = options.columns;
  let separator = options.separator;
  if (columns !== undefined) checkColumns(columns);
  const builder = builderFor(options, name, { user: "user", item: "item" });
  let dataRows = 0;
  let first = true;
  await forEachLine(source, { name, ...(options.encoding && { encoding: options.encoding }) }, (text, line) => {
    if (text.trim().length === 0) return;
    separator ??= tripleSeparatorOf(text);
    const fields = splitTriple(text, separator);
    if (first) {
      first = false;
      columns ??= defaultTripleColumns(fields.length);
      if (columns === undefined) {
        throw new DataError(
          { file: name, line },
          `${fields.length} ${separator}-separated fields (${quoteFound(text)}): give the columns in order (CLI: --columns user,item,rating,timestamp; "-" skips one)`,
        );
      }
      if (minRating !== undefined && !columns.includes("rating") && !columns.includes("weight")) {
        throw new DataError(
          { file: name, line },
          `minRating (CLI: --min-rating) needs a rating or weight column, and the columns are ${columns.join(",")}: leave it out, or name the rating column (CLI: --columns)`,
        );
      }
      if (options.header ?? isTripleHeader(fields, columns)) return;
    }
    const cols = columns!;
    if (fields.length !== cols.length) {
      throw new DataError(
        { file: name, line },
        `expected ${cols.length} ${separator}-separated fields (${cols.join(" ")}), got ${fields.length}: ${quoteFound(text)}`,
      );
    }
    dataRows++;
    let user = "",
      item = "";
    let rating: number | undefined, timestamp: number | undefined;
    for (let c = 0; c < cols.length; c++) {
      const where = { file: name, line, field: cols[c]! };
      switch (cols[c]) {
        case "user":
          user = requireId(fields[c]!, where, "a user id");
          break;
        case "item":
          item = requireId(fields[c]!, where, "an item id");
          break;
        case "rating":
        case "weight":
          rating = requireRating(fields[c]!, where, minRating);
          break;
        case "timestamp":
          timestamp = requireTimestamp(fields[c]!, where, true);
          break;
      }
    }
    if (minRating !== undefined && rating! < minRating) {
      builder.noteBelowMinRating();
      return;
    }
    builder.add(user, item, rating, timestamp, line);
  });
  if (dataRows === 0) throw new DataError({ file: name }, 'no data lines (expected lines of "user item [rating] [timestamp]")');
  return builder.build();
}

/** The columns option, checked: one user, one item, at most one rating or weight and one timestamp. */
export function checkColumns(columns: readonly TripleColumn[]): void {
  for (const c of columns) if (!TRIPLE_COLUMNS.includes(c)) throw new RangeError(`a column is one of ${TRIPLE_COLUMNS.join(", ")}, got ${JSON.stringify(c)}`);
  const count = (c: TripleColumn) => columns.filter((x) => x === c).length;
  if (count("user") !== 1 || count("item") !== 1) throw new RangeError(`the columns need exactly one "user" and one "item", got ${columns.join(",")}`);
  if (count("rating") + count("weight") > 1 || count("timestamp") > 1)
    throw new RangeError(`the columns hold at most one rating or weight and one timestamp, got ${columns.join(",")}`);
}

import { DataError, quoteFound } from "../errors.js";
import type { Interactions } from "../interactions.js";
import { CsvRecordAssembler, detectDelimiter, type Delimiter } from "./csv-record.js";
import { requireId, requireRating, requireTimestamp } from "./fields.js";
import { builderFor, minRatingOf, type ReaderOptions } from "./reader-options.js";
import { forEachLine } from "./text-lines.js";

/** Which header columns hold what. */
export interface DelimitedColumns {
  readonly user: string;
  readonly item: string;
  readonly rating?: string;
  readonly timestamp?: string;
  /** Auto-detected from the header when omitted (the most frequent of , tab ; outside quotes). */
  readonly delimiter?: Delimiter;
}

export type DelimitedOptions = DelimitedColumns & ReaderOptions;

const DELIMITER_NAMES: Record<Delimiter, string> = { ",": "comma", "\t": "tab", ";": "semicolon" };

/**
 * Generic CSV/TSV with a header row and named columns; quoted fields per RFC 4180 (a quoted field
 * may hold delimiters, doubled quotes and line breaks). Columns not named in the options are
 * ignored. A timestamp may be a number or an ISO-8601 date.
 */
export async function readDelimited(source: AsyncIterable<Uint8Array>, options: DelimitedOptions): Promise<Interactions> {
  const name = options.name ?? "interactions.csv";
  const minRating = minRatingOf(options);
  if (minRating !== undefined && options.rating === undefined) {
    throw new DataError(
      { file: name, line: 1, field: "header" },
      "minRating (CLI: --min-rating) needs a rating column, and none was named or recognised in the header: leave it out, or name the rating column (option rating)",
    );
  }
  const builder = builderFor(options, name, {
    user: options.user,
    item: options.item,
    ...(options.rating !== undefined && { rating: options.rating }),
    ...(options.timestamp !== undefined && { timestamp: options.timestamp }),
  });
  let layout: ColumnLayout | undefined;
  let records: CsvRecordAssembler | undefined;
  let dataRows = 0;

  const onRecord = (fields: string[], line: number): void => {
    const l = layout!;
    if (fields.length !== l.width) {
      throw new DataError(
        { file: name, line },
        `expected ${l.width} ${DELIMITER_NAMES[l.delimiter]}-separated fields as in the header, got ${fields.length}: ` + quoteFound(fields.join(l.delimiter)),
      );
    }
    dataRows++;
    const user = requireId(fields[l.user]!, { file: name, line, field: options.user }, "a user id");
    const item = requireId(fields[l.item]!, { file: name, line, field: options.item }, "an item id");
    const rating = l.rating < 0 ? undefined : requireRating(fields[l.rating]!, { file: name, line, field: options.rating! }, minRating);
    const timestamp = l.timestamp < 0 ? undefined : requireTimestamp(fields[l.timestamp]!, { file: name, line, field: options.timestamp! }, true);
    if (minRating !== undefined && rating! < minRating) {
      builder.noteBelowMinRating();
      return;
    }
    builder.add(user, item, rating, timestamp, line);
  };

  await forEachLine(source, { name, ...(options.encoding && { encoding: options.encoding }) }, (text, line) => {
    if (records !== undefined) {
      records.pushLine(text, line);
      return;
    }
    if (text.trim().length === 0) return;
    layout = resolveColumns(text, options, name, line);
    records = new CsvRecordAssembler(name, layout.delimiter, onRecord);
  });
  if (records === undefined) throw new DataError({ file: name }, "empty file; expected a header row naming the columns");
  records.finish();
  if (dataRows === 0) throw new DataError({ file: name }, "no data rows after the header");
  return builder.build();
}

interface ColumnLayout {
  readonly delimiter: Delimiter;
  readonly width: number;
  readonly user: number;
  readonly item: number;
  readonly rating: number;
  readonly timestamp: number;
}

/** Positions of the named columns in a header line; a missing or repeated column is a DataError. */
export function resolveColumns(headerLine: string, columns: DelimitedColumns, name: string, line = 1): ColumnLayout {
  const delimiter = columns.delimiter ?? detectDelimiter(headerLine);
  if (delimiter === undefined) {
    throw new DataError({ file: name, line, field: "header" }, `could not find a delimiter (comma, tab or semicolon) in the header ${quoteFound(headerLine)}`);
  }
  const header = new CsvHeader(headerLine, delimiter, name, line);
  return {
    delimiter,
    width: header.names.length,
    user: header.position(columns.user),
    item: header.position(columns.item),
    rating: columns.rating === undefined ? -1 : header.position(columns.rating),
    timestamp: columns.timestamp === undefined ? -1 : header.position(columns.timestamp),
  };
}

class CsvHeader {
  readonly names: string[];

  constructor(
    headerLine: string,
    delimiter: Delimiter,
    private readonly file: string,
    private readonly line: number,
  ) {
    let fields: string[] | undefined;
    new CsvRecordAssembler(file, delimiter, (f) => (fields = f)).pushLine(headerLine, line);
    if (fields === undefined) throw new DataError({ file, line, field: "header" }, "the header has an unclosed quote");
    this.names = fields.map((f) => f.trim());
  }

  position(column: string): number {
    const first = this.names.indexOf(column);
    const where = { file: this.file, line: this.line, field: column };
    if (first < 0) {
      const sameIgnoringCase = this.names.find((n) => n.toLowerCase() === column.toLowerCase());
      const suggestion = sameIgnoringCase === undefined ? "" : ` (did you mean ${JSON.stringify(sameIgnoringCase)}?)`;
      throw new DataError(where, `column not in the header${suggestion}; the columns are ${this.names.map((n) => JSON.stringify(n)).join(", ")}`);
    }
    if (this.names.indexOf(column, first + 1) >= 0) throw new DataError(where, "the header names this column more than once");
    return first;
  }
}

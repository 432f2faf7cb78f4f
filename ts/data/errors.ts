/**
 * Where a piece of bad input sits: the file (or source name), the 1-based line, and the field
 * (column name, or the role of a token such as "user" or "item").
 */
export interface DataLocation {
  readonly file: string;
  readonly line?: number;
  readonly field?: string;
  /** A row of a columnar file (Parquet, Arrow IPC), 0-based as pandas, pyarrow and DuckDB count. */
  readonly row?: number;
  /** The part of the file that row sits in, e.g. "row group 2" or "record batch 0". */
  readonly rowIn?: string;
}

/**
 * Bad input data. The message always leads with the location so a user can open the file at the
 * right line: `ratings.csv:17: field "rating": expected a number, got "x"`.
 */
export class DataError extends Error {
  readonly file: string;
  readonly line?: number;
  readonly field?: string;
  readonly row?: number;
  readonly rowIn?: string;
  /** The message without the location prefix (what was expected, what was found). */
  readonly detail: string;

  constructor(location: DataLocation, detail: string) {
    super(formatDataMessage(location, detail));
    this.name = "DataError";
    this.file = location.file;
    if (location.line !== undefined) this.line = location.line;
    if (location.field !== undefined) this.field = location.field;
    if (location.row !== undefined) this.row = location.row;
    if (location.rowIn !== undefined) this.rowIn = location.rowIn;
    this.detail = detail;
  }

  /** The same location with more to say (e.g. a hint about how the format was chosen). */
  withHint(hint: string): DataError {
    const copy = new DataError(this, `${this.detail}; ${hint}`);
    copy.stack = this.stack;
    return copy;
  }
}

function formatDataMessage(location: DataLocation, detail: string): string {
  const line = location.line !== undefined ? `:${location.line}` : "";
  const row = location.row !== undefined ? `: row ${location.row}${location.rowIn !== undefined ? ` (${location.rowIn})` : ""}` : "";
  const field = location.field !== undefined ? `field "${location.field}": ` : "";
  return `${location.file}${line}${row}: ${field}${detail}`;
}

/**
 * A found value as it should appear in a message: quoted with escapes visible (a stray tab or
 * \r is the usual culprit), and cut short so one bad multi-megabyte line cannot flood a terminal.
 */
export function quoteFound(value: string, maxChars = 60): string {
  const shown = value.length > maxChars ? `${value.slice(0, maxChars)}…` : value;
  return JSON.stringify(shown);
}

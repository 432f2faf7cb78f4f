import { DataError, quoteFound } from "../errors.js";

/** Delimiters the delimited reader understands (and auto-detects from a header). */
export type Delimiter = "," | "\t" | ";";
export const DELIMITERS: readonly Delimiter[] = [",", "\t", ";"];

/** A record longer than this is almost surely an unbalanced quote swallowing the file. */
const MAX_RECORD_CHARS = 1 << 20;

/** A syntax error inside one record; the caller adds file and line. */
export class CsvSyntaxError extends Error {}

/**
 * One RFC 4180 record split into fields: a field in double quotes may hold the delimiter, line
 * breaks and doubled quotes (""); a quote inside an unquoted field is kept as it is (lenient, as
 * most writers produce such fields). Returns undefined when the text ends inside a quoted field,
 * i.e. the record continues on the next line.
 */
export function splitCsvRecord(text: string, delimiter: string): string[] | undefined {
  if (!text.includes('"')) return text.split(delimiter);
  const fields: string[] = [];
  const n = text.length;
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let value = "";
      i++;
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote < 0) return undefined;
        value += text.slice(i, quote);
        if (text[quote + 1] === '"') {
          value += '"';
          i = quote + 2;
        } else {
          i = quote + 1;
          break;
        }
      }
      fields.push(value);
      if (i === n) return fields;
      if (!text.startsWith(delimiter, i)) {
        throw new CsvSyntaxError(
          `unexpected ${quoteFound(text.slice(i, i + 10))} after the closing quote of field ${fields.length}; ` +
            `a quote inside a quoted field must be doubled ("")`,
        );
      }
      i += delimiter.length;
    } else {
      const next = text.indexOf(delimiter, i);
      if (next < 0) {
        fields.push(text.slice(i));
        return fields;
      }
      fields.push(text.slice(i, next));
      i = next + delimiter.length;
    }
    if (i === n) {
      fields.push("");
      return fields;
    }
  }
}

/**
 * Turns lines into CSV records (a quoted field may span lines) and hands each complete record to
 * `onRecord` with the line it started on. Blank lines between records are skipped.
 */
export class CsvRecordAssembler {
  private pending: string | undefined;
  private pendingLine = 0;

  constructor(
    private readonly name: string,
    private readonly delimiter: string,
    private readonly onRecord: (fields: string[], line: number) => void,
  ) {}

  pushLine(line: string, lineNumber: number): void {
    let text = line;
    let start = lineNumber;
    if (this.pending !== undefined) {
      text = `${this.pending}\n${line}`;
      start = this.pendingLine;
    } else if (line.trim().length === 0) {
      return;
    }
    let fields: string[] | undefined;
    try {
      fields = splitCsvRecord(text, this.delimiter);
    } catch (e) {
      if (e instanceof CsvSyntaxError) throw new DataError({ file: this.name, line: start }, e.message);
      throw e;
    }
    if (fields === undefined) {
      if (text.length > MAX_RECORD_CHARS) {
        throw new DataError(
          { file: this.name, line: start },
          `a quoted field opened on this line is still open after ${MAX_RECORD_CHARS} characters (unbalanced quote?)`,
        );
      }
      this.pending = text;
      this.pendingLine = start;
      return;
    }
    this.pending = undefined;
    this.onRecord(fields, start);
  }

  /** At the end of the input: an unclosed quote is an error. */
  finish(): void {
    if (this.pending !== undefined) {
      throw new DataError({ file: this.name, line: this.pendingLine }, "a quoted field opened on this line is never closed");
    }
  }
}

/** Number of `delimiter` characters outside quoted fields. */
export function countDelimiters(header: string, delimiter: string): number {
  let count = 0;
  let quoted = false;
  for (let i = 0; i < header.length; i++) {
    const c = header[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === delimiter) count++;
  }
  return count;
}

/** The delimiter a header line uses (the most frequent of , tab ;), or undefined when it has none. */
export function detectDelimiter(header: string): Delimiter | undefined {
  let best: Delimiter | undefined;
  let bestCount = 0;
  for (const d of DELIMITERS) {
    const c = countDelimiters(header, d);
    if (c > bestCount) {
      best = d;
      bestCount = c;
    }
  }
  return best;
}

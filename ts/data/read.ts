import { DataError, quoteFound } from "./errors.js";
import type { Interactions } from "./interactions.js";
import { detectDelimiter, splitCsvRecord, type Delimiter } from "./readers/csv-record.js";
import { readDelimited, type DelimitedColumns } from "./readers/delimited.js";
import { parseDecimal } from "./readers/fields.js";
import { readUserItemLines } from "./readers/lines.js";
import { MOVIELENS_RATINGS_HEADER, readMovieLensRatings } from "./readers/movielens-csv.js";
import { readMovieLensDatRatings } from "./readers/movielens-dat.js";
import type { ReaderOptions } from "./readers/reader-options.js";
import type { TextEncoding } from "./readers/text-lines.js";

export type InteractionsFormat = "movielens" | "movielens-dat" | "lines" | "csv";
export const INTERACTION_FORMATS: readonly InteractionsFormat[] = ["movielens", "movielens-dat", "csv", "lines"];

export interface ReadInteractionsOptions extends ReaderOptions {
  /** "auto" (default): from the file name, else from the first line. */
  readonly format?: InteractionsFormat | "auto";
  /** The file's name or path: drives "auto" and is the default `name` in messages. */
  readonly fileName?: string;
  /** csv only: column names (guessed from common names such as userId/user_id/item/movieId when absent). */
  readonly user?: string;
  readonly item?: string;
  readonly rating?: string;
  readonly timestamp?: string;
  readonly delimiter?: Delimiter;
}

/** The format a file name implies: ratings.csv → movielens, .dat → movielens-dat, .txt → lines, .csv/.tsv → csv. */
export function formatFromFileName(fileName: string): InteractionsFormat | undefined {
  const base = (fileName.split(/[\\/]/).pop() ?? "").toLowerCase();
  if (base === "ratings.csv") return "movielens";
  if (base.endsWith(".dat")) return "movielens-dat";
  if (base.endsWith(".txt")) return "lines";
  if (base.endsWith(".csv") || base.endsWith(".tsv")) return "csv";
  return undefined;
}

export interface FormatChoice {
  readonly format: InteractionsFormat;
  /** Why: "from the file name" or "from its first line". */
  readonly reason: string;
  /** For csv: the columns to read (given or guessed). */
  readonly columns?: DelimitedColumns;
}

/**
 * Decides the format of a file from its name and first non-blank line: the format the name
 * implies is tried first, then the others; the first whose layout the line fits wins. When none
 * fits, the DataError lists each format tried and why it was ruled out.
 */
export function chooseFormat(fileName: string, firstLine: string, options: ReadInteractionsOptions = {}): FormatChoice {
  const name = options.name ?? fileName;
  const hinted = formatFromFileName(fileName);
  const order = hinted === undefined ? INTERACTION_FORMATS : [hinted, ...INTERACTION_FORMATS.filter((f) => f !== hinted)];
  const rejections: string[] = [];
  for (const format of order) {
    const verdict = fits(format, firstLine, format === hinted, options);
    if (typeof verdict === "string") {
      rejections.push(`${format}: ${verdict}`);
      continue;
    }
    return { format, reason: format === hinted ? "from the file name" : "from its first line", ...verdict };
  }
  throw new DataError(
    { file: name, line: 1 },
    `could not tell the format of ${quoteFound(firstLine)}; tried ${rejections.join("; ")}. ` +
      `Pass format: ${INTERACTION_FORMATS.map((f) => `"${f}"`).join(" | ")} (CLI: --format)`,
  );
}

/** How the first line fits a format: an object (with csv columns) when it does, else the reason it does not. */
function fits(format: InteractionsFormat, line: string, hinted: boolean, options: ReadInteractionsOptions): { columns?: DelimitedColumns } | string {
  const trimmed = line.trim();
  switch (format) {
    case "movielens":
      return trimmed === MOVIELENS_RATINGS_HEADER ? {} : `the first line is not the header "${MOVIELENS_RATINGS_HEADER}"`;
    case "movielens-dat": {
      const parts = trimmed.split("::");
      return parts.length === 4 && parseDecimal(parts[2]!) !== undefined && parseDecimal(parts[3]!) !== undefined
        ? {}
        : "the first line is not user::item::rating::timestamp";
    }
    case "lines": {
      if (/[,;]|::/.test(trimmed)) return "the first line holds , ; or ::";
      if (hinted) return {};
      return trimmed.split(/\s+/).every((t) => /^\d+$/.test(t)) ? {} : "the first line is not all integer ids (a header?)";
    }
    case "csv": {
      const columns = csvColumns(line, options);
      return typeof columns === "string" ? columns : { columns };
    }
  }
}

const GUESSES = {
  user: ["userid", "user", "uid", "users", "customerid", "visitorid"],
  item: ["itemid", "item", "iid", "items", "movieid", "movie", "productid", "product"],
  rating: ["rating", "ratings", "score", "stars"],
  timestamp: ["timestamp", "time", "ts", "date", "datetime"],
} as const;

/** The csv columns from the options, or guessed from the header; a string says why not. */
function csvColumns(headerLine: string, options: ReadInteractionsOptions): DelimitedColumns | string {
  const delimiter = options.delimiter ?? detectDelimiter(headerLine);
  if (delimiter === undefined) return "no comma, tab or semicolon in the first line";
  let names: string[] | undefined;
  try {
    names = splitCsvRecord(headerLine, delimiter)?.map((n) => n.trim());
  } catch {
    names = undefined;
  }
  if (names === undefined) return "the first line is not a well-formed header";
  if (names.every((n) => parseDecimal(n) !== undefined)) return "the first line is data, not a header naming the columns";
  const pick = (role: keyof typeof GUESSES): string | undefined => {
    const given = options[role];
    if (given !== undefined) return given;
    const matches = names!.filter((n) => (GUESSES[role] as readonly string[]).includes(n.toLowerCase().replace(/[^a-z0-9]/g, "")));
    return matches.length === 1 ? matches[0] : undefined;
  };
  const user = pick("user");
  const item = pick("item");
  if (user === undefined || item === undefined) {
    const missing = [user === undefined ? "user" : "", item === undefined ? "item" : ""].filter((s) => s).join(" and ");
    return `no ${missing} column recognised among ${names.map((n) => JSON.stringify(n)).join(", ")} (pass the column names as options user/item)`;
  }
  const rating = pick("rating");
  const timestamp = pick("timestamp");
  return {
    user,
    item,
    delimiter,
    ...(rating !== undefined && { rating }),
    ...(timestamp !== undefined && { timestamp }),
  };
}

/**
 * Reads interactions in any supported format from a byte source. With format "auto" (the
 * default) the format is chosen by {@link chooseFormat}; a later DataError that suggests a wrong
 * guess (bad header, field count or number) says which format was used and why.
 */
export async function readInteractions(source: AsyncIterable<Uint8Array>, options: ReadInteractionsOptions = {}): Promise<Interactions> {
  const fileName = options.fileName ?? options.name ?? "interactions";
  const name = options.name ?? fileName;
  const requested = options.format ?? "auto";
  const peeked = await peekFirstLine(source, options.encoding ?? "utf-8");
  let choice: FormatChoice;
  try {
    if (peeked.firstLine === undefined) throw new DataError({ file: name }, "empty file: no data");
    if (requested === "auto") {
      choice = chooseFormat(fileName, peeked.firstLine, { ...options, name });
    } else if (requested === "csv") {
      const columns = csvColumns(peeked.firstLine, options);
      if (typeof columns === "string") throw new DataError({ file: name, line: 1, field: "header" }, columns);
      choice = { format: "csv", reason: "as requested", columns };
    } else {
      choice = { format: requested, reason: "as requested" };
    }
  } catch (e) {
    await peeked.close();
    throw e;
  }
  const readerOptions: ReaderOptions = { ...options, name };
  try {
    switch (choice.format) {
      case "movielens":
        return await readMovieLensRatings(peeked.source, readerOptions);
      case "movielens-dat":
        return await readMovieLensDatRatings(peeked.source, readerOptions);
      case "lines":
        return await readUserItemLines(peeked.source, readerOptions);
      case "csv":
        return await readDelimited(peeked.source, { ...readerOptions, ...choice.columns! });
    }
  } catch (e) {
    if (requested === "auto" && e instanceof DataError && !isIdField(e.field, choice)) {
      throw e.withHint(`read as ${choice.format} (chosen ${choice.reason}); pass format to choose another (CLI: --format)`);
    }
    throw e;
  } finally {
    await peeked.close();
  }
}

/** Errors about ids (unknown in the training data, empty) are not signs of a wrong format. */
function isIdField(field: string | undefined, choice: FormatChoice): boolean {
  if (field === undefined) return false;
  const idFields = choice.columns !== undefined ? [choice.columns.user, choice.columns.item] : ["user", "item", "userId", "movieId"];
  return idFields.includes(field);
}

const PEEK_LIMIT_CHARS = 1 << 16;

interface Peeked {
  /** The first non-blank line (cut at 64 Ki characters), undefined when the source holds no text. */
  readonly firstLine: string | undefined;
  /** The whole source again, from its first byte. */
  readonly source: AsyncIterable<Uint8Array>;
  /** Releases the underlying source (closes a file) if it was not read to its end. */
  close(): Promise<void>;
}

/** Reads just enough chunks to see the first non-blank line, and keeps them for replay. */
async function peekFirstLine(source: AsyncIterable<Uint8Array>, encoding: TextEncoding): Promise<Peeked> {
  const iterator = source[Symbol.asyncIterator]();
  const buffered: Uint8Array[] = [];
  const decoder = new TextDecoder(encoding === "latin1" ? "latin1" : "utf-8");
  let text = "";
  let exhausted = false;
  let firstLine: string | undefined;
  for (;;) {
    firstLine = firstNonBlankLine(text, exhausted);
    if (firstLine !== undefined || exhausted) break;
    if (text.length >= PEEK_LIMIT_CHARS) {
      firstLine = text.trimStart().slice(0, PEEK_LIMIT_CHARS);
      break;
    }
    const step = await iterator.next();
    if (step.done) {
      exhausted = true;
      text += decoder.decode();
    } else {
      buffered.push(step.value);
      text += decoder.decode(step.value, { stream: true });
    }
  }
  let open = !exhausted;
  const close = async (): Promise<void> => {
    if (open) {
      open = false;
      await iterator.return?.();
    }
  };
  const replay: AsyncIterable<Uint8Array> = {
    async *[Symbol.asyncIterator]() {
      yield* buffered;
      buffered.length = 0;
      while (open) {
        const step = await iterator.next();
        if (step.done) {
          open = false;
          return;
        }
        yield step.value;
      }
    },
  };
  return { firstLine, source: replay, close };
}

function firstNonBlankLine(text: string, complete: boolean): string | undefined {
  let start = 0;
  for (;;) {
    const newline = text.indexOf("\n", start);
    if (newline < 0) {
      const rest = text.slice(start);
      return complete && rest.trim().length > 0 ? rest.replace(/\r$/, "") : undefined;
    }
    const line = text.slice(start, newline).replace(/\r$/, "");
    if (line.trim().length > 0) return line;
    start = newline + 1;
  }
}

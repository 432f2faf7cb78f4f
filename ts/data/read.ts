import { bytesAsRandomAccess, gatherBytes, isSeekable, type RandomAccessFile } from "./byte-source.js";
import { DataError, quoteFound } from "./errors.js";
import type { Interactions } from "./interactions.js";
import { detectDelimiter, splitCsvRecord, type Delimiter } from "./readers/csv-record.js";
import { columnsLike, type GuessedRole } from "./readers/column-guesses.js";
import { isRoleList, namedColumnsOf, type ColumnList } from "./readers/column-list.js";
import { binaryFormatFromFileName, binaryFormatOf, MAGIC_BYTES, showBytes, type BinaryFormat } from "./readers/columnar/binary-format.js";
import type { ColumnarRead, ColumnarReadOptions } from "./readers/columnar/parquet.js";
import { readDelimited, type DelimitedColumns } from "./readers/delimited.js";
import { parseDecimal } from "./readers/fields.js";
import { readUserItemLines } from "./readers/lines.js";
import { MOVIELENS_RATINGS_HEADER, readMovieLensRatings } from "./readers/movielens-csv.js";
import {
  checkColumns,
  defaultTripleColumns,
  isTripleHeader,
  readTriples,
  splitTriple,
  TRIPLE_COLUMNS,
  tripleSeparatorOf,
  type TripleColumn,
  type TripleSeparator,
} from "./readers/triples.js";
import { readMovieLensDatRatings } from "./readers/movielens-dat.js";
import type { ReaderOptions } from "./readers/reader-options.js";
import type { TextEncoding } from "./readers/text-lines.js";

/** The text formats, told apart by their first lines. */
export type TextFormat = "movielens" | "movielens-dat" | "lines" | "csv" | "triples";
const TEXT_FORMATS: readonly TextFormat[] = ["movielens", "movielens-dat", "csv", "lines", "triples"];
/** Every format: the text ones, and Parquet and Arrow IPC (files and streams), told apart by their first bytes. */
export type InteractionsFormat = TextFormat | BinaryFormat;
export const INTERACTION_FORMATS: readonly InteractionsFormat[] = [...TEXT_FORMATS, "parquet", "arrow"];

export interface ReadInteractionsOptions extends ReaderOptions {
  /** "auto" (default): decided from the file's first lines (and its name), only when they fit one format. */
  readonly format?: InteractionsFormat | "auto";
  /**
   * Which columns to read. Roles in order (`["user", "-", "item", "weight"]`, "-" skips one) are a
   * triples file's layout by position (default by the field count: user item [rating]
   * [timestamp]); for Parquet and Arrow they are the columns of those names, or by position when
   * the file has no such names. Any other names (`["visitor", "product", "-", "ts"]`) are the
   * user, item, rating and timestamp columns of a named-column file (Parquet, Arrow, csv with a
   * header), "-" for one left out.
   */
  readonly columns?: ColumnList;
  /** triples: tab, comma or whitespace (default: from the first line). */
  readonly separator?: TripleSeparator;
  /** The file's name or path: drives "auto" and is the default `name` in messages. */
  readonly fileName?: string;
  /** Why the caller chose `format`, for the summary (default "as requested"; e.g. "the layout of MovieLens 100K's u.data"). */
  readonly formatReason?: string;
  /** csv, Parquet and Arrow: column names (guessed from common names such as userId/user_id/item/movieId when absent). */
  readonly user?: string;
  readonly item?: string;
  readonly rating?: string;
  readonly timestamp?: string;
  readonly delimiter?: Delimiter;
  /**
   * Parquet: decompressors for codecs beyond snappy, by codec name (e.g. `compressors` of the
   * hyparquet-compressors package for ZSTD; the Node loaders pass GZIP and BROTLI from node:zlib).
   */
  readonly compressors?: ColumnarReadOptions["compressors"];
}

/** The format a file name implies: ratings.csv → movielens, .dat → movielens-dat, .txt → lines, .csv/.tsv → csv. */
export function formatFromFileName(fileName: string): TextFormat | undefined {
  const base = (fileName.split(/[\\/]/).pop() ?? "").toLowerCase();
  if (base === "ratings.csv") return "movielens";
  if (base.endsWith(".dat")) return "movielens-dat";
  if (base.endsWith(".txt")) return "lines";
  if (base.endsWith(".csv") || base.endsWith(".tsv")) return "csv";
  return undefined;
}

export interface FormatChoice {
  readonly format: TextFormat;
  /** Why: "from the file name", "from its first line", "from its first N lines: ..." or "as requested". */
  readonly reason: string;
  /** For csv: the columns to read (given or guessed). */
  readonly columns?: DelimitedColumns;
}

/** Lines of a file's start that detection looks at (the first non-blank ones). */
export const DETECTION_LINES = 200;

/**
 * Decides the format of a file from its first non-blank lines (and its name, which only breaks a
 * tie): MovieLens files by their header or `::` layout, csv by a header naming the user and item
 * columns, and otherwise "lines" (`user item item ...`) or "triples" (`user item [rating]
 * [timestamp]`). Those two read a file of equal-length lines differently, so when both fit and
 * the lines do not show which (a rating-like third column, a timestamp fourth), this is an error
 * that names the file, shows its first line and lists the formats that fit.
 */
export function chooseFormat(fileName: string, sample: readonly string[], options: ReadInteractionsOptions = {}): FormatChoice {
  const name = options.name ?? fileName;
  const firstLine = sample[0] ?? "";
  const hinted = formatFromFileName(fileName);
  const order = hinted === undefined ? TEXT_FORMATS : [hinted, ...TEXT_FORMATS.filter((f) => f !== hinted)];
  const rejections: string[] = [];
  const fitting: Array<{ format: TextFormat; columns?: DelimitedColumns }> = [];
  for (const format of order) {
    const verdict = fits(format, sample, format === hinted, options);
    if (typeof verdict === "string") rejections.push(`${format}: ${verdict}`);
    else fitting.push({ format, ...verdict });
  }
  const why = (format: TextFormat) => (format === hinted ? "from the file name" : "from its first line");
  const definite = fitting.find((f) => f.format !== "lines" && f.format !== "triples");
  if (definite) return { format: definite.format, reason: why(definite.format), ...(definite.columns && { columns: definite.columns }) };
  const lines = fitting.some((f) => f.format === "lines"),
    triples = fitting.some((f) => f.format === "triples");
  if (lines && triples) {
    const evidence = triplesEvidence(sample);
    if (evidence) return { format: "triples", reason: `from its first ${sample.length} lines: ${evidence}` };
    const width = splitTriple(firstLine, tripleSeparatorOf(firstLine)).length;
    // Two fields read the same either way: one user and one item per line.
    if (width === 2)
      return { format: hinted === "triples" ? "triples" : "lines", reason: `from its first ${sample.length} lines: one user and one item per line` };
    throw new DataError(
      { file: name, line: 1 },
      `could not tell the format of ${quoteFound(firstLine)}: every one of its first ${sample.length} lines has ${width} fields, which fit ` +
        `"lines" (a user and ${width - 1} items) and "triples" (${defaultTripleColumns(width)?.join(" ") ?? `${width} columns`}). ` +
        `Pass format "lines" or "triples" (CLI: --format lines, or --format triples with --columns user,item,rating,timestamp)`,
    );
  }
  if (lines || triples) {
    const format: TextFormat = lines ? "lines" : "triples";
    return { format, reason: why(format) };
  }
  throw new DataError(
    { file: name, line: 1 },
    `could not tell the format of ${quoteFound(firstLine)}; tried ${rejections.join("; ")}. ` +
      `Pass format: ${TEXT_FORMATS.map((f) => `"${f}"`).join(" | ")} (CLI: --format)`,
  );
}

/** How the sample fits a format: an object (with csv columns) when it does, else the reason it does not. */
function fits(format: TextFormat, sample: readonly string[], hinted: boolean, options: ReadInteractionsOptions): { columns?: DelimitedColumns } | string {
  const trimmed = (sample[0] ?? "").trim();
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
      return sample.every((line) =>
        line
          .trim()
          .split(/\s+/)
          .every((t) => /^\d+$/.test(t)),
      )
        ? {}
        : "not every line is integer ids (a header?)";
    }
    case "csv": {
      const columns = csvColumns(sample[0] ?? "", options);
      return typeof columns === "string" ? columns : { columns };
    }
    case "triples":
      return triplesFit(sample, options);
  }
}

/** Whether the sample's lines all have the fields of one triples layout (a header line allowed); else why not. */
function triplesFit(sample: readonly string[], options: ReadInteractionsOptions): object | string {
  if (sample.length === 0) return "no lines";
  if (/::/.test(sample[0]!)) return "the first line holds ::";
  const separator = options.separator ?? tripleSeparatorOf(sample[0]!);
  const rows = sample.map((line) => splitTriple(line, separator));
  const columns = (options.columns as readonly TripleColumn[] | undefined) ?? defaultTripleColumns(rows[rows.length > 1 ? 1 : 0]!.length);
  if (columns === undefined) return `${rows[0]!.length} fields per line, not 2 to 4`;
  // A header naming the columns is csv's to read (by the names); positions are only guessed for data lines.
  if (isTripleHeader(rows[0]!, columns)) return "the first line is a header (csv reads a file by its column names)";
  const data = rows;
  const uneven = data.findIndex((r) => r.length !== columns.length);
  if (uneven >= 0) return `line ${uneven + 1} has ${data[uneven]!.length} fields, not ${columns.length}`;
  const numeric = columns.flatMap((c, i) => (c === "rating" || c === "weight" || c === "timestamp" ? [i] : []));
  if (data.some((r) => numeric.some((i) => parseDecimal(r[i]!) === undefined))) return "a rating or timestamp field is not a number";
  // An id with spaces in a comma- or tab-separated guess is a sign of another layout ("1 3,5,6").
  const ids = columns.flatMap((c, i) => (c === "user" || c === "item" ? [i] : []));
  if (separator !== "whitespace" && data.some((r) => ids.some((i) => /\s/.test(r[i]!)))) return "an id field holds spaces";
  return {};
}

/** What in the sample shows ratings or timestamps beside the ids (so it is not lines of items), or undefined. */
function triplesEvidence(sample: readonly string[]): string | undefined {
  const rows = sample.map((line) => splitTriple(line, tripleSeparatorOf(sample[0]!)));
  const width = rows[0]!.length;
  if (width < 3 || rows.some((r) => r.length !== width)) return undefined;
  const third = rows.map((r) => Number(r[2]));
  if (rows.some((r) => /[.eE]/.test(r[2]!))) return "the third field holds decimals (ratings or weights)";
  if (third.every((v) => v >= 0 && v <= 10) && new Set(third).size <= 11 && rows.length >= 20) return "the third field holds a few small values (ratings)";
  if (width === 4 && rows.every((r) => Number(r[3]) >= 1e8)) return "the fourth field holds timestamps";
  return undefined;
}

/** The csv columns from the options, or guessed from the header; a string says why not. */
function csvColumns(headerLine: string, options: ReadInteractionsOptions, guess = true): DelimitedColumns | string {
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
  const pick = (role: GuessedRole): string | undefined => {
    const given = options[role];
    if (given !== undefined || !guess) return given;
    const matches = columnsLike(role, names!);
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
 * Reads interactions in any supported format from a byte source. Parquet and Arrow IPC are told
 * by their first bytes (and a .parquet, .arrow, .feather, .arrows or .ipc name must agree), and
 * read at offsets when the source can be (a file from the Node entry's fileSource), else gathered
 * into memory; their readers and libraries load only then. Text formats are read as a stream.
 * With format "auto" (the default) a text format is chosen by {@link chooseFormat}; a later
 * DataError that suggests a wrong guess (bad header, field count or number) says which format was
 * used and why.
 */
export async function readInteractions(source: AsyncIterable<Uint8Array>, options: ReadInteractionsOptions = {}): Promise<Interactions> {
  const fileName = options.fileName ?? options.name ?? "interactions";
  const name = options.name ?? fileName;
  const requested = options.format ?? "auto";
  const roles = options.columns !== undefined && isRoleList(options.columns) ? options.columns : undefined;
  const names = options.columns !== undefined && roles === undefined ? namedColumnsOf(options.columns) : undefined;
  if (roles !== undefined) checkColumns(roles);
  if (roles !== undefined && !["auto", "triples", "parquet", "arrow"].includes(requested)) {
    throw new RangeError(`columns are the layout of the triples format, not of ${requested}: pass format "triples", or leave columns out`);
  }
  if (names !== undefined && !["auto", "csv", "parquet", "arrow"].includes(requested)) {
    throw new RangeError(`column names (${options.columns!.join(",")}) go with csv files with a header, Parquet and Arrow, not with ${requested}`);
  }
  const head = await peekBytes(source, MAGIC_BYTES);
  let binary: { format: BinaryFormat; reason: string } | undefined;
  try {
    binary = binaryChoice(head.bytes, fileName, name, requested, options);
  } catch (e) {
    await head.close();
    throw e;
  }
  if (binary !== undefined) return readColumnar(binary, source, head, { ...options, name });

  const peeked = await peekLines(head.source, options.encoding ?? "utf-8");
  let choice: FormatChoice;
  try {
    if (peeked.lines.length === 0) throw new DataError({ file: name }, "empty file: no data");
    if (peeked.lines.some((l) => l.includes("\0"))) {
      throw new DataError({ file: name }, "holds NUL bytes near its start: a binary file (a model, an archive?), not text data; give the data file itself");
    }
    if (names !== undefined) {
      // Column names on a text file: a csv with a header naming them.
      const columns = csvColumns(peeked.lines[0]!, { ...options, ...names }, false);
      if (typeof columns === "string") {
        const roles = TRIPLE_COLUMNS.filter((c) => c !== "-").join(", ");
        throw new DataError(
          { file: name, line: 1, field: "header" },
          `${columns}; the columns ${options.columns!.join(",")} were taken as the names of header columns, since they are not all roles (${roles}, -) of a file read by position`,
        );
      }
      choice = { format: "csv", reason: requested === "auto" ? "from the column names given" : (options.formatReason ?? "as requested"), columns };
    } else if (requested === "auto" && options.columns !== undefined) {
      choice = { format: "triples", reason: "the columns were given" };
    } else if (requested === "auto") {
      choice = chooseFormat(fileName, peeked.lines, { ...options, name });
    } else if (requested === "csv") {
      const columns = csvColumns(peeked.lines[0]!, options);
      if (typeof columns === "string") throw new DataError({ file: name, line: 1, field: "header" }, columns);
      choice = { format: "csv", reason: options.formatReason ?? "as requested", columns };
    } else if (requested === "parquet" || requested === "arrow") {
      throw new Error("unreachable: binaryChoice checks the first bytes of a binary format");
    } else {
      choice = { format: requested, reason: options.formatReason ?? "as requested" };
    }
  } catch (e) {
    await peeked.close();
    await head.close();
    throw e;
  }
  const readerOptions: ReaderOptions = { ...options, name };
  const readAs = `${layoutOf(choice, peeked.lines[0]!, options)}, ${requested === "auto" ? "chosen " : ""}${choice.reason}`;
  try {
    return (await readChosen(choice, peeked.source, readerOptions, options)).withReadAs(readAs);
  } catch (e) {
    if (requested === "auto" && e instanceof DataError && !isIdField(e.field, choice)) {
      throw e.withHint(`read as ${choice.format} (chosen ${choice.reason}); pass format to choose another (CLI: --format)`);
    }
    throw e;
  } finally {
    await peeked.close();
    await head.close();
  }
}

const FORMAT_NAMES: Record<BinaryFormat, string> = { parquet: "Parquet", arrow: "Arrow IPC" };

/**
 * Whether the source is Parquet or Arrow IPC, and why; undefined for text. The first bytes
 * decide; a name or a requested format that says otherwise is a DataError, not a misread. The
 * CLI's --columns implies "triples", so a requested triples format with columns yields to them.
 */
function binaryChoice(
  bytes: Uint8Array,
  fileName: string,
  name: string,
  requested: InteractionsFormat | "auto",
  options: ReadInteractionsOptions,
): { format: BinaryFormat; reason: string } | undefined {
  const sign = binaryFormatOf(bytes);
  if (sign === "feather-v1") {
    throw new DataError(
      { file: name },
      'a Feather V1 file (its first bytes "FEA1"), which only old tools read: write it again as Feather V2 / Arrow IPC (pyarrow: feather.write_feather(table, path); pandas: df.to_feather(path)) or Parquet',
    );
  }
  const starts = `it starts with "${showBytes(bytes)}"`;
  if (requested === "parquet" || requested === "arrow") {
    if (sign?.format !== requested) {
      throw new DataError(
        { file: name },
        `not ${FORMAT_NAMES[requested] === "Arrow IPC" ? "an" : "a"} ${FORMAT_NAMES[requested]} file as requested: ${starts}${sign ? ` (${FORMAT_NAMES[sign.format]})` : ""}`,
      );
    }
    return { format: requested, reason: options.formatReason ?? "as requested" };
  }
  if (sign !== undefined) {
    const impliedByColumns = requested === "triples" && options.columns !== undefined;
    if (requested !== "auto" && !impliedByColumns) {
      throw new DataError(
        { file: name },
        `a ${FORMAT_NAMES[sign.format]} file (${sign.evidence}), not ${requested} text: leave the format out (CLI: --format auto)`,
      );
    }
    if (options.separator !== undefined) {
      throw new DataError(
        { file: name },
        `a ${FORMAT_NAMES[sign.format]} file (${sign.evidence}): a separator is for text files; leave it out (CLI: --separator)`,
      );
    }
    return { format: sign.format, reason: `chosen from ${sign.evidence}` };
  }
  const named = binaryFormatFromFileName(fileName);
  if (named !== undefined && requested === "auto") {
    throw new DataError(
      { file: name },
      `the name says ${FORMAT_NAMES[named]}, but ${bytes.length === 0 ? "the file is empty" : starts}, ` +
        `not ${named === "parquet" ? '"PAR1"' : '"ARROW1" or an Arrow IPC stream\'s 0xFFFFFFFF'}: a truncated, mislabelled or still-being-written file?`,
    );
  }
  return undefined;
}

/** Reads a Parquet or Arrow IPC source with its reader, loaded now (see binary-format.ts for why lazily). */
async function readColumnar(
  binary: { format: BinaryFormat; reason: string },
  original: AsyncIterable<Uint8Array>,
  head: PeekedBytes,
  options: ReadInteractionsOptions & { name: string },
): Promise<Interactions> {
  const { format: _format, formatReason: _reason, separator: _separator, delimiter: _delimiter, fileName: _fileName, ...columnarOptions } = options;
  let file: RandomAccessFile | undefined;
  try {
    if (isSeekable(original)) {
      await head.close();
      file = await original.openRandomAccess();
    }
    let read: ColumnarRead;
    if (binary.format === "parquet") {
      file ??= bytesAsRandomAccess(await gatherBytes(head.source, options.name, "A Parquet file"));
      const { readParquet } = await import("./readers/columnar/parquet.js");
      read = await readParquet(file, columnarOptions);
    } else {
      const { readArrowIpc } = await import("./readers/columnar/arrow-ipc.js");
      read = await readArrowIpc(head.source, file, columnarOptions);
    }
    return read.interactions.withReadAs(`${read.layout}, ${binary.reason}`);
  } finally {
    await head.close();
    await file?.close();
  }
}

function readChosen(
  choice: FormatChoice,
  source: AsyncIterable<Uint8Array>,
  readerOptions: ReaderOptions,
  options: ReadInteractionsOptions,
): Promise<Interactions> {
  switch (choice.format) {
    case "movielens":
      return readMovieLensRatings(source, readerOptions);
    case "movielens-dat":
      return readMovieLensDatRatings(source, readerOptions);
    case "lines":
      return readUserItemLines(source, readerOptions);
    case "csv":
      return readDelimited(source, { ...readerOptions, ...choice.columns! });
    case "triples":
      return readTriples(source, {
        ...readerOptions,
        // Only a role list reaches triples (a list of names is read as csv).
        ...(options.columns && { columns: options.columns as readonly TripleColumn[] }),
        ...(options.separator && { separator: options.separator }),
      });
  }
}

/** The format and the layout it reads, for the one-line summary of a file (Interactions.describe). */
function layoutOf(choice: FormatChoice, firstLine: string, options: ReadInteractionsOptions): string {
  switch (choice.format) {
    case "movielens":
      return "MovieLens ratings.csv (userId,movieId,rating,timestamp)";
    case "movielens-dat":
      return "MovieLens ratings.dat (UserID::MovieID::Rating::Timestamp)";
    case "lines":
      return "lines (user item item …)";
    case "csv": {
      const c = choice.columns!;
      const named = [`user=${c.user}`, `item=${c.item}`, ...(c.rating ? [`rating=${c.rating}`] : []), ...(c.timestamp ? [`timestamp=${c.timestamp}`] : [])];
      return `csv (columns ${named.join(", ")})`;
    }
    case "triples": {
      const separator = options.separator ?? tripleSeparatorOf(firstLine);
      const fields = splitTriple(firstLine, separator);
      const columns = (options.columns as readonly TripleColumn[] | undefined) ?? defaultTripleColumns(fields.length);
      if (columns === undefined) return `triples (${separator}-separated)`;
      return `triples (${separator}-separated ${columns.join(" ")}${isTripleHeader(fields, columns) ? ", header line skipped" : ""})`;
    }
  }
}

/** Errors about ids (unknown in the training data, empty) are not signs of a wrong format. */
function isIdField(field: string | undefined, choice: FormatChoice): boolean {
  if (field === undefined) return false;
  const idFields = choice.columns !== undefined ? [choice.columns.user, choice.columns.item] : ["user", "item", "userId", "movieId"];
  return idFields.includes(field);
}

interface PeekedBytes {
  /** The first bytes (fewer when the source is shorter). */
  readonly bytes: Uint8Array;
  /** The whole source again, from its first byte. */
  readonly source: AsyncIterable<Uint8Array>;
  /** Releases the underlying source (closes a file) if it was not read to its end. */
  close(): Promise<void>;
}

/** Reads just enough chunks to see the first `count` bytes, and keeps them for replay. */
async function peekBytes(source: AsyncIterable<Uint8Array>, count: number): Promise<PeekedBytes> {
  const iterator = source[Symbol.asyncIterator]();
  const buffered: Uint8Array[] = [];
  let have = 0;
  let open = true;
  while (have < count) {
    const step = await iterator.next();
    if (step.done) {
      open = false;
      break;
    }
    buffered.push(step.value);
    have += step.value.byteLength;
  }
  const bytes = new Uint8Array(Math.min(have, count));
  let at = 0;
  for (const chunk of buffered) {
    if (at === bytes.length) break;
    const part = chunk.subarray(0, bytes.length - at);
    bytes.set(part, at);
    at += part.length;
  }
  return { bytes, ...replaySource(iterator, buffered, open) };
}

const PEEK_LIMIT_CHARS = 1 << 18;

interface Peeked {
  /** The first non-blank lines (up to DETECTION_LINES, from at most 256 Ki characters; the last one may be cut). */
  readonly lines: string[];
  /** The whole source again, from its first byte. */
  readonly source: AsyncIterable<Uint8Array>;
  /** Releases the underlying source (closes a file) if it was not read to its end. */
  close(): Promise<void>;
}

/** Reads just enough chunks to see the first lines, and keeps them for replay. */
async function peekLines(source: AsyncIterable<Uint8Array>, encoding: TextEncoding): Promise<Peeked> {
  const iterator = source[Symbol.asyncIterator]();
  const buffered: Uint8Array[] = [];
  const decoder = new TextDecoder(encoding === "latin1" ? "latin1" : "utf-8");
  let text = "";
  let exhausted = false;
  for (;;) {
    if (exhausted || text.length >= PEEK_LIMIT_CHARS || completeLines(text).length > DETECTION_LINES) break;
    const step = await iterator.next();
    if (step.done) {
      exhausted = true;
      text += decoder.decode();
    } else {
      buffered.push(step.value);
      text += decoder.decode(step.value, { stream: true });
    }
  }
  // A line cut by the peek's end is only kept when it is the only one (a file that is one long line).
  let lines = exhausted ? nonBlank(text.split(/\r\n|\r|\n/)) : completeLines(text);
  if (lines.length === 0 && !exhausted) lines = nonBlank([text.slice(0, PEEK_LIMIT_CHARS)]);
  lines = lines.slice(0, DETECTION_LINES);
  return { lines, ...replaySource(iterator, buffered, !exhausted) };
}

/**
 * The peeked chunks, then the rest of `iterator` (when `open`, it was not read to its end): the
 * whole source again from its first byte, and its release. A consumer that stops early (a
 * DataError) releases the file at once; close() is safe to call again.
 */
function replaySource(
  iterator: AsyncIterator<Uint8Array>,
  buffered: Uint8Array[],
  open: boolean,
): { source: AsyncIterable<Uint8Array>; close(): Promise<void> } {
  const close = async (): Promise<void> => {
    if (open) {
      open = false;
      await iterator.return?.();
    }
  };
  const source: AsyncIterable<Uint8Array> = {
    async *[Symbol.asyncIterator]() {
      try {
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
      } finally {
        await close();
      }
    },
  };
  return { source, close };
}

/** The non-blank lines that end before the text does (any of \n, \r\n, \r ends a line). */
function completeLines(text: string): string[] {
  const parts = text.split(/\r\n|\r|\n/);
  parts.pop();
  return nonBlank(parts);
}

function nonBlank(lines: string[]): string[] {
  return lines.filter((l) => l.trim().length > 0);
}

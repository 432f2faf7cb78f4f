import { DataError } from "../errors.js";

/** Text encodings the readers accept. MovieLens .dat files from GroupLens (ML-1M) are ISO-8859-1. */
export type TextEncoding = "utf-8" | "latin1";

export interface LineSourceOptions {
  /** Source name for error messages. */
  readonly name: string;
  readonly encoding?: TextEncoding;
}

const REPLACEMENT_CHAR = "\uFFFD";

/**
 * The longest line read: V8 cannot build a string much past 2^29 characters, so a file without
 * line breaks would otherwise end in a RangeError; no data line comes near this.
 */
export const MAX_LINE_CHARS = 1 << 28;

/** The detail of the DataError for text that is not UTF-8 (callers may retry as latin1). */
export const NOT_UTF8 = 'not valid UTF-8 text (pass encoding "latin1" for an ISO-8859-1 file)';

/**
 * Streams a byte source as text lines: decodes chunk by chunk (a multi-byte character may be
 * split between chunks), splits at \n, drops a trailing \r (so \r\n files read the same, even
 * when a chunk ends between \r and \n), and calls `onLine` synchronously with the 1-based line
 * number (a lone \r ends a line too). Only the current chunk and one unfinished line are held at a time. A UTF-8 decoding
 * error (which the decoder turns into U+FFFD) is a DataError naming its line. Returns the number
 * of lines. A UTF-8 byte order mark is dropped; a final line without \n still counts.
 */
export async function forEachLine(
  source: AsyncIterable<Uint8Array>,
  options: LineSourceOptions,
  onLine: (line: string, lineNumber: number) => void,
): Promise<number> {
  const encoding = options.encoding ?? "utf-8";
  const checkDecoding = encoding === "utf-8";
  const decoder = new TextDecoder(encoding === "latin1" ? "latin1" : "utf-8");
  let pending = "";
  let pendingSuspicious = false;
  let lineNumber = 0;

  const deliver = (line: string, suspicious: boolean): void => {
    lineNumber++;
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (suspicious && line.includes(REPLACEMENT_CHAR)) {
      throw new DataError({ file: options.name, line: lineNumber }, NOT_UTF8);
    }
    onLine(line, lineNumber);
  };

  // Line breaks are \n, \r\n, or a lone \r (old Mac files, some exports): each becomes \n. A \r at
  // the end of a chunk may be half of a \r\n split between chunks: its \n is dropped when it comes.
  let carriedCR = false;
  const take = (raw: string): void => {
    if (raw.length === 0) return;
    if (carriedCR && raw.startsWith("\n")) raw = raw.slice(1);
    carriedCR = raw.endsWith("\r");
    const text = raw.includes("\r") ? raw.replace(/\r\n?/g, "\n") : raw;
    const suspicious = checkDecoding && text.includes(REPLACEMENT_CHAR);
    let newline = text.indexOf("\n");
    if (newline < 0) {
      if (pending.length + text.length > MAX_LINE_CHARS) {
        throw new DataError(
          { file: options.name, line: lineNumber + 1 },
          `the line is longer than ${MAX_LINE_CHARS / (1 << 20)} Mi characters without a line break: not a text data file (or one with a broken line ending)`,
        );
      }
      pending += text;
      pendingSuspicious ||= suspicious;
      return;
    }
    deliver(pending + text.slice(0, newline), suspicious || pendingSuspicious);
    let start = newline + 1;
    while ((newline = text.indexOf("\n", start)) >= 0) {
      deliver(text.slice(start, newline), suspicious);
      start = newline + 1;
    }
    pending = text.slice(start);
    pendingSuspicious = suspicious && pending.includes(REPLACEMENT_CHAR);
  };

  for await (const chunk of source) take(decoder.decode(chunk, { stream: true }));
  take(decoder.decode());
  if (pending.length > 0) deliver(pending, pendingSuspicious);
  return lineNumber;
}

/**
 * Byte sources for the readers. Text formats are read front to back from chunks; Parquet and
 * Arrow IPC files keep their index at the end, so they are read at offsets when the source can
 * do that (a file on disk), and gathered into memory only when it cannot (a stream, a download).
 */
import { DataError } from "./errors.js";

/** Bytes read at any offset. */
export interface RandomAccessFile {
  readonly byteLength: number;
  /** The bytes [start, end), end ≤ byteLength: exactly end - start of them. */
  read(start: number, end: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** A byte source (chunks in order) that can also be opened for reads at any offset, as a file on disk can. */
export interface SeekableByteSource extends AsyncIterable<Uint8Array> {
  openRandomAccess(): Promise<RandomAccessFile>;
}

export function isSeekable(source: AsyncIterable<Uint8Array>): source is SeekableByteSource {
  return typeof (source as Partial<SeekableByteSource>).openRandomAccess === "function";
}

/** Bytes in memory as a random-access file. */
export function bytesAsRandomAccess(bytes: Uint8Array): RandomAccessFile {
  return {
    byteLength: bytes.byteLength,
    read: async (start, end) => bytes.subarray(start, end),
    close: async () => {},
  };
}

/** The largest source gathered into memory (when it cannot be read at offsets): what one ArrayBuffer holds everywhere. */
export const MAX_GATHERED_BYTES = 2 ** 31 - 1;

/**
 * A whole source in one array (one chunk is returned as it is). The size is checked as chunks
 * arrive, before the final copy, so a stream too large to gather ends in a DataError, not an
 * out-of-memory crash.
 */
export async function gatherBytes(source: AsyncIterable<Uint8Array>, name: string, what: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of source) {
    total += chunk.byteLength;
    if (total > MAX_GATHERED_BYTES) {
      throw new DataError(
        { file: name },
        `${what} read from a stream is gathered in memory, and this one passes ${MAX_GATHERED_BYTES.toLocaleString("en-US")} bytes: read it from a file (a path) instead, which is read part by part`,
      );
    }
    chunks.push(chunk);
  }
  if (chunks.length === 1) return chunks[0]!;
  const all = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.byteLength;
  }
  return all;
}

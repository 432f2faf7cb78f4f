/**
 * Text formats are produced as a stream of UTF-8 chunks of about a megabyte: a table of millions
 * of rows never has to exist as one string (V8 caps a string at about 512 MiB), and a writer can
 * hand each chunk to a file or a network stream as it comes.
 */
const CHUNK_CHARS = 1 << 20;

/** Collects text pieces and hands them back encoded, in chunks of about a megabyte. */
export class TextChunks {
  private parts: string[] = [];
  private chars = 0;
  private readonly encoder = new TextEncoder();

  /** Adds text; returns a chunk when a megabyte has gathered, else null. */
  add(text: string): Uint8Array | null {
    this.parts.push(text);
    this.chars += text.length;
    return this.chars >= CHUNK_CHARS ? this.flush() : null;
  }

  /** What has gathered since the last chunk (null when nothing has). */
  flush(): Uint8Array | null {
    if (this.chars === 0) return null;
    const bytes = this.encoder.encode(this.parts.join(""));
    this.parts = [];
    this.chars = 0;
    return bytes;
  }
}

/** Lines of text (each given without its newline) as UTF-8 chunks. */
export async function* lineChunks(lines: Iterable<string> | AsyncIterable<string>): AsyncGenerator<Uint8Array> {
  const chunks = new TextChunks();
  for await (const line of lines) {
    const chunk = chunks.add(line + "\n");
    if (chunk) yield chunk;
  }
  const last = chunks.flush();
  if (last) yield last;
}

/** All chunks of a stream as one byte array (for tables that fit in memory, and for tests). */
export async function collectBytes(chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<Uint8Array<ArrayBuffer>> {
  const parts: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of chunks) {
    parts.push(chunk);
    length += chunk.byteLength;
  }
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

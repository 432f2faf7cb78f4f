/**
 * Embeddings as Cloudflare Vectorize's NDJSON, one vector per line: {"id", "values", "metadata"},
 * the file `wrangler vectorize insert <index> --file <file>` uploads. The limits below are
 * Vectorize's, from https://developers.cloudflare.com/vectorize/platform/limits/; the file is
 * checked against them before its first byte is produced, and the error names the row and id that
 * break one. Metadata holds the training count (and an item's title and genres when known): a
 * user's training items are left out, as a heavy user's would pass the metadata limit.
 */
import { lineChunks } from "./byte-chunks.js";
import type { EmbeddingTable } from "./embedding-table.js";
import { ExportError } from "./export-error.js";
import { vectorText } from "./float-text.js";

export const VECTORIZE_LIMITS_URL = "https://developers.cloudflare.com/vectorize/platform/limits/";

/** Vectorize's limits (V2 indexes) that an export meets. */
export const VECTORIZE_LIMITS = Object.freeze({
  /** Values per vector (32-bit floats). */
  maxDimensions: 1536,
  /** Bytes of a vector id. */
  maxIdBytes: 64,
  /** Bytes of a vector's metadata (10 KiB). */
  maxMetadataBytes: 10 * 1024,
  /** Vectors one index holds: shard a larger catalog across indexes. */
  maxVectorsPerIndex: 10_000_000,
  /** topK of a query that returns values or metadata. */
  maxTopKWithValuesOrMetadata: 20,
  /** topK of a query that returns neither. */
  maxTopK: 100,
  /** Bytes of one vectors upload (wrangler vectorize insert --file): split a larger file. */
  maxUploadBytes: 100_000_000,
  /** Bytes of a query's metadata filter, as compact JSON (strictly less than this). */
  maxFilterBytes: 2048,
});

/** The Vectorize NDJSON of a table; throws ExportError, before producing anything, when a row breaks a limit. */
export function vectorizeNdjson(table: EmbeddingTable): AsyncIterable<Uint8Array> {
  const metadata = (r: number) => metadataJson(table, r);
  checkVectorizeTable(table, metadata);
  return lineChunks(
    (function* () {
      for (let r = 0; r < table.ids.length; r++) {
        yield `{"id":${JSON.stringify(table.ids[r])},"values":${vectorText(table.vectors, r, table.dim)},"metadata":${metadata(r)}}`;
      }
    })(),
  );
}

/** Throws ExportError naming the first row (and its id) that Vectorize would refuse. */
export function checkVectorizeTable(table: EmbeddingTable, metadata: (r: number) => string = (r) => metadataJson(table, r)): void {
  const L = VECTORIZE_LIMITS;
  const what = table.side === "items" ? "item" : "user";
  if (table.dim > L.maxDimensions) {
    throw new ExportError(
      `vectorize: the ${table.side} have ${table.dim} dimensions${table.rerank !== undefined ? " (with the re-ranking one)" : ""}; Vectorize allows at most ${L.maxDimensions} (${VECTORIZE_LIMITS_URL})`,
    );
  }
  for (let r = 0; r < table.ids.length; r++) {
    const id = table.ids[r]!;
    const idBytes = utf8Length(id);
    if (idBytes > L.maxIdBytes) {
      throw new ExportError(
        `vectorize: ${what} row ${r} (id ${JSON.stringify(id)}): the id is ${idBytes} bytes in UTF-8; Vectorize allows at most ${L.maxIdBytes} (${VECTORIZE_LIMITS_URL}); map long ids to short keys before training`,
      );
    }
    const metaBytes = utf8Length(metadata(r));
    if (metaBytes > L.maxMetadataBytes) {
      throw new ExportError(
        `vectorize: ${what} row ${r} (id ${JSON.stringify(id)}): its metadata is ${metaBytes} bytes; Vectorize allows at most ${L.maxMetadataBytes} (10 KiB, ${VECTORIZE_LIMITS_URL})`,
      );
    }
  }
}

function metadataJson(table: EmbeddingTable, r: number): string {
  let s = `{"count":${table.counts[r]}`;
  if (table.titles && table.titles[r] !== null) s += `,"title":${JSON.stringify(table.titles[r])}`;
  if (table.genres && table.genres[r] !== null) s += `,"genres":${JSON.stringify(table.genres[r])}`;
  return s + "}";
}

/** Bytes of a string in UTF-8 (lone surrogates count as U+FFFD's 3 bytes, as TextEncoder writes them). */
export function utf8Length(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

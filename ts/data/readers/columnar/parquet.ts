/**
 * Parquet, read with hyparquet (pure JavaScript, no dependencies: the same code runs in Node,
 * Deno, browsers and Cloudflare Workers) one row group at a time, reading only the columns
 * needed. Loaded on first use (read.ts imports this module dynamically, and this module imports
 * hyparquet dynamically), so code that never reads Parquet never loads either.
 */
import type { AsyncBuffer, ColumnData, CompressionCodec, Compressors, FileMetaData, ParquetParsers } from "hyparquet";
import type { RandomAccessFile } from "../../byte-source.js";
import { DataError } from "../../errors.js";
import type { Interactions } from "../../interactions.js";
import { minRatingOf, type ReaderOptions } from "../reader-options.js";
import { ColumnarRows, type ColumnChunk } from "./column-rows.js";
import { describeColumns, resolveColumns, type ColumnChoice } from "./columns.js";

export type { Compressors as ParquetCompressors } from "hyparquet";

export interface ColumnarReadOptions extends ReaderOptions, ColumnChoice {
  /** Parquet decompressors beyond snappy, by codec (e.g. hyparquet-compressors' `compressors`; the Node entry passes gzip and brotli from node:zlib). */
  readonly compressors?: Compressors;
}

export interface ColumnarRead {
  readonly interactions: Interactions;
  /** The layout for the summary line: "Parquet (columns user=u, item=i; 3 row groups)". */
  readonly layout: string;
}

/** Codecs hyparquet reads by itself. */
const BUILT_IN: readonly CompressionCodec[] = ["UNCOMPRESSED", "SNAPPY"];

/**
 * Time columns as seconds since 1970 (a number), as the text readers make ISO dates, instead of
 * hyparquet's default Date objects: one allocation less per row, and the same timestamps as the
 * csv export of the same table.
 */
const SECONDS: Partial<ParquetParsers> = {
  timestampFromMilliseconds: (ms: bigint) => Number(ms) / 1e3,
  timestampFromMicroseconds: (us: bigint) => Number(us) / 1e6,
  timestampFromNanoseconds: (ns: bigint) => Number(ns) / 1e9,
  dateFromDays: (days: number) => days * 86400,
};

export async function readParquet(file: RandomAccessFile, options: ColumnarReadOptions = {}): Promise<ColumnarRead> {
  const name = options.name ?? "interactions.parquet";
  const minRating = minRatingOf(options);
  const { parquetMetadataAsync, parquetRead, parquetSchema } = await import("hyparquet");
  const buffer: AsyncBuffer = {
    byteLength: file.byteLength,
    slice: async (start, end) => ownBuffer(await file.read(start, end ?? file.byteLength)),
  };
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(buffer, { parsers: SECONDS });
  } catch (e) {
    throw new DataError({ file: name }, `not a readable Parquet file (${messageOf(e)}): a truncated or damaged file?`);
  }
  const top = parquetSchema(metadata).children;
  const names = top.map((c) => c.element.name);
  const columns = resolveColumns(names, options, name);
  const needed = [...new Set([columns.user, columns.item, columns.rating, columns.timestamp].filter((c): c is string => c !== undefined))];
  for (const column of needed) {
    if (top.find((c) => c.element.name === column)!.children.length > 0) {
      throw new DataError({ file: name, field: column }, "a nested column (a list, map or struct): ids, ratings and timestamps must be plain columns");
    }
  }
  if (minRating !== undefined && columns.rating === undefined) {
    throw new DataError(
      { file: name },
      `minRating (CLI: --min-rating) needs a rating column, and none was named or recognised among ${names.map((n) => JSON.stringify(n)).join(", ")}: leave it out, or name the rating column`,
    );
  }
  checkCodecs(metadata, needed, options.compressors, name);

  const adder = new ColumnarRows(options, columns, name, minRating);
  // Row group by row group: hyparquet fetches every row group of a read at once, so one read per
  // group is what keeps the memory to one group's columns.
  let groupStart = 0;
  for (let g = 0; g < metadata.row_groups.length; g++) {
    const groupRows = Number(metadata.row_groups[g]!.num_rows);
    if (groupRows === 0) continue;
    const pieces = new Map<string, ColumnData[]>();
    try {
      await parquetRead({
        file: buffer,
        metadata,
        columns: needed,
        rowStart: groupStart,
        rowEnd: groupStart + groupRows,
        parsers: SECONDS,
        ...(options.compressors !== undefined && { compressors: options.compressors }),
        onChunk: (chunk) => {
          const list = pieces.get(chunk.columnName) ?? [];
          list.push(chunk);
          pieces.set(chunk.columnName, list);
        },
      });
    } catch (e) {
      if (e instanceof DataError) throw e;
      throw new DataError({ file: name }, `row group ${g} could not be read (${messageOf(e)}): a damaged file?`);
    }
    // Each column comes in pieces (about one per page), cut at different rows: the group is added
    // in segments within which every column is one piece, so no column is copied.
    const columnPieces = needed.map((c) => orderedPieces(pieces.get(c) ?? [], groupStart, groupRows, c, g, name));
    const cuts = [...new Set(columnPieces.flatMap((list) => list.map((p) => p.rowStart)))].sort((a, b) => a - b);
    for (let s = 0; s < cuts.length; s++) {
      const from = cuts[s]!;
      const to = s + 1 < cuts.length ? cuts[s + 1]! : groupStart + groupRows;
      const column = (columnName: string): ColumnChunk => {
        const list = columnPieces[needed.indexOf(columnName)]!;
        const piece = list[lastStartingBy(list, from)]!;
        return { values: piece.columnData, offset: from - piece.rowStart };
      };
      adder.addBatch(
        {
          user: column(columns.user),
          item: column(columns.item),
          ...(columns.rating !== undefined && { rating: column(columns.rating) }),
          ...(columns.timestamp !== undefined && { timestamp: column(columns.timestamp) }),
        },
        to - from,
        from,
        `row group ${g}`,
      );
    }
    groupStart += groupRows;
  }
  if (adder.rows === 0) throw new DataError({ file: name }, "no data rows (a Parquet file with no rows)");
  const groups = metadata.row_groups.length;
  return {
    interactions: adder.build(),
    layout: `Parquet (${describeColumns(columns)}${columns.how === "named" ? "" : `, ${columns.how}`}; ${groups} row group${groups === 1 ? "" : "s"})`,
  };
}

/** Every codec the needed columns use must be one hyparquet or the given decompressors read: checked before reading anything. */
function checkCodecs(metadata: FileMetaData, needed: readonly string[], compressors: Compressors | undefined, name: string): void {
  for (const group of metadata.row_groups) {
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      if (meta === undefined || !needed.includes(meta.path_in_schema[0]!)) continue;
      if (BUILT_IN.includes(meta.codec) || compressors?.[meta.codec] !== undefined) continue;
      throw new DataError(
        { file: name, field: meta.path_in_schema[0]! },
        `compressed with ${meta.codec}, which this reader cannot decompress here (it reads uncompressed, snappy${
          compressors === undefined ? "" : `, ${Object.keys(compressors).join(", ").toLowerCase()}`
        }): write the file with snappy (pandas/pyarrow: compression="snappy"; DuckDB: COMPRESSION snappy; Spark: the default), ` +
          "or pass decompressors (library option compressors, e.g. those of hyparquet-compressors)",
      );
    }
  }
}

/** A column's pieces in row order, checked to cover rows [start, start + count) without gaps or overlaps. */
function orderedPieces(pieces: ColumnData[], start: number, count: number, column: string, group: number, name: string): ColumnData[] {
  const sorted = [...pieces].sort((a, b) => a.rowStart - b.rowStart);
  let at = start;
  for (const p of sorted) {
    if (p.rowStart !== at || p.rowEnd - p.rowStart !== p.columnData.length) break;
    at = p.rowEnd;
  }
  if (at !== start + count) {
    throw new DataError({ file: name, field: column }, `row group ${group}: its ${count} rows were not decoded as one run of values (a damaged file?)`);
  }
  return sorted;
}

/** The index of the last piece that starts at or before `row`. */
function lastStartingBy(pieces: readonly ColumnData[], row: number): number {
  let lo = 0,
    hi = pieces.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (pieces[mid]!.rowStart <= row) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** An ArrayBuffer holding exactly these bytes (hyparquet takes ArrayBuffers, not views). */
function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes.buffer;
  return bytes.slice().buffer as ArrayBuffer;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

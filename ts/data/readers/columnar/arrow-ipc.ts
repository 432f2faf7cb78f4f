/**
 * Arrow IPC files (Feather V2, "ARROW1") and streams, read with apache-arrow record batch by
 * record batch. Loaded on first use, like the Parquet reader: apache-arrow is large, and code
 * that never reads Arrow never loads it.
 */
import type { RecordBatch, RecordBatchReader, Vector } from "apache-arrow";
import type { RandomAccessFile } from "../../byte-source.js";
import { DataError } from "../../errors.js";
import { minRatingOf } from "../reader-options.js";
import { ColumnarRows, type ColumnChunk } from "./column-rows.js";
import { describeColumns, resolveColumns } from "./columns.js";
import type { ColumnarRead, ColumnarReadOptions } from "./parquet.js";

/** apache-arrow's type ids (its Type enum, which a type-only import cannot use). */
const TYPE = { Int: 2, Float: 3, Utf8: 5, Date: 8, Timestamp: 10, List: 12, Struct: 13, Map: 17, LargeUtf8: 20, Dictionary: -1 } as const;

/**
 * Reads an Arrow IPC file or stream. With `file` (random access) a file's record batches are
 * read one at a time at their offsets; a stream is read front to back from `source` either way
 * (a file given only as a stream is gathered by apache-arrow first, as its footer is at the end).
 */
export async function readArrowIpc(
  source: AsyncIterable<Uint8Array>,
  file: RandomAccessFile | undefined,
  options: ColumnarReadOptions = {},
): Promise<ColumnarRead> {
  const name = options.name ?? "interactions.arrow";
  const minRating = minRatingOf(options);
  const { RecordBatchReader } = await import("apache-arrow");
  let reader: RecordBatchReader;
  try {
    // The overloads of from() do not cover a union; both inputs are ones it accepts.
    reader = await RecordBatchReader.from((file === undefined ? source : fileHandleOf(file)) as AsyncIterable<Uint8Array>);
    await reader.open();
  } catch (e) {
    throw new DataError({ file: name }, `not a readable Arrow IPC file or stream (${messageOf(e)}): a truncated or damaged file?`);
  }
  const fields = reader.schema.fields;
  const names = fields.map((f) => f.name);
  const columns = resolveColumns(names, options, name);
  const needed = [columns.user, columns.item, columns.rating, columns.timestamp].filter((c): c is string => c !== undefined);
  for (const column of needed) {
    const typeId = fields.find((f) => f.name === column)!.typeId as number;
    if (typeId === TYPE.List || typeId === TYPE.Struct || typeId === TYPE.Map) {
      throw new DataError({ file: name, field: column }, "a nested column (a list, map or struct): ids, ratings and timestamps must be plain columns");
    }
  }
  if (minRating !== undefined && columns.rating === undefined) {
    throw new DataError(
      { file: name },
      `minRating (CLI: --min-rating) needs a rating column, and none was named or recognised among ${names.map((n) => JSON.stringify(n)).join(", ")}: leave it out, or name the rating column`,
    );
  }
  const adder = new ColumnarRows(options, columns, name, minRating);
  const dictionaries = new WeakMap<object, ArrayLike<unknown>>();
  let batches = 0;
  let row = 0;
  const iterator = (reader as AsyncIterable<RecordBatch>)[Symbol.asyncIterator]?.() ?? toAsync(reader as Iterable<RecordBatch>);
  for (;;) {
    let step: IteratorResult<RecordBatch>;
    try {
      step = await iterator.next();
    } catch (e) {
      throw new DataError({ file: name }, `record batch ${batches} could not be read (${messageOf(e)}): a truncated or damaged file?`);
    }
    if (step.done) break;
    const batch = step.value;
    const chunk = (column: string): ColumnChunk => chunkOf(batch.getChild(column)!, dictionaries);
    adder.addBatch(
      {
        user: chunk(columns.user),
        item: chunk(columns.item),
        ...(columns.rating !== undefined && { rating: chunk(columns.rating) }),
        ...(columns.timestamp !== undefined && { timestamp: chunk(columns.timestamp) }),
      },
      batch.numRows,
      row,
      `record batch ${batches}`,
    );
    row += batch.numRows;
    batches++;
  }
  if (adder.rows === 0) throw new DataError({ file: name }, "no data rows (an Arrow IPC file with no rows)");
  const kind = reader.isFile() ? "Arrow IPC file" : "Arrow IPC stream";
  return {
    interactions: adder.build(),
    layout: `${kind} (${describeColumns(columns)}${columns.how === "named" ? "" : `, ${columns.how}`}; ${batches} record batch${batches === 1 ? "" : "es"})`,
  };
}

/**
 * One column of a record batch in the shape ColumnarRows reads: numbers as their typed array (no
 * copy), strings decoded once, dictionary indices with their dictionary decoded once per
 * dictionary, dates and timestamps as seconds since 1970 as the Parquet reader gives them.
 */
function chunkOf(vector: Vector, dictionaries: WeakMap<object, ArrayLike<unknown>>): ColumnChunk {
  const typeId = vector.type.typeId as number;
  const data = vector.data[0]!;
  const isValid = vector.nullCount > 0 ? (row: number) => vector.isValid(row) : undefined;
  const withValidity = (chunk: ColumnChunk): ColumnChunk => (isValid === undefined ? chunk : { ...chunk, isValid });
  if (vector.data.length === 1 && typeId === TYPE.Dictionary && data.dictionary !== undefined) {
    const dictionary = data.dictionary;
    let decoded = dictionaries.get(dictionary);
    if (decoded === undefined) {
      decoded = valuesOf(dictionary);
      dictionaries.set(dictionary, decoded);
    }
    return withValidity({ values: data.values as ArrayLike<number>, dictionary: decoded });
  }
  return withValidity({ values: valuesOf(vector) });
}

function valuesOf(vector: Vector): ArrayLike<unknown> {
  const typeId = vector.type.typeId as number;
  // Float16 is stored as raw 16-bit words: only get() decodes it.
  const halfFloat = typeId === TYPE.Float && (vector.type as { precision?: number }).precision === 0;
  if ((typeId === TYPE.Int || typeId === TYPE.Float) && !halfFloat) return vector.toArray() as ArrayLike<number | bigint>;
  if (typeId === TYPE.Date || typeId === TYPE.Timestamp) {
    // apache-arrow gives both as milliseconds since 1970, whatever the stored unit.
    return Array.from({ length: vector.length }, (_, i) => {
      const ms = vector.get(i) as number | null;
      return ms === null ? null : ms / 1000;
    });
  }
  return [...vector] as unknown[];
}

/**
 * A random-access file in the shape of the Node FileHandle apache-arrow reads files from (stat,
 * read at a position, close), so a file is read record batch by record batch in any runtime.
 */
function fileHandleOf(file: RandomAccessFile): object {
  return {
    fd: -1,
    stat: async () => ({ size: file.byteLength }),
    read: async (buffer: Uint8Array, offset: number, length: number, position: number) => {
      const bytes = await file.read(position, Math.min(position + length, file.byteLength));
      buffer.set(bytes, offset);
      return { bytesRead: bytes.byteLength, buffer };
    },
    close: async () => {},
  };
}

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Embeddings as an Arrow IPC file (Feather v2, `.arrow`) with apache-arrow: columns id (Utf8),
 * vector (FixedSizeList<Float32>[dim], the column type LanceDB, pyarrow and DuckDB treat as a
 * vector), count (Int32), then title and genres (items, when known) or training_items (users), in
 * record batches of 16,384 rows. The schema's metadata "longtail" says which side, the dimension
 * and β of a re-ranking dimension.
 *
 * The file streams: apache-arrow's writer queues its bytes for an async reader, so this writer
 * subclass takes each piece as it is written instead (the `_write` hook every IPC message and the
 * footer pass through), and the chunks of one batch are handed out before the next is built.
 */
import {
  Field,
  FixedSizeList,
  Float32,
  Int32,
  List,
  makeData,
  RecordBatch,
  RecordBatchFileWriter,
  Schema,
  Struct,
  Utf8,
  vectorFromArray,
  type Data,
} from "apache-arrow";
import { tableDescription, trainingItemIds, type EmbeddingTable } from "./embedding-table.js";

const BATCH_ROWS = 16_384;

export async function* embeddingsArrow(table: EmbeddingTable): AsyncGenerator<Uint8Array> {
  const schema = arrowSchema(table);
  const writer = new ChunkedFileWriter();
  const n = table.ids.length;
  // At least one batch, so that an empty table still writes its schema.
  for (let start = 0; ; start += BATCH_ROWS) {
    writer.write(batchOf(table, schema, start, Math.min(n, start + BATCH_ROWS)));
    yield* writer.take();
    if (start + BATCH_ROWS >= n) break;
  }
  writer.finish();
  yield* writer.take();
}

/** The schema of the table's Arrow file. */
export function arrowSchema(table: EmbeddingTable): Schema {
  const strings = () => new List(new Field("item", new Utf8(), false));
  const fields = [
    new Field("id", new Utf8(), false),
    new Field("vector", new FixedSizeList(table.dim, new Field("item", new Float32(), false)), false),
    new Field("count", new Int32(), false),
    ...(table.titles ? [new Field("title", new Utf8(), true)] : []),
    ...(table.genres ? [new Field("genres", strings(), true)] : []),
    ...(table.trainingItems ? [new Field("training_items", strings(), false)] : []),
  ];
  return new Schema(fields, new Map([["longtail", JSON.stringify(tableDescription(table))]]));
}

function batchOf(table: EmbeddingTable, schema: Schema, start: number, end: number): RecordBatch {
  const rows = end - start,
    d = table.dim;
  const field = (name: string) => schema.fields.find((f) => f.name === name)!;
  const column = (name: string, values: unknown[]): Data => vectorFromArray(values, field(name).type).data[0]!;
  const vectorType = field("vector").type as FixedSizeList<Float32>;
  const children: Data[] = [
    column("id", table.ids.slice(start, end)),
    makeData({
      type: vectorType,
      length: rows,
      nullCount: 0,
      child: makeData({ type: new Float32(), length: rows * d, nullCount: 0, data: table.vectors.subarray(start * d, end * d) }),
    }),
    makeData({ type: new Int32(), length: rows, nullCount: 0, data: table.counts.subarray(start, end) }),
  ];
  if (table.titles) children.push(column("title", table.titles.slice(start, end)));
  if (table.genres)
    children.push(
      column(
        "genres",
        table.genres.slice(start, end).map((g) => (g === null ? null : [...g])),
      ),
    );
  if (table.trainingItems)
    children.push(
      column(
        "training_items",
        Array.from({ length: rows }, (_, k) => trainingItemIds(table, start + k)),
      ),
    );
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows, nullCount: 0, children }));
}

/** An IPC file writer that hands its bytes out in the order written rather than queueing them. */
class ChunkedFileWriter extends RecordBatchFileWriter {
  private pending: Uint8Array[] = [];

  protected override _write(chunk: ArrayBufferView): this {
    if (this._started && chunk.byteLength > 0) {
      this.pending.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      this._position += chunk.byteLength;
    }
    return this;
  }

  take(): Uint8Array[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }
}

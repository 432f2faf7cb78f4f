/**
 * A Parquet file written one row group at a time with hyparquet-writer (pure JS: it runs wherever
 * longtail does), each row group's bytes handed out as soon as it is encoded, so a table of
 * millions of rows streams in bounded memory.
 *
 * The row groups are encoded here from flat arrays rather than through ParquetWriter.write: its
 * generic path walks nested values one by one (Dremel), which made a 64-float list column three
 * times slower than writing the same floats with their repetition levels given (measured on
 * 100,000 × 64). This uses hyparquet-writer's column encoder (writeColumn) and the writer's
 * row-group bookkeeping, which is why package.json pins hyparquet-writer to one version.
 *
 * Lists are written in Parquet's standard three-level layout (<name> (LIST) / repeated list /
 * element), as pyarrow writes them: pyarrow, DuckDB, Spark and hyparquet read a vector column
 * as a list of floats.
 */
import { ByteWriter, ParquetWriter } from "hyparquet-writer";
import { writeColumn } from "hyparquet-writer/src/column.js";
import type { ColumnChunk, KeyValue, SchemaElement } from "hyparquet";
import type { ColumnEncoder, PageData } from "hyparquet-writer/src/types.js";

export type ParquetColumnKind = "string" | "optional-string" | "int32" | "float" | "vector" | "string-list";

export interface ParquetColumnSpec {
  readonly name: string;
  readonly kind: ParquetColumnKind;
  /** "vector": floats per row. */
  readonly dim?: number;
}

/** One row group's values of a column: strings (null where optional), Int32Array, Float32Array (rows × dim for "vector"), or lists of strings (null where absent). */
export type ParquetColumnValues = readonly (string | null)[] | Int32Array | Float32Array | readonly (readonly string[] | null)[];

/** Writes the file's head on construction; rowGroup() and finish() return the bytes each adds. */
export class ParquetStream {
  private readonly bytes = new ByteWriter(1 << 20);
  private readonly parquet: ParquetWriter;
  private readonly leaves: { spec: ParquetColumnSpec; path: SchemaElement[] }[] = [];

  constructor(columns: readonly ParquetColumnSpec[], keyValues: KeyValue[] = []) {
    const root: SchemaElement = { name: "root", num_children: columns.length };
    const schema: SchemaElement[] = [root];
    for (const spec of columns) {
      const elements = schemaOf(spec);
      schema.push(...elements);
      this.leaves.push({ spec, path: [root, ...elements] });
    }
    this.parquet = new ParquetWriter({ writer: this.bytes, schema, kvMetadata: keyValues, createdBy: "longtail (hyparquet-writer 0.17.0)" });
  }

  /** Encodes `rows` rows (one entry per column, in the constructor's order) as one row group; returns the bytes written since the last call. */
  rowGroup(rows: number, values: readonly ParquetColumnValues[]): Uint8Array {
    const start = this.bytes.offset;
    const chunks: ColumnChunk[] = [];
    let uncompressed = 0n;
    this.leaves.forEach(({ spec, path }, c) => {
      const result = writeColumn({ writer: this.bytes, column: this.encoder(spec, path), pageData: pageData(spec, rows, values[c]!) });
      chunks.push(result.chunk);
      uncompressed += result.chunk.meta_data?.total_uncompressed_size ?? 0n;
      this.parquet.pendingIndexes.push(result);
    });
    this.parquet.num_rows += BigInt(rows);
    this.parquet.row_groups.push({
      columns: chunks,
      total_byte_size: uncompressed,
      num_rows: BigInt(rows),
      total_compressed_size: BigInt(this.bytes.offset - start),
    });
    return this.take();
  }

  /** The page indexes, the footer and the closing magic. */
  finish(): Uint8Array {
    this.parquet.finish();
    return this.take();
  }

  /** The bytes since the last take: the writer keeps counting offsets while its buffer is reused. */
  private take(): Uint8Array {
    const out = new Uint8Array(this.bytes.buffer, 0, this.bytes.index).slice();
    this.bytes.index = 0;
    return out;
  }

  private encoder(spec: ParquetColumnSpec, path: SchemaElement[]): ColumnEncoder {
    const floats = spec.kind === "vector" || spec.kind === "float";
    return {
      columnName: path
        .slice(1)
        .map((e) => e.name)
        .join("."),
      element: path[path.length - 1]!,
      schemaPath: path,
      // Floats barely compress and have no useful dictionary: plain and uncompressed is the fastest to write and read.
      codec: floats ? "UNCOMPRESSED" : "SNAPPY",
      compressors: this.parquet.compressors,
      stats: spec.kind !== "vector",
      pageSize: 1 << 20,
      columnIndex: false,
      offsetIndex: true,
      ...(floats && { encoding: "PLAIN" as const }),
    };
  }
}

function schemaOf(spec: ParquetColumnSpec): SchemaElement[] {
  const name = spec.name;
  switch (spec.kind) {
    case "string":
    case "optional-string":
      return [{ name, type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: spec.kind === "string" ? "REQUIRED" : "OPTIONAL" }];
    case "int32":
      return [{ name, type: "INT32", repetition_type: "REQUIRED" }];
    case "float":
      return [{ name, type: "FLOAT", repetition_type: "REQUIRED" }];
    case "vector":
      return [
        { name, repetition_type: "REQUIRED", num_children: 1, converted_type: "LIST" },
        { name: "list", repetition_type: "REPEATED", num_children: 1 },
        { name: "element", type: "FLOAT", repetition_type: "REQUIRED" },
      ];
    case "string-list":
      return [
        { name, repetition_type: "OPTIONAL", num_children: 1, converted_type: "LIST" },
        { name: "list", repetition_type: "REPEATED", num_children: 1 },
        { name: "element", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "REQUIRED" },
      ];
  }
}

/** Values with their definition and repetition levels, as the column encoder takes them. */
function pageData(spec: ParquetColumnSpec, rows: number, values: ParquetColumnValues): PageData {
  const flat = (v: PageData["values"]): PageData => ({ values: v, definitionLevels: [], repetitionLevels: [], maxDefinitionLevel: 0 });
  switch (spec.kind) {
    case "string":
    case "int32":
    case "float":
      return flat(values as PageData["values"]);
    case "optional-string": {
      const strings = values as readonly (string | null)[];
      return { values: [...strings], definitionLevels: strings.map((s) => (s === null ? 0 : 1)), repetitionLevels: [], maxDefinitionLevel: 1 };
    }
    case "vector": {
      // Every row holds dim floats: each value is defined (level 1); a row starts at repetition 0.
      const dim = spec.dim!;
      const repetition = new Uint8Array(rows * dim).fill(1);
      for (let r = 0; r < rows; r++) repetition[r * dim] = 0;
      const definition = new Uint8Array(rows * dim).fill(1);
      return {
        values: values as Float32Array,
        definitionLevels: definition as unknown as number[],
        repetitionLevels: repetition as unknown as number[],
        maxDefinitionLevel: 1,
      };
    }
    case "string-list": {
      // An absent list: level 0; an empty one: 1; each element: 2 (repetition 0 at a row's first).
      const lists = values as readonly (readonly string[] | null)[];
      const out: (string | null)[] = [];
      const definition: number[] = [];
      const repetition: number[] = [];
      for (const list of lists) {
        if (list === null || list.length === 0) {
          out.push(null);
          definition.push(list === null ? 0 : 1);
          repetition.push(0);
          continue;
        }
        list.forEach((v, i) => {
          out.push(v);
          definition.push(2);
          repetition.push(i === 0 ? 0 : 1);
        });
      }
      return { values: out, definitionLevels: definition, repetitionLevels: repetition, maxDefinitionLevel: 2 };
    }
  }
}

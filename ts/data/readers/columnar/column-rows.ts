import { DataError, quoteFound, type DataLocation } from "../../errors.js";
import type { IdMap } from "../../id-map.js";
import type { Interactions, InteractionsBuilder } from "../../interactions.js";
import { builderFor, type ReaderOptions } from "../reader-options.js";
import { checkRating, MAX_RATING, requireId, requireRating, requireTimestamp } from "../fields.js";
import type { NamedColumns } from "../column-list.js";

/** One column of one row group or record batch, as the format's library decoded it. */
export interface ColumnChunk {
  /** A value per row: a typed array, or an array with null (or undefined) where a value is missing. */
  readonly values: ArrayLike<unknown>;
  /** Row r of the batch is values[offset + r] (default 0): a batch may start inside a decoded page. */
  readonly offset?: number;
  /** Where missing values are marked apart from `values` (Arrow's validity bitmap), by position in `values`. */
  readonly isValid?: (position: number) => boolean;
  /** Dictionary-encoded: `values` holds indices into these, each mapped to an id once, not once per row. */
  readonly dictionary?: ArrayLike<unknown>;
}

export interface BatchColumns {
  readonly user: ColumnChunk;
  readonly item: ColumnChunk;
  readonly rating?: ColumnChunk;
  readonly timestamp?: ColumnChunk;
}

/** A dictionary entry or an id not mapped to an index yet (-1 is a dropped id, as userIndex gives it). */
const UNMAPPED = -2;
/**
 * Non-negative integer ids below this are mapped through an array indexed by the id (grown to the
 * largest id seen, 16 MiB at most), which is several times faster than a Map; larger ids (hashes,
 * snowflakes) go through a Map.
 */
const DENSE_LIMIT = 1 << 22;

/**
 * Adds the rows of columnar batches (Parquet row groups, Arrow record batches) to a builder. Ids
 * may be integers (int32, int64 as BigInt, integral floats), strings or dictionary-encoded; each
 * distinct number maps to its index once, so a column of a few hundred thousand ids repeated over
 * millions of rows costs a map lookup per row, not a string per row. Strings become ids as text
 * formats make them (trimmed, no control characters), so a file holds the same users and items
 * as its csv export.
 */
export class ColumnarRows {
  private readonly numberIndex = { user: new Map<number | bigint, number>(), item: new Map<number | bigint, number>() };
  private readonly denseIndex = { user: new Int32Array(0), item: new Int32Array(0) };
  private readonly dictionaryIndex = { user: new WeakMap<object, Int32Array>(), item: new WeakMap<object, Int32Array>() };
  private rowIn = "";
  /** Rows added (kept, below minRating or dropped), for the "no data" check. */
  rows = 0;

  private readonly builder: InteractionsBuilder;

  constructor(
    options: ReaderOptions,
    private readonly columns: NamedColumns,
    private readonly file: string,
    private readonly minRating: number | undefined,
  ) {
    const fieldNames = {
      user: columns.user,
      item: columns.item,
      ...(columns.rating !== undefined && { rating: columns.rating }),
      ...(columns.timestamp !== undefined && { timestamp: columns.timestamp }),
    };
    // The builder's own messages (an unknown id, a shape error) point at rows, as this class's do.
    this.builder = builderFor(options, file, fieldNames, (row) => ({ row, rowIn: this.rowIn }));
  }

  build(): Interactions {
    return this.builder.build();
  }

  /** Rows [0, length) of one batch; `firstRow` is the file row of its first, `rowIn` names the batch ("row group 3"). */
  addBatch(batch: BatchColumns, length: number, firstRow: number, rowIn: string): void {
    this.rowIn = rowIn;
    const { user, item, rating, timestamp } = batch;
    const minRating = this.minRating;
    const userOf = this.idResolver("user", user);
    const itemOf = this.idResolver("item", item);
    for (let r = 0; r < length; r++) {
      const at = firstRow + r;
      let ratingValue: number | undefined;
      if (rating !== undefined) {
        ratingValue = this.ratingOf(rating, r, at);
        if (minRating !== undefined && ratingValue < minRating) {
          // The ids of a skipped row must still be ids: a null is an error wherever it is.
          this.present(user, r, at, this.columns.user, "a user id");
          this.present(item, r, at, this.columns.item, "an item id");
          this.builder.noteBelowMinRating();
          continue;
        }
      }
      const time = timestamp === undefined ? undefined : this.timestampOf(timestamp, r, at);
      const u = userOf(r, at);
      // A dropped user's items are not looked up: they must not enter an unfrozen item map.
      const i = u < 0 ? -1 : itemOf(r, at);
      this.builder.addIndices(u, i, ratingValue, time, at);
    }
    this.rows += length;
  }

  private where(at: number, field: string): DataLocation {
    return { file: this.file, row: at, rowIn: this.rowIn, field };
  }

  /** The value of row r, or a DataError when it is missing. */
  private present(chunk: ColumnChunk, r: number, at: number, field: string, what: string): unknown {
    const position = r + (chunk.offset ?? 0);
    const value = chunk.values[position];
    if (value === null || value === undefined || (chunk.isValid !== undefined && !chunk.isValid(position))) {
      throw new DataError(this.where(at, field), `expected ${what}, got null (a missing value)`);
    }
    return value;
  }

  /** How row r of an id column becomes an index: straight from a typed array (it holds no nulls), else value by value. */
  private idResolver(role: "user" | "item", chunk: ColumnChunk): (r: number, at: number) => number {
    const values = chunk.values;
    if (chunk.dictionary === undefined && chunk.isValid === undefined && ArrayBuffer.isView(values)) {
      const field = this.columns[role];
      const what = role === "user" ? "a user id" : "an item id";
      const offset = chunk.offset ?? 0;
      return (r, at) => this.idIndex(role, values[r + offset], at, field, what);
    }
    return (r, at) => this.indexOf(role, chunk, r, at);
  }

  private indexOf(role: "user" | "item", chunk: ColumnChunk, r: number, at: number): number {
    const field = this.columns[role];
    const what = role === "user" ? "a user id" : "an item id";
    const value = this.present(chunk, r, at, field, what);
    if (chunk.dictionary !== undefined) {
      const dictionary = chunk.dictionary;
      const key = dictionary as unknown as object;
      let mapped = this.dictionaryIndex[role].get(key);
      if (mapped === undefined) {
        mapped = new Int32Array(dictionary.length).fill(UNMAPPED);
        this.dictionaryIndex[role].set(key, mapped);
      }
      const d = value as number;
      if (mapped[d] === UNMAPPED) mapped[d] = this.idIndex(role, dictionary[d], at, field, what);
      return mapped[d]!;
    }
    return this.idIndex(role, value, at, field, what);
  }

  private idIndex(role: "user" | "item", value: unknown, at: number, field: string, what: string): number {
    if (typeof value === "string") {
      const map: IdMap = role === "user" ? this.builder.users : this.builder.items;
      const known = map.index(value);
      if (known !== undefined) return known;
      const id = requireId(value, this.where(at, field), what);
      return role === "user" ? this.builder.userIndex(id, at) : this.builder.itemIndex(id, at);
    }
    if (typeof value === "number" || typeof value === "bigint") {
      const small = typeof value === "number" ? value : value >= 0n && value < DENSE_LIMIT ? Number(value) : -1;
      if (small >= 0 && small < DENSE_LIMIT && Number.isInteger(small)) {
        let dense = this.denseIndex[role];
        if (small < dense.length && dense[small] !== UNMAPPED) return dense[small]!;
        if (small >= dense.length) {
          const grown = new Int32Array(Math.min(DENSE_LIMIT, Math.max(1024, 2 ** Math.ceil(Math.log2(small + 1))))).fill(UNMAPPED);
          grown.set(dense);
          dense = this.denseIndex[role] = grown;
        }
        const id = String(small);
        return (dense[small] = role === "user" ? this.builder.userIndex(id, at) : this.builder.itemIndex(id, at));
      }
      const cache = this.numberIndex[role];
      const known = cache.get(value);
      if (known !== undefined) return known;
      if (typeof value === "number" && !Number.isInteger(value)) {
        throw new DataError(this.where(at, field), `expected ${what} (an integer or a string), got ${value}`);
      }
      const id = String(value);
      const index = role === "user" ? this.builder.userIndex(id, at) : this.builder.itemIndex(id, at);
      cache.set(value, index);
      return index;
    }
    throw new DataError(this.where(at, field), `expected ${what} (an integer or a string), got ${describeValue(value)}`);
  }

  private ratingOf(chunk: ColumnChunk, r: number, at: number): number {
    const field = this.columns.rating!;
    const value = this.present(chunk, r, at, field, "a rating");
    // The usual case first, without building a location no message needs.
    if (typeof value === "number" && Math.abs(value) <= MAX_RATING && (value >= 0 || this.minRating !== undefined)) return value;
    const where = this.where(at, field);
    if (typeof value === "number") return checkRating(value, String(value), where, this.minRating);
    if (typeof value === "bigint") return checkRating(Number(value), String(value), where, this.minRating);
    if (typeof value === "string") return requireRating(value, where, this.minRating);
    throw new DataError(where, `expected a rating (a number), got ${describeValue(value)}`);
  }

  private timestampOf(chunk: ColumnChunk, r: number, at: number): number {
    const field = this.columns.timestamp!;
    const value = this.present(chunk, r, at, field, "a timestamp");
    // Date-typed columns arrive as seconds (see the readers' parsers); a Date is the one exception some libraries make.
    if (typeof value === "number" && Number.isFinite(value)) return value;
    if (typeof value === "bigint") return Number(value);
    const where = this.where(at, field);
    if (value instanceof Date && Number.isFinite(value.getTime())) return value.getTime() / 1000;
    if (typeof value === "string") return requireTimestamp(value, where, true);
    throw new DataError(where, `expected a timestamp (a number, a date or a date-time), got ${describeValue(value)}`);
  }
}

function describeValue(value: unknown): string {
  if (typeof value === "string") return quoteFound(value);
  if (value instanceof Uint8Array) return `${value.length} bytes of binary data`;
  if (typeof value === "object" && value !== null) return `a ${value.constructor?.name ?? "structured"} value (a nested column?)`;
  return `${typeof value} ${String(value)}`;
}

/**
 * Embeddings as Parquet: columns id, vector (a list of `dim` floats per row), count, then title and
 * genres (items, when known) or training_items (users); row groups of 16,384 rows. The file's
 * key-value metadata "longtail" says which side, the dimension and β of a re-ranking dimension.
 */
import { tableDescription, trainingItemIds, type EmbeddingTable } from "./embedding-table.js";
import { ParquetStream, type ParquetColumnSpec, type ParquetColumnValues } from "./parquet-columns.js";

const GROUP_ROWS = 16_384;

export async function* embeddingsParquet(table: EmbeddingTable): AsyncGenerator<Uint8Array> {
  const specs: ParquetColumnSpec[] = [
    { name: "id", kind: "string" },
    { name: "vector", kind: "vector", dim: table.dim },
    { name: "count", kind: "int32" },
    ...(table.titles ? [{ name: "title", kind: "optional-string" } as const] : []),
    ...(table.genres ? [{ name: "genres", kind: "string-list" } as const] : []),
    ...(table.trainingItems ? [{ name: "training_items", kind: "string-list" } as const] : []),
  ];
  const stream = new ParquetStream(specs, [{ key: "longtail", value: JSON.stringify(tableDescription(table)) }]);
  const n = table.ids.length,
    d = table.dim;
  for (let start = 0; start < n; start += GROUP_ROWS) {
    const end = Math.min(n, start + GROUP_ROWS);
    const values: ParquetColumnValues[] = [table.ids.slice(start, end), table.vectors.subarray(start * d, end * d), table.counts.subarray(start, end)];
    if (table.titles) values.push(table.titles.slice(start, end));
    if (table.genres) values.push(table.genres.slice(start, end));
    if (table.trainingItems) values.push(Array.from({ length: end - start }, (_, k) => trainingItemIds(table, start + k)));
    yield stream.rowGroup(end - start, values);
  }
  yield stream.finish();
}

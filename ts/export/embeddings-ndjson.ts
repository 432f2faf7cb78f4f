/**
 * Embeddings as NDJSON, one object per line: {"id", "vector", "count", ...}, with "title" and
 * "genres" for items when known and "training_items" for users. Vectors are the shortest decimals
 * that read back as the same f32 values (float-text.ts).
 */
import { lineChunks } from "./byte-chunks.js";
import { trainingItemIds, type EmbeddingTable } from "./embedding-table.js";
import { vectorText } from "./float-text.js";

export function embeddingsNdjson(table: EmbeddingTable): AsyncIterable<Uint8Array> {
  return lineChunks(lines(table));
}

function* lines(table: EmbeddingTable): Generator<string> {
  for (let r = 0; r < table.ids.length; r++) {
    yield `{"id":${JSON.stringify(table.ids[r])},"vector":${vectorText(table.vectors, r, table.dim)},"count":${table.counts[r]}${rowFacts(table, r)}}`;
  }
}

/** The optional fields of row r as JSON members, each with its leading comma. */
export function rowFacts(table: EmbeddingTable, r: number): string {
  let s = "";
  if (table.titles) s += `,"title":${JSON.stringify(table.titles[r])}`;
  if (table.genres) s += `,"genres":${JSON.stringify(table.genres[r])}`;
  if (table.trainingItems) s += `,"training_items":${JSON.stringify(trainingItemIds(table, r))}`;
  return s;
}

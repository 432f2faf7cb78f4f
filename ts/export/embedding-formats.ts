/**
 * The embedding export formats and the writer of each. Every writer takes an EmbeddingTable and
 * returns its file as an async iterable of byte chunks (collectBytes joins them), so a browser or
 * a Worker can hand it to a Response or a stream as well as Node to a file.
 */
import type { EmbeddingTable } from "./embedding-table.js";
import { embeddingsArrow } from "./embeddings-arrow.js";
import { embeddingsNdjson } from "./embeddings-ndjson.js";
import { embeddingsParquet } from "./embeddings-parquet.js";
import { embeddingsNpy } from "./npy.js";
import { vectorizeNdjson } from "./vectorize.js";

export type EmbeddingFormat = "parquet" | "arrow" | "ndjson" | "npy" | "vectorize" | "pgvector";
export const EMBEDDING_FORMATS: readonly EmbeddingFormat[] = ["parquet", "arrow", "ndjson", "npy", "vectorize", "pgvector"];

/** The file of one table in a one-table format (npy: the matrix, its sidecar is npyRowsNdjson; pgvector writes items and users into one script: pgvectorSql). */
export function embeddingsFile(table: EmbeddingTable, format: Exclude<EmbeddingFormat, "pgvector">): AsyncIterable<Uint8Array> {
  switch (format) {
    case "parquet":
      return embeddingsParquet(table);
    case "arrow":
      return embeddingsArrow(table);
    case "ndjson":
      return embeddingsNdjson(table);
    case "npy":
      return embeddingsNpy(table);
    case "vectorize":
      return vectorizeNdjson(table);
  }
}

/**
 * longtail/export: a trained model's served vectors for the engines that serve vectors at scale
 * (Parquet, Arrow IPC, NDJSON, .npy, Cloudflare Vectorize, PostgreSQL + pgvector), with the
 * popularity penalty as one more dimension; and every user's top K as a file. Runtime-neutral:
 * each writer returns bytes as an async iterable (docs/export.md).
 */
export {
  itemEmbeddings,
  userEmbeddings,
  type EmbeddingTable,
  type EmbeddingSide,
  type ItemEmbeddingOptions,
  type UserEmbeddingOptions,
  type MovieLookup,
  type MovieFacts,
} from "../export/embedding-table.js";
export type { ExportableModel } from "../export/served-vectors.js";
export { EMBEDDING_FORMATS, embeddingsFile, type EmbeddingFormat } from "../export/embedding-formats.js";
export { embeddingsParquet } from "../export/embeddings-parquet.js";
export { embeddingsArrow, arrowSchema } from "../export/embeddings-arrow.js";
export { embeddingsNdjson } from "../export/embeddings-ndjson.js";
export { embeddingsNpy, npyRowsNdjson, npyHeader } from "../export/npy.js";
export { vectorizeNdjson, checkVectorizeTable, VECTORIZE_LIMITS, VECTORIZE_LIMITS_URL } from "../export/vectorize.js";
export {
  pgvectorSql,
  pgvectorStatements,
  pgvectorCopyRows,
  pgvectorColumns,
  pgvectorTableNames,
  PGVECTOR_MAX_DIMENSIONS,
  type PgvectorOptions,
  type PgvectorTables,
} from "../export/pgvector.js";
export { itemRerankValue } from "../export/rerank-dimension.js";
export { topKBlocks, rankAllUsers, type TopKBlock, type AllUsersTopK, type AllUsersTopKOptions } from "../export/all-users-top-k.js";
export { recommendationsFile, RECOMMENDATION_FORMATS, type RecommendationFormat, type RecommendationIds } from "../export/recommendation-files.js";
export { collectBytes } from "../export/byte-chunks.js";
export { float32Text } from "../export/float-text.js";
export { ExportError } from "../export/export-error.js";

/**
 * Every user's top K as a file of one row per recommendation, (user, rank, item, score), rank 1
 * the best: Parquet (one row group per block of users), CSV (RFC 4180, with a header) or NDJSON.
 * Padding (a user with fewer than K candidates) writes no row.
 */
import { csvField } from "../util/csv-field.js";
import type { TopKBlock } from "./all-users-top-k.js";
import { lineChunks } from "./byte-chunks.js";
import { float32Text } from "./float-text.js";
import { ParquetStream } from "./parquet-columns.js";

export type RecommendationFormat = "parquet" | "csv" | "ndjson";
export const RECOMMENDATION_FORMATS: readonly RecommendationFormat[] = ["parquet", "csv", "ndjson"];

/** The ids that name users and items (a model's users.ids() and items.ids()). */
export interface RecommendationIds {
  readonly users: readonly string[];
  readonly items: readonly string[];
}

export function recommendationsFile(
  blocks: Iterable<TopKBlock> | AsyncIterable<TopKBlock>,
  ids: RecommendationIds,
  format: RecommendationFormat,
): AsyncIterable<Uint8Array> {
  if (format === "parquet") return recommendationsParquet(blocks, ids);
  const row =
    format === "csv"
      ? (user: string, rank: number, item: string, score: number) => `${csvField(user)},${rank},${csvField(item)},${float32Text(score)}`
      : (user: string, rank: number, item: string, score: number) =>
          `{"user":${JSON.stringify(user)},"rank":${rank},"item":${JSON.stringify(item)},"score":${float32Text(score)}}`;
  return lineChunks(
    (async function* () {
      if (format === "csv") yield "user,rank,item,score";
      for await (const b of blocks) {
        for (let r = 0; r < b.users; r++) {
          const user = ids.users[b.first + r]!;
          for (let t = 0; t < b.k; t++) {
            const i = b.indices[r * b.k + t]!;
            if (i >= 0) yield row(user, t + 1, ids.items[i]!, b.scores[r * b.k + t]!);
          }
        }
      }
    })(),
  );
}

async function* recommendationsParquet(blocks: Iterable<TopKBlock> | AsyncIterable<TopKBlock>, ids: RecommendationIds): AsyncGenerator<Uint8Array> {
  const stream = new ParquetStream([
    { name: "user", kind: "string" },
    { name: "rank", kind: "int32" },
    { name: "item", kind: "string" },
    { name: "score", kind: "float" },
  ]);
  for await (const b of blocks) {
    const users: string[] = [],
      items: string[] = [];
    const ranks: number[] = [],
      scores: number[] = [];
    for (let r = 0; r < b.users; r++) {
      for (let t = 0; t < b.k; t++) {
        const i = b.indices[r * b.k + t]!;
        if (i < 0) continue;
        users.push(ids.users[b.first + r]!);
        ranks.push(t + 1);
        items.push(ids.items[i]!);
        scores.push(b.scores[r * b.k + t]!);
      }
    }
    if (users.length > 0) yield stream.rowGroup(users.length, [users, Int32Array.from(ranks), items, Float32Array.from(scores)]);
  }
  yield stream.finish();
}

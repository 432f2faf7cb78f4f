/**
 * A model's item or user vectors as one table that every export format writes: ids, the served
 * vectors (optionally with the re-ranking dimension), training counts, and what else the model
 * knows about a row (titles and genres of items, the training items of users).
 */
import type { Csr } from "../data/csr.js";
import { MatrixFactorization } from "../mf/matrix-factorization.js";
import { checkRerankStrength, itemRerankValue, withExtraColumn } from "./rerank-dimension.js";
import { servedItemVectors, servedUserVectors, type ExportableModel } from "./served-vectors.js";

export type EmbeddingSide = "items" | "users";

/** What a movies file says about an item (readMovieLensMovies' values). */
export interface MovieFacts {
  readonly title: string;
  readonly genres: readonly string[];
}

/** Titles and genres by item id: the map readMovieLensMovies returns, or a TitleIndex (`info`). */
export type MovieLookup = ReadonlyMap<string, MovieFacts> | { info(id: string): MovieFacts | undefined };

export interface EmbeddingTable {
  readonly side: EmbeddingSide;
  /** External ids; row r of every column is ids[r]. */
  readonly ids: readonly string[];
  /** Values per vector: the model's dimension, plus one when `rerank` is set. */
  readonly dim: number;
  /** ids.length × dim, row-major: the vectors the model ranks with (user · item = score). */
  readonly vectors: Float32Array;
  /** Training interactions: an item's popularity, a user's history length. */
  readonly counts: Int32Array;
  /** Items: each row's title (null where unknown); absent when nothing gives titles. */
  readonly titles?: readonly (string | null)[];
  /** Items: each row's genres (null where unknown); absent when nothing gives genres. */
  readonly genres?: readonly (readonly string[] | null)[];
  /** Users: each user's training items (CSR over users, indices into `itemIds`): what serving leaves out. */
  readonly trainingItems?: { readonly csr: Csr; readonly itemIds: readonly string[] };
  /** β when the last dimension is the popularity-penalty one (users 1, items −β·log(1 + count)). */
  readonly rerank?: number;
  /** The model family ("mf", "two-tower"): written into the files' metadata. */
  readonly model: string;
}

export interface ItemEmbeddingOptions {
  /** Append the re-ranking dimension for β (see rerank-dimension.ts); export the users with the same β. */
  rerank?: number;
  /** Titles and genres (a movies file); genres default to those the model was trained with (two-tower). */
  movies?: MovieLookup;
}

export interface UserEmbeddingOptions {
  /** Append the re-ranking dimension (users get 1): the same β as the items'. */
  rerank?: number;
  /** Include each user's training items (default true). */
  trainingItems?: boolean;
}

/** The item vectors as the model serves them, with counts and, when known, titles and genres. */
export function itemEmbeddings(model: ExportableModel, options: ItemEmbeddingOptions = {}): EmbeddingTable {
  const beta = options.rerank === undefined ? undefined : checkRerankStrength(options.rerank);
  const n = model.nItems,
    d = model.dim;
  const counts = model.itemCounts.slice();
  let vectors = servedItemVectors(model);
  if (beta !== undefined) vectors = withExtraColumn(vectors, n, d, (i) => itemRerankValue(counts[i]!, beta));
  const ids = model.items.ids();
  const facts = movieFacts(ids, options.movies);
  const genres = facts?.genres ?? modelGenres(model);
  return {
    side: "items",
    ids,
    dim: d + (beta === undefined ? 0 : 1),
    vectors,
    counts,
    ...(facts && { titles: facts.titles }),
    ...(genres && { genres }),
    ...(beta !== undefined && { rerank: beta }),
    model: modelKind(model),
  };
}

/** The user vectors as the model serves them (two-tower: the user tower over each training history), with history lengths. */
export function userEmbeddings(model: ExportableModel, options: UserEmbeddingOptions = {}): EmbeddingTable {
  const beta = options.rerank === undefined ? undefined : checkRerankStrength(options.rerank);
  const n = model.nUsers,
    d = model.dim;
  const csr = model.trainingItems;
  const counts = Int32Array.from({ length: n }, (_, u) => csr.indptr[u + 1]! - csr.indptr[u]!);
  let vectors = servedUserVectors(model);
  if (beta !== undefined) vectors = withExtraColumn(vectors, n, d, () => 1);
  return {
    side: "users",
    ids: model.users.ids(),
    dim: d + (beta === undefined ? 0 : 1),
    vectors,
    counts,
    ...(options.trainingItems !== false && { trainingItems: { csr, itemIds: model.items.ids() } }),
    ...(beta !== undefined && { rerank: beta }),
    model: modelKind(model),
  };
}

/** What the files' metadata say about a table (Parquet's key-value and Arrow's schema metadata "longtail"). */
export function tableDescription(table: EmbeddingTable): Record<string, unknown> {
  return { side: table.side, model: table.model, rows: table.ids.length, dim: table.dim, ...(table.rerank !== undefined && { rerankBeta: table.rerank }) };
}

/** Row r's training item ids (empty for items, or users exported without them). */
export function trainingItemIds(table: EmbeddingTable, r: number): string[] {
  const t = table.trainingItems;
  if (!t) return [];
  const out: string[] = [];
  for (let p = t.csr.indptr[r]!; p < t.csr.indptr[r + 1]!; p++) out.push(t.itemIds[t.csr.indices[p]!]!);
  return out;
}

function modelKind(model: ExportableModel): string {
  return model instanceof MatrixFactorization ? "mf" : "two-tower";
}

function movieFacts(ids: readonly string[], movies: MovieLookup | undefined): { titles: (string | null)[]; genres: (readonly string[] | null)[] } | null {
  if (!movies) return null;
  const info = "info" in movies ? (id: string) => movies.info(id) : (id: string) => movies.get(id);
  const titles: (string | null)[] = [];
  const genres: (readonly string[] | null)[] = [];
  for (const id of ids) {
    const facts = info(id);
    titles.push(facts?.title ?? null);
    genres.push(facts ? facts.genres : null);
  }
  return { titles, genres };
}

/** The genres a two-tower item tower was trained with, by item; null for a model without them. */
function modelGenres(model: ExportableModel): (readonly string[] | null)[] | null {
  if (model instanceof MatrixFactorization) return null;
  const byItem = model.itemGenres;
  if (!byItem) return null;
  const names = model.genreNames;
  return Array.from({ length: model.nItems }, (_, i) => {
    const out: string[] = [];
    for (let p = byItem.indptr[i]!; p < byItem.indptr[i + 1]!; p++) out.push(names[byItem.indices[p]!]!);
    return out;
  });
}

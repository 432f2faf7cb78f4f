/**
 * Item side features of the two-tower model: each item's genres as a CSR over a genre
 * vocabulary, built from MovieLens movies.csv (readMovieLensMovies) for the model's catalog.
 */
import type { IdMap } from "../data/id-map.js";
import type { Csr } from "../data/csr.js";

export interface ItemGenres {
  /** The genre vocabulary; index = row of the genre embedding table. */
  readonly names: string[];
  /** Row i = the genre indices of item i (items missing from movies.csv have none). */
  readonly byItem: Csr;
}

/** Genres of every item of `items` from a movie map (external item id → { genres }); names sorted, so the same file gives the same indices. */
export function itemGenresFromMovies(items: IdMap, movies: ReadonlyMap<string, { readonly genres: readonly string[] }>, source = "movies.csv"): ItemGenres {
  const vocabulary = new Set<string>();
  for (let i = 0; i < items.size; i++) for (const g of movies.get(items.id(i))?.genres ?? []) vocabulary.add(g);
  if (vocabulary.size === 0) {
    throw new RangeError(`${source} gives no genre for any of the ${items.size} items of the training data: is it the movies file of this data set?`);
  }
  const names = [...vocabulary].sort();
  const index = new Map(names.map((g, k) => [g, k]));
  const indptr = new Int32Array(items.size + 1);
  const indices: number[] = [];
  for (let i = 0; i < items.size; i++) {
    for (const g of new Set(movies.get(items.id(i))?.genres ?? [])) indices.push(index.get(g)!);
    indptr[i + 1] = indices.length;
  }
  return { names, byItem: { indptr, indices: Int32Array.from(indices) } };
}

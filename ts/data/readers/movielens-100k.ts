import { DataError, quoteFound } from "../errors.js";
import { requireId } from "./fields.js";
import type { MovieInfo } from "./movie-info.js";
import { forEachLine, type TextEncoding } from "./text-lines.js";

/** MovieLens 100K's genres, in the order of u.item's 19 flags (u.genre lists the same). */
export const MOVIELENS_100K_GENRES: readonly string[] = [
  "unknown",
  "Action",
  "Adventure",
  "Animation",
  "Children's",
  "Comedy",
  "Crime",
  "Documentary",
  "Drama",
  "Fantasy",
  "Film-Noir",
  "Horror",
  "Musical",
  "Mystery",
  "Romance",
  "Sci-Fi",
  "Thriller",
  "War",
  "Western",
];

/**
 * MovieLens 100K's u.item: `id|title|release date|video release date|IMDb URL|` and 19 genre flags
 * (0/1, in {@link MOVIELENS_100K_GENRES} order), pipe-separated, ISO-8859-1 (the GroupLens file
 * has accented titles in Latin-1). The "unknown" genre flag is not a genre.
 */
export async function readMovieLens100kItems(
  source: AsyncIterable<Uint8Array>,
  options: { name?: string; encoding?: TextEncoding; genres?: readonly string[] } = {},
): Promise<Map<string, MovieInfo>> {
  const name = options.name ?? "u.item";
  const genres = options.genres ?? MOVIELENS_100K_GENRES;
  const movies = new Map<string, MovieInfo>();
  await forEachLine(source, { name, encoding: options.encoding ?? "latin1" }, (text, line) => {
    if (text.trim().length === 0) return;
    const fields = text.split("|");
    if (fields.length !== 5 + genres.length) {
      throw new DataError(
        { file: name, line },
        `expected ${5 + genres.length} "|"-separated fields (id|title|release date|video release date|URL|${genres.length} genre flags), got ${fields.length}: ${quoteFound(text)}`,
      );
    }
    const id = requireId(fields[0]!, { file: name, line, field: "id" }, "a movie id");
    if (movies.has(id)) throw new DataError({ file: name, line, field: "id" }, `movie ${quoteFound(id)} is listed twice`);
    const flags = fields.slice(5);
    const bad = flags.findIndex((f) => f !== "0" && f !== "1");
    if (bad >= 0) throw new DataError({ file: name, line, field: genres[bad]! }, `expected a genre flag 0 or 1, got ${quoteFound(flags[bad]!)}`);
    movies.set(id, { title: fields[1]!, genres: genres.filter((g, i) => flags[i] === "1" && g !== "unknown") });
  });
  if (movies.size === 0) throw new DataError({ file: name }, "no movies (expected lines of id|title|...|genre flags)");
  return movies;
}

/** u.genre: `name|index` lines, the genre names in index order. */
export async function readMovieLens100kGenres(source: AsyncIterable<Uint8Array>, options: { name?: string } = {}): Promise<string[]> {
  const name = options.name ?? "u.genre";
  const byIndex: string[] = [];
  await forEachLine(source, { name, encoding: "latin1" }, (text, line) => {
    if (text.trim().length === 0) return;
    const [genre, index] = text.split("|");
    const i = Number(index);
    if (genre === undefined || !Number.isInteger(i) || i < 0 || i > 100)
      throw new DataError({ file: name, line }, `expected "name|index", got ${quoteFound(text)}`);
    byIndex[i] = genre;
  });
  if (byIndex.length === 0 || byIndex.some((g) => g === undefined)) throw new DataError({ file: name }, "the genre indices are not 0, 1, 2, ... without gaps");
  return byIndex;
}

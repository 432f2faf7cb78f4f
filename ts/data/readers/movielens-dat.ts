import { DataError, quoteFound } from "../errors.js";
import type { Interactions } from "../interactions.js";
import { requireId } from "./fields.js";
import { addRatingRow } from "./rating-row.js";
import { parseGenres, type MovieInfo } from "./movie-info.js";
import { builderFor, minRatingOf, type ReaderOptions } from "./reader-options.js";
import { forEachLine, type TextEncoding } from "./text-lines.js";

const SEPARATOR = "::";

/** MovieLens ratings.dat (ML-1M, ML-10M): `user::item::rating::timestamp`, no header. */
export async function readMovieLensDatRatings(source: AsyncIterable<Uint8Array>, options: ReaderOptions = {}): Promise<Interactions> {
  const name = options.name ?? "ratings.dat";
  const minRating = minRatingOf(options);
  const builder = builderFor(options, name, { user: "user", item: "item", rating: "rating", timestamp: "timestamp" });
  let dataRows = 0;
  await forEachLine(source, { name, ...(options.encoding && { encoding: options.encoding }) }, (text, line) => {
    if (text.trim().length === 0) return;
    const fields = text.split(SEPARATOR);
    if (fields.length !== 4) {
      throw new DataError({ file: name, line }, `expected 4 "::"-separated fields (user::item::rating::timestamp), got ${fields.length}: ${quoteFound(text)}`);
    }
    dataRows++;
    addRatingRow(builder, fields, name, line, { user: "user", item: "item" }, minRating);
  });
  if (dataRows === 0) throw new DataError({ file: name }, "no data rows (expected lines of user::item::rating::timestamp)");
  return builder.build();
}

/**
 * MovieLens movies.dat: `id::title::genres`. GroupLens ships ML-1M's movies.dat in ISO-8859-1:
 * pass encoding "latin1" for it (UTF-8 decoding reports the first line that is not UTF-8).
 */
export async function readMovieLensDatMovies(
  source: AsyncIterable<Uint8Array>,
  options: { name?: string; encoding?: TextEncoding } = {},
): Promise<Map<string, MovieInfo>> {
  const name = options.name ?? "movies.dat";
  const movies = new Map<string, MovieInfo>();
  const firstLine = new Map<string, number>();
  await forEachLine(source, { name, ...(options.encoding && { encoding: options.encoding }) }, (text, line) => {
    if (text.trim().length === 0) return;
    const fields = text.split(SEPARATOR);
    if (fields.length !== 3) {
      throw new DataError({ file: name, line }, `expected 3 "::"-separated fields (id::title::genres), got ${fields.length}: ${quoteFound(text)}`);
    }
    const id = requireId(fields[0]!, { file: name, line, field: "id" }, "a movie id");
    const earlier = firstLine.get(id);
    if (earlier !== undefined) {
      throw new DataError({ file: name, line, field: "id" }, `movie ${quoteFound(id)} is listed twice (first on line ${earlier})`);
    }
    firstLine.set(id, line);
    movies.set(id, { title: fields[1]!, genres: parseGenres(fields[2]!) });
  });
  if (movies.size === 0) throw new DataError({ file: name }, "no movies (expected lines of id::title::genres)");
  return movies;
}

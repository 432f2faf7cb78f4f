import { DataError, quoteFound } from "../errors.js";
import type { Interactions } from "../interactions.js";
import { CsvRecordAssembler } from "./csv-record.js";
import { requireId } from "./fields.js";
import { addRatingRow } from "./rating-row.js";
import { parseGenres, type MovieInfo } from "./movie-info.js";
import { builderFor, minRatingOf, type ReaderOptions } from "./reader-options.js";
import { forEachLine } from "./text-lines.js";

export type { MovieInfo } from "./movie-info.js";

export const MOVIELENS_RATINGS_HEADER = "userId,movieId,rating,timestamp";
export const MOVIELENS_MOVIES_HEADER = "movieId,title,genres";
const RATING_FIELDS = MOVIELENS_RATINGS_HEADER.split(",");

/**
 * MovieLens ratings.csv (GroupLens "latest", ML-20M, ML-25M, ML-32M): the header
 * `userId,movieId,rating,timestamp`, then one rating per line. Ratings and timestamps are kept;
 * `minRating` turns the explicit ratings into implicit feedback.
 */
export async function readMovieLensRatings(source: AsyncIterable<Uint8Array>, options: ReaderOptions = {}): Promise<Interactions> {
  const name = options.name ?? "ratings.csv";
  const minRating = minRatingOf(options);
  const builder = builderFor(options, name, { user: "userId", item: "movieId", rating: "rating", timestamp: "timestamp" });
  let sawHeader = false;
  let dataRows = 0;
  const records = new CsvRecordAssembler(name, ",", (fields, line) => {
    if (!sawHeader) {
      sawHeader = true;
      checkHeader(fields, RATING_FIELDS, name, line);
      return;
    }
    if (fields.length !== 4) {
      throw new DataError(
        { file: name, line },
        `expected 4 comma-separated fields (${MOVIELENS_RATINGS_HEADER}), got ${fields.length}: ${quoteFound(fields.join(","))}`,
      );
    }
    dataRows++;
    addRatingRow(builder, fields, name, line, { user: "userId", item: "movieId" }, minRating);
  });
  await forEachLine(source, { name, ...(options.encoding && { encoding: options.encoding }) }, (text, line) => records.pushLine(text, line));
  records.finish();
  if (!sawHeader) throw new DataError({ file: name }, `empty file; expected the header ${MOVIELENS_RATINGS_HEADER}`);
  if (dataRows === 0) throw new DataError({ file: name }, `no data rows after the header (expected lines of ${MOVIELENS_RATINGS_HEADER})`);
  return builder.build();
}

/**
 * MovieLens movies.csv: `movieId,title,genres`; titles may be quoted (with commas and doubled
 * quotes inside), genres are `|`-separated, "(no genres listed)" is no genre.
 */
export async function readMovieLensMovies(source: AsyncIterable<Uint8Array>, options: { name?: string } = {}): Promise<Map<string, MovieInfo>> {
  const name = options.name ?? "movies.csv";
  const movies = new Map<string, MovieInfo>();
  const firstLine = new Map<string, number>();
  let sawHeader = false;
  const records = new CsvRecordAssembler(name, ",", (fields, line) => {
    if (!sawHeader) {
      sawHeader = true;
      checkHeader(fields, MOVIELENS_MOVIES_HEADER.split(","), name, line);
      return;
    }
    if (fields.length !== 3) {
      throw new DataError(
        { file: name, line },
        `expected 3 fields (${MOVIELENS_MOVIES_HEADER}; quote a title that holds commas), got ${fields.length}: ${quoteFound(fields.join(","))}`,
      );
    }
    const id = requireId(fields[0]!, { file: name, line, field: "movieId" }, "a movie id");
    const earlier = firstLine.get(id);
    if (earlier !== undefined) {
      throw new DataError({ file: name, line, field: "movieId" }, `movie ${quoteFound(id)} is listed twice (first on line ${earlier})`);
    }
    firstLine.set(id, line);
    movies.set(id, { title: fields[1]!, genres: parseGenres(fields[2]!) });
  });
  await forEachLine(source, { name }, (text, line) => records.pushLine(text, line));
  records.finish();
  if (!sawHeader) throw new DataError({ file: name }, `empty file; expected the header ${MOVIELENS_MOVIES_HEADER}`);
  if (movies.size === 0) throw new DataError({ file: name }, `no movies after the header (expected lines of ${MOVIELENS_MOVIES_HEADER})`);
  return movies;
}

function checkHeader(fields: string[], expected: readonly string[], name: string, line: number): void {
  const found = fields.map((f) => f.trim());
  if (found.length !== expected.length || found.some((f, i) => f !== expected[i])) {
    throw new DataError({ file: name, line, field: "header" }, `expected ${JSON.stringify(expected.join(","))}, got ${quoteFound(fields.join(","))}`);
  }
}

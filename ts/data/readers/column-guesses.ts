/**
 * Common names of the user, item, rating and timestamp columns, compared lower-cased without
 * punctuation (user_id, userId and UserID are one name), so files from Spark, pandas, DuckDB or
 * a MovieLens export are read without naming their columns.
 */
export const COLUMN_GUESSES = {
  user: ["userid", "user", "uid", "users", "customerid", "visitorid"],
  item: [
    "itemid",
    "item",
    "iid",
    "items",
    "movieid",
    "movie",
    "productid",
    "product",
    "artistid",
    "artist",
    "trackid",
    "track",
    "songid",
    "song",
    "bookid",
    "isbn",
  ],
  rating: ["rating", "ratings", "score", "stars", "weight", "plays", "playcount", "count"],
  timestamp: ["timestamp", "time", "ts", "date", "datetime"],
} as const;

export type GuessedRole = keyof typeof COLUMN_GUESSES;

/** The names among `names` that look like the `role` column (none, one, or several when ambiguous). */
export function columnsLike(role: GuessedRole, names: readonly string[]): string[] {
  const known = COLUMN_GUESSES[role] as readonly string[];
  return names.filter((n) => known.includes(n.toLowerCase().replace(/[^a-z0-9]/g, "")));
}

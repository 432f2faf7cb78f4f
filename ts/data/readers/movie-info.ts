/** What MovieLens says about a movie (movies.csv / movies.dat). */
export interface MovieInfo {
  readonly title: string;
  readonly genres: string[];
}

const NO_GENRES = "(no genres listed)";

/** "Adventure|Comedy" → ["Adventure", "Comedy"]; MovieLens writes "(no genres listed)" for none. */
export function parseGenres(text: string): string[] {
  const t = text.trim();
  if (t === "" || t === NO_GENRES) return [];
  return t
    .split("|")
    .map((g) => g.trim())
    .filter((g) => g.length > 0);
}

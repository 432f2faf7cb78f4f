/**
 * An index over a movies file (movies.csv / movies.dat) that finds the movies a watchlist entry
 * means, most specific rule first (the first rule that matches anything decides):
 *
 *   1. "id"       the entry is a movie id of the file ("2028");
 *   2. "title"    the whole title, case, accents and punctuation aside ("great escape, the (1963)");
 *   3. "name"     a name of the movie (main or alternative, its article in front) and, when the
 *                 entry gives one, the year: "The Great Escape", "Great Escape, The (1963)", "Se7en";
 *   4. "name without article"  the same with leading articles dropped on both sides: "Great Escape".
 *
 * Rule 3 before 4 keeps "Arrival" on Arrival (2016) rather than The Arrival (1996). Several movies
 * can match (remakes: "Stalingrad" is 1993 and 2013); choosing among them needs the model's
 * popularity, so that is the watchlist resolver's job.
 */
import type { MovieInfo } from "../readers/movie-info.js";
import { trigramCoverage, trigrams, trigramSimilarity } from "./close-matches.js";
import { keyWithoutArticle, nameKey, parseTitle } from "./title-key.js";

export type TitleMatchRule = "id" | "title" | "name" | "name without article";

export interface TitleMatch {
  readonly rule: TitleMatchRule;
  /** Movie ids, in file order. */
  readonly movies: readonly string[];
}

export class TitleIndex {
  private readonly byTitle = new Map<string, string[]>();
  private readonly byName = new Map<string, string[]>();
  private readonly byBareName = new Map<string, string[]>();
  private grams: Array<{ id: string; grams: Set<string>[] }> | null = null;

  /** `source` names the file in messages ("movies.csv"). */
  constructor(
    private readonly movies: ReadonlyMap<string, MovieInfo>,
    readonly source = "movies.csv",
  ) {
    for (const [id, { title }] of movies) {
      add(this.byTitle, nameKey(title), id);
      const { names, year } = parseTitle(title);
      for (const name of new Set(names.map(nameKey))) {
        for (const [map, key] of [
          [this.byName, name],
          [this.byBareName, keyWithoutArticle(name)],
        ] as const) {
          add(map, key, id);
          if (year !== undefined) add(map, `${key} (${year})`, id);
        }
      }
    }
  }

  get size(): number {
    return this.movies.size;
  }

  info(id: string): MovieInfo | undefined {
    return this.movies.get(id);
  }

  /** The movies `entry` means under the first rule that matches any, or null when none does. */
  lookup(entry: string): TitleMatch | null {
    const text = entry.trim();
    if (this.movies.has(text)) return { rule: "id", movies: [text] };
    const title = this.byTitle.get(nameKey(text));
    if (title) return { rule: "title", movies: title };
    const { names, year } = parseTitle(text);
    if (names.length === 0) return null;
    const key = nameKey(names[0]!);
    const suffix = year === undefined ? "" : ` (${year})`;
    const named = this.byName.get(key + suffix);
    if (named) return { rule: "name", movies: named };
    const bare = this.byBareName.get(keyWithoutArticle(key) + suffix);
    return bare ? { rule: "name without article", movies: bare } : null;
  }

  /**
   * Up to `n` movie ids whose names are closest to the entry's, best first: by the share of the
   * entry's trigrams the name holds (so "Star Wars" finds every Star Wars film, however long its
   * title), then by `popularity` (higher first: of all the films holding "Star Wars", the ones
   * people watch), then by trigram similarity (the closer length first), then in file order.
   */
  closeMatches(entry: string, n = 5, popularity: (id: string) => number = () => 0): string[] {
    const names = parseTitle(entry).names;
    if (names.length === 0) return [];
    const query = trigrams(keyWithoutArticle(nameKey(names[0]!)));
    this.grams ??= [...this.movies].map(([id, { title }]) => ({
      id,
      grams: parseTitle(title).names.map((name) => trigrams(keyWithoutArticle(nameKey(name)))),
    }));
    return this.grams
      .map(({ id, grams }, order) => {
        const best = grams
          .map((g) => ({ coverage: trigramCoverage(query, g), similarity: trigramSimilarity(query, g) }))
          .reduce((a, b) => (b.coverage > a.coverage || (b.coverage === a.coverage && b.similarity > a.similarity) ? b : a), { coverage: 0, similarity: 0 });
        return { id, order, ...best, popularity: best.coverage > 0 ? popularity(id) : 0 };
      })
      .filter((m) => m.coverage > 0)
      .sort((a, b) => b.coverage - a.coverage || b.popularity - a.popularity || b.similarity - a.similarity || a.order - b.order)
      .slice(0, n)
      .map((m) => m.id);
  }
}

function add(map: Map<string, string[]>, key: string, id: string): void {
  if (key.length === 0) return;
  const ids = map.get(key);
  if (!ids) map.set(key, [id]);
  else if (!ids.includes(id)) ids.push(id);
}

/**
 * A persona wall (the logit-adjustment blog): one model's top-K for a watchlist, each pick with its
 * title, genres and popularity, and the wall's statistics:
 *
 * - medianPopularity: the median training count of the picks (the mean of the two middle ones
 *   when their number is even, as medianPopularity@K of the evaluation); 0 for an empty wall;
 * - onGenreShare: the share of picks sharing at least one genre with the watchlist (any genre of
 *   any of its movies);
 * - dominantGenreShare: the share of picks holding one of the watchlist's dominant genres, the
 *   genres held by the most watchlist movies (War for the blog's WW2 fan). Our addition: on MovieLens
 *   a four-film watchlist usually spans Drama or Action, which most of the catalog shares, so
 *   onGenreShare alone says little.
 */
import type { Recommendation } from "../model/recommendation.js";
import type { HistoryRecommender } from "../model/history-recommender.js";
import type { MovieInfo } from "../data/readers/movie-info.js";

/** What the statistics need of a movie: its genres (and, for picks, its popularity). */
export interface GenreTagged {
  readonly genres: readonly string[];
}

export interface WallPick extends GenreTagged {
  readonly rank: number;
  readonly item: string;
  readonly title?: string;
  readonly popularity: number;
  readonly score: number;
}

export interface WallStatistics {
  readonly picks: number;
  readonly medianPopularity: number;
  readonly onGenreShare: number;
  readonly dominantGenres: readonly string[];
  readonly dominantGenreShare: number;
}

export interface Wall {
  readonly picks: readonly WallPick[];
  readonly statistics: WallStatistics;
}

/** The statistics of `picks` for a watchlist of movies with the given genres (see the file's comment). */
export function wallStatistics(picks: ReadonlyArray<GenreTagged & { readonly popularity: number }>, watchlist: readonly GenreTagged[]): WallStatistics {
  const watched = new Map<string, number>();
  for (const movie of watchlist) for (const g of new Set(movie.genres)) watched.set(g, (watched.get(g) ?? 0) + 1);
  const most = Math.max(0, ...watched.values());
  const dominant = most === 0 ? [] : [...watched].filter(([, n]) => n === most).map(([g]) => g);
  const share = (genres: ReadonlySet<string>) => (picks.length === 0 ? 0 : picks.filter((p) => p.genres.some((g) => genres.has(g))).length / picks.length);
  return {
    picks: picks.length,
    medianPopularity: median(picks.map((p) => p.popularity)),
    onGenreShare: share(new Set(watched.keys())),
    dominantGenres: dominant,
    dominantGenreShare: share(new Set(dominant)),
  };
}

/**
 * A model's wall for a resolved watchlist (item indices of that model, with genres): its top-k by
 * recommendForHistory, described with `movies` (titles and genres by item id; items it lacks get none).
 */
export function buildWall(
  model: HistoryRecommender,
  watchlist: ReadonlyArray<GenreTagged & { readonly index: number }>,
  k: number,
  movies: { info(id: string): MovieInfo | undefined } | null,
): Wall {
  const picks = describePicks(
    model.recommendForHistory(
      Int32Array.from(watchlist, (w) => w.index),
      k,
    ),
    model.itemCounts,
    movies,
  );
  return { picks, statistics: wallStatistics(picks, watchlist) };
}

/** A recommendation's items with rank, title, genres (from `movies`, when it lists them), training count and score. */
export function describePicks(rec: Recommendation, itemCounts: Int32Array, movies: { info(id: string): MovieInfo | undefined } | null): WallPick[] {
  return rec.items.map((item, r): WallPick => {
    const info = movies?.info(item);
    return {
      rank: r + 1,
      item,
      ...(info && { title: info.title }),
      genres: info?.genres ?? [],
      popularity: itemCounts[rec.indices[r]!]!,
      score: rec.scores[r]!,
    };
  });
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

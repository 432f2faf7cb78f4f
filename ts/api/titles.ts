/** longtail/titles: movie titles and genres, and watchlists of titles resolved to a model's items. */
export { readMovieLensMovies, type MovieInfo } from "../data/readers/movielens-csv.js";
export { readMovieLensDatMovies } from "../data/readers/movielens-dat.js";
export { TitleIndex, type TitleMatch, type TitleMatchRule } from "../data/titles/title-index.js";
export { parseWatchlist, resolveWatchlist, WatchlistError, AMBIGUITY_RATIO, type WatchlistCatalog, type WatchlistItem } from "../data/titles/watchlist.js";

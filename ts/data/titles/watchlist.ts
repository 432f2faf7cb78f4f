/**
 * A watchlist: what a person typed ("Saving Private Ryan; Stalingrad (1993); 4223") resolved to
 * items of a model. Entries are separated by ";" because MovieLens titles hold commas
 * ("Great Escape, The (1963)"). Each entry is an id or a title, matched by TitleIndex; when it
 * matches several movies (remakes, a title without its year), the one with the most training
 * interactions in the model is taken, and the answer says so, provided it has at least
 * AMBIGUITY_RATIO times the next one's interactions. Otherwise the choice would be a coin toss
 * between comparably known films, and the entry is an error that lists them with their years.
 */
import type { IdMap } from "../id-map.js";
import type { TitleIndex, TitleMatchRule } from "./title-index.js";
import { quoteFound } from "../errors.js";

/** The most popular match must have this many times the runner-up's training interactions to be taken. */
export const AMBIGUITY_RATIO = 2;

/** A watchlist that cannot be resolved; the message names the entry and what to write instead. */
export class WatchlistError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WatchlistError";
  }
}

/** What a watchlist is resolved against: a model's items and their training counts (any HistoryRecommender). */
export interface WatchlistCatalog {
  readonly items: IdMap;
  readonly itemCounts: Int32Array;
}

export interface WatchlistItem {
  /** The entry as typed. */
  readonly entry: string;
  /** The item's external id and the model's index for it. */
  readonly item: string;
  readonly index: number;
  /** Title and genres from the movies file (absent when the file does not list the item). */
  readonly title?: string;
  readonly genres: readonly string[];
  /** Training interactions of the item in the model. */
  readonly popularity: number;
  /** How the entry was matched: a rule of TitleIndex, or "item id" for an id of the model the movies file lacks. */
  readonly rule: TitleMatchRule | "item id";
  /** Said when a choice was made among several matches. */
  readonly note?: string;
}

/** Split "A; B;C" into entries; empty entries (a trailing ";") are dropped; no entry at all is an error. */
export function parseWatchlist(text: string): string[] {
  const entries = text
    .split(";")
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  if (entries.length === 0) {
    throw new WatchlistError(
      `the watchlist is empty (got ${quoteFound(text)}): give titles or item ids separated by ";", e.g. "Saving Private Ryan (1998); Stalingrad (1993)"`,
    );
  }
  return entries;
}

/** Resolve every entry (see the file's comment); `titles` null means entries must be item ids of the model. */
export function resolveWatchlist(entries: readonly string[], catalog: WatchlistCatalog, titles: TitleIndex | null): WatchlistItem[] {
  if (entries.length === 0) throw new WatchlistError("the watchlist is empty: give at least one title or item id");
  // Every entry is tried, so one error lists every entry to fix.
  const problems: string[] = [];
  const items = entries.flatMap((entry) => {
    try {
      return [resolveEntry(entry.trim(), catalog, titles)];
    } catch (e) {
      if (!(e instanceof WatchlistError)) throw e;
      problems.push(e.message);
      return [];
    }
  });
  if (problems.length > 0) throw new WatchlistError(problems.join("\n"));
  return items;
}

function resolveEntry(entry: string, catalog: WatchlistCatalog, titles: TitleIndex | null): WatchlistItem {
  const match = titles?.lookup(entry);
  if (titles && match) return chooseAmong(entry, match.rule, match.movies, catalog, titles);
  const index = catalog.items.index(entry);
  if (index !== undefined) {
    requireTrained(entry, [entry], catalog, titles);
    return { entry, item: entry, index, genres: titles?.info(entry)?.genres ?? [], popularity: catalog.itemCounts[index]!, rule: "item id" };
  }
  if (!titles) {
    throw new WatchlistError(
      `watchlist entry ${JSON.stringify(entry)} is not an item id of the model, and no titles are loaded to match it against: pass the data's movies.csv (CLI: --movies <file>)`,
    );
  }
  const close = titles.closeMatches(entry, 5, (id) => popularityOf(id, catalog)).map((id) => describe(id, titles, catalog));
  throw new WatchlistError(
    `watchlist entry ${JSON.stringify(entry)}: no movie in ${titles.source} has this id or title` +
      (close.length > 0 ? `; close matches: ${close.join("; ")}` : ""),
  );
}

function chooseAmong(entry: string, rule: TitleMatchRule, movies: readonly string[], catalog: WatchlistCatalog, titles: TitleIndex): WatchlistItem {
  const trained = requireTrained(entry, movies, catalog, titles);
  trained.sort((a, b) => b.popularity - a.popularity);
  const [best, next] = trained;
  if (next && best!.popularity < AMBIGUITY_RATIO * next.popularity) {
    throw new WatchlistError(
      `watchlist entry ${JSON.stringify(entry)} is ambiguous: it matches ${trained.map((t) => describe(t.id, titles, catalog)).join("; ")}, ` +
        `none with ${AMBIGUITY_RATIO}× the training interactions of the others; write the title with its year or the movie id`,
    );
  }
  const info = titles.info(best!.id);
  const others = movies.filter((id) => id !== best!.id);
  const note =
    others.length === 0
      ? undefined
      : `${JSON.stringify(entry)} matches ${movies.length} movies; took the most popular in the model, ${describe(best!.id, titles, catalog)}, over ${others.map((id) => describe(id, titles, catalog)).join("; ")} (write the year or the id to choose another)`;
  return {
    entry,
    item: best!.id,
    index: best!.index,
    ...(info && { title: info.title }),
    genres: info?.genres ?? [],
    popularity: best!.popularity,
    rule,
    ...(note && { note }),
  };
}

/** The candidates with training interactions in the model; none is an error naming them. */
function requireTrained(
  entry: string,
  movies: readonly string[],
  catalog: WatchlistCatalog,
  titles: TitleIndex | null,
): Array<{ id: string; index: number; popularity: number }> {
  const trained = movies.flatMap((id) => {
    const index = catalog.items.index(id);
    return index !== undefined && catalog.itemCounts[index]! > 0 ? [{ id, index, popularity: catalog.itemCounts[index]! }] : [];
  });
  if (trained.length === 0) {
    const what = movies.map((id) => (titles?.info(id) ? `${JSON.stringify(titles.info(id)!.title)} (id ${id})` : `item ${JSON.stringify(id)}`)).join(", ");
    throw new WatchlistError(
      `watchlist entry ${JSON.stringify(entry)} is ${what}, which has no training interactions in the model: the model knows nothing about it; leave it out or choose another movie`,
    );
  }
  return trained;
}

function describe(id: string, titles: TitleIndex, catalog: WatchlistCatalog): string {
  const count = popularityOf(id, catalog);
  return `${JSON.stringify(titles.info(id)?.title ?? id)} (id ${id}, ${count} training interaction${count === 1 ? "" : "s"})`;
}

function popularityOf(id: string, catalog: WatchlistCatalog): number {
  const index = catalog.items.index(id);
  return index === undefined ? 0 : catalog.itemCounts[index]!;
}

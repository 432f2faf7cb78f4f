/**
 * Watchlist entries → movies → model items: MovieLens title conventions (article at the end,
 * alternative titles, years), case and punctuation, ambiguity decided by the model's popularity,
 * close matches in the not-found error, and movies the model has no training interactions for.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { IdMap } from "../ts/data/id-map.js";
import { readMovieLensMovies } from "../ts/data/readers/movielens-csv.js";
import { TitleIndex } from "../ts/data/titles/title-index.js";
import { articleInFront, parseTitle } from "../ts/data/titles/title-key.js";
import { parseWatchlist, resolveWatchlist, WatchlistError, type WatchlistCatalog } from "../ts/data/titles/watchlist.js";

const MOVIES_CSV = `movieId,title,genres
1,"Great Escape, The (1963)",Action|Adventure|Drama|War
2,Stalingrad (1993),Drama|War
3,Stalingrad (2013),Action|Drama|War|IMAX
4,Saving Private Ryan (1998),Action|Drama|War
5,"Arrival, The (1996)",Action|Sci-Fi|Thriller
6,Arrival (2016),Sci-Fi
7,Titanic (1997),Drama|Romance
8,Titanic (1953),Action|Drama
9,"City of Lost Children, The (Cité des enfants perdus, La) (1995)",Adventure|Drama|Fantasy|Mystery|Sci-Fi
10,Seven (a.k.a. Se7en) (1995),Mystery|Thriller
11,Enemy at the Gates (2001),Drama|War
12,Moonlight,Drama
13,Léon: The Professional (a.k.a. The Professional) (Léon) (1994),Action|Crime|Drama|Thriller
14,"Haine, La (1995)",Crime|Drama
15,Unwatched Film (2000),Drama
16,Hamlet (1990),Drama
17,Hamlet (1996),Crime|Drama|Romance
18,Zero Film (2001),Comedy
`;

/** The model's items and training counts: 15 is not in the model, 18 has no training interactions, 999 has no title. */
const COUNTS: Record<string, number> = {
  1: 43,
  2: 2,
  3: 1,
  4: 188,
  5: 22,
  6: 26,
  7: 140,
  8: 6,
  9: 10,
  10: 50,
  11: 40,
  12: 5,
  13: 30,
  14: 8,
  16: 10,
  17: 12,
  18: 0,
  999: 7,
};

function bytes(text: string): AsyncIterable<Uint8Array> {
  return (async function* () {
    yield new TextEncoder().encode(text);
  })();
}

async function fixtures(): Promise<{ titles: TitleIndex; catalog: WatchlistCatalog }> {
  const titles = new TitleIndex(await readMovieLensMovies(bytes(MOVIES_CSV)), "movies.csv");
  const items = IdMap.from(Object.keys(COUNTS));
  return { titles, catalog: { items, itemCounts: Int32Array.from(items.ids(), (id) => COUNTS[id]) } };
}

const item = (w: { item: string }) => w.item;

describe("title keys", () => {
  it("splits MovieLens titles into names (article in front, a.k.a. dropped) and a year", () => {
    assert.deepEqual(parseTitle("Great Escape, The (1963)"), { names: ["The Great Escape"], year: "1963" });
    assert.deepEqual(parseTitle("City of Lost Children, The (Cité des enfants perdus, La) (1995)"), {
      names: ["The City of Lost Children", "La Cité des enfants perdus"],
      year: "1995",
    });
    assert.deepEqual(parseTitle("Seven (a.k.a. Se7en) (1995)"), { names: ["Seven", "Se7en"], year: "1995" });
    assert.deepEqual(parseTitle("Death Note: Desu nôto (2006–2007)"), { names: ["Death Note: Desu nôto"], year: "2006" });
    assert.deepEqual(parseTitle("(500) Days of Summer (2009)"), { names: ["(500) Days of Summer"], year: "2009" });
    assert.deepEqual(parseTitle("Moonlight"), { names: ["Moonlight"] });
    assert.equal(articleInFront("Homme, L'"), "L'Homme");
    assert.equal(articleInFront("Escape, The"), "The Escape");
    assert.equal(articleInFront("Me, Myself and Irene"), "Me, Myself and Irene");
  });
});

describe("the title index", () => {
  it("matches by id, whole title, name with or without year, and name without article, in that order", async () => {
    const { titles } = await fixtures();
    const cases: Array<[string, string, string[]]> = [
      ["1", "id", ["1"]],
      ["great escape, the (1963)", "title", ["1"]],
      ["  GREAT ESCAPE, THE (1963) ", "title", ["1"]],
      ["The Great Escape", "name", ["1"]],
      ["The Great Escape (1963)", "name", ["1"]],
      ["Great Escape, The", "name", ["1"]],
      ["Great Escape", "name without article", ["1"]],
      ["great-escape!!", "name without article", ["1"]],
      ["Arrival", "name", ["6"]],
      ["The Arrival", "name", ["5"]],
      ["Arrival, The (1996)", "title", ["5"]],
      ["Se7en", "name", ["10"]],
      ["La Haine", "name", ["14"]],
      ["Haine", "name without article", ["14"]],
      ["cite des enfants perdus", "name without article", ["9"]],
      ["Leon", "name", ["13"]],
      ["moonlight", "title", ["12"]],
      ["Stalingrad", "name", ["2", "3"]],
      ["Stalingrad (2013)", "title", ["3"]],
    ];
    for (const [entry, rule, movies] of cases) assert.deepEqual(titles.lookup(entry), { rule, movies }, entry);
    assert.equal(titles.lookup("Stalingrad (1995)"), null, "a wrong year matches nothing");
    assert.equal(titles.lookup("Casablanca"), null);
  });

  it("lists close matches, the entry's words held first, then the more popular", async () => {
    const { titles } = await fixtures();
    assert.deepEqual(titles.closeMatches("Stalingrd", 2), ["2", "3"]);
    assert.deepEqual(
      titles.closeMatches("Hamlet", 2, (id) => COUNTS[id] ?? 0),
      ["17", "16"],
    );
    assert.deepEqual(titles.closeMatches("zzzz"), []);
  });
});

describe("watchlists", () => {
  it("splits on ';' and keeps commas inside titles", () => {
    assert.deepEqual(parseWatchlist("Great Escape, The (1963); 4;;  Titanic ;"), ["Great Escape, The (1963)", "4", "Titanic"]);
    for (const empty of ["", " ; ", ";;"])
      assert.throws(
        () => parseWatchlist(empty),
        (e: Error) => e instanceof WatchlistError && /watchlist is empty/.test(e.message),
      );
  });

  it("resolves entries to model items with titles, genres and popularity", async () => {
    const { titles, catalog } = await fixtures();
    const resolved = resolveWatchlist(["Saving Private Ryan", "Great Escape", "11", "999"], catalog, titles);
    assert.deepEqual(resolved.map(item), ["4", "1", "11", "999"]);
    assert.deepEqual(resolved[0], {
      entry: "Saving Private Ryan",
      item: "4",
      index: catalog.items.index("4"),
      title: "Saving Private Ryan (1998)",
      genres: ["Action", "Drama", "War"],
      popularity: 188,
      rule: "name",
    });
    assert.equal(resolved[3]!.rule, "item id");
    assert.equal(resolved[3]!.title, undefined);
  });

  it("takes the clearly most popular of several matches and says so; comparable ones are an error listing them", async () => {
    const { titles, catalog } = await fixtures();
    const [stalingrad, titanic] = resolveWatchlist(["Stalingrad", "titanic"], catalog, titles);
    assert.equal(stalingrad!.item, "2"); // 2 training interactions against 1: at least twice
    assert.match(stalingrad!.note!, /matches 2 movies; took the most popular in the model, "Stalingrad \(1993\)".*"Stalingrad \(2013\)"/);
    assert.equal(titanic!.item, "7");
    assert.throws(
      () => resolveWatchlist(["Hamlet"], catalog, titles),
      (e: Error) =>
        e instanceof WatchlistError &&
        /"Hamlet" is ambiguous: it matches "Hamlet \(1996\)" \(id 17, 12 training interactions\); "Hamlet \(1990\)" \(id 16, 10 training interactions\).*year/.test(
          e.message,
        ),
    );
    assert.equal(resolveWatchlist(["Hamlet (1990)"], catalog, titles)[0]!.item, "16");
  });

  it("an entry that matches nothing is an error naming it with close matches; every bad entry is listed", async () => {
    const { titles, catalog } = await fixtures();
    assert.throws(
      () => resolveWatchlist(["Stalingrd", "Titanic", "Enemy at the Gate"], catalog, titles),
      (e: Error) => {
        assert.ok(e instanceof WatchlistError);
        assert.match(
          e.message,
          /watchlist entry "Stalingrd": no movie in movies\.csv has this id or title; close matches: "Stalingrad \(1993\)" \(id 2, 2 training interactions\); "Stalingrad \(2013\)"/,
        );
        assert.match(e.message, /\nwatchlist entry "Enemy at the Gate": .*close matches: "Enemy at the Gates \(2001\)"/);
        assert.doesNotMatch(e.message, /"Titanic"/);
        return true;
      },
    );
  });

  it("a movie without training interactions in the model is an error that says so", async () => {
    const { titles, catalog } = await fixtures();
    for (const entry of ["Unwatched Film", "15", "Zero Film (2001)"]) {
      assert.throws(
        () => resolveWatchlist([entry], catalog, titles),
        (e: Error) => e instanceof WatchlistError && /has no training interactions in the model/.test(e.message),
        entry,
      );
    }
  });

  it("without titles, entries must be item ids of the model", async () => {
    const { catalog } = await fixtures();
    assert.deepEqual(resolveWatchlist(["4", "999"], catalog, null).map(item), ["4", "999"]);
    assert.throws(() => resolveWatchlist(["Saving Private Ryan"], catalog, null), /not an item id of the model, and no titles are loaded.*--movies/);
  });
});

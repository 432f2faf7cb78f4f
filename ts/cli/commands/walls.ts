import { ArgsError, defineCommand, type ParsedArgs } from "../args.js";
import { JSON_OUTPUT, QUIET, THREADS, VARIANT } from "../common-flags.js";
import { cliKernels } from "../kernels.js";
import { HISTORY_FLAG, MOVIES_FLAG, loadTitles, movieLabel, readHistoryModel, type HistoryModel } from "../watchlist-input.js";
import { parseWatchlist, resolveWatchlist, WatchlistError, type WatchlistItem } from "../../data/titles/watchlist.js";
import type { TitleIndex } from "../../data/titles/title-index.js";
import { buildWall, type Wall, type WallPick } from "../../eval/wall.js";
import { PERSONA_NAMES, PERSONAS, type PersonaName } from "../../eval/personas.js";

export const WALLS = defineCommand({
  name: "walls",
  summary: "Two models' top-K for the same watchlist side by side, with each pick's popularity and genres and each wall's statistics.",
  description:
    "The persona walls of the logit-adjustment blog: give a built-in --persona (ww2, blockbuster, scifi; all = the three) or a --history watchlist " +
    "(as for recommend --history). Each wall shows the picks' titles, training interactions (popularity) and genres, and below them " +
    "the wall's median popularity, its on-genre share (picks sharing a genre with any watchlist movie) and its dominant-genre share " +
    "(picks holding a genre that the most watchlist movies hold). Titles are matched against --left's popularity; both models must " +
    "have trained on every watchlist movie. Without --movies, titles come from the movies file next to --left's training data, else --right's.",
  flags: [
    { name: "left", type: "path", required: true, help: "The left wall's model (e.g. α = 0)." },
    { name: "right", type: "path", required: true, help: "The right wall's model (e.g. α = 0.5)." },
    { name: "left-label", type: "string", help: "The left wall's heading (default: its file name)." },
    { name: "right-label", type: "string", help: "The right wall's heading (default: its file name)." },
    {
      name: "persona",
      type: "enum",
      choices: [...PERSONA_NAMES, "all"],
      help: "A built-in watchlist (docs/watchlists-and-walls.md lists them); all = every one.",
    },
    HISTORY_FLAG,
    MOVIES_FLAG,
    { name: "k", type: "int", positive: true, default: 10, help: "Picks per wall." },
    QUIET,
    JSON_OUTPUT,
    VARIANT,
    THREADS,
  ],
  examples: [
    "longtail walls --left ml-a0.ltm --right ml-a05.ltm --left-label 'α = 0' --right-label 'α = 0.5' --persona ww2",
    'longtail walls --left a.ltm --right b.ltm --history "Alien (1979); Aliens (1986); Blade Runner" --movies movies.csv --json',
  ],
});

interface WatchlistWalls {
  readonly persona?: PersonaName;
  readonly label: string;
  readonly watchlist: readonly WatchlistItem[];
  readonly left: Wall;
  readonly right: Wall;
}

export async function runWalls(args: ParsedArgs<typeof WALLS>): Promise<number> {
  const v = args.values;
  if ((v.persona === undefined) === (v.history === undefined)) {
    throw new ArgsError(
      v.persona === undefined ? "give --persona <name> or --history <watchlist>" : "give --persona or --history, not both",
      WALLS.name,
      'Run "longtail walls --help".',
    );
  }
  const lists =
    v.history !== undefined
      ? [{ label: "watchlist", entries: parseWatchlist(v.history) }]
      : (v.persona === "all" ? PERSONA_NAMES : [v.persona as PersonaName]).map((name) => ({
          persona: name,
          label: PERSONAS[name].label,
          entries: [...PERSONAS[name].watchlist],
        }));
  const kernels = await cliKernels(v.kernels, v.threads);
  const left = await readHistoryModel(v.left, kernels);
  let right: HistoryModel | undefined;
  try {
    right = await readHistoryModel(v.right, kernels);
    let loaded = await loadTitles(v.movies, left);
    // The left model's data may have no movies file (e.g. a split folder): the right model's may.
    if (loaded.titles === null) loaded = await loadTitles(undefined, right);
    const { titles, path: moviesPath } = loaded;
    const walls = lists.map(({ label, entries, ...rest }): WatchlistWalls => {
      const watchlist = resolveWatchlist(entries, left.model, titles);
      const onRight = resolveIn(right!, watchlist, titles);
      return { ...rest, label, watchlist, left: buildWall(left.model, watchlist, v.k, titles), right: buildWall(right!.model, onRight, v.k, titles) };
    });
    const labels = { left: v["left-label"] ?? v.left, right: v["right-label"] ?? v.right };
    if (v.json) {
      const side = (path: string, label: string) => ({ model: path, label });
      process.stdout.write(
        JSON.stringify({ k: v.k, ...(moviesPath && { movies: moviesPath }), left: side(v.left, labels.left), right: side(v.right, labels.right), walls }) +
          "\n",
      );
    } else {
      process.stdout.write(walls.map((w) => formatWalls(w, labels)).join("\n") + "\n");
    }
    return 0;
  } finally {
    left.model.dispose();
    right?.model.dispose();
  }
}

/** The watchlist as the right model's items: the same movies (chosen on the left), which the right model must know too. */
function resolveIn(model: HistoryModel, watchlist: readonly WatchlistItem[], titles: TitleIndex | null): WatchlistItem[] {
  try {
    return resolveWatchlist(
      watchlist.map((w) => w.item),
      model.model,
      titles,
    );
  } catch (e) {
    if (e instanceof WatchlistError) throw new WatchlistError(`${model.path}: ${e.message}`);
    throw e;
  }
}

const COLUMN = 68;
const TITLE = 38;
const GENRES = 18;

function formatWalls(w: WatchlistWalls, labels: { left: string; right: string }): string {
  const row = (a: string, b: string) => `${fit(a, COLUMN)} | ${b}`.trimEnd();
  const out = [`${w.label}: ${w.watchlist.map(movieLabel).join("; ")}`];
  for (const item of w.watchlist) if (item.note) out.push(`  note: ${item.note}`);
  out.push(row(labels.left, labels.right), row("-".repeat(COLUMN), "-".repeat(COLUMN)));
  const n = Math.max(w.left.picks.length, w.right.picks.length);
  for (let r = 0; r < n; r++) out.push(row(formatPick(w.left.picks[r]), formatPick(w.right.picks[r])));
  const stat = (name: string, value: (wall: Wall) => string) => row(`${fit(name, TITLE + 4)} ${value(w.left)}`, `${fit(name, TITLE + 4)} ${value(w.right)}`);
  out.push(
    row("-".repeat(COLUMN), "-".repeat(COLUMN)),
    stat("median popularity", (x) => String(x.statistics.medianPopularity)),
    stat("on-genre share", (x) => x.statistics.onGenreShare.toFixed(2)),
    stat(`dominant-genre share (${w.left.statistics.dominantGenres.join("|")})`, (x) => x.statistics.dominantGenreShare.toFixed(2)),
  );
  return out.join("\n") + "\n";
}

function formatPick(p: WallPick | undefined): string {
  if (!p) return "";
  return `${String(p.rank).padStart(2)}. ${fit(movieLabel(p), TITLE)} ${String(p.popularity).padStart(5)}  ${fit(p.genres.join("|"), GENRES)}`;
}

/** Pad or cut (with "…") to exactly `width` characters. */
function fit(text: string, width: number): string {
  return text.length > width ? text.slice(0, width - 1) + "…" : text.padEnd(width);
}

import type { Interactions } from "../data/interactions.js";
import type { TitleIndex } from "../data/titles/title-index.js";
import { movieLabel } from "../data/titles/movie-label.js";
import { resolveWatchlist, WatchlistError } from "../data/titles/watchlist.js";
import { PERSONA_NAMES, PERSONAS } from "../eval/personas.js";
import { buildWall, wallStatistics } from "../eval/wall.js";
import type { MatrixFactorization } from "../mf/matrix-factorization.js";
import type { PersonaWalls, Section } from "../report/report-data.js";
import { tastePersonas } from "../synthetic/taste-personas.js";
import type { SyntheticWorld } from "../synthetic/world.js";

/** Users of the synthetic world shown on walls: the clearest fans of distinct genres. */
const SYNTHETIC_PERSONAS = 3;

/** One side of a wall: a model and every user's top-K list of it. */
export interface WallSource {
  label: string;
  model: MatrixFactorization;
  /** Every user's top-K list (the model's own, training items excluded). */
  lists: Int32Array;
}

/** Walls of users with a clear favourite genre: each model's top-K for them, with the ground truth of every pick. */
export function syntheticWalls(world: SyntheticWorld, train: Interactions, sides: readonly WallSource[], k: number): Section<PersonaWalls[]> {
  const { indptr } = train.byUser;
  const counts = train.itemCounts();
  const personas = tastePersonas(world, SYNTHETIC_PERSONAS, (u) => indptr[u + 1]! - indptr[u]!);
  if (personas.length === 0)
    return { skipped: "No user of this world has a clear favourite genre and 10 training interactions: generate a larger world (--users, --items)." };
  const genre = (g: number) => world.genreNames[g]!;
  return {
    data: personas.map((p) => ({
      persona: `${genre(p.genre)} fan (user ${world.users[p.user]})`,
      description: `Loves ${genre(p.genre)} (taste ${p.taste.toFixed(2)}; next ${genre(p.runnerUpGenre)}, ${p.runnerUpTaste.toFixed(2)}); ${indptr[p.user + 1]! - indptr[p.user]!} training interactions.`,
      sides: sides.map((side) => {
        const items = [...side.lists.subarray(p.user * k, p.user * k + k)].filter((i) => i >= 0);
        const picks = items.map((i, r) => ({
          rank: r + 1,
          title: world.itemTitles[i]!,
          genres: world.itemGenres[i]!.map(genre),
          popularity: counts[i]!,
          fits: world.isRelevant(p.user, i),
        }));
        return { label: side.label, picks, statistics: wallStatistics(picks, [{ genres: [genre(p.genre)] }]) };
      }),
    })),
  };
}

/**
 * The built-in personas' walls (ts/eval/personas.ts). A watchlist movie the split left without
 * training interactions (Stalingrad (1993) has 2 ratings in ml-latest-small) is left out of that
 * watchlist, and the wall says so; a persona none of whose movies resolve is shown with the reasons.
 */
export function movieLensWalls(titles: TitleIndex | null, sides: readonly WallSource[], k: number): Section<PersonaWalls[]> {
  return {
    data: PERSONA_NAMES.map((name): PersonaWalls => {
      const persona = PERSONAS[name];
      const notes: string[] = [];
      const watchlist = persona.watchlist.flatMap((entry) => {
        try {
          return resolveWatchlist([entry], sides[0]!.model, titles);
        } catch (e) {
          if (!(e instanceof WatchlistError)) throw e;
          notes.push(`Left out of the watchlist: ${e.message}`);
          return [];
        }
      });
      notes.push(...watchlist.flatMap((w) => (w.note ? [w.note] : [])));
      if (watchlist.length === 0)
        return { persona: persona.label, description: `None of ${persona.watchlist.join("; ")} can be used with this data.`, notes, sides: [] };
      return {
        persona: persona.label,
        description: `Watched ${watchlist.map(movieLabel).join("; ")}.`,
        notes,
        sides: sides.map((side) => {
          const wall = buildWall(side.model, watchlist, k, titles);
          return { label: side.label, statistics: wall.statistics, picks: wall.picks.map((p) => ({ ...p, title: movieLabel(p) })) };
        }),
      };
    }),
  };
}

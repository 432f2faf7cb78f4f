import { MOVIELENS_MOVIES_HEADER, MOVIELENS_RATINGS_HEADER } from "../data/readers/movielens-csv.js";
import { csvField } from "../util/csv-field.js";
import type { SyntheticWorld } from "./world.js";

/** The synthetic world written as a MovieLens folder's two files, so every consumer of MovieLens data reads it unchanged. */
export interface MovieLensFiles {
  /** userId,movieId,rating,timestamp: one row per interaction; the world's log is implicit, so every rating is 5. */
  readonly ratings: string;
  /** movieId,title,genres: every item, genres joined by "|" as MovieLens does. */
  readonly movies: string;
}

export function worldToMovieLensFiles(world: SyntheticWorld): MovieLensFiles {
  const { user, item, timestamp } = world.interactions;
  const ratings: string[] = [MOVIELENS_RATINGS_HEADER];
  for (let k = 0; k < user.length; k++) ratings.push(`${world.users[user[k]!]},${world.items[item[k]!]},5,${Math.round(timestamp[k]!)}`);
  const movies: string[] = [MOVIELENS_MOVIES_HEADER];
  world.items.forEach((id, i) => {
    const genres = world.itemGenres[i]!.map((g) => world.genreNames[g]!).join("|");
    movies.push(`${id},${csvField(world.itemTitles[i]!)},${csvField(genres)}`);
  });
  return { ratings: ratings.join("\n") + "\n", movies: movies.join("\n") + "\n" };
}

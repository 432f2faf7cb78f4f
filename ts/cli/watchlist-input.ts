/**
 * What `recommend --history` and `walls` share: the watchlist flags, a model file read as a
 * HistoryRecommender, and the movies file that gives titles and genres (given, or found next to
 * the data the model was trained on).
 */
import { basename, dirname, join, resolve } from "node:path";
import type { FlagSpec } from "./args.js";
import type { Kernels } from "../kernels/kernels.js";
import { loadHistoryRecommender, type LoadedHistoryRecommender } from "../model/load-history-recommender.js";
import { TitleIndex } from "../data/titles/title-index.js";
import { pathKind, readMovies } from "../node/dataset-files.js";
import { readModelContents } from "./model-io.js";

export { movieLabel } from "../data/titles/movie-label.js";

export const HISTORY_FLAG = {
  name: "history",
  type: "string",
  placeholder: "watchlist",
  help: 'A watchlist: titles or item ids separated by ";" (titles hold commas), e.g. "Saving Private Ryan (1998); The Great Escape; 4223".',
} as const satisfies FlagSpec;

export const MOVIES_FLAG = {
  name: "movies",
  type: "path",
  help: "Titles and genres (MovieLens movies.csv or movies.dat). Default: the one next to the data the model was trained on, when there is one.",
} as const satisfies FlagSpec;

export interface HistoryModel {
  readonly path: string;
  readonly model: LoadedHistoryRecommender;
  /** The data the model was trained on, as `longtail train --data` recorded it. */
  readonly trainedOn?: string;
}

export async function readHistoryModel(path: string, kernels: Kernels): Promise<HistoryModel> {
  const contents = await readModelContents(path);
  const trainedOn = contents.metadata?.["trainedOn"];
  return { path, model: loadHistoryRecommender(kernels, contents, path), ...(typeof trainedOn === "string" && { trainedOn }) };
}

/**
 * The titles for a watchlist: `--movies` when given; else movies.csv / movies.dat in the training
 * data's folder (or next to its ratings file), the recorded path taken as it is and relative to the
 * model file's folder; null when there is none (entries must then be item ids).
 */
export async function loadTitles(explicit: string | undefined, model: HistoryModel): Promise<{ titles: TitleIndex | null; path?: string }> {
  const path = explicit ?? (await moviesNextToData(model));
  if (path === undefined) return { titles: null };
  return { titles: new TitleIndex(await readMovies(path), path), path };
}

async function moviesNextToData(model: HistoryModel): Promise<string | undefined> {
  if (model.trainedOn === undefined) return undefined;
  for (const data of new Set([resolve(model.trainedOn), resolve(dirname(model.path), model.trainedOn)])) {
    const kind = await pathKind(data);
    const folder = kind === "folder" ? data : kind === "file" ? dirname(data) : undefined;
    if (folder === undefined) continue;
    const names = kind === "folder" || basename(data).toLowerCase().endsWith(".csv") ? ["movies.csv", "movies.dat"] : ["movies.dat", "movies.csv"];
    for (const name of names) if ((await pathKind(join(folder, name))) === "file") return join(folder, name);
  }
  return undefined;
}

/**
 * The CLI's side of the size checks (ts/train/memory-plan.ts): the same estimates the library
 * checks in fit(), made before anything is allocated (threads spawned, worlds generated) and
 * reported with the flag to lower ("--dim 100000 needs ...; lower --dim").
 */
import { availableParallelism } from "node:os";
import type { Interactions } from "../data/interactions.js";
import { resolveMfConfig, type MfConfig } from "../mf/config.js";
import { SizeLimitError } from "../kernels/memory-limits.js";
import { FLAG_NAMES, longestRowsOf, type DataShape } from "../train/memory-plan.js";
import { checkMfTraining } from "../mf/memory-plan.js";
import { checkTwoTowerTraining } from "../two-tower/memory-plan.js";
import type { ExperimentSpec } from "../experiments/experiment.js";
import { quoteFound } from "../data/errors.js";
import { resolveTwoTowerConfig, type TwoTowerConfig } from "../two-tower/config.js";

/** Threads the kernels will run on: --threads, else every core this process may use (as cliKernels does). */
export function cliThreads(threads: number | undefined): number {
  return threads ?? availableParallelism();
}

/** The shape of a loaded training part. */
export function shapeOf(train: Interactions): DataShape {
  return { users: train.nUsers, items: train.nItems, interactions: train.nnz, longestRows: longestRowsOf(train.userCounts()) };
}

/** Refuse an MF configuration whose training cannot fit `shape`, naming the flag. */
export function checkMfTrainingFlags(config: Partial<MfConfig>, shape: DataShape, threads: number | undefined, validationK?: number): void {
  checkMfTraining(resolveMfConfig(config), shape, { threads: cliThreads(threads), names: FLAG_NAMES, ...(validationK !== undefined && { validationK }) });
}

/** Refuse a two-tower configuration whose training cannot fit, naming the flag. */
export function checkTwoTowerTrainingFlags(
  config: Partial<TwoTowerConfig>,
  train: Interactions,
  movies: ReadonlyMap<string, { readonly genres: readonly string[] }> | undefined,
  threads: number | undefined,
  validationK?: number,
): void {
  const genres = new Set<string>();
  let maxGenres = 0;
  if (movies) {
    for (const m of movies.values()) {
      for (const g of m.genres) genres.add(g);
      maxGenres = Math.max(maxGenres, m.genres.length);
    }
  }
  checkTwoTowerTraining(
    resolveTwoTowerConfig(config),
    { ...shapeOf(train), genres: genres.size, maxGenres },
    {
      threads: cliThreads(threads),
      names: FLAG_NAMES,
      ...(validationK !== undefined && { validationK }),
    },
  );
}

/** Every MF configuration of compare, sweep or simulate, checked against `shape` before the first one trains; the error names the configuration. */
export function checkConfigurationsFit(specs: readonly ExperimentSpec[], shape: DataShape, threads: number | undefined): void {
  for (const spec of specs) {
    // The graph filter checks its own sizes when it is built (GraphFilter.fit).
    if (spec.model === "most-popular" || spec.model === "graph-filter") continue;
    try {
      checkMfTrainingFlags(spec.config ?? {}, shape, threads);
    } catch (e) {
      if (e instanceof SizeLimitError)
        throw new SizeLimitError(`configuration ${quoteFound(spec.label)}: ${e.message}`, e.setting, e.neededBytes, e.limitBytes);
      throw e;
    }
  }
}

/** K for lists over a catalog of `items`: the flag's value, capped at the catalog size with a note (as recommend and evaluate cap it). */
export function cappedK(k: number, items: number, log: (line: string) => void): number {
  if (k <= items) return k;
  log(`--k ${k} is more than the ${items} items of the catalog: K = ${items}`);
  return Math.max(1, items);
}

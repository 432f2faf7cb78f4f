import type { Interactions } from "../data/interactions.js";
import { randomHoldout } from "../data/splits.js";
import type { TitleIndex } from "../data/titles/title-index.js";
import { worldToInteractions } from "../synthetic/to-interactions.js";
import type { SyntheticWorld } from "../synthetic/world.js";
import { Rng } from "../util/rng.js";
import { DEMO_DEFAULTS } from "./demo-options.js";

/** The data the demo runs on: a split, and the synthetic world's ground truth when there is one. */
export interface DemoData {
  /** The report's heading. */
  title: string;
  train: Interactions;
  test: Interactions;
  /** Where the data came from and how it was split, one sentence each. */
  about: string[];
  world: SyntheticWorld | null;
  /** MovieLens titles and genres (the walls' personas resolve against them). */
  titles: TitleIndex | null;
}

/** The synthetic world with a random per-user holdout of 20%, split with the world's seed. */
export function syntheticDemoData(world: SyntheticWorld): DemoData {
  const o = world.options;
  const { train, test } = randomHoldout(worldToInteractions(world), { testFraction: DEMO_DEFAULTS.testFraction, rng: new Rng(o.seed) });
  return {
    title: "longtail demo: popularity bias in a synthetic world",
    train,
    test,
    world,
    titles: null,
    about: [
      `A synthetic world (seed ${o.seed}): ${o.nUsers} users with known tastes over ${o.nGenres} genres, ${o.nItems} items, ${world.interactions.user.length.toLocaleString("en-US")} logged interactions under popularity-biased exposure (Zipf exponent ${o.popularityExponent}; popularity–quality correlation ${o.popularityQualityCorrelation}).`,
      `Random per-user holdout: 20% of each user's interactions are the test part (${test.nnz.toLocaleString("en-US")} interactions), seed ${o.seed}.`,
    ],
  };
}

/** A MovieLens folder's split (`split` says how it was made) with the titles of its movies file. */
export function movieLensDemoData(
  source: { folder: string; moviesPath: string; split: string },
  train: Interactions,
  test: Interactions,
  titles: TitleIndex,
): DemoData {
  return {
    title: `longtail demo: popularity bias on ${source.folder}`,
    train,
    test,
    world: null,
    titles,
    about: [
      `${source.folder}: ${train.nUsers.toLocaleString("en-US")} users, ${train.nItems.toLocaleString("en-US")} movies, ${(train.nnz + test.nnz).toLocaleString("en-US")} interactions; titles and genres from ${source.moviesPath}.`,
      `Split: ${source.split}.`,
    ],
  };
}

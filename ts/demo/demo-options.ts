import { SYNTHETIC_WORLD_DEFAULTS } from "../synthetic/world.js";
import { DEFAULT_SEED } from "../util/rng.js";

/** The demo trains softmax models only: logit adjustment, the debiased model's method, adjusts softmax logits. */
export const DEMO_LOSSES = ["softmax", "sampled-softmax"] as const;
export type DemoLoss = (typeof DEMO_LOSSES)[number];

/** What the demo runs: the models' training, the α sweep and the feedback loop. */
export interface DemoOptions {
  loss: DemoLoss;
  /** Training epochs of every model but the loop's gradient adjustment (which brings its own). */
  epochs: number;
  /** Logit-adjustment α of the debiased model. */
  alpha: number;
  /** The α sweep of the frontier plot, ascending and distinct; null skips it. */
  alphas: readonly number[] | null;
  /** Feedback-loop rounds (synthetic world only); 0 skips the loop. */
  rounds: number;
  /** The feedback loop's world: the demo's seed at this size (smaller than the demo's world, so the loop stays quick). */
  loopUsers: number;
  loopItems: number;
  /** Cut-off K of every top-K list. */
  k: number;
  /** Seed of training and of the loop's world and choices. */
  seed: number;
  /** performance.now() when the run began, so the report's time includes reading the data; default: when runDemo starts. */
  startedAt?: number;
}

/** The demo's defaults (`longtail demo` without flags): the world's size is the synthetic world's default. */
export const DEMO_DEFAULTS = {
  loss: "softmax",
  epochs: 10,
  alpha: 0.5,
  alphas: [0, 0.25, 0.5, 0.75, 1, 2],
  rounds: 5,
  loopUsers: 1000,
  loopItems: 1500,
  users: SYNTHETIC_WORLD_DEFAULTS.nUsers,
  items: SYNTHETIC_WORLD_DEFAULTS.nItems,
  k: 10,
  seed: DEFAULT_SEED,
  /** Share of each user's interactions held out as the test part. */
  testFraction: 0.2,
} as const satisfies Omit<DemoOptions, "startedAt"> & Record<string, unknown>;

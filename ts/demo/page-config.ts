/**
 * What the demo page of `longtail serve` and the server share: the settings the server hands out
 * as /demo.json and the model the page trains for each α. Type-only imports of the model: the
 * page's bundle stays free of the configuration code it never runs (the worker trains).
 */
import type { MfConfig } from "../mf/config.js";

/** The settings in /demo.json: the data's name and how the page trains and serves (a type, not an interface: it is served as a plain record). */
export type DemoPageConfig = {
  readonly data: string;
  /** The α values the page trains, in training order. */
  readonly alphas: readonly number[];
  readonly epochs: number;
  readonly dim: number;
  readonly seed: number;
  /** Length of the wall. */
  readonly k: number;
};

/**
 * The α values the page trains, in training order: α = 0 and 0.5 first, so the first wall and the
 * first comparison are there early; then the rest of the grid. The slider snaps to these values.
 */
export const DEMO_PAGE_ALPHAS = [0, 0.5, 0.25, 0.75, 1] as const;

/** The page trains full-softmax models: logit adjustment, its α, adjusts softmax logits. */
export const DEMO_PAGE_LOSS = "softmax";

/** Length of the page's wall. */
export const DEMO_PAGE_K = 10;

/** The /demo.json of `data` trained with these settings. */
export function demoPageConfig(data: string, training: { epochs: number; dim: number; seed: number }): DemoPageConfig {
  return { data, alphas: DEMO_PAGE_ALPHAS, epochs: training.epochs, dim: training.dim, seed: training.seed, k: DEMO_PAGE_K };
}

/** The model the page trains for one α of its grid. */
export function demoPageModelConfig(config: DemoPageConfig, alpha: number): Partial<MfConfig> {
  return { loss: DEMO_PAGE_LOSS, dim: config.dim, epochs: config.epochs, seed: config.seed, logitAdjustment: alpha };
}

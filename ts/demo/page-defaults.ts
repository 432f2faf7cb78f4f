import { LOSS_DEFAULTS } from "../mf/config.js";
import { DEFAULT_SEED } from "../util/rng.js";
import { DEMO_PAGE_LOSS } from "./page-config.js";

/**
 * `longtail serve`'s training defaults for the page: train's for the page's loss, so the page's
 * walls match `longtail walls`. Apart from ./page-config.ts, which the page's bundle imports.
 */
export const DEMO_PAGE_DEFAULTS = {
  epochs: LOSS_DEFAULTS[DEMO_PAGE_LOSS].epochs,
  dim: LOSS_DEFAULTS[DEMO_PAGE_LOSS].dim,
  seed: DEFAULT_SEED,
} as const;

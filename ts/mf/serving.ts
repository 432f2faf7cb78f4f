/**
 * How a trained matrix factorisation serves, apart from how it was trained: the
 * gradient-perspective adjustment's α1/α2 (Ren et al., Algorithm 2) and the popular directions
 * they project on, and test-time normalisation of the item embeddings (TTEN). These are chosen after training (by the α grid on a validation part, or by
 * hand), change without retraining, and are saved with the model in the model file's "serving"
 * section, not in its training configuration.
 */
import { ConfigError, nonNegativeNumber, oneOf } from "../train/config-checks.js";
import { definedOnly } from "../util/defined-only.js";

/** How the gradient-perspective adjustment estimates the popular directions P̄ and Q̄. */
export type PopularDirectionSource = "gradients" | "head-mean";
export const POPULAR_DIRECTION_SOURCES: readonly PopularDirectionSource[] = ["gradients", "head-mean"];

export interface MfServing {
  /** Popular directions from Algorithm 1's accumulated gradients (default) or as mean embeddings of the head items/users. */
  popularDirection: PopularDirectionSource;
  /** α1 of Eq. 15: Q_i − α1·cos(Q_i, Q̄)·‖Q_i‖·Q̄/‖Q̄‖ at serving (0 = items unchanged). */
  alphaItems: number;
  /** α2 of Eq. 16: the same for users along P̄ (0 = users unchanged). */
  alphaUsers: number;
  /** "head-mean" directions: head items (users) are the most popular (active) ones holding this share of the training interactions. */
  popularHeadShare: number;
  /**
   * TTEN (arXiv 2308.11288): rank on unit-norm item vectors, score(u, i) = P_u·Q_i/‖Q_i‖, with no
   * retraining. Item norms carry popularity in a dot-product model; dividing them out takes it
   * away from the ranking (the user's norm does not change a user's ranking).
   */
  normalizeItems: boolean;
}

/** Serving the raw tables: no projection. */
export const MF_SERVING_DEFAULTS: Readonly<MfServing> = Object.freeze({
  popularDirection: "gradients",
  alphaItems: 0,
  alphaUsers: 0,
  popularHeadShare: 0.8,
  normalizeItems: false,
});

export const MF_SERVING_KEYS = Object.keys(MF_SERVING_DEFAULTS) as readonly (keyof MfServing)[];

/** Fill in the defaults and validate every field. */
export function resolveMfServing(partial: Partial<MfServing> = {}): MfServing {
  const defined = definedOnly(partial);
  for (const key of Object.keys(defined)) {
    if (!(MF_SERVING_KEYS as readonly string[]).includes(key)) {
      throw new ConfigError(`unknown serving setting "${key}": the serving settings are ${MF_SERVING_KEYS.join(", ")}`);
    }
  }
  const serving: MfServing = { ...MF_SERVING_DEFAULTS, ...defined };
  oneOf(serving.popularDirection, POPULAR_DIRECTION_SOURCES, "popularDirection");
  nonNegativeNumber(serving.alphaItems, "alphaItems");
  nonNegativeNumber(serving.alphaUsers, "alphaUsers");
  if (!(serving.popularHeadShare > 0 && serving.popularHeadShare <= 1)) {
    throw new ConfigError(`popularHeadShare must be in (0, 1], got ${serving.popularHeadShare}`);
  }
  if (typeof serving.normalizeItems !== "boolean") throw new ConfigError(`normalizeItems must be true or false, got ${serving.normalizeItems}`);
  return serving;
}

/** True when serving projects nothing (α1 = α2 = 0). */
export function projectsNothing(serving: MfServing): boolean {
  return serving.alphaItems === 0 && serving.alphaUsers === 0;
}

/** The fields that differ from the defaults: what a model file needs to store (nothing for a plain model). */
export function servingChanges(serving: MfServing): Partial<MfServing> {
  return Object.fromEntries(MF_SERVING_KEYS.filter((key) => serving[key] !== MF_SERVING_DEFAULTS[key]).map((key) => [key, serving[key]]));
}

/**
 * Separates the serving settings from a record that mixes them with the training configuration:
 * model files written before the "serving" section kept them in "config".
 */
export function splitServing(record: Record<string, unknown>): { config: Record<string, unknown>; serving: Partial<MfServing> } {
  const config: Record<string, unknown> = {};
  const serving: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if ((MF_SERVING_KEYS as readonly string[]).includes(key)) serving[key] = value;
    else config[key] = value;
  }
  return { config, serving: serving as Partial<MfServing> };
}

import type { Rng } from "../util/rng.js";

/**
 * How a simulated user reacts to a served slate, driven by the user's TRUE relevance r(u,i)
 * (position-based click model, Richardson et al. 2007; Joachims et al. 2017):
 * - slot p (1 = top) is examined with probability (1/p)^η, independently of the other slots
 *   (η = `positionBias`; 0 = every slot is looked at, larger = attention stops near the top);
 * - an examined item is accepted with probability σ(β·(r(u,i) − τ)), β = `acceptanceSteepness`,
 *   τ = `acceptanceThreshold`: an item at the world's relevance threshold is a coin flip, a
 *   clearly liked one is nearly always taken, a clearly disliked one nearly never.
 * Accepted items join the log as new interactions; popularity plays no part in the choice, so any
 * concentration that grows over rounds is the recommender's doing.
 */
export interface ChoiceModelOptions {
  /** η: examination probability (1/p)^η of slot p. Default 1. */
  positionBias?: number;
  /** β: steepness of the acceptance curve. Default 10. */
  acceptanceSteepness?: number;
  /** τ: true relevance accepted with probability 1/2. Default 0.6, the synthetic world's relevance threshold. */
  acceptanceThreshold?: number;
}

export type ResolvedChoiceModelOptions = Required<ChoiceModelOptions>;

export const DEFAULT_CHOICE_MODEL: ResolvedChoiceModelOptions = { positionBias: 1, acceptanceSteepness: 10, acceptanceThreshold: 0.6 };

export class ChoiceModel {
  readonly options: ResolvedChoiceModelOptions;

  constructor(options: ChoiceModelOptions = {}) {
    const o = { ...DEFAULT_CHOICE_MODEL };
    for (const key of Object.keys(options) as (keyof ChoiceModelOptions)[]) {
      if (!(key in DEFAULT_CHOICE_MODEL)) throw new RangeError(`choice model: unknown option "${key}"`);
      if (options[key] !== undefined) o[key] = options[key]!;
    }
    const check = (key: keyof ChoiceModelOptions, ok: boolean, rule: string) => {
      if (!ok) throw new RangeError(`choice model: ${key} must be ${rule}, got ${String(o[key])}`);
    };
    check("positionBias", Number.isFinite(o.positionBias) && o.positionBias >= 0, "a number >= 0");
    check("acceptanceSteepness", Number.isFinite(o.acceptanceSteepness) && o.acceptanceSteepness >= 0, "a number >= 0");
    check("acceptanceThreshold", Number.isFinite(o.acceptanceThreshold), "a finite number");
    this.options = o;
  }

  /** Probability that slot `position` (1 = top) is examined. */
  examinationProbability(position: number): number {
    if (!(Number.isInteger(position) && position >= 1)) throw new RangeError(`slot positions start at 1, got ${position}`);
    return Math.pow(position, -this.options.positionBias);
  }

  /** Probability that an examined item of true relevance r is accepted. */
  acceptanceProbability(relevance: number): number {
    const { acceptanceSteepness: beta, acceptanceThreshold: tau } = this.options;
    return 1 / (1 + Math.exp(-beta * (relevance - tau)));
  }

  /**
   * The items of `slate` (item indices, best first; -1 = empty slot) the user accepts, in slate
   * order. Every filled slot draws exactly two numbers from `rng` (examination, then acceptance),
   * so one user's choices never shift another user's random stream.
   */
  choose(slate: ArrayLike<number>, relevanceOf: (item: number) => number, rng: Rng): number[] {
    const accepted: number[] = [];
    for (let p = 0; p < slate.length; p++) {
      const item = slate[p];
      if (item === -1) continue;
      const examined = rng.next() < this.examinationProbability(p + 1);
      const accepts = rng.next() < this.acceptanceProbability(relevanceOf(item));
      if (examined && accepts) accepted.push(item);
    }
    return accepted;
  }
}

import type { Interactions } from "../data/interactions.js";
import { AliasSampler } from "./alias-sampler.js";

/**
 * The sampled softmax's proposal for shared negatives, q(i) ∝ (count_i + 1)^β, with the logQ
 * correction log(N·q(i)) that a sampled item's logit subtracts so that N draws estimate the
 * full softmax's normaliser.
 */
export class NegativeProposal {
  readonly sampler: AliasSampler;
  /** log(N·q(i)) per item. */
  readonly logExpected: Float64Array;

  constructor(train: Interactions, exponent: number, negatives: number) {
    const m = train.nItems;
    const counts = train.itemCounts();
    const weights = new Float64Array(m);
    for (let i = 0; i < m; i++) weights[i] = Math.pow(counts[i] + 1, exponent);
    this.sampler = new AliasSampler(weights);
    this.logExpected = new Float64Array(m);
    for (let i = 0; i < m; i++) this.logExpected[i] = Math.log(negatives * this.sampler.probabilities[i]);
  }
}

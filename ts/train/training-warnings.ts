/**
 * Warnings about a finished training run whose numbers say the model is likely useless, although
 * nothing was NaN (that is DivergenceError's case): the training loss ended far above the untrained
 * model's, or the regulariser term is nearly all of the loss. They are computed once, at the end of
 * fit(), from numbers the runners already sum (no extra pass over the data): the loss of the first
 * step of epoch 1 (the untrained model's loss, estimated on one batch) and each epoch's mean loss
 * with, where the loss has one, the regulariser's part of it (ReSN's λ·σ_max²).
 *
 * What is not covered: the L2 penalty (--reg / l2) is applied by the optimizers as weight decay on
 * the rows a step touches and is not part of the recorded loss, so it has no share to report; the
 * two-tower model's loss has no regulariser term; the sampled softmax with sampling "users" has no
 * ReSN (refused by the configuration). For those only the "loss rose" rule applies.
 */

/** "projection-off" and "alpha-uncertain" come from the gradient adjustment's α grid (ts/mf/alpha-grid.ts), after training. */
export type TrainingWarningKind = "loss-rose" | "regularizer-dominates" | "projection-off" | "alpha-uncertain";

export interface TrainingWarning {
  kind: TrainingWarningKind;
  /** One line for a person, with what to change (the CLI prints it as "longtail: warning: <message>"). */
  message: string;
}

/**
 * "loss rose": the data-fit loss of the epoch whose parameters the model holds is above this factor
 * times the untrained model's. The untrained model scores at random (initial embeddings of std 0.1),
 * so its loss is what an uninformative ranking costs (BPR ≈ ln 2, the full softmax ≈ ln(items)); a
 * model that fits its own training data 1.5× worse than that has been thrown around by its updates,
 * not trained. Healthy runs end far below 1: every loss's defaults on the synthetic world and on
 * ml-latest-small / ml-1m-resn end at 0.3-0.8 of the initial loss (tests/training-warnings.test.ts
 * checks the synthetic ones), early-stopped runs too (their held epoch is the best on validation,
 * which is not later than the last); a too-high rate ends orders of magnitude above (BPR with
 * --lr 1000 on the synthetic world: ×3·10⁷). 1.5 leaves room for the noise of the one-batch
 * estimate of the initial loss and for epoch means against the parameters at the end of the epoch.
 */
export const LOSS_ROSE_FACTOR = 1.5;

/**
 * "regulariser dominates": the regulariser term is above this share of the (total) loss of the
 * epoch the model holds, i.e. over 9× the data-fit part: the optimiser then mostly shrinks the
 * penalised direction and the fit to the data comes second. The ReSN settings docs/reproducing.md measures
 * as useful trade-offs on ml-1m-resn (λ ≤ 10 with the softmax) stay below it; λ = 100000 is at
 * 0.99 and above.
 */
export const REGULARIZER_SHARE = 0.9;

/** The numbers the rules read, from either training loop. */
export interface WarningInputs {
  /** Mean loss per example of the first step (round) of epoch 1, and of it the regulariser's part. */
  initialLoss?: number;
  initialRegularizer?: number;
  epochs: ReadonlyArray<{ epoch: number; loss: number; regularizer?: number }>;
  /** The epoch whose parameters the model holds (the best on validation, else the last). */
  heldEpoch: number;
  learningRate: number;
  /** ReSN λ, when the loss has the spectral penalty. */
  spectralPenalty?: number;
}

const fmt = (x: number): string => (Math.abs(x) >= 1e5 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(2) : Number(x.toPrecision(4)).toString());

export function trainingWarnings(inputs: WarningInputs): TrainingWarning[] {
  const { epochs } = inputs;
  if (epochs.length === 0) return [];
  const held = epochs.find((e) => e.epoch === inputs.heldEpoch) ?? epochs[epochs.length - 1];
  const warnings: TrainingWarning[] = [];
  // The data-fit part, so that a penalty that grows as the embeddings grow is not called a rising loss.
  const dataLoss = (loss: number, regularizer = 0) => loss - regularizer;
  if (inputs.initialLoss !== undefined && Number.isFinite(inputs.initialLoss)) {
    const start = dataLoss(inputs.initialLoss, inputs.initialRegularizer);
    const end = dataLoss(held.loss, held.regularizer);
    if (start > 0 && end > LOSS_ROSE_FACTOR * start) {
      const what = held.regularizer !== undefined ? "training loss (without the ReSN penalty)" : "training loss";
      warnings.push({
        kind: "loss-rose",
        message:
          `the ${what} rose from ${fmt(start)} before training to ${fmt(end)} at epoch ${held.epoch} (×${fmt(end / start)}): ` +
          `the model is likely useless; lower the learning rate (--lr / learningRate, now ${inputs.learningRate})`,
      });
    }
  }
  if (held.regularizer !== undefined && held.loss > 0) {
    const share = held.regularizer / held.loss;
    if (share > REGULARIZER_SHARE) {
      warnings.push({
        kind: "regularizer-dominates",
        message:
          `the ReSN penalty is ${(100 * share).toFixed(share > 0.999 ? 2 : 0)}% of the training loss at epoch ${held.epoch} ` +
          `(${fmt(held.regularizer)} of ${fmt(held.loss)} per interaction): it outweighs the fit to the data; ` +
          `lower λ (--resn / spectralPenalty, now ${inputs.spectralPenalty})`,
      });
    }
  }
  return warnings;
}

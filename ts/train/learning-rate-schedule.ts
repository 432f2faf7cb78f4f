/** How the learning rate moves over the epochs of one fit. */
export type LearningRateSchedule = "constant" | "cosine";
export const LEARNING_RATE_SCHEDULES: readonly LearningRateSchedule[] = ["constant", "cosine"];

/**
 * The learning rate of epoch `epoch` (1-based) of `epochs`: constant, or cosine annealing
 * (Loshchilov & Hutter) from the full rate in epoch 1 towards 0 after the last, so the final epochs
 * take small steps that settle the embeddings instead of circling the optimum.
 */
export function learningRateAt(schedule: LearningRateSchedule, base: number, epoch: number, epochs: number): number {
  if (schedule === "constant" || epochs <= 1) return base;
  return base * 0.5 * (1 + Math.cos((Math.PI * (epoch - 1)) / epochs));
}

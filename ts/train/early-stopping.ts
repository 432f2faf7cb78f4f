/**
 * Early stopping on a validation metric: remembers the best epoch and its state, and says when
 * `patience` evaluations in a row brought nothing better.
 */
export class EarlyStopping<State> {
  bestEpoch = 0;
  bestValue = -Infinity;
  best: State | null = null;
  stopped = false;
  private sinceBest = 0;

  constructor(private readonly patience: number) {}

  /** Record an evaluated epoch; returns the value back for reporting. */
  observe(epoch: number, value: number, state: State): number {
    if (value > this.bestValue) {
      this.bestValue = value;
      this.bestEpoch = epoch;
      this.best = state;
      this.sinceBest = 0;
    } else if (++this.sinceBest >= this.patience) {
      this.stopped = true;
    }
    return value;
  }
}

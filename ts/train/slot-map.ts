/**
 * Maps the row ids a training step touches to compact slots 0..size-1, so gradients are
 * accumulated into a small dense buffer and the optimizer visits each touched row once.
 * Reset is O(1): a generation stamp invalidates every previous assignment.
 */
export class SlotMap {
  private readonly stamp: Int32Array;
  private readonly slotOf: Int32Array;
  private generation = 1;
  /** Row id of each slot, in order of first appearance. */
  readonly rows: Int32Array;
  size = 0;

  constructor(universe: number, capacity: number) {
    this.stamp = new Int32Array(universe);
    this.slotOf = new Int32Array(universe);
    this.rows = new Int32Array(capacity);
  }

  reset(): void {
    this.size = 0;
    this.generation++;
    if (this.generation === 0x7fffffff) {
      this.stamp.fill(0);
      this.generation = 1;
    }
  }

  slot(row: number): number {
    if (this.stamp[row] === this.generation) return this.slotOf[row];
    const s = this.size++;
    this.stamp[row] = this.generation;
    this.slotOf[row] = s;
    this.rows[s] = row;
    return s;
  }
}

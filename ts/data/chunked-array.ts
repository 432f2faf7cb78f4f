/**
 * A growable typed array kept as a list of blocks. A reader appends one value per interaction
 * without knowing how many will come; doubling one array would copy everything at each growth
 * and hold up to twice what is needed (three times while copying). Blocks are never copied and
 * at most one is partly empty, so the memory is the values held plus less than one block.
 */

type TypedArray = Int32Array | Float32Array | Float64Array;
type TypedArrayConstructor<T extends TypedArray> = new (length: number) => T;

/** Values per full block: 1 Mi (4 MiB of int32, 8 MiB of float64), so a small file never allocates a whole one. */
export const BLOCK_LENGTH = 1 << 20;
const FIRST_LENGTH = 1024;

export class ChunkedArray<T extends TypedArray> {
  private readonly full: T[] = [];
  private current: T;
  private used = 0;
  private released = false;

  constructor(private readonly make: TypedArrayConstructor<T>) {
    this.current = new make(FIRST_LENGTH);
  }

  /** Values appended so far. */
  get length(): number {
    return this.full.length * BLOCK_LENGTH + this.used;
  }

  push(value: number): void {
    if (this.used === this.current.length) this.makeRoom();
    this.current[this.used++] = value;
  }

  /**
   * Hands over the values as blocks in order (each full but the last); the array is empty and
   * unusable afterwards. The caller may drop each block once it has copied it, so copying the
   * values elsewhere never holds both copies whole.
   */
  takeBlocks(): T[] {
    if (this.released) throw new Error("ChunkedArray: blocks already taken");
    const blocks = [...this.full, this.current.subarray(0, this.used) as T];
    this.released = true;
    this.full.length = 0;
    this.current = new this.make(0);
    this.used = 0;
    return blocks;
  }

  private makeRoom(): void {
    if (this.released) throw new Error("ChunkedArray: blocks already taken");
    // The first block grows by doubling up to a full block, so small inputs stay small.
    if (this.current.length < BLOCK_LENGTH) {
      const grown = new this.make(Math.min(BLOCK_LENGTH, this.current.length * 2));
      grown.set(this.current);
      this.current = grown;
      return;
    }
    this.full.push(this.current);
    this.current = new this.make(BLOCK_LENGTH);
    this.used = 0;
  }
}

import { ChunkedArray } from "./chunked-array.js";

/** A run costs 8 bytes and a plain user 4: runs are dropped once they outnumber half the interactions. */
const MAX_RUN_SHARE = 1 / 2;
/** ...and only past this many runs, so a small file never switches back and forth. */
const MIN_RUNS_TO_SWITCH = 4096;

/** The users of the interactions in input order: as (user, length) runs, or one user per interaction. */
export type TakenUsers =
  | { readonly kind: "runs"; readonly users: Int32Array[]; readonly lengths: Int32Array[] }
  | { readonly kind: "plain"; readonly users: Int32Array[] };

/**
 * The user index of each interaction a reader appends. Most files come grouped by user (a lines
 * file always; a ratings file or a warehouse export sorted by user), and then a user is one run
 * (8 bytes) instead of 4 bytes per interaction, so reading holds little more than the items. An
 * input in no such order (runs would cost more than they save) switches to one int32 per
 * interaction, as if it had never used runs.
 */
export class UserRuns {
  private runUsers: ChunkedArray<Int32Array> | undefined = new ChunkedArray(Int32Array);
  private runLengths: ChunkedArray<Int32Array> | undefined = new ChunkedArray(Int32Array);
  private plain: ChunkedArray<Int32Array> | undefined;
  private current = -1;
  private currentLength = 0;
  private runs = 0;
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(user: number): void {
    this.count++;
    if (this.plain !== undefined) {
      this.plain.push(user);
      return;
    }
    if (user === this.current) {
      this.currentLength++;
      return;
    }
    this.closeRun();
    this.current = user;
    this.currentLength = 1;
    if (this.runs > MIN_RUNS_TO_SWITCH && this.runs > this.count * MAX_RUN_SHARE) this.switchToPlain();
  }

  /** Hands over the users; this is empty and unusable afterwards. */
  take(): TakenUsers {
    if (this.plain !== undefined) {
      const users = this.plain.takeBlocks();
      this.plain = undefined;
      return { kind: "plain", users };
    }
    this.closeRun();
    const taken: TakenUsers = { kind: "runs", users: this.runUsers!.takeBlocks(), lengths: this.runLengths!.takeBlocks() };
    this.runUsers = this.runLengths = undefined;
    return taken;
  }

  private closeRun(): void {
    if (this.currentLength === 0) return;
    this.runUsers!.push(this.current);
    this.runLengths!.push(this.currentLength);
    this.runs++;
    this.currentLength = 0;
  }

  /** Expands the runs so far to one user per interaction (the last, still open, run included). */
  private switchToPlain(): void {
    const plain = new ChunkedArray(Int32Array);
    const users = this.runUsers!.takeBlocks();
    const lengths = this.runLengths!.takeBlocks();
    for (let b = 0; b < users.length; b++) {
      const u = users[b]!,
        n = lengths[b]!;
      for (let r = 0; r < u.length; r++) for (let k = 0; k < n[r]!; k++) plain.push(u[r]!);
    }
    for (let k = 0; k < this.currentLength; k++) plain.push(this.current);
    this.plain = plain;
    this.runUsers = this.runLengths = undefined;
    this.currentLength = 0;
  }
}

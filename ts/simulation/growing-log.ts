import { groupByRow } from "../data/csr.js";
import { IdMap } from "../data/id-map.js";
import { Interactions } from "../data/interactions.js";
import type { SyntheticWorld } from "../synthetic/world.js";

/**
 * One feedback loop's interaction log: the world's observed log, then every item a simulated user
 * accepted, appended round by round with later timestamps. Item and user index k are the world's
 * (so true relevance applies to the model's indices directly), and the counts are kept up to date
 * for the concentration of the log.
 */
export class GrowingLog {
  private user: Int32Array;
  private item: Int32Array;
  private time: Float64Array;
  private length: number;
  private readonly counts: Int32Array;
  private readonly users: IdMap;
  private readonly items: IdMap;

  constructor(
    private readonly world: SyntheticWorld,
    maps?: { users: IdMap; items: IdMap },
  ) {
    const { user, item, timestamp } = world.interactions;
    this.length = user.length;
    this.user = user.slice();
    this.item = item.slice();
    this.time = timestamp.slice();
    this.counts = new Int32Array(world.items.length);
    for (let k = 0; k < this.length; k++) this.counts[this.item[k]]++;
    this.users = maps?.users ?? IdMap.from(world.users);
    this.items = maps?.items ?? IdMap.from(world.items);
  }

  get size(): number {
    return this.length;
  }

  /** Interactions per item so far (a live view: copy it to keep a snapshot). */
  get itemCounts(): Int32Array {
    return this.counts;
  }

  /** The latest timestamp in the log (the world's start time when it is empty). */
  lastTime(): number {
    let last = this.world.options.startTime;
    for (let k = 0; k < this.length; k++) last = Math.max(last, this.time[k]);
    return last;
  }

  /** Append (user, item) at `timestamp`; the caller keeps each pair new (a served slate excludes the user's log). */
  add(user: number, item: number, timestamp: number): void {
    if (this.length === this.user.length) {
      const capacity = Math.max(16, this.length * 2);
      this.user = grow(this.user, capacity);
      this.item = grow(this.item, capacity);
      const time = new Float64Array(capacity);
      time.set(this.time);
      this.time = time;
    }
    this.user[this.length] = user;
    this.item[this.length] = item;
    this.time[this.length] = timestamp;
    this.length++;
    this.counts[item]++;
  }

  /** The log as training data: rows grouped by user, each row in time order (appended picks are the latest). */
  toInteractions(name = "simulated log"): Interactions {
    const n = this.length;
    const { indptr, order } = groupByRow(this.user.subarray(0, n), this.users.size);
    const indices = new Int32Array(n);
    const timestamps = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      indices[k] = this.item[order[k]];
      timestamps[k] = this.time[order[k]];
    }
    return new Interactions({ users: this.users, items: this.items, byUser: { indptr, indices }, timestamps, name });
  }
}

function grow(a: Int32Array, capacity: number): Int32Array {
  const out = new Int32Array(capacity);
  out.set(a);
  return out;
}

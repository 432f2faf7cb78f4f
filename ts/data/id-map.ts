import { quoteFound } from "./errors.js";

/**
 * External string ids ↔ dense 0-based indices, in order of first appearance. Models, CSR arrays
 * and kernels only ever see the indices; the map turns them back into the ids a user knows.
 * A train part and its test part share one map so that index i means the same item in both;
 * freezing the map after training data is read makes an id that only a later part has an error
 * instead of a silently grown catalog.
 */
export class IdMap {
  // A prototype-less object, not a Map: V8 looks up string keys in it several times faster (measured
  // on gowalla's 810k item ids), and with no prototype "__proto__" or "constructor" are plain keys.
  private readonly indexById: Record<string, number> = Object.create(null) as Record<string, number>;
  private readonly idByIndex: string[] = [];
  private frozen = false;

  /** A map over the given ids in order; a repeated id keeps its first index. */
  static from(ids: Iterable<string>): IdMap {
    const map = new IdMap();
    for (const id of ids) map.indexOrAdd(id);
    return map;
  }

  get size(): number {
    return this.idByIndex.length;
  }

  get isFrozen(): boolean {
    return this.frozen;
  }

  index(id: string): number | undefined {
    return this.indexById[id];
  }

  has(id: string): boolean {
    return this.indexById[id] !== undefined;
  }

  /** The index of `id`, adding it at the end when new. Throws when the map is frozen and `id` is new. */
  indexOrAdd(id: string): number {
    const known = this.indexById[id];
    if (known !== undefined) return known;
    if (this.frozen) throw new Error(`id ${quoteFound(id)} is not in this frozen id map`);
    const index = this.idByIndex.length;
    this.indexById[id] = index;
    this.idByIndex.push(id);
    return index;
  }

  /** The external id at `index`; throws RangeError outside [0, size). */
  id(index: number): string {
    if (!Number.isInteger(index) || index < 0 || index >= this.idByIndex.length) {
      throw new RangeError(`index ${index} is outside this id map (size ${this.idByIndex.length})`);
    }
    return this.idByIndex[index]!;
  }

  /** All ids, position = index. */
  ids(): readonly string[] {
    return this.idByIndex;
  }

  /** No more ids can be added (indexOrAdd of an unknown id throws from now on). */
  freeze(): this {
    this.frozen = true;
    return this;
  }
}

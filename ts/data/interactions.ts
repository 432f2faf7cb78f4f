import { ChunkedArray } from "./chunked-array.js";
import { csrRowCount, transposeCsr, type Csr } from "./csr.js";
import { DataError, quoteFound, type DataLocation } from "./errors.js";
import { groupByUser } from "./group-by-user.js";
import { UserRuns } from "./user-runs.js";
import { IdMap } from "./id-map.js";

/** Interactions left out because their user or item was not in a frozen id map ("drop" policy). */
export interface UnknownDropped {
  /** Interactions dropped. */
  readonly interactions: number;
  /** Distinct unknown user ids met (their lines or rows were dropped). */
  readonly users: number;
  /** Distinct unknown item ids met in rows of known users. */
  readonly items: number;
}

/** Everything an {@link Interactions} is made of; `byUser` must have exactly users.size rows. */
export interface InteractionsInit {
  readonly users: IdMap;
  readonly items: IdMap;
  readonly byUser: Csr;
  readonly timestamps?: Float64Array;
  readonly ratings?: Float32Array;
  readonly name?: string;
  readonly duplicatesDropped?: number;
  readonly rowsBelowMinRating?: number;
  readonly unknownDropped?: UnknownDropped;
  /** How a reader understood the source (format, layout, why), shown by describe(). */
  readonly readAs?: string;
}

const NOTHING_DROPPED: UnknownDropped = { interactions: 0, users: 0, items: 0 };

/**
 * Implicit feedback over a fixed user and item universe (the id maps). A part may leave users or
 * items without interactions: a test part shares the maps of its train part, so index i is the
 * same item in both and nItems is the catalog size in both.
 *
 * Row u of `byUser` lists the items of user u in time order when timestamps exist (ties in input
 * order), else in input order, without repeated items. `timestamps` and `ratings`, when present,
 * are aligned with `byUser.indices`.
 */
export class Interactions {
  readonly users: IdMap;
  readonly items: IdMap;
  /** users.size when this part was built. */
  readonly nUsers: number;
  /** items.size when this part was built (the catalog size). */
  readonly nItems: number;
  readonly nnz: number;
  readonly byUser: Csr;
  readonly timestamps?: Float64Array;
  readonly ratings?: Float32Array;
  /** Where the data came from, for messages (a file path, or a description of a split). */
  readonly name: string;
  /** Repeated (user, item) pairs removed while building; the first occurrence was kept. */
  readonly duplicatesDropped: number;
  /** Rows a reader skipped because their rating was below its minRating. */
  readonly rowsBelowMinRating: number;
  readonly unknownDropped: UnknownDropped;
  /** How a reader understood the source (format, layout, why it was chosen), when it was read from one. */
  readonly readAs?: string;
  private byItemCache: Csr | undefined;
  private entryUsersCache: Int32Array | undefined;

  constructor(init: InteractionsInit) {
    const { users, items, byUser } = init;
    const nUsers = csrRowCount(byUser);
    if (nUsers !== users.size) {
      throw new RangeError(`Interactions: byUser has ${nUsers} rows but the user map holds ${users.size} ids`);
    }
    checkCsr(byUser, items.size);
    const nnz = byUser.indices.length;
    if (init.timestamps !== undefined && init.timestamps.length !== nnz) {
      throw new RangeError(`Interactions: ${init.timestamps.length} timestamps for ${nnz} interactions`);
    }
    if (init.ratings !== undefined && init.ratings.length !== nnz) {
      throw new RangeError(`Interactions: ${init.ratings.length} ratings for ${nnz} interactions`);
    }
    this.users = users;
    this.items = items;
    this.nUsers = nUsers;
    this.nItems = items.size;
    this.nnz = nnz;
    this.byUser = byUser;
    if (init.timestamps !== undefined) this.timestamps = init.timestamps;
    if (init.ratings !== undefined) this.ratings = init.ratings;
    this.name = init.name ?? "interactions";
    this.duplicatesDropped = init.duplicatesDropped ?? 0;
    this.rowsBelowMinRating = init.rowsBelowMinRating ?? 0;
    this.unknownDropped = init.unknownDropped ?? NOTHING_DROPPED;
    if (init.readAs !== undefined) this.readAs = init.readAs;
  }

  /**
   * Build from (user id, item id, rating?, timestamp?) tuples, with the same rules as
   * {@link InteractionsBuilder} (ordering, duplicate removal, shared and frozen maps).
   */
  static fromTriples(
    triples: Iterable<readonly [user: string, item: string, rating?: number, timestamp?: number]>,
    options: InteractionsBuilderOptions = {},
  ): Interactions {
    const builder = new InteractionsBuilder(options);
    for (const [user, item, rating, timestamp] of triples) builder.add(user, item, rating, timestamp);
    return builder.build();
  }

  /** Item → users (users ascending within an item). Computed once, then cached. */
  byItem(): Csr {
    this.byItemCache ??= transposeCsr(this.byUser, this.nItems);
    return this.byItemCache;
  }

  /** The user index of every entry of byUser.indices (for sampling interactions uniformly). Cached. */
  entryUsers(): Int32Array {
    if (this.entryUsersCache === undefined) {
      const out = new Int32Array(this.nnz);
      const { indptr } = this.byUser;
      for (let u = 0; u < this.nUsers; u++) out.fill(u, indptr[u]!, indptr[u + 1]!);
      this.entryUsersCache = out;
    }
    return this.entryUsersCache;
  }

  /** Interactions per item in this part (length nItems; a fresh array). */
  itemCounts(): Int32Array {
    const counts = new Int32Array(this.nItems);
    const { indices } = this.byUser;
    for (let k = 0; k < indices.length; k++) counts[indices[k]!]!++;
    return counts;
  }

  /** Interactions per user in this part (length nUsers; a fresh array). */
  userCounts(): Int32Array {
    const counts = new Int32Array(this.nUsers);
    const { indptr } = this.byUser;
    for (let u = 0; u < this.nUsers; u++) counts[u] = indptr[u + 1]! - indptr[u]!;
    return counts;
  }

  /** Indices of the users with at least one interaction in this part, ascending. */
  usersWithInteractions(): Int32Array {
    const { indptr } = this.byUser;
    let count = 0;
    for (let u = 0; u < this.nUsers; u++) if (indptr[u + 1]! > indptr[u]!) count++;
    const out = new Int32Array(count);
    let k = 0;
    for (let u = 0; u < this.nUsers; u++) if (indptr[u + 1]! > indptr[u]!) out[k++] = u;
    return out;
  }

  /**
   * This part over its id maps as they are now: users added to the shared map after this part was
   * built get empty rows and nItems becomes the map's size. Returns `this` when nothing grew.
   * (Used when a test part is allowed to extend the catalog of its train part.)
   */
  resizedToMaps(): Interactions {
    if (this.users.size === this.nUsers && this.items.size === this.nItems) return this;
    const indptr = new Int32Array(this.users.size + 1);
    indptr.set(this.byUser.indptr);
    indptr.fill(this.nnz, this.nUsers + 1);
    return this.with({ byUser: { indptr, indices: this.byUser.indices } });
  }

  /** The same interactions, noting how a reader understood their source (see describe()). */
  withReadAs(readAs: string): Interactions {
    return this.with({ readAs });
  }

  private with(changes: Partial<InteractionsInit>): Interactions {
    return new Interactions({
      users: this.users,
      items: this.items,
      byUser: this.byUser,
      ...(this.timestamps !== undefined && { timestamps: this.timestamps }),
      ...(this.ratings !== undefined && { ratings: this.ratings }),
      name: this.name,
      duplicatesDropped: this.duplicatesDropped,
      rowsBelowMinRating: this.rowsBelowMinRating,
      unknownDropped: this.unknownDropped,
      ...(this.readAs !== undefined && { readAs: this.readAs }),
      ...changes,
    });
  }

  /** One line for logs: name, sizes and anything that was left out while reading. */
  describe(): string {
    const parts = [`${count(this.nUsers)} users`, `${count(this.nItems)} items`, `${count(this.nnz)} interactions`];
    if (this.duplicatesDropped > 0) parts.push(`${count(this.duplicatesDropped)} duplicate pairs dropped`);
    if (this.rowsBelowMinRating > 0) parts.push(`${count(this.rowsBelowMinRating)} rows below minRating skipped`);
    const u = this.unknownDropped;
    if (u.interactions > 0 || u.users > 0 || u.items > 0) {
      parts.push(
        `${count(u.interactions)} interactions dropped for ids not in the training data ` +
          `(${count(u.users)} unknown users, ${count(u.items)} unknown items)`,
      );
    }
    return `${this.name}: ${parts.join(", ")}${this.readAs !== undefined ? ` (read as ${this.readAs})` : ""}`;
  }
}

/** What to do with an id a frozen map does not hold: a DataError (default), or leave the row out and count it. */
export type UnknownIdPolicy = "error" | "drop";

export interface InteractionsBuilderOptions {
  /** Shared user map (e.g. the train part's, to read a test part); a new map when absent. */
  readonly users?: IdMap;
  /** Shared item map; a new map when absent. */
  readonly items?: IdMap;
  /** Source name: the `file` of every DataError and the `name` of the result. */
  readonly name?: string;
  /** Unknown ids in a frozen map: "error" (default) or "drop". */
  readonly onUnknown?: UnknownIdPolicy;
  /** Appended to the unknown-id error (e.g. which option allows dropping them). */
  readonly unknownHint?: string;
  /** Field names used in messages (readers pass their column names). */
  readonly fieldNames?: { readonly user?: string; readonly item?: string; readonly rating?: string; readonly timestamp?: string };
  /**
   * Where the `at` of add() points in the source, for messages (default: a line number). Columnar
   * readers pass rows: `(at) => ({ row: at, rowIn: "row group 2" })`.
   */
  readonly locate?: (at: number) => Omit<DataLocation, "file" | "field">;
}

/** The most interactions one data set may hold: positions are int32 in the CSR arrays and the kernels. */
export const MAX_INTERACTIONS = 0x7fffffff - 1;

/**
 * Collects interactions one at a time into growable typed arrays (readers stream into it; ids are
 * mapped to indices as they come: 4 bytes per interaction for the item, 4 for the user unless the
 * input comes grouped by user, 4 for a rating, 8 for a timestamp) and builds an {@link Interactions}: grouped by user, time-ordered when
 * timestamps were given, duplicates removed. Single use: build() once.
 */
export class InteractionsBuilder {
  readonly users: IdMap;
  readonly items: IdMap;
  readonly name: string;
  private readonly onUnknown: UnknownIdPolicy;
  private readonly unknownHint: string;
  private readonly userField: string;
  private readonly itemField: string;
  private readonly ratingField: string;
  private readonly timestampField: string;
  private readonly locate: ((at: number) => Omit<DataLocation, "file" | "field">) | undefined;
  private userIdx = new UserRuns();
  private itemIdx = new ChunkedArray(Int32Array);
  private ratingBuf: ChunkedArray<Float32Array> | undefined;
  private timestampBuf: ChunkedArray<Float64Array> | undefined;
  /** Whether rows carry a rating / a timestamp: fixed by the first add(). */
  private shape: { rating: boolean; timestamp: boolean } | undefined;
  private count = 0;
  private belowMinRating = 0;
  private droppedInteractions = 0;
  private readonly droppedUsers = new Set<string>();
  private readonly droppedItems = new Set<string>();
  private built = false;
  private lastUserId: string | undefined;
  private lastUserIndex = -1;

  constructor(options: InteractionsBuilderOptions = {}) {
    this.users = options.users ?? new IdMap();
    this.items = options.items ?? new IdMap();
    this.name = options.name ?? "interactions";
    this.onUnknown = options.onUnknown ?? "error";
    this.unknownHint = options.unknownHint ?? "";
    this.userField = options.fieldNames?.user ?? "user";
    this.itemField = options.fieldNames?.item ?? "item";
    this.ratingField = options.fieldNames?.rating ?? "rating";
    this.timestampField = options.fieldNames?.timestamp ?? "timestamp";
    this.locate = options.locate;
  }

  /** Interactions added so far (before duplicate removal). */
  get length(): number {
    return this.count;
  }

  /**
   * One interaction. Either every row has a rating or none has (same for timestamps); `at` is
   * the source line (or what `locate` reads) for error messages.
   */
  add(userId: string, itemId: string, rating?: number, timestamp?: number, at?: number): void {
    this.checkOpen();
    // Rows usually come grouped by user (a lines file, a sorted ratings file): skip the map lookup then.
    let user = this.lastUserIndex;
    if (userId !== this.lastUserId) {
      user = this.userIndex(userId, at);
      this.lastUserId = userId;
      this.lastUserIndex = user;
    }
    // A dropped user's items are not looked up: they must not enter an unfrozen item map.
    const item = user < 0 ? -1 : this.itemIndex(itemId, at);
    this.addIndices(user, item, rating, timestamp, at);
  }

  /**
   * The index of a user id: added to an open map; -1 when the map is frozen, the id unknown and
   * the policy "drop" (the id is counted). Readers that map ids themselves (columnar files, where
   * an id column repeats few values) call this once per distinct id, then {@link addIndices}.
   */
  userIndex(userId: string, at?: number): number {
    return this.lookup(this.users, userId, this.userField, "user", at);
  }

  /** The index of an item id, as {@link userIndex}. Not to be called for the items of a dropped user. */
  itemIndex(itemId: string, at?: number): number {
    return this.lookup(this.items, itemId, this.itemField, "item", at);
  }

  /** One interaction by the indices userIndex and itemIndex gave; -1 for either drops it (counted). */
  addIndices(user: number, item: number, rating?: number, timestamp?: number, at?: number): void {
    this.checkOpen();
    if (this.shape === undefined) {
      this.shape = { rating: rating !== undefined, timestamp: timestamp !== undefined };
      if (this.shape.rating) this.ratingBuf = new ChunkedArray(Float32Array);
      if (this.shape.timestamp) this.timestampBuf = new ChunkedArray(Float64Array);
    }
    const shape = this.shape;
    // One test per row in the usual case; the checks that name the problem only when it fails.
    const fits =
      (rating === undefined ? !shape.rating : shape.rating && Number.isFinite(rating)) &&
      (timestamp === undefined ? !shape.timestamp : shape.timestamp && Number.isFinite(timestamp));
    if (!fits) {
      this.checkValue(rating, shape.rating, this.ratingField, at);
      this.checkValue(timestamp, shape.timestamp, this.timestampField, at);
    }
    if (user < 0 || item < 0) {
      this.droppedInteractions++;
      return;
    }
    if (this.count === MAX_INTERACTIONS) {
      throw new DataError(
        this.where(at),
        `more than ${MAX_INTERACTIONS.toLocaleString("en-US")} interactions: more than one data set can hold (int32 positions)`,
      );
    }
    this.count++;
    this.userIdx.push(user);
    this.itemIdx.push(item);
    this.ratingBuf?.push(rating!);
    this.timestampBuf?.push(timestamp!);
  }

  /** A user known to exist, possibly without interactions (a "user" line with no items). */
  addUser(userId: string, line?: number): void {
    this.checkOpen();
    this.lookup(this.users, userId, this.userField, "user", line);
  }

  /** Count a row a reader skipped for its rating (reported by Interactions.describe()). */
  noteBelowMinRating(): void {
    this.belowMinRating++;
  }

  build(): Interactions {
    this.checkOpen();
    this.built = true;
    const grouped = groupByUser(
      {
        users: this.userIdx,
        items: this.itemIdx,
        ...(this.ratingBuf !== undefined && { ratings: this.ratingBuf }),
        ...(this.timestampBuf !== undefined && { timestamps: this.timestampBuf }),
      },
      this.users.size,
      this.items.size,
    );
    this.ratingBuf = undefined;
    this.timestampBuf = undefined;
    return new Interactions({
      users: this.users,
      items: this.items,
      byUser: { indptr: grouped.indptr, indices: grouped.indices },
      name: this.name,
      duplicatesDropped: grouped.duplicates,
      rowsBelowMinRating: this.belowMinRating,
      unknownDropped: {
        interactions: this.droppedInteractions,
        users: this.droppedUsers.size,
        items: this.droppedItems.size,
      },
      ...(grouped.ratings !== undefined && { ratings: grouped.ratings }),
      ...(grouped.timestamps !== undefined && { timestamps: grouped.timestamps }),
    });
  }

  /** The index of `id`, or -1 when the map is frozen, the id unknown and the policy is "drop". */
  private lookup(map: IdMap, id: string, field: string, role: "user" | "item", at: number | undefined): number {
    const known = map.index(id);
    if (known !== undefined) return known;
    if (id.length === 0) {
      throw new DataError(this.where(at, field), `expected ${role === "user" ? "a user" : "an item"} id, got ""`);
    }
    if (!map.isFrozen) return map.indexOrAdd(id);
    if (this.onUnknown === "drop") {
      (role === "user" ? this.droppedUsers : this.droppedItems).add(id);
      return -1;
    }
    const hint = this.unknownHint === "" ? "" : ` (${this.unknownHint})`;
    throw new DataError(this.where(at, field), `${role} ${quoteFound(id)} is not in the training data${hint}`);
  }

  private checkValue(value: number | undefined, expected: boolean, field: string, at: number | undefined): void {
    if (expected && value === undefined) {
      throw new DataError(this.where(at, field), `expected a ${field} on every row (the first row had one), got none`);
    }
    if (!expected && value !== undefined) {
      throw new DataError(this.where(at, field), `the first row had no ${field}, so no row may have one; got ${value}`);
    }
    if (value !== undefined && !Number.isFinite(value)) {
      throw new DataError(this.where(at, field), `expected a finite number, got ${value}`);
    }
  }

  private where(at: number | undefined, field?: string): DataLocation {
    const place = at === undefined ? {} : this.locate !== undefined ? this.locate(at) : { line: at };
    return { file: this.name, ...place, ...(field !== undefined && { field }) };
  }

  private checkOpen(): void {
    if (this.built) throw new Error(`InteractionsBuilder for ${this.name}: already built`);
  }
}

function checkCsr(csr: Csr, nCols: number): void {
  const { indptr, indices } = csr;
  const nRows = indptr.length - 1;
  if (nRows < 0 || indptr[0] !== 0 || indptr[nRows] !== indices.length) {
    throw new RangeError(`Interactions: indptr does not delimit ${indices.length} indices`);
  }
  for (let r = 0; r < nRows; r++) {
    if (indptr[r + 1]! < indptr[r]!) throw new RangeError(`Interactions: indptr decreases at row ${r}`);
  }
  for (let k = 0; k < indices.length; k++) {
    const c = indices[k]!;
    if (c < 0 || c >= nCols) throw new RangeError(`Interactions: item index ${c} at position ${k} is outside [0, ${nCols})`);
  }
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}

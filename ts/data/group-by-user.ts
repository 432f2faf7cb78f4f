import type { ChunkedArray } from "./chunked-array.js";
import type { UserRuns } from "./user-runs.js";

/** Interactions grouped by user: the CSR rows and the ratings and timestamps aligned with them. */
export interface GroupedByUser {
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly ratings?: Float32Array;
  readonly timestamps?: Float64Array;
  /** Repeated (user, item) pairs removed; the first occurrence (the earliest when time-ordered) was kept. */
  readonly duplicates: number;
}

export interface UngroupedColumns {
  readonly users: UserRuns;
  readonly items: ChunkedArray<Int32Array>;
  readonly ratings?: ChunkedArray<Float32Array>;
  readonly timestamps?: ChunkedArray<Float64Array>;
}

/**
 * Groups appended interactions by user with a counting sort straight into the output arrays:
 * each row keeps input order, then rows are ordered by time when there are timestamps (ties in
 * input order), then repeated items within a row are dropped, keeping the first. The input
 * blocks are dropped as they are copied, so the peak is the input plus the output, with no
 * permutation array beside them; users kept as runs (input grouped by user) cost next to nothing.
 */
export function groupByUser(columns: UngroupedColumns, nUsers: number, nItems: number): GroupedByUser {
  const users = columns.users.take();
  const itemBlocks: Array<Int32Array | undefined> = columns.items.takeBlocks();
  const ratingBlocks: Array<Float32Array | undefined> | undefined = columns.ratings?.takeBlocks();
  const timeBlocks: Array<Float64Array | undefined> | undefined = columns.timestamps?.takeBlocks();
  const n = itemBlocks.reduce((sum, block) => sum + block!.length, 0);
  const indptr = new Int32Array(nUsers + 1);
  if (users.kind === "runs") {
    for (let b = 0; b < users.users.length; b++) {
      const u = users.users[b]!,
        length = users.lengths[b]!;
      for (let r = 0; r < u.length; r++) indptr[u[r]! + 1]! += length[r]!;
    }
  } else {
    for (const block of users.users) for (let k = 0; k < block.length; k++) indptr[block[k]! + 1]!++;
  }
  for (let u = 0; u < nUsers; u++) indptr[u + 1]! += indptr[u]!;
  const next = indptr.slice(0, nUsers);
  let indices = new Int32Array(n);
  let ratings = ratingBlocks && new Float32Array(n);
  let timestamps = timeBlocks && new Float64Array(n);
  const release = (b: number): void => {
    itemBlocks[b] = undefined;
    if (ratingBlocks) ratingBlocks[b] = undefined;
    if (timeBlocks) timeBlocks[b] = undefined;
  };
  if (users.kind === "runs") {
    // A run's interactions are consecutive: copied a block slice at a time.
    let block = 0,
      offset = 0;
    for (let rb = 0; rb < users.users.length; rb++) {
      const u = users.users[rb]!,
        lengths = users.lengths[rb]!;
      for (let r = 0; r < u.length; r++) {
        let left = lengths[r]!;
        let p = next[u[r]!]!;
        next[u[r]!] = p + left;
        while (left > 0) {
          const items = itemBlocks[block]!;
          const take = Math.min(left, items.length - offset);
          indices.set(items.subarray(offset, offset + take), p);
          if (ratings !== undefined) ratings.set(ratingBlocks![block]!.subarray(offset, offset + take), p);
          if (timestamps !== undefined) timestamps.set(timeBlocks![block]!.subarray(offset, offset + take), p);
          p += take;
          left -= take;
          offset += take;
          if (offset === items.length) {
            release(block++);
            offset = 0;
          }
        }
      }
    }
  } else {
    for (let b = 0; b < users.users.length; b++) {
      const u = users.users[b]!,
        items = itemBlocks[b]!,
        r = ratingBlocks?.[b],
        t = timeBlocks?.[b];
      for (let k = 0; k < u.length; k++) {
        const p = next[u[k]!]!++;
        indices[p] = items[k]!;
        if (r !== undefined) ratings![p] = r[k]!;
        if (t !== undefined) timestamps![p] = t[k]!;
      }
      users.users[b] = new Int32Array(0);
      release(b);
    }
  }
  if (timestamps !== undefined) sortRowsByTime(indptr, indices, ratings, timestamps);

  // Compact in place: the write position never passes the read position. indptr is rewritten in
  // place too, so each row's original end is read before it is replaced.
  const lastRowOfItem = new Int32Array(nItems).fill(-1);
  let kept = 0;
  let rowStart = 0;
  for (let u = 0; u < nUsers; u++) {
    const rowEnd = indptr[u + 1]!;
    for (let k = rowStart; k < rowEnd; k++) {
      const item = indices[k]!;
      if (lastRowOfItem[item] === u) continue;
      lastRowOfItem[item] = u;
      indices[kept] = item;
      if (ratings !== undefined) ratings[kept] = ratings[k]!;
      if (timestamps !== undefined) timestamps[kept] = timestamps[k]!;
      kept++;
    }
    indptr[u + 1] = kept;
    rowStart = rowEnd;
  }
  if (kept < n) {
    indices = indices.slice(0, kept);
    ratings = ratings?.slice(0, kept);
    timestamps = timestamps?.slice(0, kept);
  }
  return {
    indptr,
    indices,
    duplicates: n - kept,
    ...(ratings !== undefined && { ratings }),
    ...(timestamps !== undefined && { timestamps }),
  };
}

/** Within each row, order the entries by timestamp; equal timestamps keep their input order (a stable sort). */
function sortRowsByTime(indptr: Int32Array, items: Int32Array, ratings: Float32Array | undefined, timestamps: Float64Array): void {
  let order = new Int32Array(0);
  let itemCopy = new Int32Array(0);
  let ratingCopy = new Float32Array(0);
  let timeCopy = new Float64Array(0);
  for (let r = 0; r + 1 < indptr.length; r++) {
    const start = indptr[r]!;
    const end = indptr[r + 1]!;
    let sorted = true;
    for (let k = start + 1; k < end && sorted; k++) sorted = timestamps[k - 1]! <= timestamps[k]!;
    if (sorted) continue;
    const length = end - start;
    if (order.length < length) {
      order = new Int32Array(length);
      itemCopy = new Int32Array(length);
      ratingCopy = new Float32Array(ratings === undefined ? 0 : length);
      timeCopy = new Float64Array(length);
    }
    const row = order.subarray(0, length);
    for (let k = 0; k < length; k++) row[k] = start + k;
    row.sort((a, b) => timestamps[a]! - timestamps[b]! || a - b);
    for (let k = 0; k < length; k++) {
      const from = row[k]!;
      itemCopy[k] = items[from]!;
      timeCopy[k] = timestamps[from]!;
      if (ratings !== undefined) ratingCopy[k] = ratings[from]!;
    }
    items.set(itemCopy.subarray(0, length), start);
    timestamps.set(timeCopy.subarray(0, length), start);
    if (ratings !== undefined) ratings.set(ratingCopy.subarray(0, length), start);
  }
}

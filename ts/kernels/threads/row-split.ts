/**
 * Ranges of rows for `parts` threads: contiguous, in order, each a multiple of `align` rows except
 * the last. Kernels that group rows into tiles (3 or 4 users, 4 GEMM rows) form the same groups
 * from an aligned start as from row 0, so every row is computed by the same instructions however
 * many threads share the work: 1, 2 and 4 threads give identical results.
 */
export function splitRows(n: number, parts: number, align: number): Array<[start: number, count: number]> {
  const ranges: Array<[number, number]> = [];
  if (n <= 0 || parts <= 1) return [[0, Math.max(0, n)]];
  const chunk = Math.ceil(n / parts / align) * align;
  for (let start = 0; start < n && ranges.length < parts; start += chunk) ranges.push([start, Math.min(chunk, n - start)]);
  return ranges;
}

/** Rows per aligned range that keep the scoring and GEMM tiles' row groups unchanged (lcm of 3 and 4). */
export const TILE_ROW_ALIGN = 12;

/** Below this much work (multiply-adds or elements) per thread a kernel runs on the calling thread alone: a fork-join costs 2-100 µs. */
export const MIN_PARALLEL_WORK = 1 << 20;

/**
 * Work units per float of a row that a kernel reads at a random place in a table larger than the
 * caches (optimizer steps, gathers): a cache miss costs what tens of multiply-adds do, so such
 * kernels split across threads at far fewer rows than compute-bound ones.
 */
export const RANDOM_ROW_WORK = 48;

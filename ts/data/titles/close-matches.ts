/**
 * Close matches for a name that matched nothing, by character trigrams (each key padded with a
 * space at both ends), which forgive typos, a missing or extra word and word order, and need no
 * threshold tuning per catalog: the best few are shown, whatever they score.
 */

/** The trigrams of a key (as nameKey gives it), padded so that first and last letters count. */
export function trigrams(key: string): Set<string> {
  const padded = ` ${key} `;
  const grams = new Set<string>();
  for (let i = 0; i + 3 <= padded.length; i++) grams.add(padded.slice(i, i + 3));
  return grams;
}

/** 2·|A ∩ B| / (|A| + |B|): 1 for equal sets, 0 for disjoint ones. */
export function trigramSimilarity(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size + b.size === 0) return 0;
  let shared = 0;
  for (const g of a) if (b.has(g)) shared++;
  return (2 * shared) / (a.size + b.size);
}

/** |A ∩ B| / |A|: how much of the query A the name B holds (1 when B contains all of A's trigrams). */
export function trigramCoverage(query: ReadonlySet<string>, name: ReadonlySet<string>): number {
  if (query.size === 0) return 0;
  let shared = 0;
  for (const g of query) if (name.has(g)) shared++;
  return shared / query.size;
}

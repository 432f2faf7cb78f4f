/** Order statistics of benchmark samples (one sample = one timed run, in milliseconds). */
export interface SampleStats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly count: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median of no samples");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function summarize(samples: readonly number[]): SampleStats {
  return { median: median(samples), min: Math.min(...samples), max: Math.max(...samples), count: samples.length };
}

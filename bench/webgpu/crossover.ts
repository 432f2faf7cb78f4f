/**
 * Where WebGPU starts to beat wasm: the smallest catalog size at which the GPU's time is below
 * wasm's, interpolated between the two measured sizes around the change (linear in log size and
 * log time ratio, since both times grow about linearly with the catalog).
 */
export interface SizePoint {
  items: number;
  wasmSeconds: number | null;
  gpuSeconds: number | null;
}

export interface Crossover {
  /** Estimated catalog size where both take the same time; null when one side wins at every size measured. */
  items: number | null;
  /** How the estimate came about, in words. */
  note: string;
}

export function crossover(points: readonly SizePoint[]): Crossover {
  const both = points.filter((p) => p.wasmSeconds !== null && p.gpuSeconds !== null && p.wasmSeconds > 0 && p.gpuSeconds > 0).sort((a, b) => a.items - b.items);
  if (both.length === 0) return { items: null, note: "no size was measured on both backends" };
  const ratio = (p: SizePoint) => Math.log(p.gpuSeconds! / p.wasmSeconds!);
  if (ratio(both[0]) <= 0) return { items: null, note: `WebGPU is faster already at the smallest size measured (${both[0].items} items)` };
  for (let i = 1; i < both.length; i++) {
    const a = both[i - 1],
      b = both[i];
    if (ratio(b) <= 0) {
      const t = ratio(a) / (ratio(a) - ratio(b));
      const items = Math.round(Math.exp(Math.log(a.items) + t * (Math.log(b.items) - Math.log(a.items))));
      return { items, note: `wasm faster at ${a.items} items, WebGPU at ${b.items}; interpolated` };
    }
  }
  return { items: null, note: `wasm is faster at every size measured (up to ${both[both.length - 1].items} items)` };
}

/**
 * A synthetic sequence world with a known answer: every user watches a run of consecutive items
 * s, s+1, s+2, ... (mod m), so the next item after any history is its newest item + 1. Starts are
 * popularity-skewed (low items far more often), so the Most Popular shelf is a poor guess. Items
 * carry genres g0..g3 (item i has genre g(i mod 4)).
 */
import { IdMap } from "../../ts/data/id-map.js";
import { Interactions } from "../../ts/data/interactions.js";
import { Rng } from "../../ts/util/rng.js";

export interface ChainWorld {
  items: IdMap;
  train: Interactions;
  /** Held-out users (other ids), read with the same item ids. */
  heldOut: Interactions;
  genres: Map<string, { title: string; genres: string[] }>;
}

export function chainWorld(options: { nItems?: number; trainUsers?: number; heldOutUsers?: number; length?: number; seed?: number } = {}): ChainWorld {
  const m = options.nItems ?? 40,
    length = options.length ?? 6;
  const rng = new Rng(options.seed ?? 5);
  const items = IdMap.from(Array.from({ length: m }, (_, i) => `i${i}`));
  items.freeze();
  const part = (n: number, prefix: string) => {
    const triples: Array<[string, string, number, number]> = [];
    for (let u = 0; u < n; u++) {
      const s = Math.floor(m * rng.next() ** 2);
      for (let t = 0; t < length; t++) triples.push([`${prefix}${u}`, `i${(s + t) % m}`, 5, 1000 * u + t]);
    }
    return Interactions.fromTriples(triples, { items, name: `${prefix} part` });
  };
  const genres = new Map(Array.from({ length: m }, (_, i) => [`i${i}`, { title: `Item ${i}`, genres: [`g${i % 4}`] }]));
  return { items, train: part(options.trainUsers ?? 300, "u"), heldOut: part(options.heldOutUsers ?? 60, "h"), genres };
}

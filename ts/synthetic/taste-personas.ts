/**
 * Personas of the synthetic world for the report's walls: users whose taste is clear (one favourite
 * genre well ahead of the next), each with a different favourite, so the walls show what a model
 * serves a niche fan and whether the picks truly fit (the ground truth the real personas lack).
 */
import type { SyntheticWorld } from "./world.js";

export interface TastePersona {
  /** User index. */
  user: number;
  /** The favourite genre's index and the user's taste for it and for the runner-up genre. */
  genre: number;
  taste: number;
  runnerUpGenre: number;
  runnerUpTaste: number;
}

/**
 * Up to `count` users with the widest gap between their favourite genre and the next, at most one
 * per favourite genre, widest gap first; only users with at least `minInteractions` logged items
 * (a model knows little of a user with two). Ties go to the lower user index.
 */
export function tastePersonas(
  world: Pick<SyntheticWorld, "userTastes" | "genreNames" | "users">,
  count: number,
  logged: (user: number) => number,
  minInteractions = 10,
): TastePersona[] {
  const g = world.genreNames.length;
  const best = new Map<number, TastePersona>();
  for (let u = 0; u < world.users.length; u++) {
    if (logged(u) < minInteractions || g < 2) continue;
    const taste = world.userTastes.subarray(u * g, u * g + g);
    let first = 0,
      second = 1;
    if (taste[second]! > taste[first]!) [first, second] = [second, first];
    for (let j = 2; j < g; j++) {
      if (taste[j]! > taste[first]!) [first, second] = [j, first];
      else if (taste[j]! > taste[second]!) second = j;
    }
    const candidate = { user: u, genre: first, taste: taste[first]!, runnerUpGenre: second, runnerUpTaste: taste[second]! };
    const held = best.get(first);
    if (!held || gap(candidate) > gap(held)) best.set(first, candidate);
  }
  return [...best.values()].sort((a, b) => gap(b) - gap(a) || a.user - b.user).slice(0, count);
}

function gap(p: TastePersona): number {
  return p.taste - p.runnerUpTaste;
}

import type { Rng } from "../util/rng.js";
import { ADJECTIVES, GENRES, PLACES } from "./vocabulary.js";

/**
 * One title per item, built from the nouns of its genres (primary genre first) so the title
 * hints at what the item is. A title that comes up again gets a sequel number ("… II"), so
 * titles are unique and can label items in a demo without showing ids.
 */
export function generateTitles(rng: Rng, itemGenres: readonly (readonly number[])[]): string[] {
  const pick = <T>(list: readonly T[]): T => list[rng.int(list.length)]!;
  const uses = new Map<string, number>();
  return itemGenres.map((genres) => {
    const primary = pick(GENRES[genres[0]!]!.nouns);
    const secondary = pick(GENRES[genres[genres.length > 1 ? 1 : 0]!]!.nouns);
    let title: string;
    switch (rng.int(5)) {
      case 0:
        title = `The ${pick(ADJECTIVES)} ${primary}`;
        break;
      case 1:
        title = `${primary} of ${pick(PLACES)}`;
        break;
      case 2:
        title = secondary === primary ? `The ${primary} Returns` : `The ${primary} and the ${secondary}`;
        break;
      case 3:
        title = `${pick(ADJECTIVES)} ${primary} in ${pick(PLACES)}`;
        break;
      default:
        title = `${pick(ADJECTIVES)} ${secondary}`;
        break;
    }
    const seen = uses.get(title) ?? 0;
    uses.set(title, seen + 1);
    return seen === 0 ? title : `${title} ${romanNumeral(seen + 1)}`;
  });
}

function romanNumeral(n: number): string {
  const numerals: [number, string][] = [
    [1000, "M"],
    [900, "CM"],
    [500, "D"],
    [400, "CD"],
    [100, "C"],
    [90, "XC"],
    [50, "L"],
    [40, "XL"],
    [10, "X"],
    [9, "IX"],
    [5, "V"],
    [4, "IV"],
    [1, "I"],
  ];
  let out = "";
  for (const [value, symbol] of numerals) {
    while (n >= value) {
      out += symbol;
      n -= value;
    }
  }
  return out;
}

/** Small hand-made data sets for model, evaluation and CLI tests. */
import { IdMap } from "../../ts/data/id-map.js";
import { Interactions } from "../../ts/data/interactions.js";

/** Train and test parts over the same user and item universe (ids "u0".., "i0"..). */
export function tinyParts(
  nUsers: number,
  nItems: number,
  train: ReadonlyArray<[number, number]>,
  test: ReadonlyArray<[number, number]>,
): { train: Interactions; test: Interactions } {
  const users = IdMap.from(Array.from({ length: nUsers }, (_, u) => `u${u}`));
  const items = IdMap.from(Array.from({ length: nItems }, (_, i) => `i${i}`));
  users.freeze();
  items.freeze();
  const part = (pairs: ReadonlyArray<[number, number]>, name: string) =>
    Interactions.fromTriples(
      pairs.map(([u, i]) => [`u${u}`, `i${i}`] as const),
      { users, items, name },
    );
  return { train: part(train, "train"), test: part(test, "test") };
}

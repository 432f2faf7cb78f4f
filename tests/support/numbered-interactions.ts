import { IdMap } from "../../ts/data/id-map.js";
import { InteractionsBuilder, type Interactions } from "../../ts/data/interactions.js";

/** Users u0..u{nUsers-1} and items i0..i{nItems-1} (ids in index order), user u holding the items `row(u)` lists. */
export function numberedInteractions(nUsers: number, nItems: number, row: (u: number) => Iterable<number>): Interactions {
  const users = new IdMap();
  const items = new IdMap();
  for (let u = 0; u < nUsers; u++) users.indexOrAdd(`u${u}`);
  for (let i = 0; i < nItems; i++) items.indexOrAdd(`i${i}`);
  const b = new InteractionsBuilder({ users, items });
  for (let u = 0; u < nUsers; u++) for (const i of row(u)) b.add(`u${u}`, `i${i}`);
  return b.build();
}

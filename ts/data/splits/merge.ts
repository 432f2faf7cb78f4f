import { type Interactions, InteractionsBuilder } from "../interactions.js";

/**
 * One data set from parts that share id maps (a folder's train.txt + valid.txt + test.txt read
 * against one another), to split them anew. A (user, item) pair in several parts is kept once
 * (counted in duplicatesDropped). Ratings and timestamps are kept only when every part has them.
 */
export function mergeParts(parts: readonly Interactions[], name: string): Interactions {
  const first = parts[0];
  if (first === undefined) throw new RangeError("mergeParts: no parts");
  for (const p of parts) {
    if (p.users !== first.users || p.items !== first.items) throw new RangeError(`mergeParts: ${p.name} does not share the id maps of ${first.name}`);
  }
  const withRatings = parts.every((p) => p.ratings !== undefined);
  const withTimestamps = parts.every((p) => p.timestamps !== undefined);
  const builder = new InteractionsBuilder({ users: first.users, items: first.items, name });
  const userIds = first.users.ids();
  const itemIds = first.items.ids();
  for (const p of parts) {
    const { indptr, indices } = p.byUser;
    for (let u = 0; u < p.nUsers; u++) {
      for (let k = indptr[u]!; k < indptr[u + 1]!; k++) {
        builder.add(userIds[u]!, itemIds[indices[k]!]!, withRatings ? p.ratings![k] : undefined, withTimestamps ? p.timestamps![k] : undefined);
      }
    }
  }
  return builder.build();
}

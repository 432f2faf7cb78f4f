import { IdMap } from "../data/id-map.js";
import { InteractionsBuilder, type Interactions } from "../data/interactions.js";
import type { SyntheticWorld } from "./world.js";

/**
 * The world's observed log as {@link Interactions}, with user and item index k of the result equal
 * to index k of the world (so trueRelevance(u, i) applies to the model's indices directly), every
 * user and every item in the maps (also items nobody picked), and timestamps kept.
 */
export function worldToInteractions(world: SyntheticWorld, name = "synthetic world"): Interactions {
  const builder = new InteractionsBuilder({ users: IdMap.from(world.users), items: IdMap.from(world.items), name });
  const { user, item, timestamp } = world.interactions;
  for (let k = 0; k < user.length; k++) {
    builder.add(world.users[user[k]!]!, world.items[item[k]!]!, undefined, timestamp[k]!);
  }
  return builder.build();
}

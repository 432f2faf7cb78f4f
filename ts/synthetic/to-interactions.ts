import { IdMap } from "../data/id-map.js";
import { InteractionsBuilder, type Interactions } from "../data/interactions.js";
import { generateSyntheticWorld, type SyntheticWorld, type SyntheticWorldOptions } from "./world.js";

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

/**
 * The built-in synthetic world's log, for trying longtail with no data files: 2,000 users and
 * 3,000 items by default (ids "u0000", "i0000"), with a long tail of popularity. The same seed
 * gives the same interactions.
 */
export function syntheticInteractions(options: SyntheticWorldOptions = {}): Interactions {
  return worldToInteractions(generateSyntheticWorld(options));
}

import type { Interactions } from "../interactions.js";
import { itemBalancedSplit, type ItemBalancedOptions } from "./item-balanced.js";
import { itemEqualCountSplit, type ItemEqualCountOptions } from "./item-equal-count.js";
import type { SplitParts } from "./parts.js";
import { randomSplit, type RandomSplitOptions } from "./random.js";
import { leaveLastSplit, temporalSplit, type LeaveLastOptions, type TemporalSplitOptions } from "./temporal.js";
import { usersSplit, type UsersSplitOptions } from "./users.js";

export const SPLIT_METHODS = ["random", "temporal", "leave-last", "item-balanced", "item-equal-count", "users"] as const;
export type SplitMethod = (typeof SPLIT_METHODS)[number];

/** A split method with its options, as one value (what the CLI, comparisons and sweeps pass around). */
export type SplitSpec =
  | ({ readonly method: "random" } & RandomSplitOptions)
  | ({ readonly method: "temporal" } & TemporalSplitOptions)
  | ({ readonly method: "leave-last" } & LeaveLastOptions)
  | ({ readonly method: "item-balanced" } & ItemBalancedOptions)
  | ({ readonly method: "item-equal-count" } & ItemEqualCountOptions)
  | ({ readonly method: "users" } & UsersSplitOptions);

/** Split `data` by the method the spec names. */
export function splitInteractions(data: Interactions, spec: SplitSpec): SplitParts {
  switch (spec.method) {
    case "random":
      return randomSplit(data, spec);
    case "temporal":
      return temporalSplit(data, spec);
    case "leave-last":
      return leaveLastSplit(data, spec);
    case "item-balanced":
      return itemBalancedSplit(data, spec);
    case "item-equal-count":
      return itemEqualCountSplit(data, spec);
    case "users":
      return usersSplit(data, spec);
  }
}

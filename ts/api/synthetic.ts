/** longtail/synthetic: a seeded world with known true relevance, for trying longtail without data and for measuring true fit. */
export { generateSyntheticWorld, type SyntheticWorld, type SyntheticWorldOptions } from "../synthetic/world.js";
export { worldToInteractions, syntheticInteractions } from "../synthetic/to-interactions.js";
export { trulyRelevantItems } from "../synthetic/relevant-items.js";
export { measureTrueRelevance, type TrueRelevance, type TrueRelevancePart, type TrueRelevanceOptions } from "../synthetic/true-relevance.js";

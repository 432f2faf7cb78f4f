/** longtail/inverse-retrieval: InvR, the users each item would reach, and slates that give the tail its share. */
export { itemTopUsers, type ItemTopUsers, type ItemTopUsersOptions } from "../invr/item-top-users.js";
export { checkEmbeddings, type ServingEmbeddings, type OwnedServingEmbeddings } from "../invr/embeddings.js";
export { mfServingEmbeddings } from "../invr/mf-embeddings.js";
export { twoTowerServingEmbeddings } from "../invr/two-tower-embeddings.js";
export { selectItems, type ItemSelection } from "../invr/item-selection.js";
export { userCandidates, type UserCandidates } from "../invr/user-candidates.js";
export { assembleSlates, checkSlots, SLATE_ORDERINGS, type SlateOrdering, type SlateOptions, type Slates } from "../invr/slates.js";
export { evaluateInverseRetrieval, DEFAULT_TOP_N, DEFAULT_SLOTS, type InverseRetrievalOptions, type InverseRetrievalRun, type OrderingResult } from "../invr/invr-evaluation.js";
export { InverseRetrievalError } from "../invr/errors.js";

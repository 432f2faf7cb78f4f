/** longtail/inverse-retrieval: InvR, the users each item would reach, and slates that give the tail its share. */
export { itemTopUsers, type ItemTopUsers, type ItemTopUsersOptions } from "../inverse-retrieval/item-top-users.js";
export { checkEmbeddings, type ServingEmbeddings, type OwnedServingEmbeddings } from "../inverse-retrieval/embeddings.js";
export { mfServingEmbeddings } from "../inverse-retrieval/mf-embeddings.js";
export { twoTowerServingEmbeddings } from "../inverse-retrieval/two-tower-embeddings.js";
export { selectItems, type ItemSelection } from "../inverse-retrieval/item-selection.js";
export { userCandidates, type UserCandidates } from "../inverse-retrieval/user-candidates.js";
export { assembleSlates, checkSlots, SLATE_ORDERINGS, type SlateOrdering, type SlateOptions, type Slates } from "../inverse-retrieval/slates.js";
export {
  evaluateInverseRetrieval,
  DEFAULT_TOP_N,
  DEFAULT_SLOTS,
  type InverseRetrievalOptions,
  type InverseRetrievalRun,
  type OrderingResult,
} from "../inverse-retrieval/invr-evaluation.js";
export { InverseRetrievalError } from "../inverse-retrieval/errors.js";

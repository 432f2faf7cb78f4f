/** longtail/splits: every way to cut data into train, validation and test parts, and the data types they work on. */
export { randomHoldout, validationSplit, type HoldoutOptions } from "../data/splits.js";
export { randomSplit, type RandomSplitOptions } from "../data/splits/random.js";
export { temporalSplit, leaveLastSplit, type TemporalSplitOptions, type LeaveLastOptions } from "../data/splits/temporal.js";
export { itemBalancedSplit, type ItemBalancedOptions } from "../data/splits/item-balanced.js";
export { itemEqualCountSplit, type ItemEqualCountOptions } from "../data/splits/item-equal-count.js";
export { usersSplit, type UsersSplitOptions } from "../data/splits/users.js";
export { splitInteractions, SPLIT_METHODS, type SplitMethod, type SplitSpec } from "../data/splits/split-by-method.js";
export { summarizeSplit, formatSplitSummary, type SplitSummary, type PartSummary } from "../data/splits/summary.js";
export { mergeParts } from "../data/splits/merge.js";
export { linesText } from "../data/splits/lines-text.js";
export type { SplitParts } from "../data/splits/parts.js";
export { InteractionsBuilder } from "../data/interactions.js";
export { INTERACTION_FORMATS } from "../data/read.js";
export type { Csr } from "../data/csr.js";

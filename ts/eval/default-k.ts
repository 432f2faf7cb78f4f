/** The cut-off K of top-K lists and their metrics wherever none is given (library, CLI, validation). */
export const DEFAULT_K = 20;

/** longtail/debias: the pieces behind the debiasing options (ReSN, IPS, the gradient-perspective adjustment, re-ranking). */
export { SpectralPenalty } from "../train/resn.js";
export { clippedInversePropensities } from "../train/ips.js";
export { POPULAR_DIRECTION_SOURCES, type PopularDirectionSource } from "../train/config.js";
export { GradientAccumulator, type PopularDirections } from "../train/gradient-accumulator.js";
export { searchPopularityAlphas, PAPER_ALPHA_GRID, type AlphaGridOptions, type AlphaGridResult, type AlphaGridPoint } from "../train/alpha-grid.js";
export { projectPopularity, headRows, headMeanDirections } from "../model/popularity-projection.js";
export { PopularityReranker } from "../model/popularity-rerank.js";

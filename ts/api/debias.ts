/** longtail/debias: the pieces behind the debiasing options (ReSN, IPS, the gradient-perspective adjustment, re-ranking). */
export { SpectralPenalty } from "../mf/resn.js";
export { clippedInversePropensities } from "../train/ips.js";
export { POPULAR_DIRECTION_SOURCES, MF_SERVING_DEFAULTS, type PopularDirectionSource, type MfServing } from "../mf/serving.js";
export { GradientAccumulator, type PopularDirections } from "../mf/gradient-accumulator.js";
export { searchPopularityAlphas, PAPER_ALPHA_GRID, type AlphaGridOptions, type AlphaGridResult, type AlphaGridPoint } from "../mf/alpha-grid.js";
export { projectPopularity, headRows, headMeanDirections } from "../mf/popularity-projection.js";
export { PopularityReranker } from "../model/popularity-rerank.js";

/**
 * What the demo report shows, as plain data: ts/demo/ computes it, ts/report/ renders it. Every
 * section can be absent with the reason said in the report (real data has no ground truth; a
 * section skipped by a flag).
 */
import type { Comparison } from "../experiments/comparison.js";
import type { WallStatistics } from "../eval/wall.js";
import type { SimulationResult } from "../simulation/feedback-loop.js";

/** Either the section's data, or why it is not there. */
export type Section<T> = { data: T } | { skipped: string };

export interface DemoReport {
  /** The page's heading. */
  title: string;
  /** Where the data came from and how it was split, one sentence each. */
  about: readonly string[];
  /** Cut-off K of every top-K list. */
  k: number;
  /** Labels of the plain and the debiased model (the "before" and "after" of the table). */
  plainLabel: string;
  debiasedLabel: string;
  /** Held-out metrics of every model; the first label is the baseline. */
  comparison: Comparison;
  /** The metrics shown in the before/after table, in order (the rest are in the JSON output). */
  tableMetrics: readonly string[];
  trueRelevance: Section<readonly TrueRelevanceRow[]>;
  walls: Section<readonly PersonaWalls[]>;
  alphaSweep: Section<AlphaSweep>;
  /** Whether a serving re-rank of the plain model beats the debiased model on accuracy and served popularity at once. */
  rerankAgainstAlpha: RerankAgainstAlpha;
  /** Exposure of every item over all users' top-K lists, per model. */
  exposure: readonly { label: string; exposure: ArrayLike<number>; gini: number }[];
  popularityGroups: PopularityGroups;
  feedbackLoop: Section<SimulationResult>;
  /** Seconds the run took, for the footer. */
  seconds: number;
}

export interface TrueRelevanceRow {
  label: string;
  /** Share of served slots the user truly likes: over all slots, head slots and tail slots. */
  precision: number;
  head: number;
  tail: number;
  /** Share of slots that hold tail items. */
  tailSlotShare: number;
}

/** One pick on a wall: what the wall view shows. */
export interface ReportPick {
  rank: number;
  title: string;
  genres: readonly string[];
  /** Training interactions of the item. */
  popularity: number;
  /** Ground truth: the user truly likes it (absent without ground truth). */
  fits?: boolean;
}

export interface WallSide {
  label: string;
  picks: readonly ReportPick[];
  statistics: WallStatistics;
}

export interface PersonaWalls {
  persona: string;
  /** Who this is: the watchlist, or the synthetic user's favourite genres. */
  description: string;
  sides: readonly WallSide[];
  /** Said about the watchlist (a title chosen among several matches). */
  notes?: readonly string[];
}

/**
 * The plain model re-ranked at serving on score − β·log(1 + count), for a grid of β, against the
 * debiased model (logit adjustment α): a point beats it when its accuracy is higher and the median
 * popularity of what it serves lower. `beats` is the most accurate such point, or null.
 */
export interface RerankAgainstAlpha {
  alpha: number;
  accuracyMetric: string;
  popularityMetric: string;
  debiased: { accuracy: number; popularity: number };
  points: readonly { beta: number; accuracy: number; popularity: number }[];
  beats: { beta: number; accuracy: number; popularity: number } | null;
}

export interface AlphaSweep {
  /** One point per α: held-out accuracy, served popularity and (synthetic world) true precision. */
  points: readonly { alpha: number; metrics: Record<string, number> }[];
  accuracyMetric: string;
  popularityMetric: string;
  /** Set in the synthetic world: the metric holding true precision. */
  truthMetric?: string;
}

export interface PopularityGroups {
  /** The five groups' names, most popular first. */
  names: readonly string[];
  series: readonly { label: string; slotShare: readonly number[]; recall: readonly number[] }[];
}

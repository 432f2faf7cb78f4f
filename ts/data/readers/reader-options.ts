import { DataError } from "../errors.js";
import type { IdMap } from "../id-map.js";
import { InteractionsBuilder, type InteractionsBuilderOptions, type UnknownIdPolicy } from "../interactions.js";
import type { TextEncoding } from "./text-lines.js";

/** Options every interaction reader takes. */
export interface ReaderOptions {
  /** Source name for messages and the result's `name` (e.g. the file path). */
  readonly name?: string;
  /** Explicit → implicit: keep rows with rating ≥ minRating (skipped rows are counted). Default: keep all. */
  readonly minRating?: number;
  /** Shared user map (a test part read against its train part). */
  readonly users?: IdMap;
  /** Shared item map. */
  readonly items?: IdMap;
  /** An id that a frozen shared map lacks: "error" (default) or "drop" (counted in unknownDropped). */
  readonly onUnknown?: UnknownIdPolicy;
  /** Appended to the unknown-id error, e.g. how to allow them. */
  readonly unknownHint?: string;
  readonly encoding?: TextEncoding;
}

export function builderFor(
  options: ReaderOptions,
  name: string,
  fieldNames: InteractionsBuilderOptions["fieldNames"],
  locate?: InteractionsBuilderOptions["locate"],
): InteractionsBuilder {
  return new InteractionsBuilder({
    ...(locate !== undefined && { locate }),
    name,
    ...(options.users !== undefined && { users: options.users }),
    ...(options.items !== undefined && { items: options.items }),
    ...(options.onUnknown !== undefined && { onUnknown: options.onUnknown }),
    ...(options.unknownHint !== undefined && { unknownHint: options.unknownHint }),
    ...(fieldNames !== undefined && { fieldNames }),
  });
}

/** The minRating option, checked: a programming error (not bad data) when it is not a finite number. */
export function minRatingOf(options: ReaderOptions): number | undefined {
  const { minRating } = options;
  if (minRating !== undefined && !Number.isFinite(minRating)) {
    throw new RangeError(`minRating must be a finite number, got ${minRating}`);
  }
  return minRating;
}

/** Formats without ratings cannot filter on them: say so instead of ignoring the option. */
export function rejectMinRating(options: ReaderOptions, name: string, format: string): void {
  if (options.minRating !== undefined) {
    throw new DataError(
      { file: name },
      `minRating (CLI: --min-rating) needs a rating per row, and the ${format} format has none: leave it out, or read the file in a format with ratings (CLI: --format)`,
    );
  }
}

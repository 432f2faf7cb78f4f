/**
 * `longtail train --validation-data`: a validation part the user gives (for example a part of a
 * randomly exposed test set), read against the training data's id maps so indices agree.
 */
import type { Interactions } from "../data/interactions.js";
import { readInteractions, type InteractionsFormat } from "../data/read.js";
import type { TripleSeparator } from "../data/readers/triples.js";
import { DataError } from "../data/errors.js";
import { fileSource } from "../node/dataset-files.js";

export interface ValidationReadFlags {
  format: InteractionsFormat | "auto";
  /** Roles of a triples file, or column names (see ReadInteractionsOptions.columns). */
  columns?: string[];
  separator?: TripleSeparator;
  minRating?: number;
}

/** The part, and the line that says how it was read (users/items unknown to training are dropped and counted). */
export async function readValidationPart(path: string, train: Interactions, flags: ValidationReadFlags): Promise<{ part: Interactions; describe: string }> {
  const part = await readInteractions(fileSource(path), {
    ...flags,
    fileName: path,
    name: path,
    users: train.users,
    items: train.items,
    onUnknown: "drop",
  });
  if (part.nnz === 0) {
    throw new DataError(
      { file: path },
      "no validation interaction is left: every user or item in it is unknown to the training data (--validation-data must use the training data's ids)",
    );
  }
  return { part, describe: `validation: ${part.describe()}` };
}

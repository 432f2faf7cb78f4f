import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { Interactions } from "../data/interactions.js";
import { readInteractions, type InteractionsFormat } from "../data/read.js";
import type { TripleSeparator } from "../data/readers/triples.js";
import { DataError } from "../data/errors.js";
import type { IdMap } from "../data/id-map.js";
import { fileSource, folderFormat } from "../node/dataset-files.js";
import { NODE_DECOMPRESSORS } from "../node/decompressors.js";

export interface ModelDataOptions {
  format: InteractionsFormat | "auto";
  columns?: string[];
  separator?: TripleSeparator;
  minRating?: number;
  onUnknown: "error" | "drop";
}

/**
 * Read train and test parts against a trained model's id maps, so indices agree with the model.
 * `data` may be a folder holding train.txt (and test.txt, used when `test` is not given).
 */
export async function readPartsForModel(
  model: { readonly users: IdMap; readonly items: IdMap },
  data: string,
  test: string | undefined,
  options: ModelDataOptions,
): Promise<{ train: Interactions; test: Interactions }> {
  let trainPath = data;
  let testPath = test;
  let chosen: { format: InteractionsFormat | "auto"; formatReason?: string } = { format: options.format };
  if (await isDirectory(data)) {
    trainPath = join(data, "train.txt");
    testPath ??= join(data, "test.txt");
    chosen = await folderFormat(trainPath, options.format);
  }
  if (testPath === undefined) {
    throw new DataError({ file: data }, "no test part: pass --test <file>, or --data a folder holding train.txt and test.txt");
  }
  const read = (path: string) =>
    readInteractions(fileSource(path), {
      compressors: NODE_DECOMPRESSORS,
      fileName: path,
      name: path,
      ...chosen,
      ...(options.columns && { columns: options.columns }),
      ...(options.separator && { separator: options.separator }),
      users: model.users,
      items: model.items,
      onUnknown: options.onUnknown,
      unknownHint: "this model was not trained on it; pass --unknown drop to leave such interactions out",
      ...(options.minRating !== undefined && { minRating: options.minRating }),
    });
  return { train: await read(trainPath), test: await read(testPath) };
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

import { readFile } from "node:fs/promises";
import type { Kernels } from "../kernels/kernels.js";
import { MatrixFactorization } from "../mf/matrix-factorization.js";
import { decodeModelFile, encodeModelFile, type ModelFileContents } from "../model/model-file.js";
import { writeFileAtomic } from "../node/atomic-write.js";
import { fileAccessError } from "../node/file-access.js";
import { modelFromContents, type LoadedModel } from "../model/load-history-recommender.js";
import type { FitReport } from "../train/fit-report.js";
import type { AlphaGridResult } from "../mf/alpha-grid.js";

/** Read a model file written by `longtail train`. */
export async function readModel(path: string, kernels: Kernels): Promise<MatrixFactorization> {
  const model = MatrixFactorization.fromModelFile(kernels, await readModelContents(path), path);
  model.users.freeze();
  model.items.freeze();
  return model;
}

/** A model file's decoded contents, whatever its kind. */
export async function readModelContents(path: string): Promise<ModelFileContents> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw fileAccessError(path, "model file", e, ` (write one with "longtail train ... --out ${path}")`);
  }
  return decodeModelFile(bytes, path);
}

/**
 * A training report as a model file keeps it: the losses, epochs and validation results, without
 * the timings (seconds, examples per second). A model file's bytes depend only on the data, the
 * configuration and the seed, so two runs with the same seed write the same file (`cmp` agrees);
 * the timings go to stdout (and to `--json`) instead.
 */
export function reportForModelFile(report: FitReport): Record<string, unknown> {
  const { seconds: _seconds, epochs, ...rest } = report;
  return { ...rest, epochs: epochs.map(({ seconds: _s, examplesPerSecond: _e, ...epoch }) => epoch) };
}

/** The α grid's result as a model file keeps it: everything but the time it took (see {@link reportForModelFile}). */
export function alphaGridForModelFile(grid: AlphaGridResult): Record<string, unknown> {
  const { seconds: _seconds, ...rest } = grid;
  return rest;
}

/** Write a model atomically: an existing file at `path` is replaced only by a complete new one. */
export async function writeModel(
  path: string,
  model: { toModelFile(metadata: Record<string, unknown>): ModelFileContents },
  metadata: Record<string, unknown>,
): Promise<number> {
  const bytes = encodeModelFile(model.toModelFile(metadata), path);
  await writeFileAtomic(path, bytes);
  return bytes.byteLength;
}

/** Read a model file of any kind `longtail train` writes: matrix factorisation or two-tower. */
export async function readAnyModel(path: string, kernels: Kernels): Promise<LoadedModel> {
  const model = modelFromContents(kernels, await readModelContents(path), path);
  model.users.freeze();
  model.items.freeze();
  return model;
}

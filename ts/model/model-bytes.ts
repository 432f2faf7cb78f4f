/**
 * Saving and loading a model in one call each: the bytes of a model file (docs/model-format.md)
 * from a trained model, and the model back from them, with the runtime's kernels loaded when none
 * are given.
 */
import { defaultKernels } from "../kernels/default-kernels.js";
import type { Kernels } from "../kernels/kernels.js";
import { modelFromContents, type LoadedModel } from "./load-history-recommender.js";
import { decodeModelFile, encodeModelFile, type ModelFileContents } from "./model-file.js";

/** The model file's bytes (`metadata`: free-form JSON kept with it, e.g. what it was trained on). */
export function saveModel(model: { toModelFile(metadata?: Record<string, unknown>): ModelFileContents }, metadata: Record<string, unknown> = {}): Uint8Array {
  return encodeModelFile(model.toModelFile(metadata));
}

/** A matrix factorisation or two-tower model from a model file's bytes; a damaged file is a ModelFileError naming `fileName`. */
export async function loadModel(bytes: Uint8Array, options: { kernels?: Kernels; fileName?: string } = {}): Promise<LoadedModel> {
  const fileName = options.fileName ?? "model";
  const contents = decodeModelFile(bytes, fileName);
  return modelFromContents(options.kernels ?? (await defaultKernels()), contents, fileName);
}

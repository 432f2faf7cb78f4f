import { readFile } from "node:fs/promises";
import type { Kernels } from "../engine/kernels.js";
import { MatrixFactorization } from "../model/matrix-factorization.js";
import { decodeModelFile, encodeModelFile, type ModelFileContents } from "../model/model-file.js";
import { writeFileAtomic } from "../node/atomic-write.js";
import { loadModel, type LoadedModel } from "../model/load-history-recommender.js";

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
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === "ENOENT" ? `${path}: no such model file (write one with "longtail train ... --out ${path}")` : `${path}: cannot read the model file (${(e as Error).message})`);
  }
  return decodeModelFile(bytes, path);
}

/** Write a model atomically: an existing file at `path` is replaced only by a complete new one. */
export async function writeModel(path: string, model: { toModelFile(metadata: Record<string, unknown>): ModelFileContents }, metadata: Record<string, unknown>): Promise<number> {
  const bytes = encodeModelFile(model.toModelFile(metadata), path);
  await writeFileAtomic(path, bytes);
  return bytes.byteLength;
}

/** Read a model file of any kind `longtail train` writes: matrix factorisation or two-tower. */
export async function readAnyModel(path: string, kernels: Kernels): Promise<LoadedModel> {
  const model = loadModel(kernels, await readModelContents(path), path);
  model.users.freeze();
  model.items.freeze();
  return model;
}

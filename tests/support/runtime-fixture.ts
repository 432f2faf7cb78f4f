/**
 * The one saved model every runtime test answers from: trained once in Node on
 * examples/data/interactions.csv, written to a temporary folder, with Node's top-k for users whose
 * lists have no near-ties (so every runtime must return the same items in the same order).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readFile } from "node:fs/promises";
import { decodeModelFile, encodeModelFile, fileSource, loadKernels, MatrixFactorization, readInteractions, writeFileAtomic } from "../../ts/node.js";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const TINY_CSV = join(REPO_ROOT, "examples/data/interactions.csv");
export const TOP_K = 10;
/** Scores of neighbouring ranks closer than this would let a last-bit difference reorder a list. */
const MIN_GAP = 1e-5;

export interface RuntimeFixture {
  readonly dir: string;
  readonly modelPath: string;
  readonly users: string[];
  /** Node's top-K item ids per user, from the saved file loaded back. */
  readonly expected: Record<string, string[]>;
}

/** Write the model and Node's answers (also as expected.json, for the Deno test). */
export async function createRuntimeFixture(): Promise<RuntimeFixture> {
  const dir = mkdtempSync(join(tmpdir(), "longtail-runtimes-"));
  const modelPath = join(dir, "model.ltm");
  const kernels = await loadKernels();
  const data = await readInteractions(fileSource(TINY_CSV), { fileName: TINY_CSV });
  const trained = new MatrixFactorization(kernels, { loss: "softmax", dim: 16, epochs: 10, seed: 42 });
  await trained.fit(data);
  await writeFileAtomic(modelPath, encodeModelFile(trained.toModelFile()));
  trained.dispose();
  const model = MatrixFactorization.fromModelFile(kernels, decodeModelFile(await readFile(modelPath), modelPath), modelPath);
  const expected: Record<string, string[]> = {};
  for (const user of model.users.ids()) {
    const { items, scores } = model.recommend(user, TOP_K + 1);
    let gap = Infinity;
    for (let r = 1; r < scores.length; r++) gap = Math.min(gap, scores[r - 1] - scores[r]);
    if (gap >= MIN_GAP) expected[user] = items.slice(0, TOP_K);
    if (Object.keys(expected).length === 12) break;
  }
  model.dispose();
  const users = Object.keys(expected);
  if (users.length < 12) throw new Error(`only ${users.length} users of the fixture have top-${TOP_K + 1} lists without near-ties`);
  await writeFileAtomic(join(dir, "expected.json"), JSON.stringify({ k: TOP_K, users, expected }));
  return { dir, modelPath, users, expected };
}

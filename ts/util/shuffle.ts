import type { Rng } from "./rng.js";

/** A random permutation of 0..n-1 from the training generator. */
export function shuffledRange(n: number, rng: Rng): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return rng.shuffle(a);
}

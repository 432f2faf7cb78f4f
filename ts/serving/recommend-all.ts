import { checkTopKRequest, type TopKBackend, type UserBlockTopK } from "./top-k-provider.js";

export interface RecommendAllOptions {
  /** List length (default 10). */
  k?: number;
  /** Users to serve (indices into the provider's tables; default every user). */
  users?: Int32Array;
  /** Users handed to the provider per call (default 4096); progress is reported after each. */
  usersPerCall?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface AllRecommendations {
  k: number;
  users: Int32Array;
  /** users.length × k item indices, best first (-1 pads a row with fewer candidates). */
  indices: Int32Array;
  scores: Float32Array;
  /** The backend that answered the last call (an `auto` provider may have fallen back to wasm on the way). */
  backend: TopKBackend;
}

/** The top-k of every user (or the given ones) from a top-k provider, block by block. */
export async function recommendAllUsers(provider: UserBlockTopK, options: RecommendAllOptions = {}): Promise<AllRecommendations> {
  const k = options.k ?? 10;
  const users = options.users ?? Int32Array.from({ length: provider.nUsers }, (_, u) => u);
  checkTopKRequest(users, k, provider.nUsers);
  const step = options.usersPerCall ?? 4096;
  if (!Number.isInteger(step) || step <= 0) throw new RangeError(`usersPerCall must be a positive integer, got ${step}`);
  const indices = new Int32Array(users.length * k);
  const scores = new Float32Array(users.length * k);
  let backend = provider.backend;
  for (let start = 0; start < users.length; start += step) {
    const block = users.subarray(start, Math.min(users.length, start + step));
    const lists = await provider.topK(block, k);
    indices.set(lists.indices, start * k);
    scores.set(lists.scores, start * k);
    backend = provider.backend;
    options.onProgress?.(start + block.length, users.length);
  }
  return { k, users, indices, scores, backend };
}

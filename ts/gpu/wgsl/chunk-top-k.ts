/**
 * WGSL: per-user top-k of one chunk of candidates, on the GPU. A workgroup takes one user's chunk
 * of `chunk` entries (a power of two) into workgroup memory, sorts it best first with a bitonic
 * network (the tfjs top-k approach) and writes the chunk's first k. Two entry points share the sort:
 *
 * - `top_k_of_scores` reads a window of raw scores (the item index is implicit), drops the user's
 *   training items (a CSR of the block's exclusions) and scores that are NaN;
 * - `top_k_of_candidates` reads earlier (score, item) candidates, so repeated passes merge
 *   chunks × k candidates down to k without ever reading scores back to the host.
 *
 * Order: higher score first, ties towards the lower item index (as the wasm top-k kernel). A
 * score of -Infinity or NaN, an excluded item and padding are never results: such an entry is written
 * with item -1 (the host reads its score as -Infinity).
 */
export const TOP_K_WORKGROUP = 128;

/** Which entries a top-k pass reads: raw scores of a window, or earlier passes' candidates. */
export type TopKInput = "scores" | "candidates";

export function chunkTopKWgsl(chunk: number, input: TopKInput): string {
  if (!(chunk >= 2 && (chunk & (chunk - 1)) === 0)) throw new RangeError(`the top-k chunk must be a power of two >= 2, got ${chunk}`);
  return /* wgsl */ `
struct Candidate {
  score: f32,
  item: i32,
}
struct Pass {
  // Entries per user to read (a window's items, or candidates) and their row stride.
  count: u32,
  inStride: u32,
  // Item index of entry 0 (top_k_of_scores), and where this pass writes: per user at
  // outOffset + chunk * k within rows of outStride.
  itemBase: u32,
  outStride: u32,
  outOffset: u32,
  k: u32,
}

@group(0) @binding(0) var<uniform> pass_: Pass;
@group(0) @binding(1) var<storage, read_write> outCandidates: array<Candidate>;
${input === "scores" ? SCORE_INPUT : CANDIDATE_INPUT}
const CHUNK = ${chunk}u;
const WORKGROUP = ${TOP_K_WORKGROUP}u;
const NO_ITEM = 0x7fffffff;

var<workgroup> entries: array<Candidate, CHUNK>;

// Empty entries carry NO_ITEM (which sorts them last) and the lowest finite score: an infinite
// constant is not representable in WGSL constant expressions.
const LOWEST = -0x1.fffffep+127f;

// NaN or -Infinity: never a result.
fn isDropped(x: f32) -> bool {
  let bits = bitcast<u32>(x);
  return (bits & 0x7fffffffu) > 0x7f800000u || bits == 0xff800000u;
}

fn noCandidate() -> Candidate {
  return Candidate(LOWEST, NO_ITEM);
}

// a before b in the result order.
fn better(a: Candidate, b: Candidate) -> bool {
  return a.score > b.score || (a.score == b.score && a.item < b.item);
}

fn sortBestFirst(lid: u32) {
  for (var size = 2u; size <= CHUNK; size <<= 1u) {
    for (var stride = size >> 1u; stride > 0u; stride >>= 1u) {
      for (var t = lid; t < CHUNK / 2u; t += WORKGROUP) {
        let i = 2u * stride * (t / stride) + (t % stride);
        let j = i + stride;
        let a = entries[i];
        let b = entries[j];
        // Runs alternate direction so that each pair of runs forms a bitonic sequence.
        let bestFirst = (i & size) == 0u;
        if (bestFirst == better(b, a)) {
          entries[i] = b;
          entries[j] = a;
        }
      }
      workgroupBarrier();
    }
  }
}

fn writeTop(lid: u32, user: u32, chunkIndex: u32) {
  let k = min(pass_.k, CHUNK);
  let base = user * pass_.outStride + pass_.outOffset + chunkIndex * pass_.k;
  for (var t = lid; t < pass_.k; t += WORKGROUP) {
    var c = noCandidate();
    if (t < k) {
      c = entries[t];
    }
    if (c.item == NO_ITEM) {
      c.item = -1;
    }
    outCandidates[base + t] = c;
  }
}

${input === "scores" ? TOP_K_OF_SCORES : TOP_K_OF_CANDIDATES}
`;
}

const SCORE_INPUT = /* wgsl */ `
@group(0) @binding(2) var<storage, read> scores: array<f32>;
@group(0) @binding(3) var<storage, read> exclusions: array<i32>;
`;

const CANDIDATE_INPUT = /* wgsl */ `
@group(0) @binding(2) var<storage, read> inCandidates: array<Candidate>;
`;

const TOP_K_OF_SCORES = /* wgsl */ `
@compute @workgroup_size(WORKGROUP, 1, 1)
fn top_k_of_scores(@builtin(local_invocation_id) lid3: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let lid = lid3.x;
  let user = wid.y;
  let chunkStart = wid.x * CHUNK;
  for (var t = lid; t < CHUNK; t += WORKGROUP) {
    var c = noCandidate();
    if (chunkStart + t < pass_.count) {
      let s = scores[user * pass_.inStride + chunkStart + t];
      if (!isDropped(s)) {
        c = Candidate(s, i32(pass_.itemBase + chunkStart + t));
      }
    }
    entries[t] = c;
  }
  workgroupBarrier();
  // The block's exclusions: offsets for users 0..n at the front, then the item indices.
  let lo = exclusions[user];
  let hi = exclusions[user + 1u];
  for (var e = lo + i32(lid); e < hi; e += i32(WORKGROUP)) {
    let slot = exclusions[e] - i32(pass_.itemBase + chunkStart);
    if (slot >= 0 && slot < i32(CHUNK)) {
      entries[slot] = noCandidate();
    }
  }
  workgroupBarrier();
  sortBestFirst(lid);
  writeTop(lid, user, wid.x);
}

`;

const TOP_K_OF_CANDIDATES = /* wgsl */ `
@compute @workgroup_size(WORKGROUP, 1, 1)
fn top_k_of_candidates(@builtin(local_invocation_id) lid3: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let lid = lid3.x;
  let user = wid.y;
  let chunkStart = wid.x * CHUNK;
  for (var t = lid; t < CHUNK; t += WORKGROUP) {
    var c = noCandidate();
    if (chunkStart + t < pass_.count) {
      c = inCandidates[user * pass_.inStride + chunkStart + t];
      if (c.item < 0) {
        c = noCandidate();
      }
    }
    entries[t] = c;
  }
  workgroupBarrier();
  sortBestFirst(lid);
  writeTop(lid, user, wid.x);
}
`;

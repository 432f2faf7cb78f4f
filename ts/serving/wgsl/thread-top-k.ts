/**
 * WGSL: per-user partial top-k on the GPU without reading scores back. Thread t of a user's row
 * takes entries t, t + T, t + 2T, ... (T threads per user, so neighbouring threads read
 * neighbouring addresses) and keeps its k best in a sorted private list: after the first k, an
 * entry costs one comparison with the list's last, and only the rare better one is inserted. Each
 * thread writes its k candidates; passes over those candidates (the same code reading (score, item)
 * pairs) merge T × k of them down to k per user. No workgroup barriers, no shared memory: on a GPU
 * the score reads are coalesced, and on software adapters (where barriers cost most) it is the
 * fastest of the layouts tried (a bitonic sort in workgroup memory was 5-10x slower on lavapipe).
 *
 * Order: higher score first, ties towards the lower item index (as the wasm top-k kernel). NaN,
 * -Infinity (what exclusion writes) and padding are never results: such slots are written with
 * item -1 (the host reads their score as -Infinity).
 */
export const TOP_K_WORKGROUP = 64;

/** Which entries a pass reads: raw scores of a window (item = itemBase + position), or earlier candidates. */
export type TopKInput = "scores" | "candidates";

/** The largest k one list holds: the private list's length is the next power of two from 16 to this. */
export const MAX_GPU_K = 256;

export function listCapacity(k: number): number {
  let cap = 16;
  while (cap < k) cap *= 2;
  if (cap > MAX_GPU_K) throw new RangeError(`the WebGPU top-k keeps at most ${MAX_GPU_K} items per list, got k = ${k}`);
  return cap;
}

export function threadTopKWgsl(capacity: number, input: TopKInput): string {
  return /* wgsl */ `
struct Candidate {
  score: f32,
  item: i32,
}
struct Pass {
  // Entries per user to read and their row stride; the item index of entry 0 (scores input).
  count: u32,
  inStride: u32,
  itemBase: u32,
  // Threads per user (T), and where thread t writes its k: outOffset + t * k in rows of outStride.
  threads: u32,
  outStride: u32,
  outOffset: u32,
  k: u32,
}

@group(0) @binding(0) var<uniform> pass_: Pass;
@group(0) @binding(1) var<storage, read_write> outCandidates: array<Candidate>;
${input === "scores" ? "@group(0) @binding(2) var<storage, read> scores: array<f32>;" : "@group(0) @binding(2) var<storage, read> inCandidates: array<Candidate>;"}

const CAPACITY = ${capacity}u;
const NO_ITEM = 0x7fffffff;

// a before b in the result order.
fn better(a: Candidate, b: Candidate) -> bool {
  return a.score > b.score || (a.score == b.score && a.item < b.item);
}

// NaN or -Infinity.
fn isDropped(x: f32) -> bool {
  let bits = bitcast<u32>(x);
  return (bits & 0x7fffffffu) > 0x7f800000u || bits == 0xff800000u;
}

fn entry(user: u32, j: u32) -> Candidate {
${
  input === "scores"
    ? `  let s = scores[user * pass_.inStride + j];
  if (isDropped(s)) {
    return Candidate(0.0, NO_ITEM);
  }
  return Candidate(s, i32(pass_.itemBase + j));`
    : `  let c = inCandidates[user * pass_.inStride + j];
  if (c.item < 0) {
    return Candidate(0.0, NO_ITEM);
  }
  return c;`
}
}

@compute @workgroup_size(${TOP_K_WORKGROUP}, 1, 1)
fn top_k(@builtin(global_invocation_id) gid: vec3<u32>) {
  let thread = gid.x;
  let user = gid.y;
  if (thread >= pass_.threads) {
    return;
  }
  let k = pass_.k;
  // Two plain arrays rather than one array of structs: wgpu's OpenGL backend zeroed struct elements
  // copied inside the insertion loop.
  var listScores: array<f32, CAPACITY>;
  var listItems: array<i32, CAPACITY>;
  var filled = 0u;
  for (var j = thread; j < pass_.count; j += pass_.threads) {
    let c = entry(user, j);
    if (c.item != NO_ITEM && (filled < k || better(c, Candidate(listScores[k - 1u], listItems[k - 1u])))) {
      // Insertion into the sorted list; when full, the last one drops out.
      var p = min(filled, k - 1u);
      while (p > 0u && better(c, Candidate(listScores[p - 1u], listItems[p - 1u]))) {
        listScores[p] = listScores[p - 1u];
        listItems[p] = listItems[p - 1u];
        p--;
      }
      listScores[p] = c.score;
      listItems[p] = c.item;
      filled = min(filled + 1u, k);
    }
  }
  let base = user * pass_.outStride + pass_.outOffset + thread * k;
  for (var t = 0u; t < k; t++) {
    var c = Candidate(0.0, -1);
    if (t < filled) {
      c = Candidate(listScores[t], listItems[t]);
    }
    outCandidates[base + t] = c;
  }
}
`;
}

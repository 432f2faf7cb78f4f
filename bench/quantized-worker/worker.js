// The quantized-serving bench's Worker: an int8 item table (or, for comparison, the packed float
// table) read from R2 piece by piece with range requests, so the whole table is never in
// JavaScript memory at once; one user's top-k per recommend, `repeat` times in one request so
// that the request's fixed cost divides out.
import { loadKernels } from "longtail";
import { QuantizedItemTable } from "longtail/serving";

/** Items per range request (a multiple of 8 and of 12, the packed layouts' panel widths): 768 KiB of codes at d = 64. */
const PIECE = 12288;

let statePromise;

async function bytes(env, key, range) {
  const object = await env.TABLES.get(key, range ? { range } : undefined);
  if (!object) throw new Error(`the R2 bucket TABLES has no object "${key}"`);
  return object.arrayBuffer();
}

/**
 * The float baseline: the packed float table alone (what the fused top-k kernel reads), packed
 * piece by piece from the rows (a piece that starts on a panel boundary packs to its place).
 */
async function loadFloat(env, kernels, nItems, dim) {
  const e = kernels.wasm;
  // The piece first: allocated after the table it would find no room and double wasm memory.
  const piece = e.f32(PIECE * dim);
  const packed = e.f32(kernels.packedItemsLength(nItems, dim));
  try {
    for (let first = 0; first < nItems; first += PIECE) {
      const n = Math.min(PIECE, nItems - first);
      piece.view.set(new Float32Array(await bytes(env, "rows", { offset: first * dim * 4, length: n * dim * 4 })));
      kernels.x.pack_items(piece.ptr, n, dim, packed.ptr + first * dim * 4);
    }
  } finally {
    piece.free();
  }
  return packed;
}

async function load(env) {
  const meta = JSON.parse(new TextDecoder().decode(await bytes(env, "meta.json")));
  const { nItems, dim, mode } = meta;
  const kernels = await loadKernels();
  const base = { kernels, dim, nItems, seenPerUser: meta.seenPerUser, nUsers: meta.nUsers };
  const users = new Float32Array(await bytes(env, "users"));
  const seen = new Int32Array(await bytes(env, "seen"));
  if (mode === "float") return { ...base, users, seen, packed: await loadFloat(env, kernels, nItems, dim) };
  const exact = mode === "int8+exact";
  const table = QuantizedItemTable.create(kernels, nItems, dim, { exactRows: exact });
  for (let first = 0; first < nItems; first += PIECE) {
    const n = Math.min(PIECE, nItems - first);
    const [codes, scales, rows] = await Promise.all([
      bytes(env, "codes", { offset: first * dim, length: n * dim }),
      bytes(env, "scales", { offset: first * 4, length: n * 4 }),
      exact ? bytes(env, "rows", { offset: first * dim * 4, length: n * dim * 4 }) : undefined,
    ]);
    table.setCodes(first, { codes: new Int8Array(codes), scales: new Float32Array(scales), rows: rows && new Float32Array(rows) });
  }
  return { ...base, users, seen, table };
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/noop") return new Response("ok");
    statePromise ??= load(env);
    const s = await statePromise;
    const e = s.kernels.wasm;
    if (url.pathname === "/memory") {
      const tableBytes = s.table ? s.table.memory().totalBytes : s.packed.length * 4;
      return Response.json({ tableBytes, wasmBytes: e.memory.buffer.byteLength, variant: e.variant });
    }
    const u = Number(url.searchParams.get("user") ?? "0") % s.nUsers;
    const k = Number(url.searchParams.get("k") ?? "20");
    const repeat = Number(url.searchParams.get("repeat") ?? "1");
    const d = s.dim;
    const row = e.f32(d),
      idx = e.i32(k),
      sc = e.f32(k),
      offsets = e.i32From([0, s.seenPerUser]),
      indices = e.i32From(s.seen.subarray(u * s.seenPerUser, (u + 1) * s.seenPerUser));
    try {
      row.view.set(s.users.subarray(u * d, (u + 1) * d));
      const excl = { offsets, indices };
      for (let r = 0; r < repeat; r++) {
        if (s.table) s.table.topK(row, 1, k, excl, idx, sc);
        else s.kernels.scoreTopK(row, 1, d, s.packed, s.nItems, null, k, excl, idx, sc);
      }
      return Response.json({ items: Array.from(idx.view), scores: Array.from(sc.view) });
    } finally {
      for (const a of [row, idx, sc, offsets, indices]) a.free();
    }
  },
};

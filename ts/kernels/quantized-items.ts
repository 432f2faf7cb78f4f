/**
 * An int8 item table for large catalogs (issue 16, docs/scale.md "Large catalogs: int8 items"):
 * every item stored as 7-bit codes and one scale, a quarter of the float table's bytes. A top-k
 * request scores the users against the codes (assembly/quantized.ts), keeps each user's best
 * R = refineFactor·k candidates, re-scores those exactly against the float rows and returns the
 * exact top-k among them: the exact list whenever the true top-k is among the R candidates, which
 * on the tables measured in docs/scale.md it always was from R = 2k on.
 */
import type { Kernels } from "./kernels.js";
import { formatBytes, SizeLimitError, WASM_BUFFER_LIMIT_BYTES, WASM_MEMORY_LIMIT_BYTES } from "./memory-limits.js";
import { TILE_ROW_ALIGN } from "./threads/row-split.js";
import { freeAll, type WasmF32Array, type WasmI32Array } from "./wasm-instance.js";

/** Largest code magnitude: codes are 7-bit, in [-63, 63] (assembly/quantized.ts says why not 127). */
export const QUANTIZED_CODE_LIMIT = 63;
/** Candidates re-scored exactly per user, as a multiple of k (LanceDB calls it the refine factor). */
export const DEFAULT_REFINE_FACTOR = 4;

/** A quantized table as stored or exported: item i ≈ scales[i] · codes[i·dim .. i·dim+dim). */
export interface QuantizedCodes {
  readonly nItems: number;
  readonly dim: number;
  /** nItems × dim codes in [-63, 63], row-major. */
  readonly codes: Int8Array;
  /** One scale per item, max_k |x_ik| / 63 (0 for an all-zero item). */
  readonly scales: Float32Array;
}

/**
 * Where the exact pass reads a candidate's float row: "copy" (default) keeps a copy in wasm
 * memory, "shared" reads the WasmF32Array given to fromItems (no copy; it must outlive the table),
 * "none" keeps no float rows: topK then returns the top-k by candidate score, approximate.
 */
export type ExactRows = "copy" | "shared" | "none";

export interface QuantizeOptions {
  exactRows?: ExactRows;
  /** Items per chunk of wasm memory, a multiple of 512 (default: chunks of just under 1 GiB of float rows, the allocator's largest block). */
  chunkItems?: number;
}

export interface QuantizedTopKOptions {
  /** R = refineFactor·k candidates per user are re-scored exactly (default 4; at least 1). */
  refineFactor?: number;
  /** Adds scale·values[i] to every candidate and exact score (the popularity penalty's log counts). */
  colBias?: { values: WasmF32Array; scale: number } | null;
}

/** Bytes a table holds in wasm memory. */
export interface QuantizedTableMemory {
  /** The packed codes (dimensions padded to a multiple of 8, items to whole panels of 8). */
  codeBytes: number;
  /** Per-item scales and code sums, and the chunk directories. */
  sideBytes: number;
  /** The float rows of the exact pass (0 when shared with their owner or not kept). */
  rowBytes: number;
  totalBytes: number;
}

/** Users whose candidates are held at once (the candidate buffers are users × R). */
const USERS_PER_PASS = 4096;
/**
 * Float rows per chunk: at most this many bytes, under the allocator's 1 GiB block (the codes of a
 * chunk take a quarter of that). Few large chunks: each block after the first can double wasm
 * memory (see reserve).
 */
const CHUNK_BYTES = 2 ** 30 - 2 ** 20;
/**
 * Items quantized or packed per kernel call (a multiple of 8): the working buffers hold one piece
 * (see takeStaging), and V8, which cannot move a running call to optimised code, swaps it in
 * between calls.
 */
const CALL_ITEMS = 1 << 15;

/** Int8 codes of a catalog in wasm memory, with the exact pass's float rows; free() (or `using`) releases them. */
export class QuantizedItemTable {
  readonly nItems: number;
  readonly dim: number;
  /** Items per chunk (a multiple of 512). */
  readonly chunkItems: number;
  private readonly kernels: Kernels;
  private readonly panelBytes: number;
  private packed: WasmI32Array[] = [];
  private rows: WasmF32Array[] = [];
  private sharedRows: WasmF32Array | null = null;
  private directory: WasmI32Array | null = null;
  private rowsDirectory: WasmI32Array | null = null;
  /** The per-item scales (f32) then sums (i32), padded to whole panels: one block (see reserve). */
  private side: WasmI32Array | null = null;
  /** Piece-sized working buffers while the table is being filled (the codes' staging first). */
  private working: Array<WasmF32Array | WasmI32Array> = [];
  /** Items given to setCodes so far: when they cover the table, the staging goes. */
  private itemsSet = 0;
  private freed = false;

  private constructor(kernels: Kernels, nItems: number, dim: number, chunkItems: number | undefined) {
    if (!(Number.isInteger(nItems) && nItems >= 0)) throw new RangeError(`quantized item table: nItems must be a non-negative integer, got ${nItems}`);
    if (!(Number.isInteger(dim) && dim >= 1)) throw new RangeError(`quantized item table: dim must be a positive integer, got ${dim}`);
    const block = kernels.x.quantized_block_items();
    const chunk = chunkItems ?? Math.max(block, Math.floor(CHUNK_BYTES / (dim * 4) / block) * block);
    if (!(Number.isInteger(chunk) && chunk > 0 && chunk % block === 0)) {
      throw new RangeError(`quantized item table: chunkItems must be a positive multiple of ${block}, got ${chunkItems}`);
    }
    this.kernels = kernels;
    this.nItems = nItems;
    this.dim = dim;
    this.chunkItems = chunk;
    this.panelBytes = kernels.x.quantized_panel_bytes(dim);
  }

  /**
   * Quantizes nItems × dim float rows (row-major; finite) per item. `items` in wasm memory may be
   * shared with the table as its exact rows (`exactRows: "shared"`); a Float32Array is copied in.
   */
  static fromItems(kernels: Kernels, items: Float32Array | WasmF32Array, nItems: number, dim: number, options: QuantizeOptions = {}): QuantizedItemTable {
    const exact = options.exactRows ?? "copy";
    if (!["copy", "shared", "none"].includes(exact)) throw new RangeError(`exactRows must be "copy", "shared" or "none", got "${exact}"`);
    const inWasm = !(items instanceof Float32Array);
    if (exact === "shared" && !inWasm) throw new RangeError(`exactRows "shared" needs the items in wasm memory (a WasmF32Array), not a Float32Array`);
    const table = new QuantizedItemTable(kernels, nItems, dim, options.chunkItems);
    if (items.length < nItems * dim) throw new RangeError(`quantized item table: items holds ${items.length} floats, expected ${nItems} × ${dim}`);
    checkFinite(inWasm ? (items as WasmF32Array).view : (items as Float32Array), nItems, dim);
    const e = kernels.wasm,
      d = dim;
    try {
      // Piece-sized working buffers, taken before the table's blocks (see takeStaging).
      table.takeStaging();
      const floats = !inWasm && exact !== "copy" ? e.f32(Math.min(nItems, CALL_ITEMS) * d) : null;
      if (floats) table.working.push(floats);
      table.reserve(exact === "copy");
      const codesPtr = table.working[0].ptr;
      table.forPieces(0, nItems, (c, inChunk, at, n) => {
        // The piece's floats: read in place, or first copied to its exact rows or to the staging piece.
        const piece = inWasm ? (items as WasmF32Array).view.subarray(at * d, (at + n) * d) : (items as Float32Array).subarray(at * d, (at + n) * d);
        let src: number;
        if (exact === "copy") {
          table.rows[c].view.set(piece, inChunk * d);
          src = table.rows[c].ptr + inChunk * d * 4;
        } else if (floats) {
          floats.view.set(piece);
          src = floats.ptr;
        } else {
          src = (items as WasmF32Array).ptr + at * d * 4;
        }
        const scalesPtr = table.side!.ptr + at * 4;
        kernels.rows("quantize_rows", n, 1, d * 4, (start, rows) => [src + start * d * 4, rows, d, codesPtr + start * d, scalesPtr + start * 4]);
        table.packPiece(c, codesPtr, inChunk, n);
      });
      table.releaseStaging();
      if (exact === "shared") table.shareRows(items as WasmF32Array);
    } catch (error) {
      table.free();
      throw error;
    }
    return table;
  }

  /**
   * A table from stored codes (e.g. a model file's): codes within ±63 and finite non-negative
   * scales, checked; `rows` (nItems × dim floats), when given, are copied in for the exact pass.
   */
  static fromCodes(kernels: Kernels, stored: QuantizedCodes, options: { rows?: Float32Array; chunkItems?: number; what?: string } = {}): QuantizedItemTable {
    const what = options.what ?? "quantized item table";
    const { nItems, dim, codes, scales } = stored;
    if (codes.length !== nItems * dim) throw new RangeError(`${what}: codes holds ${codes.length} values, expected ${nItems} × ${dim}`);
    const table = QuantizedItemTable.create(kernels, nItems, dim, { exactRows: options.rows !== undefined, chunkItems: options.chunkItems });
    try {
      table.setCodes(0, { codes, scales, rows: options.rows }, what);
    } catch (error) {
      table.free();
      throw error;
    }
    return table;
  }

  /**
   * An empty table (every code and scale 0) whose ranges are then filled by setCodes: a catalog
   * read piece by piece (HTTP range requests, an R2 object in parts) never needs its whole code
   * table in JavaScript memory at once. `exactRows`: keep float rows for the exact pass, set with
   * the codes. All memory is reserved here, so a catalog too large fails before any download.
   */
  static create(kernels: Kernels, nItems: number, dim: number, options: { exactRows?: boolean; chunkItems?: number } = {}): QuantizedItemTable {
    const table = new QuantizedItemTable(kernels, nItems, dim, options.chunkItems);
    try {
      table.takeStaging();
      table.reserve(options.exactRows === true);
      for (const a of [...table.packed, ...table.rows, table.side!]) a.view.fill(0);
    } catch (error) {
      table.free();
      throw error;
    }
    return table;
  }

  /**
   * Sets items first .. first+n−1 (n = part.scales.length) from their codes (n × dim, row-major,
   * within ±63), scales (finite, ≥ 0) and, when the table keeps float rows, their rows (n × dim).
   * A range starts at a multiple of 8 items and holds a multiple of 8 unless it ends the catalog.
   */
  setCodes(first: number, part: { codes: Int8Array; scales: Float32Array; rows?: Float32Array }, what = "quantized item table"): void {
    this.check();
    const { nItems, dim } = this;
    const n = part.scales.length;
    if (!(Number.isInteger(first) && first >= 0 && first + n <= nItems))
      throw new RangeError(`${what}: items ${first} .. ${first + n - 1} are outside the table's ${nItems} items`);
    if (first % 8 !== 0 || (n % 8 !== 0 && first + n !== nItems)) {
      throw new RangeError(
        `${what}: a range of codes starts at a multiple of 8 items and holds a multiple of 8 unless it ends the catalog (got ${n} items from ${first})`,
      );
    }
    if (part.codes.length !== n * dim) throw new RangeError(`${what}: codes holds ${part.codes.length} values, expected ${n} × ${dim}`);
    const ownRows = this.rows.length > 0;
    if (ownRows !== (part.rows !== undefined)) {
      throw new RangeError(
        ownRows
          ? `${what}: this table keeps float rows for the exact pass: give rows with the codes`
          : `${what}: this table keeps no float rows, yet rows were given`,
      );
    }
    for (let i = 0; i < n; i++) {
      const scale = part.scales[i];
      if (!(Number.isFinite(scale) && scale >= 0))
        throw new RangeError(`${what}: item ${first + i} has scale ${scale}; scales must be finite and non-negative`);
    }
    if (part.rows) {
      if (part.rows.length !== n * dim) throw new RangeError(`${what}: rows holds ${part.rows.length} floats, expected ${n} × ${dim}`);
      checkFinite(part.rows, n, dim, first);
    }
    const e = this.kernels.wasm;
    const staging = this.working[0] ?? e.i32(Math.ceil((Math.min(n, CALL_ITEMS) * dim) / 4));
    try {
      const stagingPtr = staging.ptr;
      this.scalesView().set(part.scales, first);
      this.forPieces(first, n, (c, inChunk, at, count) => {
        new Int8Array(e.memory.buffer, stagingPtr, count * dim).set(part.codes.subarray((at - first) * dim, (at - first + count) * dim));
        const bad = this.packPiece(c, stagingPtr, inChunk, count);
        if (bad >= 0) {
          const row = part.codes.subarray((at - first + bad) * dim, (at - first + bad + 1) * dim);
          const k = row.findIndex((v) => v < -QUANTIZED_CODE_LIMIT || v > QUANTIZED_CODE_LIMIT);
          throw new RangeError(`${what}: item ${at + bad} has code ${row[k]} at dimension ${k}; codes must lie in [-63, 63]`);
        }
        if (part.rows) this.rows[c].view.set(part.rows.subarray((at - first) * dim, (at - first + count) * dim), inChunk * dim);
      });
    } finally {
      if (staging !== this.working[0]) staging.free();
    }
    this.itemsSet += n;
    if (this.itemsSet >= nItems) this.releaseStaging();
  }

  /** Whether topK re-scores its candidates exactly (the table has float rows). */
  get hasExactRows(): boolean {
    return this.sharedRows !== null || this.rows.length > 0;
  }

  /** The codes and scales, row-major (what a model file or an export stores). */
  toCodes(): QuantizedCodes {
    this.check();
    const { nItems, dim, panelBytes } = this;
    const codes = new Int8Array(nItems * dim);
    const buffer = this.kernels.wasm.memory.buffer;
    this.forChunks((c, first, count) => {
      const packed = new Int8Array(buffer, this.packed[c].ptr, Math.ceil(count / 8) * panelBytes);
      for (let j = 0; j < count; j++) {
        const lane = Math.floor(j / 8) * panelBytes + ((j >> 2) & 1) * 16 + (j & 3) * 4;
        const out = (first + j) * dim;
        for (let k = 0; k < dim; k++) codes[out + k] = packed[lane + (k >> 3) * 64 + ((k >> 2) & 1) * 32 + (k & 3)];
      }
    });
    return { nItems, dim, codes, scales: this.scalesView().slice(0, nItems) };
  }

  /**
   * Candidate scores (what the codes say, f32(q_u·q_i)·s_i·s_u) of nUsers user rows of `users`
   * against every item: out[u·outStride + i]. For checks and for callers that rank on their own.
   */
  score(users: WasmF32Array, nUsers: number, out: WasmF32Array, outStride = this.nItems): void {
    this.check();
    const m = this.nItems,
      d = this.dim;
    need(users, nUsers * d, "quantized score users");
    if (outStride < m) throw new RangeError(`quantized score: outStride ${outStride} < nItems ${m}`);
    if (nUsers > 0) need(out, (nUsers - 1) * outStride + m, "quantized score out");
    const k = this.kernels,
      usersPtr = users.ptr,
      outPtr = out.ptr;
    const [dir, chunkPanels, scales, sums] = this.tableArgs();
    k.rows("score_quantized", nUsers, TILE_ROW_ALIGN, m * d, (start, count, thread) => [
      usersPtr + start * d * 4,
      count,
      d,
      dir,
      chunkPanels,
      scales,
      sums,
      m,
      outPtr + start * outStride * 4,
      outStride,
      k.wasm.scratchFor(thread, k.x.score_quantized_scratch_bytes(count, d)),
    ]);
  }

  /**
   * Each user's k best items, best first into outIndices/outScores (row u at u·k, padded with
   * -1 / -Infinity), without the items listed for it in `excl` (CSR over the nUsers rows): the
   * R = refineFactor·k best by candidate score, then the exact top-k among them by the float rows'
   * scores (ties towards the lower index). Without float rows the list and its scores are the
   * candidate scores' top k. Users split across the kernels' threads.
   */
  topK(
    users: WasmF32Array,
    nUsers: number,
    k: number,
    excl: { offsets: WasmI32Array; indices: WasmI32Array } | null,
    outIndices: WasmI32Array,
    outScores: WasmF32Array,
    options: QuantizedTopKOptions = {},
  ): void {
    this.check();
    if (!(Number.isInteger(k) && k > 0)) throw new RangeError(`k must be a positive integer, got ${k}`);
    const factor = options.refineFactor ?? DEFAULT_REFINE_FACTOR;
    if (!(typeof factor === "number" && Number.isFinite(factor) && factor >= 1)) throw new RangeError(`refineFactor must be a number >= 1, got ${factor}`);
    const m = this.nItems,
      d = this.dim;
    need(users, nUsers * d, "quantized topK users");
    need(outIndices, nUsers * k, "quantized topK outIndices");
    need(outScores, nUsers * k, "quantized topK outScores");
    const colBias = options.colBias ?? null;
    if (colBias) {
      need(colBias.values, m, "quantized topK colBias");
      if (!Number.isFinite(colBias.scale)) throw new RangeError(`quantized topK: the column bias scale must be finite, got ${colBias.scale}`);
    }
    if (excl) {
      need(excl.offsets, nUsers + 1, "quantized topK exclusion offsets");
      const off = excl.offsets.view;
      for (let r = 0; r < nUsers; r++) {
        if (!(off[r] >= 0 && off[r] <= off[r + 1]))
          throw new RangeError(`quantized topK: exclusion offsets[${r}..${r + 1}] = ${off[r]}..${off[r + 1]} is not a valid range`);
      }
      need(excl.indices, nUsers > 0 ? off[nUsers] : 0, "quantized topK exclusion indices");
    }
    if (nUsers === 0) return;
    const exact = this.hasExactRows;
    const R = exact ? Math.max(k, Math.min(Math.ceil(factor * k), m)) : k;
    const kern = this.kernels,
      e = kern.wasm;
    const pass = Math.min(nUsers, USERS_PER_PASS);
    let candIdx: WasmI32Array | null = null,
      candScore: WasmF32Array | null = null;
    try {
      if (exact) {
        candIdx = e.i32(pass * R);
        candScore = e.f32(pass * R);
      }
      const [dir, chunkPanels, scales, sums] = this.tableArgs();
      const [rowsDir, rowsChunk] = exact ? this.rowArgs() : [0, 1];
      const biasPtr = colBias ? colBias.values.ptr : 0,
        biasScale = colBias ? colBias.scale : 0;
      const usersPtr = users.ptr,
        offsetsPtr = excl ? excl.offsets.ptr : 0,
        exclPtr = excl ? excl.indices.ptr : 0;
      for (let u0 = 0; u0 < nUsers; u0 += pass) {
        const n = Math.min(pass, nUsers - u0);
        const idxPtr = exact ? candIdx!.ptr : outIndices.ptr + u0 * k * 4,
          scorePtr = exact ? candScore!.ptr : outScores.ptr + u0 * k * 4;
        kern.rows("score_topk_quantized", n, TILE_ROW_ALIGN, m * d, (start, count, thread) => [
          usersPtr + (u0 + start) * d * 4,
          count,
          d,
          dir,
          chunkPanels,
          scales,
          sums,
          m,
          biasPtr,
          biasScale,
          R,
          offsetsPtr && offsetsPtr + (u0 + start) * 4,
          exclPtr,
          idxPtr + start * R * 4,
          scorePtr + start * R * 4,
          e.scratchFor(thread, kern.x.score_quantized_scratch_bytes(count, d)),
        ]);
        if (!exact) continue;
        const candPtr = candIdx!.ptr,
          outIdxPtr = outIndices.ptr,
          outScorePtr = outScores.ptr;
        // Each candidate is a row read from a random place in the table: far less work than it costs in memory latency.
        kern.rows("rescore_topk", n, 1, R * d * 48, (start, count) => [
          usersPtr + (u0 + start) * d * 4,
          count,
          d,
          rowsDir,
          rowsChunk,
          biasPtr,
          biasScale,
          candPtr + start * R * 4,
          R,
          k,
          outIdxPtr + (u0 + start) * k * 4,
          outScorePtr + (u0 + start) * k * 4,
        ]);
      }
    } finally {
      freeAll(candIdx, candScore);
    }
  }

  /** Bytes this table holds in wasm memory. */
  memory(): QuantizedTableMemory {
    const bytes = (a: { length: number } | null) => (a ? a.length * 4 : 0);
    const codeBytes = this.packed.reduce((s, a) => s + bytes(a), 0);
    const sideBytes = bytes(this.side) + bytes(this.directory) + bytes(this.rowsDirectory);
    const rowBytes = this.rows.reduce((s, a) => s + bytes(a), 0);
    return { codeBytes, sideBytes, rowBytes, totalBytes: codeBytes + sideBytes + rowBytes };
  }

  /** Frees the table's wasm memory (a shared float table stays its owner's). */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    freeAll(...this.packed, ...this.rows, ...this.working, this.directory, this.rowsDirectory, this.side);
    this.working = [];
    this.packed = [];
    this.rows = [];
    this.sharedRows = null;
  }

  [Symbol.dispose](): void {
    this.free();
  }

  get isFreed(): boolean {
    return this.freed;
  }

  private check(): void {
    if (this.freed) throw new Error("this quantized item table was freed");
  }

  /**
   * Allocates the codes' staging for one piece before the table's large blocks. The kernels'
   * allocator grows wasm memory by at least its current size, so a small allocation that finds
   * no room after the table would double the memory (a 64 MB table then takes 128 MB, measured
   * in workerd); freed once the table is filled, the staging leaves room below the table for the
   * small allocations of later requests.
   */
  private takeStaging(): void {
    this.working.push(this.kernels.wasm.i32(Math.ceil((Math.min(Math.max(this.nItems, 1), CALL_ITEMS) * this.dim) / 4)));
  }

  private releaseStaging(): void {
    freeAll(...this.working);
    this.working = [];
  }

  /** Calls fn(chunk, first item, items) for every chunk, in order. */
  private forChunks(fn: (chunk: number, first: number, count: number) => void): void {
    for (let c = 0, first = 0; first < this.nItems; c++, first += this.chunkItems) fn(c, first, Math.min(this.chunkItems, this.nItems - first));
  }

  /**
   * Allocates every buffer of the table (the float rows' chunks when `rows`) after checking that
   * it fits, so a catalog too large fails before any work.
   */
  private reserve(rows: boolean): void {
    const { nItems, dim, chunkItems, panelBytes } = this;
    const padded = Math.ceil(nItems / 8) * 8;
    const chunks = Math.ceil(nItems / chunkItems);
    const codeBytes = (padded / 8) * panelBytes;
    const total = codeBytes + padded * 8 + (rows ? nItems * dim * 4 : 0);
    const e = this.kernels.wasm;
    if (e.memory.buffer.byteLength + total > WASM_MEMORY_LIMIT_BYTES) {
      throw new SizeLimitError(
        `a quantized table of ${nItems} items × ${dim} needs ${formatBytes(total)} of wasm memory (codes ${formatBytes(codeBytes)}` +
          `${rows ? `, float rows for the exact pass ${formatBytes(nItems * dim * 4)}` : ""}), beyond the ${formatBytes(WASM_MEMORY_LIMIT_BYTES)} a WebAssembly memory holds ` +
          `(${formatBytes(e.memory.buffer.byteLength)} already reserved); keep no float rows (exactRows "none") or serve fewer items per table`,
        null,
        total,
        WASM_MEMORY_LIMIT_BYTES,
      );
    }
    if (padded * 8 > WASM_BUFFER_LIMIT_BYTES)
      throw new SizeLimitError(`a quantized table of ${nItems} items exceeds the per-item arrays' 1 GiB block`, null, padded * 8, WASM_BUFFER_LIMIT_BYTES);
    // Smallest blocks first, codes before rows: the allocator grows wasm memory by at least its
    // current size, so a block smaller than what is already there doubles the memory, while a
    // block larger than everything before it grows the memory by about its own size.
    this.side = e.i32(2 * padded);
    this.directory = e.i32(Math.max(1, chunks));
    const counts = Array.from({ length: chunks }, (_, c) => Math.min(chunkItems, nItems - c * chunkItems));
    for (const count of counts) this.packed.push(e.i32((Math.ceil(count / 8) * panelBytes) / 4));
    if (rows) {
      this.rowsDirectory = e.i32(Math.max(1, chunks));
      for (const count of counts) this.rows.push(e.f32(count * dim));
    }
    // Pointers are read after the last allocation: growth moves no pointer, but views go stale.
    this.directory.view.set(this.packed.map((a) => a.ptr));
    this.rowsDirectory?.view.set(this.rows.map((a) => a.ptr));
  }

  /** The scales (f32, padded) in the side block. */
  private scalesView(): Float32Array {
    return new Float32Array(this.kernels.wasm.memory.buffer, this.side!.ptr, this.side!.length / 2);
  }

  /** Where the sums (i32, padded) start in the side block. */
  private sumsPtr(): number {
    return this.side!.ptr + (this.side!.length / 2) * 4;
  }

  private shareRows(items: WasmF32Array): void {
    this.sharedRows = items;
    this.rowsDirectory = this.kernels.wasm.i32From([items.ptr]);
  }

  /**
   * Calls fn(chunk, index in the chunk, item, count) for the pieces of items first .. first+n−1:
   * at most CALL_ITEMS items each, never across a chunk boundary (pieces start where `first` and
   * the chunks do, at multiples of 8).
   */
  private forPieces(first: number, n: number, fn: (chunk: number, inChunk: number, at: number, count: number) => void): void {
    for (let at = first; at < first + n; ) {
      const c = Math.floor(at / this.chunkItems);
      const inChunk = at - c * this.chunkItems;
      const count = Math.min(CALL_ITEMS, this.chunkItems - inChunk, first + n - at);
      fn(c, inChunk, at, count);
      at += count;
    }
  }

  /**
   * Packs `count` items' codes (count × dim bytes at codesPtr) into chunk c from its item
   * `inChunk` (a multiple of 8) on; returns the first of them holding a code outside ±63, or -1.
   */
  private packPiece(c: number, codesPtr: number, inChunk: number, count: number): number {
    const d = this.dim,
      panelBytes = this.panelBytes,
      packedPtr = this.packed[c].ptr + (inChunk / 8) * panelBytes,
      sumsPtr = this.sumsPtr() + (c * this.chunkItems + inChunk) * 4;
    // Shares start on panel boundaries (multiples of 8 items), where the layout restarts.
    const starts: number[] = [];
    const bad = this.kernels.rows("pack_quantized", count, 8, d * 2, (start, n) => {
      starts.push(start);
      return [codesPtr + start * d, n, d, packedPtr + (start / 8) * panelBytes, sumsPtr + start * 4];
    });
    const hit = bad.findIndex((b) => b >= 0);
    return hit >= 0 ? starts[hit] + bad[hit] : -1;
  }

  /** The scoring kernels' table arguments: directory, panels per chunk, scales, sums. */
  private tableArgs(): [number, number, number, number] {
    return [this.directory!.ptr, this.chunkItems / 8, this.side!.ptr, this.sumsPtr()];
  }

  /** The exact pass's row directory and rows per chunk. */
  private rowArgs(): [number, number] {
    if (this.sharedRows) return [this.rowsDirectory!.ptr, Math.max(1, this.nItems)];
    return [this.rowsDirectory!.ptr, this.chunkItems];
  }
}

/** Throws on the first non-finite value, naming the item (counted from `first`) and dimension. */
function checkFinite(v: Float32Array, nItems: number, dim: number, first = 0): void {
  for (let i = 0; i < nItems * dim; i++) {
    if (!Number.isFinite(v[i]))
      throw new RangeError(`quantized item table: item ${first + Math.floor(i / dim)} has ${v[i]} at dimension ${i % dim}; item vectors must be finite`);
  }
}

function need(a: WasmF32Array | WasmI32Array, length: number, what: string): void {
  if (a.length < length) throw new RangeError(`${what}: needs ${length} elements, has ${a.length}`);
}

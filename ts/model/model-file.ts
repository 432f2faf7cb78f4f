/**
 * The portable longtail model file (format versions 1 and 2): one self-describing binary blob that
 * every runtime (Node, Deno, browsers, Workers) and other languages can read with nothing but a
 * byte view and a JSON parser. docs/model-format.md is the specification; this module is its
 * reference reader and writer. Runtime-neutral: no node: imports.
 *
 *   magic "LTMODEL\0" · u32 version · u32 header length · header JSON · zero pad to 16
 *   · tables (each 16-byte aligned, little-endian) · zero pad to 16 · u32 CRC-32 · "LTEND\0\0\0"
 *
 * Decoded tables are always fresh copies that own their own ArrayBuffer, never views into the
 * input: the caller may reuse or drop the input buffer, and the tables are 4-byte aligned even
 * when the input sits at an odd byteOffset.
 */
import { ConfigError } from "../train/config-checks.js";
import { crc32 } from "../util/crc32.js";

/**
 * The newest format version this build reads and writes. Version 2 added the header's "serving"
 * section; a file is written with the lowest version that holds it (1 unless it has a serving
 * section), so a plain model stays readable by older builds, and an adjusted one is refused by
 * them ("upgrade longtail") instead of being served without its adjustment.
 */
export const MODEL_FORMAT_VERSION = 2;
/** The first version with the header's "serving" section. */
const SERVING_SECTION_VERSION = 2;

/**
 * Versions above this are not "newer" but damage: format versions are numbered 1, 2, 3, ... and a
 * new one comes only with a change of layout, so a reader is not expected to meet a file many
 * versions ahead of it. A flipped bit in the version field, on the other hand, gives 2^k + 1 for a
 * random k up to 31 (1 → 5898241 is a real case), far above any version that exists. 16 versions
 * of headroom keep a genuinely newer file reported as such (with "upgrade longtail"), while a flip
 * of any bit from the 5th up (33 and beyond) is reported as corruption, not as an upgrade to seek.
 */
export const MAX_PLAUSIBLE_FORMAT_VERSION = MODEL_FORMAT_VERSION + 16;

/**
 * The largest magnitude a value of an f32 table may have: 2^48 ≈ 2.8e14. A score is a dot
 * product of two stored vectors; with |x| ≤ 2^48 each product is at most 2^96, and no sum of such
 * products can have more terms than a table can hold values (2^30 f32 values fill the 4 GiB of a
 * wasm32 memory, so dim ≤ 2^30 and nItems ≤ 2^30), so a score, a norm or a Gram entry stays below
 * 2^126, finite in f32 (whose largest value is ≈ 2^128) with a factor 4 to spare. A value of 1e18
 * would not do: dim · 1e36 overflows f32 already at dim 341. Trained factors are of order 1 (a
 * run with a learning rate of 100000 reaches about 1e6), so only a damaged file or a broken
 * writer comes near the bound. Without it, factors near 3e38 load and every score is ±Infinity or
 * NaN, which ranks nothing ("top 0").
 */
export const MAX_ABS_TABLE_VALUE = 2 ** 48;

/** Written into every header so a file says which software produced it. Keep equal to package.json. */
export const WRITER_LIBRARY = { name: "longtail", version: "0.1.0" } as const;

export type TableDType = "f32" | "i32";

export interface ModelTable {
  rows: number;
  cols: number;
  /** Row-major, `rows * cols` values; Float32Array is stored as "f32", Int32Array as "i32". */
  data: Float32Array | Int32Array;
}

export interface ModelFileContents {
  /** The model family, e.g. "mf"; readers use it to pick the loader for the tables. */
  kind: string;
  /** Hyper-parameters the model was trained with (JSON-serialisable). */
  config: Record<string, unknown>;
  /** How the model serves when that is not the plain rule (e.g. the gradient adjustment's α1/α2); format version 2. */
  serving?: Record<string, unknown>;
  shapes: { nUsers: number; nItems: number; dim: number };
  /** External user ids; position = row of every per-user table. */
  userIds: string[];
  /** External item ids; position = row of every per-item table. */
  itemIds: string[];
  tables: Record<string, ModelTable>;
  metadata?: Record<string, unknown>;
  /** ISO-8601 time of writing; optional so that encoding the same model twice gives identical bytes. */
  createdAt?: string;
  /** Which software wrote the file: filled with {@link WRITER_LIBRARY} on encode when absent. */
  library?: { name: string; version: string };
}

export type ModelFileErrorCode =
  | "not-a-model"
  | "truncated"
  | "newer-version"
  | "corrupt"
  | "invalid-header"
  | "out-of-bounds"
  | "shape-mismatch"
  | "invalid-contents";

/** A model file that cannot be read or written; the message names the file, the fault and the remedy. */
export class ModelFileError extends Error {
  readonly file: string;
  readonly code: ModelFileErrorCode;

  constructor(file: string, code: ModelFileErrorCode, message: string) {
    super(`${file}: ${message}`);
    this.name = "ModelFileError";
    this.file = file;
    this.code = code;
  }
}

/** "LTMODEL\0" */
export const START_MAGIC = Uint8Array.of(0x4c, 0x54, 0x4d, 0x4f, 0x44, 0x45, 0x4c, 0x00);
/** "LTEND\0\0\0" */
export const END_MAGIC = Uint8Array.of(0x4c, 0x54, 0x45, 0x4e, 0x44, 0x00, 0x00, 0x00);

const PREAMBLE_BYTES = 16; // magic + version + header length
const FOOTER_BYTES = 12; // crc32 + end magic
const ALIGN = 16;
const BYTES_PER_VALUE = 4; // both dtypes are 32-bit

// Typed arrays use the host's byte order; the file is little-endian everywhere. Every current
// engine is little-endian, but a big-endian host still reads and writes correct files.
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

interface TableEntry {
  name: string;
  dtype: TableDType;
  rows: number;
  cols: number;
  offset: number;
  byteLength: number;
}

interface Header {
  formatVersion: number;
  kind: string;
  library: { name: string; version: string };
  createdAt?: string;
  config: Record<string, unknown>;
  serving?: Record<string, unknown>;
  shapes: { nUsers: number; nItems: number; dim: number };
  userIds: string[];
  itemIds: string[];
  tables: TableEntry[];
  metadata?: Record<string, unknown>;
}

const align16 = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

/**
 * Serialise a model. Tables are written in the insertion order of `contents.tables`.
 * Throws {@link ModelFileError} (code "invalid-contents") when the contents are inconsistent
 * (ids vs shapes, table sizes, non-finite f32 values): a file that would fail to load is never written.
 */
export function encodeModelFile(contents: ModelFileContents, fileName = "model"): Uint8Array {
  checkContents(contents, fileName);
  const version = contents.serving !== undefined ? SERVING_SECTION_VERSION : 1;
  const encoder = new TextEncoder();
  const names = Object.keys(contents.tables);

  // Table offsets are absolute, so they depend on the header's length, which depends on the
  // offsets' digits: lay out again until the start of the table region stops moving (it only
  // grows, so this ends after a pass or two).
  let tablesStart = align16(PREAMBLE_BYTES);
  let headerBytes: Uint8Array;
  let entries: TableEntry[];
  for (;;) {
    let cursor = tablesStart;
    entries = names.map((name) => {
      const t = contents.tables[name];
      const entry: TableEntry = {
        name,
        dtype: t.data instanceof Float32Array ? "f32" : "i32",
        rows: t.rows,
        cols: t.cols,
        offset: cursor,
        byteLength: t.rows * t.cols * BYTES_PER_VALUE,
      };
      cursor = align16(cursor + entry.byteLength);
      return entry;
    });
    const header: Header = {
      formatVersion: version,
      kind: contents.kind,
      library: contents.library ?? { ...WRITER_LIBRARY },
      ...(contents.createdAt !== undefined ? { createdAt: contents.createdAt } : {}),
      config: contents.config,
      ...(contents.serving !== undefined ? { serving: contents.serving } : {}),
      shapes: { nUsers: contents.shapes.nUsers, nItems: contents.shapes.nItems, dim: contents.shapes.dim },
      userIds: contents.userIds,
      itemIds: contents.itemIds,
      tables: entries,
      ...(contents.metadata !== undefined ? { metadata: contents.metadata } : {}),
    };
    headerBytes = encoder.encode(JSON.stringify(header));
    const needed = align16(PREAMBLE_BYTES + headerBytes.length);
    if (needed <= tablesStart) break;
    tablesStart = needed;
  }

  const last = entries[entries.length - 1];
  const footerStart = last ? align16(last.offset + last.byteLength) : tablesStart;
  const out = new Uint8Array(footerStart + FOOTER_BYTES); // zero-filled: all padding is zeros
  const view = new DataView(out.buffer);
  out.set(START_MAGIC, 0);
  view.setUint32(8, version, true);
  view.setUint32(12, headerBytes.length, true);
  out.set(headerBytes, PREAMBLE_BYTES);
  for (const entry of entries) writeTable(out, view, entry.offset, contents.tables[entry.name].data);
  view.setUint32(footerStart, crc32(out.subarray(0, footerStart)), true);
  out.set(END_MAGIC, footerStart + 4);
  return out;
}

/**
 * Parse and fully verify a model file (magic, version, checksum, header, table bounds and
 * shapes, finite f32 values). `fileName` only labels error messages. Works on any view,
 * including one with a non-zero byteOffset. Returned tables are copies (see module doc).
 */
export function decodeModelFile(bytes: Uint8Array, fileName = "model"): ModelFileContents {
  const fail = (code: ModelFileErrorCode, message: string): never => {
    throw new ModelFileError(fileName, code, message);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = bytes.length;

  const magicBytes = Math.min(size, START_MAGIC.length);
  if (!startsWith(bytes, START_MAGIC.subarray(0, magicBytes)) || size === 0) {
    fail(
      "not-a-model",
      size === 0
        ? "the file is empty, not a longtail model; re-run training to write it again."
        : `not a longtail model file: it starts with ${describePrefix(bytes)} instead of "LTMODEL\\0". ` +
            "Pass a model written by `longtail train` (encodeModelFile), not a data or text file.",
    );
  }
  if (size < PREAMBLE_BYTES) {
    fail("truncated", truncatedMessage(size, PREAMBLE_BYTES, "the fixed preamble"));
  }
  const version = view.getUint32(8, true);
  if (version > MAX_PLAUSIBLE_FORMAT_VERSION) {
    fail(
      "corrupt",
      `corrupt: the format version field reads ${version}, far beyond any version that exists (this build reads ${MODEL_FORMAT_VERSION}, ` +
        `and no version above ${MAX_PLAUSIBLE_FORMAT_VERSION} is plausible); the file was damaged — restore it from a backup or re-train.`,
    );
  }
  if (version > MODEL_FORMAT_VERSION) {
    fail(
      "newer-version",
      `written with model format version ${version}, but this build of longtail (${WRITER_LIBRARY.version}) ` +
        `reads format versions up to ${MODEL_FORMAT_VERSION}. Upgrade longtail to load it, or re-export the model with this version.`,
    );
  }
  if (version === 0) fail("corrupt", "corrupt: the format version field is 0, which no writer produces; restore the file or re-train.");

  const headerLength = view.getUint32(12, true);
  const tablesStart = align16(PREAMBLE_BYTES + headerLength);
  if (tablesStart + FOOTER_BYTES > size) {
    fail("truncated", truncatedMessage(size, tablesStart + FOOTER_BYTES, `the ${headerLength}-byte header and footer`));
  }
  const footerStart = size - FOOTER_BYTES;
  if (!startsWith(bytes.subarray(footerStart + 4), END_MAGIC)) {
    const expected = expectedSizeFromHeader(bytes, headerLength);
    fail(
      "truncated",
      `truncated or extended: it does not end with the "LTEND" marker (size ${size} bytes` +
        (expected !== undefined ? `, its header describes a file of ${expected} bytes` : "") +
        "). It was probably cut off while copying, downloading or writing; copy it again or re-run training.",
    );
  }
  const storedCrc = view.getUint32(footerStart, true);
  const actualCrc = crc32(bytes.subarray(0, footerStart));
  if (storedCrc !== actualCrc) {
    fail(
      "corrupt",
      `corrupt: checksum mismatch (stored CRC-32 ${hex32(storedCrc)}, computed ${hex32(actualCrc)}). ` +
        "The file was damaged after it was written; restore it from a backup or re-train.",
    );
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + headerLength)));
  } catch (e) {
    fail(
      "invalid-header",
      `the header is not valid UTF-8 JSON (${(e as Error).message}); the program that wrote it is broken — re-export the model with longtail.`,
    );
  }
  const header = checkHeader(parsed, version, fail);

  const tables: Record<string, ModelTable> = {};
  const placed = [...header.tables].sort((a, b) => a.offset - b.offset);
  let previousEnd = tablesStart;
  let previousName = "";
  for (const entry of placed) {
    const { name, offset, byteLength } = entry;
    if (offset < tablesStart || offset + byteLength > footerStart) {
      fail(
        "out-of-bounds",
        `table "${name}" (offset ${offset}, ${byteLength} bytes) lies outside the table region [${tablesStart}, ${footerStart}) ` +
          "of the file; the program that wrote it is broken — re-export the model.",
      );
    }
    if (offset < previousEnd) {
      fail("out-of-bounds", `table "${name}" (offset ${offset}) overlaps table "${previousName}" (which ends at ${previousEnd}); re-export the model.`);
    }
    if (offset % ALIGN !== 0) {
      fail("out-of-bounds", `table "${name}" starts at offset ${offset}, which is not 16-byte aligned as the format requires; re-export the model.`);
    }
    previousEnd = offset + byteLength;
    previousName = name;
  }
  for (const entry of header.tables) {
    const data = readTable(bytes, entry);
    if (data instanceof Float32Array) {
      const bad = firstOutOfRange(data);
      if (bad >= 0) {
        fail(
          "corrupt",
          `corrupt: table "${entry.name}" holds ${describeBadValue(data[bad])} at row ${Math.floor(bad / entry.cols)}, ` +
            `column ${bad % entry.cols} (position ${bad}); the model diverged or the file is damaged — re-train, or restore the file from a backup.`,
        );
      }
    }
    tables[entry.name] = { rows: entry.rows, cols: entry.cols, data };
  }

  const contents: ModelFileContents = {
    kind: header.kind,
    config: header.config,
    ...(header.serving !== undefined ? { serving: header.serving } : {}),
    shapes: header.shapes,
    userIds: header.userIds,
    itemIds: header.itemIds,
    tables,
    library: header.library,
  };
  if (header.metadata !== undefined) contents.metadata = header.metadata;
  if (header.createdAt !== undefined) contents.createdAt = header.createdAt;
  return contents;
}

/**
 * The table `name` of a decoded model, checked against the shape a loader needs (e.g. the
 * "mf" loader asks for userFactors as nUsers × dim f32). Throws a ModelFileError that names the
 * file and the table when it is missing or has another shape or dtype.
 */
export function requireTable(
  contents: ModelFileContents,
  name: string,
  expected: { rows: number; cols: number; dtype: TableDType },
  fileName = "model",
): ModelTable {
  const table = contents.tables[name];
  const available = Object.keys(contents.tables);
  if (!table) {
    throw new ModelFileError(
      fileName,
      "shape-mismatch",
      `a "${contents.kind}" model needs table "${name}", but the file has ${available.length ? available.map((n) => `"${n}"`).join(", ") : "no tables"}; ` +
        "it was written by another kind of model or another version — re-export it.",
    );
  }
  const dtype: TableDType = table.data instanceof Float32Array ? "f32" : "i32";
  if (table.rows !== expected.rows || table.cols !== expected.cols || dtype !== expected.dtype) {
    throw new ModelFileError(
      fileName,
      "shape-mismatch",
      `table "${name}" is ${table.rows} × ${table.cols} ${dtype}, but the header's shapes require ` +
        `${expected.rows} × ${expected.cols} ${expected.dtype}; the file is inconsistent — re-export the model.`,
    );
  }
  return table;
}

/**
 * A model whose tables have the right shapes can still hold values no writer produces; a loader
 * calls these checks (one pass over each table) so that such a file is refused when it is loaded,
 * not served as an empty or wrong ranking. The error ("corrupt") names the table, the first bad
 * position and its value.
 */
function badValue(fileName: string, table: string, position: number, value: number, rule: string): never {
  throw new ModelFileError(
    fileName,
    "corrupt",
    `corrupt: table "${table}" holds ${value} at position ${position}, but ${rule}; ` +
      "the file is damaged or was written by a broken program — re-train, or restore the file from a backup.",
  );
}

/**
 * The model built from a file's configuration: a configuration that no writer produces (a value of
 * the wrong type, out of range) is a damaged file, so its ConfigError becomes a "corrupt" error.
 */
export function fromFileConfig<T>(fileName: string, build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw new ModelFileError(
      fileName,
      "corrupt",
      `corrupt: the configuration in the header is invalid (${e.message}); ` +
        "the file is damaged or was written by a broken program — re-train, or restore the file from a backup.",
    );
  }
}

/** The i32 table `name` of counts (e.g. "itemCounts", training interactions per item): every value must be ≥ 0. */
export function checkCountsTable(table: ModelTable, name: string, fileName = "model"): void {
  const data = table.data;
  for (let i = 0; i < data.length; i++) if (data[i] < 0) badValue(fileName, name, i, data[i], "a count cannot be negative");
}

/**
 * A sparse row table stored as two i32 tables (CSR): row r holds `indices[indptr[r] .. indptr[r+1])`.
 * Requires `indptrName` as 1 × (rows + 1) and `indicesName` as 1 × n (any n), then checks that the
 * offsets start at 0, never decrease and end exactly at n, and that every index lies in [0, limit)
 * (`what` names the thing indexed, e.g. "items"). Returns the two tables' data.
 */
export function requireCsrTables(
  contents: ModelFileContents,
  indptrName: string,
  indicesName: string,
  rows: number,
  limit: number,
  what: string,
  fileName = "model",
): { indptr: Int32Array; indices: Int32Array } {
  const indptr = requireTable(contents, indptrName, { rows: 1, cols: rows + 1, dtype: "i32" }, fileName).data as Int32Array;
  const n = contents.tables[indicesName]?.cols ?? 0;
  const indices = requireTable(contents, indicesName, { rows: 1, cols: n, dtype: "i32" }, fileName).data as Int32Array;
  if (indptr[0] !== 0) badValue(fileName, indptrName, 0, indptr[0], "the offsets of a sparse table start at 0");
  for (let r = 1; r <= rows; r++) {
    const at = indptr[r];
    if (at < indptr[r - 1]) badValue(fileName, indptrName, r, at, `offsets never decrease (position ${r - 1} holds ${indptr[r - 1]})`);
    if (at > n) badValue(fileName, indptrName, r, at, `table "${indicesName}" has only ${n} entries`);
  }
  if (indptr[rows] !== n) badValue(fileName, indptrName, rows, indptr[rows], `the last offset must equal the ${n} entries of table "${indicesName}"`);
  for (let i = 0; i < n; i++) {
    const v = indices[i];
    if (!(v >= 0 && v < limit)) badValue(fileName, indicesName, i, v, `indices must lie in [0, ${limit}) (the model's ${limit} ${what})`);
  }
  return { indptr, indices };
}

function checkContents(c: ModelFileContents, fileName: string): void {
  const fail = (message: string): never => {
    throw new ModelFileError(fileName, "invalid-contents", `cannot write this model: ${message}`);
  };
  if (typeof c.kind !== "string" || c.kind === "") fail("kind must be a non-empty string.");
  if (!isPlainObject(c.config)) fail("config must be a plain object.");
  if (c.serving !== undefined && !isPlainObject(c.serving)) fail("serving must be a plain object when given.");
  if (c.metadata !== undefined && !isPlainObject(c.metadata)) fail("metadata must be a plain object when given.");
  for (const key of ["nUsers", "nItems", "dim"] as const) {
    const v = c.shapes?.[key];
    if (!Number.isSafeInteger(v) || v < 0) fail(`shapes.${key} must be a non-negative integer, got ${String(v)}.`);
  }
  checkIds(c.userIds, "userIds", c.shapes.nUsers, "shapes.nUsers", fail);
  checkIds(c.itemIds, "itemIds", c.shapes.nItems, "shapes.nItems", fail);
  for (const [name, t] of Object.entries(c.tables)) {
    if (name === "") fail("table names must be non-empty.");
    if (!(t.data instanceof Float32Array) && !(t.data instanceof Int32Array)) {
      fail(`table "${name}" must hold a Float32Array or an Int32Array.`);
    }
    if (!Number.isSafeInteger(t.rows) || t.rows < 0 || !Number.isSafeInteger(t.cols) || t.cols < 0) {
      fail(`table "${name}" needs non-negative integer rows and cols, got ${t.rows} × ${t.cols}.`);
    }
    if (t.data.length !== t.rows * t.cols) {
      fail(`table "${name}" is declared ${t.rows} × ${t.cols} = ${t.rows * t.cols} values but holds ${t.data.length}.`);
    }
    if (t.data instanceof Float32Array) {
      const bad = firstOutOfRange(t.data);
      if (bad >= 0) {
        fail(
          `table "${name}" holds ${describeBadValue(t.data[bad])} at row ${Math.floor(bad / t.cols)}, column ${bad % t.cols}; the model diverged — lower the learning rate.`,
        );
      }
    }
  }
  if (c.createdAt !== undefined && typeof c.createdAt !== "string") fail("createdAt must be a string when given.");
}

function checkIds(ids: unknown, field: string, expected: number, shapeField: string, fail: (m: string) => never): void {
  if (!Array.isArray(ids)) fail(`${field} must be an array of strings.`);
  const list = ids as unknown[];
  if (list.length !== expected) fail(`${field} has ${list.length} entries but ${shapeField} is ${expected}.`);
  const seen = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const id = list[i];
    if (typeof id !== "string") fail(`${field}[${i}] must be a string, got ${typeof id}.`);
    if (seen.has(id as string)) fail(`${field}[${i}] repeats the id "${id}"; ids must be unique.`);
    seen.add(id as string);
  }
}

function checkHeader(parsed: unknown, version: number, fail: (code: ModelFileErrorCode, m: string) => never): Header {
  const bad = (field: string, what: string): never =>
    fail("invalid-header", `header field "${field}" ${what}; the program that wrote it is broken — re-export the model.`);
  if (!isPlainObject(parsed)) return bad("(root)", "must be a JSON object");
  const h = parsed as Record<string, unknown>;
  if (h.formatVersion !== version) bad("formatVersion", `is ${JSON.stringify(h.formatVersion)} but the preamble says ${version}`);
  if (typeof h.kind !== "string" || h.kind === "") bad("kind", "must be a non-empty string");
  const lib = h.library as Record<string, unknown> | undefined;
  if (!isPlainObject(lib) || typeof lib!.name !== "string" || typeof lib!.version !== "string") {
    bad("library", "must be an object {name, version} of strings");
  }
  if (h.createdAt !== undefined && typeof h.createdAt !== "string") bad("createdAt", "must be a string");
  if (!isPlainObject(h.config)) bad("config", "must be an object");
  if (h.serving !== undefined) {
    if (!isPlainObject(h.serving)) bad("serving", "must be an object");
    if (version < SERVING_SECTION_VERSION) bad("serving", `needs format version ${SERVING_SECTION_VERSION} or later, but the file says ${version}`);
  }
  if (h.metadata !== undefined && !isPlainObject(h.metadata)) bad("metadata", "must be an object");
  const shapes = h.shapes as Record<string, unknown> | undefined;
  if (!isPlainObject(shapes)) bad("shapes", "must be an object {nUsers, nItems, dim}");
  for (const key of ["nUsers", "nItems", "dim"]) {
    const v = shapes![key];
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) bad(`shapes.${key}`, `must be a non-negative integer, got ${JSON.stringify(v)}`);
  }
  const idFail = (m: string): never => fail("shape-mismatch", `${m} The file is inconsistent; re-export the model.`);
  checkIds(h.userIds, "userIds", shapes!.nUsers as number, "shapes.nUsers", idFail);
  checkIds(h.itemIds, "itemIds", shapes!.nItems as number, "shapes.nItems", idFail);
  if (!Array.isArray(h.tables)) bad("tables", "must be an array");
  const names = new Set<string>();
  for (let i = 0; i < (h.tables as unknown[]).length; i++) {
    const t = (h.tables as unknown[])[i] as Record<string, unknown>;
    const field = `tables[${i}]`;
    if (!isPlainObject(t)) bad(field, "must be an object");
    if (typeof t.name !== "string" || t.name === "") bad(`${field}.name`, "must be a non-empty string");
    if (names.has(t.name as string)) bad(`${field}.name`, `repeats the table name "${t.name}"`);
    names.add(t.name as string);
    if (t.dtype !== "f32" && t.dtype !== "i32") bad(`${field}.dtype`, `must be "f32" or "i32", got ${JSON.stringify(t.dtype)}`);
    for (const key of ["rows", "cols", "offset", "byteLength"]) {
      const v = t[key];
      if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) bad(`${field}.${key}`, `must be a non-negative integer, got ${JSON.stringify(v)}`);
    }
    const expectedBytes = (t.rows as number) * (t.cols as number) * BYTES_PER_VALUE;
    if (t.byteLength !== expectedBytes) {
      fail(
        "shape-mismatch",
        `table "${t.name}" declares ${t.rows} × ${t.cols} ${t.dtype} values (${expectedBytes} bytes) but a byteLength of ${t.byteLength}; ` +
          "the file is inconsistent — re-export the model.",
      );
    }
  }
  return h as unknown as Header;
}

function writeTable(out: Uint8Array, view: DataView, offset: number, data: Float32Array | Int32Array): void {
  if (HOST_IS_LITTLE_ENDIAN) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), offset);
  } else if (data instanceof Float32Array) {
    for (let i = 0; i < data.length; i++) view.setFloat32(offset + 4 * i, data[i], true);
  } else {
    for (let i = 0; i < data.length; i++) view.setInt32(offset + 4 * i, data[i], true);
  }
}

function readTable(bytes: Uint8Array, entry: TableEntry): Float32Array | Int32Array {
  const n = entry.rows * entry.cols;
  const src = bytes.subarray(entry.offset, entry.offset + entry.byteLength);
  const data = entry.dtype === "f32" ? new Float32Array(n) : new Int32Array(n);
  if (HOST_IS_LITTLE_ENDIAN) {
    new Uint8Array(data.buffer).set(src);
  } else {
    const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
    for (let i = 0; i < n; i++) data[i] = entry.dtype === "f32" ? view.getFloat32(4 * i, true) : view.getInt32(4 * i, true);
  }
  return data;
}

/** Size the header claims for the whole file, when the header can be read at all (for messages). */
function expectedSizeFromHeader(bytes: Uint8Array, headerLength: number): number | undefined {
  try {
    const h = JSON.parse(new TextDecoder().decode(bytes.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + headerLength))) as Header;
    let end = align16(PREAMBLE_BYTES + headerLength);
    for (const t of h.tables) end = Math.max(end, align16(t.offset + t.byteLength));
    return Number.isSafeInteger(end) ? end + FOOTER_BYTES : undefined;
  } catch {
    return undefined;
  }
}

function truncatedMessage(size: number, needed: number, what: string): string {
  return (
    `truncated: the file is ${size} bytes but ${what} needs at least ${needed}. ` +
    "It was probably cut off while copying, downloading or writing; copy it again or re-run training."
  );
}

/** The first value that is not finite or exceeds {@link MAX_ABS_TABLE_VALUE} in magnitude, or -1. One pass. */
function firstOutOfRange(data: Float32Array): number {
  // !(|x| <= bound) is true for NaN as well as for ±Infinity and large values.
  for (let i = 0; i < data.length; i++) if (!(Math.abs(data[i]) <= MAX_ABS_TABLE_VALUE)) return i;
  return -1;
}

function describeBadValue(x: number): string {
  return Number.isFinite(x)
    ? `the value ${x}, beyond ±${MAX_ABS_TABLE_VALUE} (2^48: larger values make scores overflow to Infinity),`
    : `a non-finite value (${x})`;
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

function describePrefix(bytes: Uint8Array): string {
  const head = bytes.subarray(0, 8);
  const printable = Array.from(head).every((b) => b >= 0x20 && b < 0x7f);
  return printable ? JSON.stringify(String.fromCharCode(...head)) : `bytes ${Array.from(head, (b) => b.toString(16).padStart(2, "0")).join(" ")}`;
}

function hex32(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

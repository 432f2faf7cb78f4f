/**
 * Seeded mutations of input files for the fuzz tests (tests/fuzz-inputs.test.ts): byte-level
 * damage (flips, truncation, inserted and deleted bytes, NULs, non-UTF-8 sequences), line-level
 * damage (duplicated, dropped and swapped lines, line-ending swaps, header-only) and token-level
 * damage (very long tokens, huge, negative and non-finite numbers). Every choice comes from the
 * Rng passed in, so a case is reproduced by its seed alone.
 */
import { crc32 } from "../../ts/util/crc32.js";
import type { Rng } from "../../ts/util/rng.js";

export interface Mutated {
  readonly bytes: Uint8Array;
  /** What was done, in order (for the failure message). */
  readonly ops: string[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("latin1");

/** Bytes as a latin1 string (one char per byte) and back: line and token edits keep every byte. */
const asText = (bytes: Uint8Array): string => decoder.decode(bytes);
const fromText = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);

const pick = <T>(rng: Rng, list: readonly T[]): T => list[rng.int(list.length)]!;

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Short byte strings that mean something to one of the readers. */
const INTERESTING = [
  ",",
  "\t",
  ";",
  " ",
  "::",
  "|",
  "\n",
  "\r",
  "\r\n",
  '"',
  '""',
  "-",
  "+",
  ".",
  "e",
  "E",
  "9",
  "0",
  "#",
  "\u0000",
  "\ufeff",
  "userId",
  "item",
  "rating",
  "timestamp",
  "NaN",
  "Infinity",
  "1e400",
  "\u00a0",
  "\u2028",
].map((s) => encoder.encode(s));

/** Byte sequences that are not valid UTF-8 (a lone continuation, a cut sequence, an overlong form, a surrogate, 0xFF). */
const NOT_UTF8 = [[0xff], [0xfe], [0x80], [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe9]].map(
  (b) => Uint8Array.from(b),
);

/** Numbers that are too big, too small, negative, non-finite or oddly written. */
const ODD_NUMBERS = [
  "1e308",
  "1e309",
  "-1e309",
  "1e-400",
  "9".repeat(400),
  "99999999999999999999",
  "2147483647",
  "2147483648",
  "4294967296",
  "-2147483649",
  "9007199254740993",
  "-0",
  "0",
  "-1",
  "-5",
  "-4.5",
  "+3",
  ".5",
  "5.",
  "1e5",
  "1E+2",
  "0x10",
  "NaN",
  "Infinity",
  "-Infinity",
  "1_000",
  "١٢",
  "3,5",
  "",
  " ",
  "1.7976931348623157e308",
  "4.9e-324",
];

type Mutation = (rng: Rng, bytes: Uint8Array) => [Uint8Array, string];

const pos = (rng: Rng, bytes: Uint8Array): number => rng.int(bytes.length + 1);

function splitLines(text: string): string[] {
  return text.split("\n");
}

/** A token of the text (a run without separators), as [start, end), or undefined. */
function randomToken(rng: Rng, text: string): [number, number] | undefined {
  const tokens: Array<[number, number]> = [];
  const re = /[^\s,;:|\t"]+/g;
  for (let m = re.exec(text); m !== null && tokens.length < 4096; m = re.exec(text)) tokens.push([m.index, m.index + m[0].length]);
  return tokens.length === 0 ? undefined : pick(rng, tokens);
}

function numericToken(rng: Rng, text: string): [number, number] | undefined {
  const tokens: Array<[number, number]> = [];
  const re = /[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?/g;
  for (let m = re.exec(text); m !== null && tokens.length < 4096; m = re.exec(text)) tokens.push([m.index, m.index + m[0].length]);
  return tokens.length === 0 ? undefined : pick(rng, tokens);
}

const MUTATIONS: ReadonlyArray<[name: string, weight: number, fn: Mutation]> = [
  [
    "flip bit",
    6,
    (rng, b) => {
      if (b.length === 0) return [b, "flip bit (empty)"];
      const out = b.slice();
      const at = rng.int(b.length),
        bit = rng.int(8);
      out[at]! ^= 1 << bit;
      return [out, `flip bit ${bit} of byte ${at}`];
    },
  ],
  [
    "set byte",
    5,
    (rng, b) => {
      if (b.length === 0) return [b, "set byte (empty)"];
      const out = b.slice();
      const at = rng.int(b.length),
        v = rng.int(256);
      out[at] = v;
      return [out, `byte ${at} = 0x${v.toString(16)}`];
    },
  ],
  [
    "truncate",
    5,
    (rng, b) => {
      const at = rng.int(b.length + 1);
      return [b.subarray(0, at), `truncate to ${at} bytes`];
    },
  ],
  [
    "drop head",
    2,
    (rng, b) => {
      const at = rng.int(b.length + 1);
      return [b.subarray(at), `drop the first ${at} bytes`];
    },
  ],
  [
    "insert bytes",
    6,
    (rng, b) => {
      const at = pos(rng, b);
      const ins = rng.next() < 0.5 ? pick(rng, INTERESTING) : Uint8Array.from({ length: 1 + rng.int(8) }, () => rng.int(256));
      return [concat(b.subarray(0, at), ins, b.subarray(at)), `insert ${JSON.stringify(asText(ins))} at ${at}`];
    },
  ],
  [
    "delete bytes",
    5,
    (rng, b) => {
      const at = rng.int(b.length + 1),
        n = 1 + rng.int(rng.next() < 0.8 ? 4 : 64);
      return [concat(b.subarray(0, at), b.subarray(at + n)), `delete ${n} bytes at ${at}`];
    },
  ],
  [
    "duplicate line",
    4,
    (rng, b) => {
      const lines = splitLines(asText(b));
      const i = rng.int(lines.length),
        times = rng.next() < 0.8 ? 1 : 1 + rng.int(300);
      lines.splice(i, 0, ...Array<string>(times).fill(lines[i]!));
      return [fromText(lines.join("\n")), `duplicate line ${i + 1} ×${times}`];
    },
  ],
  [
    "drop line",
    3,
    (rng, b) => {
      const lines = splitLines(asText(b));
      const i = rng.int(lines.length);
      lines.splice(i, 1);
      return [fromText(lines.join("\n")), `drop line ${i + 1}`];
    },
  ],
  [
    "swap lines",
    2,
    (rng, b) => {
      const lines = splitLines(asText(b));
      const i = rng.int(lines.length),
        j = rng.int(lines.length);
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      return [fromText(lines.join("\n")), `swap lines ${i + 1} and ${j + 1}`];
    },
  ],
  [
    "line endings",
    5,
    (rng, b) => {
      const text = asText(b).replace(/\r\n?/g, "\n");
      const mode = rng.int(6);
      switch (mode) {
        case 0:
          return [fromText(text.replace(/\n/g, "\r\n")), "all line ends \\r\\n"];
        case 1:
          return [fromText(text.replace(/\n/g, "\r")), "all line ends lone \\r"];
        case 2:
          return [fromText(text.replace(/\n/g, () => pick(rng, ["\n", "\r", "\r\n", "\n\r"]))), "mixed line ends"];
        case 3:
          return [fromText(text.replace(/\n+$/, "")), "no final line end"];
        case 4:
          return [fromText(text.replace(/\n/g, "\n\n \t\n")), "blank and whitespace lines between lines"];
        default: {
          const at = rng.int(text.length + 1);
          return [fromText(text.slice(0, at) + "\r" + text.slice(at)), `lone \\r at ${at}`];
        }
      }
    },
  ],
  [
    "NUL bytes",
    3,
    (rng, b) => {
      const at = pos(rng, b),
        n = rng.next() < 0.7 ? 1 : 1 + rng.int(2000);
      if (rng.next() < 0.5) return [concat(b.subarray(0, at), new Uint8Array(n), b.subarray(at)), `insert ${n} NUL bytes at ${at}`];
      const out = b.slice();
      out.fill(0, at, at + n);
      return [out, `overwrite ${n} bytes at ${at} with NUL`];
    },
  ],
  [
    "long token",
    2,
    (rng, b) => {
      // Mostly well under the 256 Ki characters that format detection peeks at; now and then past
      // it (those cost a few hundred ms each, so they are rare).
      const n = rng.next() < 0.97 ? 200 + rng.int(8000) : (1 << 18) + rng.int(1 << 14);
      const unit = pick(rng, ["9", "a", "é", "1 ", ",", "\t", "::"]);
      const long = unit.repeat(Math.ceil(n / unit.length));
      const text = asText(b);
      const token = randomToken(rng, text);
      const bytes = encoder.encode(long);
      if (token === undefined || rng.next() < 0.3) {
        const at = pos(rng, b);
        return [concat(b.subarray(0, at), bytes, b.subarray(at)), `insert a ${n}-character run of ${JSON.stringify(unit)} at ${at}`];
      }
      return [concat(b.subarray(0, token[0]), bytes, b.subarray(token[1])), `token at ${token[0]} → a ${n}-character run of ${JSON.stringify(unit)}`];
    },
  ],
  [
    "odd number",
    6,
    (rng, b) => {
      const text = asText(b);
      const token = numericToken(rng, text);
      const value = pick(rng, ODD_NUMBERS);
      if (token === undefined) return [b, "odd number (no number)"];
      return [
        fromText(text.slice(0, token[0]) + value + text.slice(token[1])),
        `number at ${token[0]} → ${JSON.stringify(value.length > 20 ? value.slice(0, 20) + "…" : value)}`,
      ];
    },
  ],
  [
    "negate",
    3,
    (rng, b) => {
      const text = asText(b);
      const token = numericToken(rng, text);
      if (token === undefined) return [b, "negate (no number)"];
      return [fromText(text.slice(0, token[0]) + "-" + text.slice(token[0])), `negate the number at ${token[0]}`];
    },
  ],
  [
    "not UTF-8",
    4,
    (rng, b) => {
      const at = pos(rng, b),
        seq = pick(rng, NOT_UTF8);
      return [concat(b.subarray(0, at), seq, b.subarray(at)), `insert bytes ${[...seq].map((x) => x.toString(16)).join(" ")} at ${at}`];
    },
  ],
  ["empty", 1, () => [new Uint8Array(0), "empty file"]],
  [
    "header only",
    2,
    (rng, b) => {
      const text = asText(b);
      const end = text.search(/\r\n|\r|\n/);
      const first = end < 0 ? text : text.slice(0, end);
      const eol = pick(rng, ["", "\n", "\r\n"]);
      return [fromText(first + eol), `first line only${eol ? " + " + JSON.stringify(eol) : ""}`];
    },
  ],
  [
    "whitespace only",
    1,
    (rng) => {
      const s = Array.from({ length: 1 + rng.int(20) }, () => pick(rng, [" ", "\t", "\n", "\r", "\r\n"])).join("");
      return [encoder.encode(s), `whitespace only ${JSON.stringify(s)}`];
    },
  ],
  [
    "swap separators",
    3,
    (rng, b) => {
      const from = pick(rng, [",", "\t", " ", "::", ";"]),
        to = pick(rng, [",", "\t", " ", "::", ";", "|", ""]);
      const text = asText(b);
      const all = rng.next() < 0.5;
      const out = all ? text.split(from).join(to) : text.replace(from, to);
      return [fromText(out), `${all ? "every" : "the first"} ${JSON.stringify(from)} → ${JSON.stringify(to)}`];
    },
  ],
  [
    "quote",
    2,
    (rng, b) => {
      const at = pos(rng, b);
      return [concat(b.subarray(0, at), encoder.encode('"'), b.subarray(at)), `insert a quote at ${at}`];
    },
  ],
  [
    "BOM",
    1,
    (rng, b) => {
      const at = rng.next() < 0.5 ? 0 : pos(rng, b);
      const bom = rng.next() < 0.8 ? Uint8Array.of(0xef, 0xbb, 0xbf) : Uint8Array.of(0xff, 0xfe);
      return [concat(b.subarray(0, at), bom, b.subarray(at)), `insert BOM ${[...bom].map((x) => x.toString(16)).join(" ")} at ${at}`];
    },
  ],
  [
    "repeat file",
    1,
    (rng, b) => {
      const times = 2 + rng.int(rng.next() < 0.7 ? 3 : 120);
      return [concat(...Array<Uint8Array>(times).fill(b)), `the whole file ×${times}`];
    },
  ],
];

const TOTAL_WEIGHT = MUTATIONS.reduce((s, [, w]) => s + w, 0);

function pickMutation(rng: Rng): Mutation {
  let r = rng.next() * TOTAL_WEIGHT;
  for (const [, w, fn] of MUTATIONS) {
    r -= w;
    if (r < 0) return fn;
  }
  return MUTATIONS[0]![2];
}

/** 1 to 3 stacked mutations of `seed` (mostly 1). */
export function mutate(rng: Rng, seed: Uint8Array): Mutated {
  const steps = rng.next() < 0.6 ? 1 : rng.next() < 0.7 ? 2 : 3;
  let bytes = seed;
  const ops: string[] = [];
  for (let s = 0; s < steps; s++) {
    const [out, op] = pickMutation(rng)(rng, bytes);
    bytes = out;
    ops.push(op);
  }
  return { bytes, ops };
}

/** Splits bytes into chunks of random sizes (empty chunks included), as a stream would deliver them. */
export function randomChunks(rng: Rng, bytes: Uint8Array): Uint8Array[] {
  const mode = rng.int(4);
  if (mode === 0 || bytes.length > 1 << 16) return [bytes];
  const max = mode === 1 ? 2 : mode === 2 ? 8 : 64;
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = rng.int(max + 1);
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

export function sourceOf(chunks: readonly Uint8Array[]): AsyncIterable<Uint8Array> {
  return {
    async *[Symbol.asyncIterator]() {
      for (const c of chunks) yield c;
    },
  };
}

/** A printable excerpt of bytes for a failure message: escaped, cut to `max` characters. */
export function excerpt(bytes: Uint8Array, max = 400): string {
  const shown = asText(bytes.subarray(0, max));
  const escaped = JSON.stringify(shown).replace(/[\u0080-\u00ff]/g, (c) => `\\x${c.charCodeAt(0).toString(16)}`);
  return bytes.length > max ? `${escaped}… (${bytes.length} bytes)` : escaped;
}

// ---------------------------------------------------------------------------------------------
// Model files: a valid checksum is re-stamped after a mutation so the damage reaches the header
// and table checks instead of stopping at the CRC.

const PREAMBLE = 16;
const FOOTER = 12;
const align16 = (n: number): number => Math.ceil(n / 16) * 16;

/** Re-stamps the CRC-32 of a model file whose end marker is in place (a no-op otherwise). */
export function restampCrc(bytes: Uint8Array): Uint8Array {
  if (bytes.length < PREAMBLE + FOOTER) return bytes;
  const out = bytes.slice();
  const footer = out.length - FOOTER;
  new DataView(out.buffer).setUint32(footer, crc32(out.subarray(0, footer)), true);
  return out;
}

interface RawTable {
  name: string;
  dtype: string;
  rows: number;
  cols: number;
  offset: number;
  byteLength: number;
}

/** The header and table region of a valid model file (for rebuilding one with another header). */
export function splitModelFile(bytes: Uint8Array): { header: Record<string, unknown> & { tables: RawTable[] }; tablesStart: number; body: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(12, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(PREAMBLE, PREAMBLE + headerLength)));
  const tablesStart = align16(PREAMBLE + headerLength);
  return { header, tablesStart, body: bytes.subarray(tablesStart, bytes.length - FOOTER) };
}

/**
 * A model file from a header object and the table region of another file, whose tables the header
 * places from `tablesStart` on. The tables start there again when the header fits before it (the
 * header JSON is padded with spaces), so offsets a mutation chose are written as they are; a
 * header that grew past it moves the region, and every numeric offset moves with it.
 */
export function assembleModelFile(header: Record<string, unknown>, tablesStart: number, body: Uint8Array, version = 1): Uint8Array {
  const tables = Array.isArray(header.tables) ? (header.tables as unknown[]) : undefined;
  const withOffsets = (start: number): Uint8Array => {
    if (start === tablesStart || tables === undefined) return encoder.encode(JSON.stringify(header));
    const shifted = tables.map((t) =>
      t !== null && typeof t === "object" && typeof (t as RawTable).offset === "number"
        ? { ...(t as RawTable), offset: (t as RawTable).offset - tablesStart + start }
        : t,
    );
    return encoder.encode(JSON.stringify({ ...header, tables: shifted }));
  };
  let start = tablesStart;
  let json = withOffsets(start);
  while (PREAMBLE + json.length > start) {
    start = align16(PREAMBLE + json.length);
    json = withOffsets(start);
  }
  const headerBytes = new Uint8Array(start - PREAMBLE).fill(0x20);
  headerBytes.set(json);
  const out = new Uint8Array(start + body.length + FOOTER);
  const view = new DataView(out.buffer);
  out.set(encoder.encode("LTMODEL\0"), 0);
  view.setUint32(8, version, true);
  view.setUint32(12, headerBytes.length, true);
  out.set(headerBytes, PREAMBLE);
  out.set(body, start);
  out.set(encoder.encode("LTEND\0\0\0"), out.length - 8);
  return restampCrc(out);
}

/** The header with its table region moved to leave `slack` bytes for a header that grows. */
function withRoom(
  header: Record<string, unknown> & { tables: RawTable[] },
  tablesStart: number,
  slack: number,
): { header: Record<string, unknown>; start: number } {
  const start = align16(PREAMBLE + encoder.encode(JSON.stringify(header)).length + slack);
  return { header: { ...header, tables: header.tables.map((t) => ({ ...t, offset: t.offset - tablesStart + start })) }, start };
}

/** JSON values that a header field should never hold. */
const ODD_JSON: readonly unknown[] = [
  -1,
  -2147483649,
  0,
  1,
  2,
  3,
  1.5,
  1e308,
  2 ** 31,
  2 ** 32,
  2 ** 53,
  2 ** 53 + 2,
  -0,
  null,
  true,
  false,
  "",
  "1",
  "mf",
  "two-tower",
  "__proto__",
  [],
  [1],
  {},
  { a: 1 },
  "x".repeat(5000),
];

/** Every path to a leaf (or container) of a JSON value, up to `limit` of them. */
function jsonPaths(value: unknown, prefix: Array<string | number> = [], out: Array<Array<string | number>> = [], limit = 2000): Array<Array<string | number>> {
  if (out.length >= limit) return out;
  out.push(prefix);
  if (Array.isArray(value)) {
    // Long id lists: a few positions are enough.
    const n = value.length;
    const idx = n <= 6 ? [...Array(n).keys()] : [0, 1, n >> 1, n - 2, n - 1];
    for (const i of idx) jsonPaths(value[i], [...prefix, i], out, limit);
  } else if (value !== null && typeof value === "object") {
    for (const k of Object.keys(value)) jsonPaths((value as Record<string, unknown>)[k], [...prefix, k], out, limit);
  }
  return out;
}

function getAt(root: unknown, path: ReadonlyArray<string | number>): unknown {
  let v = root;
  for (const p of path) v = (v as Record<string | number, unknown>)[p];
  return v;
}

/** A deep copy of `root` with the value at `path` replaced (`undefined` deletes an object key, splices an array element). */
function setAt(root: unknown, path: ReadonlyArray<string | number>, value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  const parent = getAt(copy, path.slice(0, -1)) as Record<string | number, unknown> | unknown[];
  const last = path[path.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else {
    (parent as Record<string | number, unknown>)[last] = value;
  }
  return copy;
}

/** A mutated model file: raw bytes (CRC usually broken), bytes with the CRC re-stamped, a changed header, or changed table values. */
export function mutateModelFile(rng: Rng, valid: Uint8Array): Mutated {
  const r = rng.next();
  if (r < 0.25) return mutate(rng, valid);
  if (r < 0.45) {
    const m = mutate(rng, valid);
    return { bytes: restampCrc(m.bytes), ops: [...m.ops, "re-stamp CRC"] };
  }
  const { header, tablesStart, body } = splitModelFile(valid);
  if (r < 0.8) {
    // Header: one or two fields changed, deleted or given another type.
    const room = withRoom(header, tablesStart, 96);
    let h: unknown = room.header;
    const ops: string[] = [];
    const steps = rng.next() < 0.7 ? 1 : 2;
    for (let s = 0; s < steps; s++) {
      const paths = jsonPaths(h).filter((p) => p.length > 0);
      if (paths.length === 0) break;
      const path = pick(rng, paths);
      const old = getAt(h, path);
      const choice = rng.next();
      let value: unknown;
      if (choice < 0.15) value = undefined;
      else if (choice < 0.4 && typeof old === "number") value = pick(rng, [old + 1, old - 1, old + 16, old - 16, old * 2, -old, old + 0.5]);
      else if (choice < 0.5 && Array.isArray(old) && old.length > 0) value = [...old, old[0]];
      else value = pick(rng, ODD_JSON);
      h = setAt(h, path, value);
      const shown = value === undefined ? "deleted" : JSON.stringify(value).slice(0, 40);
      ops.push(`header ${path.join(".")}: ${JSON.stringify(old)?.slice(0, 40)} → ${shown}`);
    }
    const version = rng.next() < 0.05 ? pick(rng, [0, 2, 5898241, 0xffffffff]) : 1;
    if (version !== 1) ops.push(`preamble version ${version}`);
    return { bytes: assembleModelFile(h as Record<string, unknown>, room.start, body, version), ops };
  }
  // Table values: one 32-bit value set to an extreme (negative count, decreasing offset, huge or non-finite factor).
  const tables = header.tables.filter((t) => t.byteLength > 0);
  if (tables.length === 0) return { bytes: valid, ops: ["no tables"] };
  const t = pick(rng, tables);
  const out = valid.slice();
  const view = new DataView(out.buffer);
  const ops: string[] = [];
  const n = rng.next() < 0.8 ? 1 : 2 + rng.int(4);
  for (let k = 0; k < n; k++) {
    const index = rng.next() < 0.3 ? 0 : rng.int(t.byteLength / 4);
    const at = t.offset + 4 * index;
    if (t.dtype === "i32") {
      const v = pick(rng, [-1, -2147483648, 2147483647, 0, 1, 1 << 20, view.getInt32(at, true) + 1, view.getInt32(at, true) - 1, 1 << 30]);
      view.setInt32(at, v, true);
      ops.push(`${t.name}[${index}] = ${v}`);
    } else {
      const v = pick(rng, [3e38, -3e38, 3.4028234663852886e38, 1e20, -1e20, 1e-45, 0, NaN, Infinity, -Infinity, 65504, 1e10]);
      view.setFloat32(at, v, true);
      ops.push(`${t.name}[${index}] = ${v}`);
    }
  }
  ops.push("re-stamp CRC");
  return { bytes: restampCrc(out), ops };
}

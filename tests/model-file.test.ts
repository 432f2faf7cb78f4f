import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as zlib from "node:zlib";
import { crc32 } from "../ts/util/crc32.js";
import { Rng } from "../ts/util/rng.js";
import {
  decodeModelFile,
  encodeModelFile,
  END_MAGIC,
  MODEL_FORMAT_VERSION,
  ModelFileError,
  requireTable,
  START_MAGIC,
  WRITER_LIBRARY,
  type ModelFileContents,
  type ModelFileErrorCode,
} from "../ts/model/model-file.js";

function randomModel(rng: Rng, nUsers: number, nItems: number, dim: number): ModelFileContents {
  const f32 = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
  const userIds = Array.from({ length: nUsers }, (_, u) => `user-${u}-ü`);
  const itemIds = Array.from({ length: nItems }, (_, i) => `item "${i}", 映画`);
  return {
    kind: "mf",
    config: { loss: "bpr", dim, lr: 0.05, nested: { epochs: [1, 2, 3] } },
    shapes: { nUsers, nItems, dim },
    userIds,
    itemIds,
    tables: {
      userFactors: { rows: nUsers, cols: dim, data: f32(nUsers * dim) },
      itemFactors: { rows: nItems, cols: dim, data: f32(nItems * dim) },
      itemBias: { rows: nItems, cols: 1, data: f32(nItems) },
      itemCounts: { rows: nItems, cols: 1, data: Int32Array.from({ length: nItems }, () => rng.int(1000) - 10) },
    },
    metadata: { trainedOn: "synthetic", metrics: { "recall@20": 0.123 } },
  };
}

function expectModelError(fn: () => unknown, code: ModelFileErrorCode, ...fragments: (string | RegExp)[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ModelFileError, `expected ModelFileError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.equal(e.file, "ratings-model.ltm");
    assert.ok(e.message.startsWith("ratings-model.ltm: "), e.message);
    for (const f of fragments) {
      if (typeof f === "string") assert.ok(e.message.includes(f), `"${e.message}" should mention "${f}"`);
      else assert.match(e.message, f);
    }
    return true;
  });
}

/** Builds a file byte by byte from a raw header string and table payloads, with a valid checksum. */
function assemble(headerJson: string, payloads: { offset: number; bytes: Uint8Array }[], version = 1): Uint8Array {
  const header = new TextEncoder().encode(headerJson);
  const tablesStart = Math.ceil((16 + header.length) / 16) * 16;
  let end = tablesStart;
  for (const p of payloads) end = Math.max(end, Math.ceil((p.offset + p.bytes.length) / 16) * 16);
  const out = new Uint8Array(end + 12);
  const view = new DataView(out.buffer);
  out.set(START_MAGIC, 0);
  view.setUint32(8, version, true);
  view.setUint32(12, header.length, true);
  out.set(header, 16);
  for (const p of payloads) out.set(p.bytes, p.offset);
  view.setUint32(end, crc32(out.subarray(0, end)), true);
  out.set(END_MAGIC, end + 4);
  return out;
}

function headerOf(bytes: Uint8Array): Record<string, any> {
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
  return JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + length)));
}

/** Re-assembles `bytes` after editing its header, keeping every table's bytes at its old offset. */
function withHeader(bytes: Uint8Array, edit: (h: Record<string, any>) => void): Uint8Array {
  const original = headerOf(bytes);
  const h = structuredClone(original);
  edit(h);
  const json = JSON.stringify(h);
  if (Math.ceil((16 + json.length) / 16) * 16 > original.tables[0].offset) throw new Error("test helper: edited header overlaps the tables");
  const payloads = original.tables.map((t: any) => ({ offset: t.offset, bytes: bytes.slice(t.offset, t.offset + t.byteLength) }));
  return assemble(json, payloads);
}

const FILE = "ratings-model.ltm";

describe("crc32", () => {
  test("matches the IEEE check value and zlib on random data, also when fed in pieces", () => {
    assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
    assert.equal(crc32(new Uint8Array(0)), 0);
    const rng = new Rng(7);
    for (const n of [1, 3, 17, 1000, 4099]) {
      const data = Uint8Array.from({ length: n }, () => rng.int(256));
      const whole = crc32(data);
      if (typeof zlib.crc32 === "function") assert.equal(whole, zlib.crc32(data));
      const cut = rng.int(n + 1);
      assert.equal(crc32(data.subarray(cut), crc32(data.subarray(0, cut))), whole);
    }
  });
});

describe("model file", () => {
  test("round-trips tables, ids, config and metadata on random shapes, including empty ones and dim = 1", () => {
    const rng = new Rng(42);
    for (const [nUsers, nItems, dim] of [
      [5, 7, 3],
      [0, 4, 2],
      [3, 0, 5],
      [0, 0, 1],
      [13, 29, 1],
      [17, 31, 33],
    ]) {
      const model = randomModel(rng, nUsers, nItems, dim);
      const decoded = decodeModelFile(encodeModelFile(model, FILE), FILE);
      assert.deepEqual(decoded, { ...model, library: { ...WRITER_LIBRARY } });
      for (const name of Object.keys(model.tables)) {
        assert.equal(decoded.tables[name].data.constructor, model.tables[name].data.constructor, name);
      }
    }
  });

  test("byte layout: magic, version, header length, 16-byte aligned tables, CRC-32 footer, end magic", () => {
    const model = randomModel(new Rng(1), 6, 9, 5);
    model.createdAt = "2025-01-02T03:04:05.000Z";
    const bytes = encodeModelFile(model);
    const view = new DataView(bytes.buffer);
    assert.deepEqual(bytes.subarray(0, 8), START_MAGIC);
    assert.equal(new TextDecoder().decode(bytes.subarray(0, 7)), "LTMODEL");
    // The lowest version that holds the contents: 1 without a serving section, 2 with one.
    assert.equal(view.getUint32(8, true), 1);
    const header = headerOf(bytes);
    assert.equal(header.formatVersion, 1);
    const served = encodeModelFile({ ...model, serving: { alphaItems: 0.5 } });
    assert.equal(new DataView(served.buffer).getUint32(8, true), MODEL_FORMAT_VERSION);
    assert.equal(headerOf(served).formatVersion, 2);
    assert.deepEqual(decodeModelFile(served).serving, { alphaItems: 0.5 });
    assert.equal(header.kind, "mf");
    assert.equal(header.createdAt, "2025-01-02T03:04:05.000Z");
    assert.deepEqual(header.library, WRITER_LIBRARY);
    assert.deepEqual(header.shapes, { nUsers: 6, nItems: 9, dim: 5 });
    const headerEnd = 16 + view.getUint32(12, true);
    for (let i = headerEnd; i < Math.ceil(headerEnd / 16) * 16; i++) assert.equal(bytes[i], 0, "header padding is zeros");
    let previousEnd = headerEnd;
    for (const t of header.tables) {
      assert.equal(t.offset % 16, 0, `${t.name} aligned`);
      assert.ok(t.offset >= previousEnd);
      assert.equal(t.byteLength, t.rows * t.cols * 4);
      const source = model.tables[t.name].data;
      const onDisk = t.dtype === "f32" ? view.getFloat32(t.offset + 4, true) : view.getInt32(t.offset + 4, true);
      assert.equal(onDisk, source[1], `${t.name} is little-endian at its offset`);
      previousEnd = t.offset + t.byteLength;
    }
    assert.deepEqual(
      header.tables.map((t: any) => [t.name, t.dtype]),
      [
        ["userFactors", "f32"],
        ["itemFactors", "f32"],
        ["itemBias", "f32"],
        ["itemCounts", "i32"],
      ],
    );
    const footer = bytes.length - 12;
    assert.equal(footer % 16, 0);
    assert.deepEqual(bytes.subarray(footer + 4), END_MAGIC);
    assert.equal(view.getUint32(footer, true), crc32(bytes.subarray(0, footer)));
    if (typeof zlib.crc32 === "function") assert.equal(view.getUint32(footer, true), zlib.crc32(bytes.subarray(0, footer)));
  });

  test("encoding is deterministic when createdAt is not set", () => {
    const model = randomModel(new Rng(3), 4, 4, 4);
    assert.deepEqual(encodeModelFile(model), encodeModelFile(model));
  });

  test("decodes from a view at an odd byteOffset and returns tables that own aligned buffers", () => {
    const model = randomModel(new Rng(5), 7, 11, 3);
    const bytes = encodeModelFile(model);
    for (const shift of [1, 3, 4, 13]) {
      const host = new Uint8Array(bytes.length + shift + 5);
      host.set(bytes, shift);
      const decoded = decodeModelFile(host.subarray(shift, shift + bytes.length), FILE);
      for (const [name, t] of Object.entries(decoded.tables)) {
        assert.deepEqual(t.data, model.tables[name].data);
        assert.notEqual(t.data.buffer, host.buffer, "tables are copies");
        assert.equal(t.data.byteOffset, 0);
      }
      host.fill(0);
      assert.equal(decoded.tables.userFactors.data[0], model.tables.userFactors.data[0], "copies survive the input being reused");
    }
  });

  test("the writer library version matches package.json", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    assert.equal(WRITER_LIBRARY.name, pkg.name);
    assert.equal(WRITER_LIBRARY.version, pkg.version);
  });
});

describe("model file errors name the file and the fault", () => {
  const good = encodeModelFile(randomModel(new Rng(9), 3, 5, 2));

  test("not a model: text, CSV, another binary, empty file", () => {
    const text = new TextEncoder().encode("userId,itemId,rating\n1,2,3\n");
    expectModelError(() => decodeModelFile(text, FILE), "not-a-model", "not a longtail model", '"userId,i"');
    expectModelError(() => decodeModelFile(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 4), FILE), "not-a-model", "89 50 4e 47");
    expectModelError(() => decodeModelFile(new Uint8Array(0), FILE), "not-a-model", "empty");
  });

  test("every truncation is reported as truncated (no crash, no partial model)", () => {
    for (let size = 1; size < good.length; size++) {
      expectModelError(() => decodeModelFile(good.subarray(0, size), FILE), "truncated", "truncated", "copy it again");
    }
    expectModelError(() => decodeModelFile(good.subarray(0, good.length - 20), FILE), "truncated", `header describes a file of ${good.length} bytes`);
  });

  test("trailing bytes after the end marker are refused", () => {
    const longer = new Uint8Array(good.length + 3);
    longer.set(good);
    expectModelError(() => decodeModelFile(longer, FILE), "truncated", "LTEND");
  });

  test("a newer format version says which version this build reads", () => {
    const newer = good.slice();
    new DataView(newer.buffer).setUint32(8, MODEL_FORMAT_VERSION + 1, true);
    expectModelError(
      () => decodeModelFile(newer, FILE),
      "newer-version",
      `format version ${MODEL_FORMAT_VERSION + 1}`,
      `reads format versions up to ${MODEL_FORMAT_VERSION}`,
      "Upgrade longtail",
    );
  });

  test("checksum mismatch when a table byte or a header byte changes", () => {
    const h = headerOf(good);
    const flippedTable = good.slice();
    flippedTable[h.tables[1].offset + 2] ^= 0x10;
    expectModelError(() => decodeModelFile(flippedTable, FILE), "corrupt", "checksum mismatch", "damaged");
    const flippedHeader = good.slice();
    flippedHeader[20] ^= 0x01;
    expectModelError(() => decodeModelFile(flippedHeader, FILE), "corrupt", "checksum mismatch");
  });

  test("every single-byte corruption anywhere is detected", () => {
    const rng = new Rng(11);
    for (let i = 0; i < good.length; i++) {
      const bad = good.slice();
      bad[i] ^= 1 + rng.int(255);
      assert.throws(() => decodeModelFile(bad, FILE), ModelFileError, `byte ${i}`);
    }
  });

  test("invalid header JSON with a valid checksum", () => {
    expectModelError(() => decodeModelFile(assemble('{"formatVersion": 1, "kind": ', []), FILE), "invalid-header", "not valid UTF-8 JSON");
    expectModelError(() => decodeModelFile(assemble("[1, 2]", []), FILE), "invalid-header", '"(root)"');
  });

  test("missing or mistyped header fields name the field", () => {
    expectModelError(
      () =>
        decodeModelFile(
          withHeader(good, (h) => delete h.kind),
          FILE,
        ),
      "invalid-header",
      '"kind"',
    );
    expectModelError(
      () =>
        decodeModelFile(
          withHeader(good, (h) => (h.shapes.dim = -1)),
          FILE,
        ),
      "invalid-header",
      '"shapes.dim"',
    );
    expectModelError(
      () =>
        decodeModelFile(
          withHeader(good, (h) => (h.tables[0].dtype = "f64")),
          FILE,
        ),
      "invalid-header",
      '"tables[0].dtype"',
    );
    expectModelError(
      () =>
        decodeModelFile(
          withHeader(good, (h) => (h.formatVersion = 3)),
          FILE,
        ),
      "invalid-header",
      '"formatVersion"',
    );
    expectModelError(
      () =>
        decodeModelFile(
          withHeader(good, (h) => (h.tables[2].name = h.tables[0].name)),
          FILE,
        ),
      "invalid-header",
      "repeats",
    );
  });

  test("a table outside the table region, overlapping another, or misaligned", () => {
    expectModelError(
      () =>
        decodeModelFile(
          withHeader(good, (h) => (h.tables[3].offset += 4096)),
          FILE,
        ),
      "out-of-bounds",
      `table "itemCounts"`,
      "outside the table region",
    );
    expectModelError(
      () =>
        decodeModelFile(
          withHeader(good, (h) => (h.tables[0].offset = 0)),
          FILE,
        ),
      "out-of-bounds",
      "outside",
    );
    expectModelError(
      () =>
        decodeModelFile(
          withHeader(good, (h) => (h.tables[1].offset = h.tables[0].offset)),
          FILE,
        ),
      "out-of-bounds",
      "overlaps",
    );
    expectModelError(
      () =>
        decodeModelFile(
          withHeader(good, (h) => (h.tables[1].offset += 4)),
          FILE,
        ),
      "out-of-bounds",
      "16-byte aligned",
    );
  });

  test("shape mismatches between header and tables", () => {
    expectModelError(
      () =>
        decodeModelFile(
          withHeader(good, (h) => (h.tables[0].rows += 1)),
          FILE,
        ),
      "shape-mismatch",
      `table "userFactors" declares 4 × 2 f32 values (32 bytes) but a byteLength of 24`,
    );
    expectModelError(
      () =>
        decodeModelFile(
          withHeader(good, (h) => h.userIds.pop()),
          FILE,
        ),
      "shape-mismatch",
      "userIds has 2 entries but shapes.nUsers is 3",
    );
    expectModelError(
      () =>
        decodeModelFile(
          withHeader(good, (h) => (h.itemIds[1] = h.itemIds[0])),
          FILE,
        ),
      "shape-mismatch",
      "unique",
    );
    const decoded = decodeModelFile(good, FILE);
    const { nUsers, nItems, dim } = decoded.shapes;
    assert.equal(requireTable(decoded, "userFactors", { rows: nUsers, cols: dim, dtype: "f32" }, FILE).rows, 3);
    expectModelError(
      () => requireTable(decoded, "itemFactors", { rows: nItems, cols: dim + 1, dtype: "f32" }, FILE),
      "shape-mismatch",
      `table "itemFactors" is 5 × 2 f32`,
      "5 × 3 f32",
    );
    expectModelError(() => requireTable(decoded, "itemCounts", { rows: nItems, cols: 1, dtype: "f32" }, FILE), "shape-mismatch", "i32");
    expectModelError(() => requireTable(decoded, "userBias", { rows: nUsers, cols: 1, dtype: "f32" }, FILE), "shape-mismatch", `needs table "userBias"`);
  });

  test("non-finite values are refused on write and on read", () => {
    const model = randomModel(new Rng(2), 3, 4, 2);
    model.tables.itemFactors.data[5] = Number.NaN;
    assert.throws(
      () => encodeModelFile(model, FILE),
      (e: unknown) => {
        assert.ok(e instanceof ModelFileError && e.code === "invalid-contents");
        assert.match(e.message, /itemFactors.*NaN.*row 2, column 1/);
        return true;
      },
    );
    const h = headerOf(good);
    const t = h.tables.find((x: any) => x.name === "itemFactors");
    const payloads = h.tables.map((x: any) => ({ offset: x.offset, bytes: good.slice(x.offset, x.offset + x.byteLength) }));
    const withInf = assemble(JSON.stringify(h), payloads);
    new DataView(withInf.buffer).setFloat32(t.offset + 4, Number.POSITIVE_INFINITY, true);
    const footer = withInf.length - 12;
    new DataView(withInf.buffer).setUint32(footer, crc32(withInf.subarray(0, footer)), true);
    expectModelError(() => decodeModelFile(withInf, FILE), "corrupt", `table "itemFactors"`, "Infinity", "row 0, column 1");
  });

  test("inconsistent contents are refused before anything is written", () => {
    const bad = (edit: (m: ModelFileContents) => void, fragment: string) => {
      const m = randomModel(new Rng(4), 3, 4, 2);
      edit(m);
      expectModelError(() => encodeModelFile(m, FILE), "invalid-contents", "cannot write", fragment);
    };
    bad((m) => (m.tables.userFactors.rows = 4), "declared 4 × 2 = 8 values but holds 6");
    bad((m) => m.userIds.push("extra"), "userIds has 4 entries but shapes.nUsers is 3");
    bad((m) => (m.itemIds[2] = m.itemIds[0]), "repeats");
    bad((m) => (m.shapes.dim = 1.5), "shapes.dim");
    bad((m) => (m.kind = ""), "kind");
    bad((m) => ((m.tables.x as any) = { rows: 1, cols: 1, data: new Float64Array(1) }), "Float32Array or an Int32Array");
  });
});

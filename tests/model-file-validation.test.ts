/**
 * A model file whose checksum is valid but whose contents no writer produces is refused when it is
 * loaded (issue 14): non-finite or overflowing factors, negative counts, sparse-row offsets that do
 * not start at 0, decrease or run past their index table, indices out of range, and a format version
 * far beyond any that exists. Each bad file is built from a valid one by rewriting a table and
 * recomputing the CRC, so only the content checks can catch it; the untouched file loads.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Kernels } from "../ts/kernels/kernels.js";
import type { MatrixFactorization } from "../ts/mf/matrix-factorization.js";
import { modelFromContents as loadModel } from "../ts/model/load-history-recommender.js";
import {
  decodeModelFile,
  encodeModelFile,
  MAX_ABS_TABLE_VALUE,
  MAX_PLAUSIBLE_FORMAT_VERSION,
  MODEL_FORMAT_VERSION,
  ModelFileError,
  type ModelFileContents,
  type ModelFileErrorCode,
} from "../ts/model/model-file.js";
import { loadWasmInstance } from "../ts/node.js";
import { crc32 } from "../ts/util/crc32.js";
import { Rng } from "../ts/util/rng.js";
import { cli } from "./support/cli.js";

const FILE = "bad-model.ltm";
let kernels: Kernels;
let dir: string;

before(async () => {
  kernels = new Kernels(await loadWasmInstance());
  dir = mkdtempSync(join(tmpdir(), "longtail-model-validation-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const normal = (rng: Rng, n: number) => Float32Array.from({ length: n }, () => rng.normal() * 0.5);

/** A valid "mf" model: 3 users × 5 items, d = 4; user 0 saw items 0 and 1, user 1 item 2, user 2 items 3 and 4. */
function mfContents(): ModelFileContents {
  const rng = new Rng(5);
  const nUsers = 3,
    nItems = 5,
    dim = 4;
  return {
    kind: "mf",
    config: { loss: "bpr", dim },
    shapes: { nUsers, nItems, dim },
    userIds: ["u0", "u1", "u2"],
    itemIds: ["i0", "i1", "i2", "i3", "i4"],
    tables: {
      userFactors: { rows: nUsers, cols: dim, data: normal(rng, nUsers * dim) },
      itemFactors: { rows: nItems, cols: dim, data: normal(rng, nItems * dim) },
      itemCounts: { rows: 1, cols: nItems, data: Int32Array.of(1, 1, 1, 1, 1) },
      seenIndptr: { rows: 1, cols: nUsers + 1, data: Int32Array.of(0, 2, 3, 5) },
      seenIndices: { rows: 1, cols: 5, data: Int32Array.of(0, 1, 2, 3, 4) },
    },
  };
}

/** A valid "two-tower" model with genres: 2 users × 4 items × 3 genres, d = 2. */
function twoTowerContents(): ModelFileContents {
  const rng = new Rng(6);
  const nItems = 4,
    dim = 2;
  return {
    kind: "two-tower",
    config: { dim, genreNames: ["a", "b", "c"] },
    shapes: { nUsers: 2, nItems, dim },
    userIds: ["u0", "u1"],
    itemIds: ["i0", "i1", "i2", "i3"],
    tables: {
      itemInput: { rows: nItems, cols: dim, data: normal(rng, nItems * dim) },
      itemOutput: { rows: nItems, cols: dim, data: normal(rng, nItems * dim) },
      projection: { rows: dim, cols: dim, data: Float32Array.of(1, 0, 0, 1) },
      projectionBias: { rows: 1, cols: dim, data: new Float32Array(dim) },
      genreEmbeddings: { rows: 3, cols: dim, data: normal(rng, 3 * dim) },
      itemGenreIndptr: { rows: 1, cols: nItems + 1, data: Int32Array.of(0, 1, 2, 3, 3) },
      itemGenreIndices: { rows: 1, cols: 3, data: Int32Array.of(0, 2, 1) },
      itemCounts: { rows: 1, cols: nItems, data: Int32Array.of(2, 1, 1, 0) },
      seenIndptr: { rows: 1, cols: 3, data: Int32Array.of(0, 2, 4) },
      seenIndices: { rows: 1, cols: 4, data: Int32Array.of(0, 1, 2, 0) },
    },
  };
}

function headerOf(bytes: Uint8Array): { tables: { name: string; dtype: string; offset: number; rows: number; cols: number }[] } {
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
  return JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + length)));
}

/** Recomputes the footer's CRC-32, so that the file passes the checksum whatever was changed. */
function resealed(bytes: Uint8Array): Uint8Array {
  const footer = bytes.length - 12;
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(footer, crc32(bytes.subarray(0, footer)), true);
  return bytes;
}

/** A copy of `bytes` with values of table `name` replaced (position → value), CRC recomputed. */
function withValues(bytes: Uint8Array, name: string, values: Record<number, number>): Uint8Array {
  const out = bytes.slice();
  const entry = headerOf(out).tables.find((t) => t.name === name);
  assert.ok(entry, `test helper: no table "${name}"`);
  const view = new DataView(out.buffer);
  for (const [position, value] of Object.entries(values)) {
    const at = entry.offset + 4 * Number(position);
    if (entry.dtype === "f32") view.setFloat32(at, value, true);
    else view.setInt32(at, value, true);
  }
  return resealed(out);
}

/** What `longtail recommend` does with a file: decode, then load with the loader of its kind. */
function load(bytes: Uint8Array): void {
  loadModel(kernels, decodeModelFile(bytes, FILE), FILE).dispose();
}

function expectRefused(bytes: Uint8Array, code: ModelFileErrorCode, ...fragments: string[]): void {
  assert.throws(
    () => load(bytes),
    (e: unknown) => {
      assert.ok(e instanceof ModelFileError, `expected ModelFileError, got ${String(e)}`);
      assert.equal(e.code, code, e.message);
      assert.ok(e.message.startsWith(`${FILE}: `), e.message);
      for (const f of fragments) assert.ok(e.message.includes(f), `"${e.message}" should mention "${f}"`);
      return true;
    },
  );
}

describe("a loaded model is validated", () => {
  it("the valid files load (so every refusal below is the check's doing)", () => {
    load(encodeModelFile(mfContents(), FILE));
    load(encodeModelFile(twoTowerContents(), FILE));
  });

  it("reads older files as they were trained: a full softmax's unused negatives, a sampled softmax's former Adam and rate; a broken config is still refused", () => {
    const file = encodeModelFile({ ...mfContents(), config: { loss: "softmax", dim: 4, negatives: 64 } }, FILE);
    const model = loadModel(kernels, decodeModelFile(file, FILE), FILE);
    assert.equal((model as MatrixFactorization).config.negatives, 0);
    model.dispose();
    expectRefused(encodeModelFile({ ...mfContents(), config: { loss: "softmax", dim: 4, temperature: -1 } }, FILE), "corrupt", "temperature");
    // A sampled-softmax file from before adamUpdates and learningRateSchedule existed was trained lazily at a constant rate.
    const old = loadModel(kernels, decodeModelFile(encodeModelFile({ ...mfContents(), config: { loss: "sampled-softmax", dim: 4 } }, FILE), FILE), FILE);
    const { adamUpdates, learningRateSchedule } = (old as MatrixFactorization).config;
    assert.deepEqual([adamUpdates, learningRateSchedule], ["lazy", "constant"]);
    old.dispose();
    const stored = { loss: "sampled-softmax", dim: 4, adamUpdates: "dense", learningRateSchedule: "cosine" };
    const current = loadModel(kernels, decodeModelFile(encodeModelFile({ ...mfContents(), config: stored }, FILE), FILE), FILE);
    assert.deepEqual([(current as MatrixFactorization).config.adamUpdates, (current as MatrixFactorization).config.learningRateSchedule], ["dense", "cosine"]);
    current.dispose();
  });

  it("refuses a NaN factor, naming the table, the position and the value", () => {
    const good = encodeModelFile(mfContents(), FILE);
    expectRefused(withValues(good, "userFactors", { 6: Number.NaN }), "corrupt", `table "userFactors"`, "NaN", "row 1, column 2", "re-train");
  });

  it("refuses factors near 3e38 (scores overflow) but loads and ranks a model at the bound", () => {
    const good = encodeModelFile(mfContents(), FILE);
    const huge = Math.fround(3e38);
    expectRefused(withValues(good, "itemFactors", { 9: huge }), "corrupt", `table "itemFactors"`, String(huge), "row 2, column 1", "overflow");
    expectRefused(withValues(good, "userFactors", { 0: -2 * MAX_ABS_TABLE_VALUE }), "corrupt", `table "userFactors"`, "row 0, column 0");
    // Every factor at ±bound: the scores dim · bound² stay finite, and the top-k is full.
    const atBound = mfContents();
    for (const t of [atBound.tables.userFactors, atBound.tables.itemFactors]) {
      t.data = Float32Array.from(t.data, (x) => Math.sign(x) * MAX_ABS_TABLE_VALUE);
    }
    const model = loadModel(kernels, decodeModelFile(encodeModelFile(atBound, FILE), FILE), FILE);
    try {
      const rec = model.recommend("u1", 4);
      assert.equal(rec.items.length, 4);
      for (const s of rec.scores) assert.ok(Number.isFinite(s), `score ${s}`);
    } finally {
      model.dispose();
    }
  });

  it("never writes a factor beyond the bound", () => {
    const contents = mfContents();
    contents.tables.itemFactors.data[3] = Math.fround(3e38);
    assert.throws(
      () => encodeModelFile(contents, FILE),
      (e: unknown) => e instanceof ModelFileError && e.code === "invalid-contents" && /itemFactors.*row 0, column 3/.test(e.message),
    );
  });

  it("refuses a negative item count", () => {
    const good = encodeModelFile(mfContents(), FILE);
    expectRefused(withValues(good, "itemCounts", { 3: -7 }), "corrupt", `table "itemCounts"`, "-7 at position 3", "negative", "re-train", "restore");
    const tower = encodeModelFile(twoTowerContents(), FILE);
    expectRefused(withValues(tower, "itemCounts", { 1: -1 }), "corrupt", `table "itemCounts"`, "-1 at position 1");
  });

  it("refuses offsets that do not start at 0", () => {
    const good = encodeModelFile(mfContents(), FILE);
    expectRefused(withValues(good, "seenIndptr", { 0: -1 }), "corrupt", `table "seenIndptr"`, "-1 at position 0", "start at 0");
    expectRefused(withValues(good, "seenIndptr", { 0: 1 }), "corrupt", `table "seenIndptr"`, "1 at position 0");
    const tower = encodeModelFile(twoTowerContents(), FILE);
    expectRefused(withValues(tower, "seenIndptr", { 0: -2 }), "corrupt", `table "seenIndptr"`, "-2 at position 0");
  });

  it("refuses offsets that decrease, run past the index table or end short of it", () => {
    const good = encodeModelFile(mfContents(), FILE);
    expectRefused(withValues(good, "seenIndptr", { 1: 4 }), "corrupt", `table "seenIndptr"`, "3 at position 2", "never decrease", "position 1 holds 4");
    expectRefused(withValues(good, "seenIndptr", { 3: 9 }), "corrupt", `table "seenIndptr"`, "9 at position 3", `"seenIndices" has only 5 entries`);
    expectRefused(withValues(good, "seenIndptr", { 3: 4 }), "corrupt", `table "seenIndptr"`, "4 at position 3", "last offset");
    const tower = encodeModelFile(twoTowerContents(), FILE);
    expectRefused(withValues(tower, "itemGenreIndptr", { 2: 0 }), "corrupt", `table "itemGenreIndptr"`, "0 at position 2", "never decrease");
  });

  it("refuses indices out of range", () => {
    const good = encodeModelFile(mfContents(), FILE);
    expectRefused(withValues(good, "seenIndices", { 4: 5 }), "corrupt", `table "seenIndices"`, "5 at position 4", "[0, 5)", "items");
    expectRefused(withValues(good, "seenIndices", { 2: -1 }), "corrupt", `table "seenIndices"`, "-1 at position 2");
    const tower = encodeModelFile(twoTowerContents(), FILE);
    expectRefused(withValues(tower, "itemGenreIndices", { 1: 3 }), "corrupt", `table "itemGenreIndices"`, "3 at position 1", "[0, 3)", "genres");
  });

  it("calls a version far beyond any that exists corrupt, a plausible newer one newer", () => {
    const good = encodeModelFile(mfContents(), FILE);
    const withVersion = (version: number) => {
      const out = good.slice();
      new DataView(out.buffer).setUint32(8, version, true);
      return resealed(out);
    };
    // 5898241 = 1 + 2^22 + 2^19 + ...: the bit flip seen in the issue; 2^31 + 1 a flip of the top bit.
    for (const version of [5898241, 2 ** 31 + MODEL_FORMAT_VERSION, MAX_PLAUSIBLE_FORMAT_VERSION + 1]) {
      expectRefused(withVersion(version), "corrupt", `format version field reads ${version}`, "restore");
      assert.throws(
        () => load(withVersion(version)),
        (e: unknown) => !/upgrade/i.test((e as Error).message),
      );
    }
    expectRefused(withVersion(MODEL_FORMAT_VERSION + 1), "newer-version", "Upgrade longtail");
    expectRefused(withVersion(MAX_PLAUSIBLE_FORMAT_VERSION), "newer-version", "Upgrade longtail");
  });

  it("longtail recommend refuses a bad file with a one-line error and exit status 1", () => {
    const good = encodeModelFile(mfContents(), FILE);
    const cases: [string, Uint8Array, string][] = [
      ["huge.ltm", withValues(good, "userFactors", { 0: Math.fround(3e38) }), `table "userFactors"`],
      ["negative-offset.ltm", withValues(good, "seenIndptr", { 0: -1 }), `table "seenIndptr"`],
      ["negative-count.ltm", withValues(good, "itemCounts", { 0: -3 }), `table "itemCounts"`],
    ];
    for (const [name, bytes, fragment] of cases) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      const r = cli("recommend", "--model", path, "--user", "u0", "--k", "3");
      assert.equal(r.status, 1, `${name}: status ${r.status}\n${r.stderr}`);
      assert.equal(r.stdout, "", name);
      const lines = r.stderr.trimEnd().split("\n");
      assert.equal(lines.length, 1, `${name}: one line, got\n${r.stderr}`);
      assert.ok(lines[0].startsWith(`longtail: ${path}: corrupt: `), lines[0]);
      assert.ok(lines[0].includes(fragment), lines[0]);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  });
});

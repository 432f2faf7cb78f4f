/**
 * Embeddings as NumPy's .npy (format 1.0): a little-endian float32 matrix of shape (n, dim), which
 * `np.load` maps without parsing, plus a sidecar NDJSON file whose line r describes row r: {"id",
 * "count", ...} (the same fields as the NDJSON export, without the vector). A sidecar rather than a
 * second .npy of strings because ids have no fixed width and titles, genres and training items are
 * not arrays numpy holds well; pandas reads it with `pd.read_json(path, lines=True, dtype={"id": str})`.
 */
import { lineChunks } from "./byte-chunks.js";
import type { EmbeddingTable } from "./embedding-table.js";
import { rowFacts } from "./embeddings-ndjson.js";

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
/** Rows per chunk of the matrix. */
const CHUNK_ROWS = 16_384;
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** The .npy header of an (n, dim) float32 C-order matrix, padded so the data starts at a multiple of 64 bytes. */
export function npyHeader(n: number, dim: number): Uint8Array {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${n}, ${dim}), }`;
  // 6 magic + 2 version + 2 length + dict + padding + "\n" ≡ 0 (mod 64)
  const unpadded = 10 + dict.length + 1;
  const text = dict + " ".repeat((64 - (unpadded % 64)) % 64) + "\n";
  const out = new Uint8Array(10 + text.length);
  out.set(MAGIC, 0);
  out[6] = 1; // version 1.0: the header length is a u16
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, text.length, true);
  for (let i = 0; i < text.length; i++) out[10 + i] = text.charCodeAt(i);
  return out;
}

/** The .npy file of the table's vectors. */
export async function* embeddingsNpy(table: EmbeddingTable): AsyncGenerator<Uint8Array> {
  const n = table.ids.length,
    d = table.dim;
  yield npyHeader(n, d);
  for (let start = 0; start < n; start += CHUNK_ROWS) {
    const rows = table.vectors.subarray(start * d, Math.min(n, start + CHUNK_ROWS) * d);
    yield HOST_IS_LITTLE_ENDIAN ? new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength) : littleEndian(rows);
  }
}

/** The sidecar: line r = row r's id, count and the table's other facts, as NDJSON. */
export function npyRowsNdjson(table: EmbeddingTable): AsyncIterable<Uint8Array> {
  return lineChunks(
    (function* () {
      for (let r = 0; r < table.ids.length; r++) yield `{"id":${JSON.stringify(table.ids[r])},"count":${table.counts[r]}${rowFacts(table, r)}}`;
    })(),
  );
}

function littleEndian(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return out;
}

/**
 * Parquet decompressors from node:zlib for the codecs hyparquet does not read by itself: GZIP and
 * BROTLI always, ZSTD where this Node has it (22.15 and later). Snappy, the default of Spark,
 * pandas/pyarrow and DuckDB, needs none.
 */
import * as zlib from "node:zlib";

type Decompress = (input: Uint8Array, outputLength: number) => Uint8Array;

const zstd = (zlib as unknown as { zstdDecompressSync?: (input: Uint8Array) => Uint8Array }).zstdDecompressSync;

export const NODE_DECOMPRESSORS: Readonly<Record<string, Decompress>> = {
  GZIP: (input) => zlib.gunzipSync(input),
  BROTLI: (input) => zlib.brotliDecompressSync(input),
  ...(zstd !== undefined && { ZSTD: (input: Uint8Array) => zstd(input) }),
};

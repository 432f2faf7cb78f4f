/**
 * Parquet and Arrow IPC told apart from text by their first bytes (and by their file names, which
 * only have to agree). This module has no dependencies: the readers themselves, and the libraries
 * behind them, are loaded only when a file is one of these.
 */

export type BinaryFormat = "parquet" | "arrow";

export interface BinaryFormatSign {
  readonly format: BinaryFormat;
  /** What showed it, for the summary line ("its first bytes \"PAR1\""). */
  readonly evidence: string;
}

/** Bytes enough to tell the formats apart. */
export const MAGIC_BYTES = 8;

const ascii = (bytes: Uint8Array, text: string): boolean => text.split("").every((c, i) => bytes[i] === c.charCodeAt(0));

/**
 * The binary format the first bytes show: "PAR1" (Parquet), "ARROW1" (an Arrow IPC file, Feather
 * V2), or 0xFFFFFFFF (the continuation marker an Arrow IPC stream starts with; no text file
 * starts with it, since 0xFF is never UTF-8). "FEA1", Feather V1, is a DataError's business:
 * returned as such so the caller can say how to convert it.
 */
export function binaryFormatOf(head: Uint8Array): BinaryFormatSign | "feather-v1" | undefined {
  if (ascii(head, "PAR1")) return { format: "parquet", evidence: 'its first bytes "PAR1"' };
  if (ascii(head, "ARROW1")) return { format: "arrow", evidence: 'its first bytes "ARROW1"' };
  if (head.length >= 4 && head[0] === 0xff && head[1] === 0xff && head[2] === 0xff && head[3] === 0xff) {
    return { format: "arrow", evidence: "its first bytes (the 0xFFFFFFFF of an Arrow IPC stream)" };
  }
  if (ascii(head, "FEA1")) return "feather-v1";
  return undefined;
}

/** The binary format a file name implies: .parquet, or .arrow, .feather, .arrows and .ipc (Arrow IPC files and streams). */
export function binaryFormatFromFileName(fileName: string): BinaryFormat | undefined {
  const base = (fileName.split(/[\\/]/).pop() ?? "").toLowerCase();
  if (base.endsWith(".parquet") || base.endsWith(".parq")) return "parquet";
  if ([".arrow", ".feather", ".arrows", ".ipc"].some((ext) => base.endsWith(ext))) return "arrow";
  return undefined;
}

/** The first bytes as a reader sees them in a message: printable ASCII as is, the rest as \xNN. */
export function showBytes(head: Uint8Array): string {
  return Array.from(head, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`)).join("");
}

/**
 * Node-only: data files on disk as byte sources for the runtime-neutral readers, and the data
 * folders longtail knows (LightGCN/ReSN train.txt + test.txt, MovieLens ratings.csv / ratings.dat).
 */
import { createReadStream } from "node:fs";
import { open, readdir, stat, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { RandomAccessFile, SeekableByteSource } from "../data/byte-source.js";
import { DataError } from "../data/errors.js";
import type { IdMap } from "../data/id-map.js";
import type { Interactions } from "../data/interactions.js";
import { NODE_DECOMPRESSORS } from "./decompressors.js";
import { fileAccessError } from "./file-access.js";
import { readInteractions, type InteractionsFormat, type ReadInteractionsOptions } from "../data/read.js";
import { readMovieLensMovies, type MovieInfo } from "../data/readers/movielens-csv.js";
import { readMovieLensDatMovies } from "../data/readers/movielens-dat.js";
import { NOT_UTF8 } from "../data/readers/text-lines.js";
import { readMovieLens100kGenres, readMovieLens100kItems } from "../data/readers/movielens-100k.js";

const CHUNK_BYTES = 1 << 20;

/**
 * A file as a byte source in 1 MiB chunks; each iteration opens the file anew and closes it when
 * done or abandoned. It can also be opened for reads at offsets, which Parquet and Arrow IPC
 * files are read with (their index is at the end), one row group or record batch at a time.
 */
export function fileSource(path: string, what = "data file"): SeekableByteSource {
  return {
    async *[Symbol.asyncIterator]() {
      const stream = createReadStream(path, { highWaterMark: CHUNK_BYTES });
      try {
        for await (const chunk of stream) yield chunk as Buffer;
      } catch (e) {
        throw fileAccessError(path, what, e);
      }
    },
    openRandomAccess: () => openRandomAccess(path, what),
  };
}

async function openRandomAccess(path: string, what: string): Promise<RandomAccessFile> {
  let handle: FileHandle;
  let size: number;
  try {
    handle = await open(path, "r");
    size = (await handle.stat()).size;
  } catch (e) {
    throw fileAccessError(path, what, e);
  }
  return {
    byteLength: size,
    async read(start, end) {
      const out = new Uint8Array(end - start);
      for (let at = 0; at < out.length; ) {
        const { bytesRead } = await handle.read(out, at, out.length - at, start + at);
        if (bytesRead === 0) {
          throw new DataError({ file: path }, `ends at byte ${start + at}, before the ${size} bytes it had when opened: the file changed while it was read`);
        }
        at += bytesRead;
      }
      return out;
    },
    close: () => handle.close(),
  };
}

/**
 * Test ids that the train part lacks: "error" (default; a DataError naming the test file and
 * line), "drop" (leave those interactions out and count them), or "extend" (add them to the
 * catalog: items only the test part has become items without training interactions, which a
 * full-ranking evaluation over the whole catalog should keep).
 */
export type UnknownInTest = "error" | "drop" | "extend";

export interface LoadTrainTestOptions extends Omit<ReadInteractionsOptions, "users" | "items" | "onUnknown" | "name" | "fileName"> {
  readonly unknownInTest?: UnknownInTest;
}

export interface LoadedData {
  readonly train: Interactions;
  /** Present when the folder holds a fixed test part (test.txt). */
  readonly test?: Interactions;
  /** Present when the folder holds a validation part (valid.txt, as `longtail split --valid` writes), for early stopping and tuning. */
  readonly valid?: Interactions;
  /** Titles and genres, when a movies.csv / movies.dat sits next to the ratings. */
  readonly items?: Map<string, MovieInfo>;
  /** What was read, one line per part, for logs and reports. */
  readonly describe: string;
}

const EXPECTED =
  'a data file (ratings.csv, ratings.dat, "user item item ..." lines, "user item [rating] [timestamp]" triples, a .csv/.tsv with a header) ' +
  "or a folder holding train.txt (+ test.txt), ratings.csv (+ movies.csv), ratings.dat (+ movies.dat) or MovieLens 100K's u.data (+ u.item)";

/**
 * Reads a data set from a file or a folder. After loading, the id maps are frozen: train and
 * test share them, so an index means the same user/item in both parts.
 */
export async function loadTrainTest(path: string, options: LoadTrainTestOptions = {}): Promise<LoadedData> {
  const kind = await pathKind(path);
  if (kind === "missing") throw new DataError({ file: path }, `no such file or folder; expected ${EXPECTED}`);
  if (kind === "file") return loadFile(path, options);

  const names = new Set(await readdir(path));
  if (names.has("train.txt")) return loadLinesFolder(path, names.has("test.txt"), options, names.has("valid.txt"));
  if (names.has("u.data")) return loadMovieLens100k(path, names, options);
  for (const [ratings, movies] of [
    ["ratings.csv", "movies.csv"],
    ["ratings.dat", "movies.dat"],
  ] as const) {
    if (names.has(ratings)) return loadFile(join(path, ratings), options, names.has(movies) ? join(path, movies) : undefined);
  }
  const held = [...names].sort().slice(0, 10);
  const holds = held.length === 0 ? "it is empty" : `it holds ${held.join(", ")}${names.size > held.length ? ", ..." : ""}`;
  throw new DataError({ file: path }, `no data files found (${holds}); expected ${EXPECTED}`);
}

async function loadFile(path: string, options: LoadTrainTestOptions, moviesPath?: string): Promise<LoadedData> {
  const train = requireInteractions(
    await readInteractions(fileSource(path), { compressors: NODE_DECOMPRESSORS, ...options, fileName: path, name: path }),
    options,
  );
  train.users.freeze();
  train.items.freeze();
  const movies = moviesPath ?? (await siblingMoviesFile(path));
  const items = movies === undefined ? undefined : await readMovies(movies);
  const lines = [`train: ${train.describe()}`];
  if (items !== undefined) lines.push(`items: ${items.size.toLocaleString("en-US")} titles from ${movies}`);
  return { train, ...(items !== undefined && { items }), describe: lines.join("\n") };
}

async function loadLinesFolder(folder: string, hasTest: boolean, options: LoadTrainTestOptions, hasValid = false): Promise<LoadedData> {
  const policy = options.unknownInTest ?? "error";
  const trainPath = join(folder, "train.txt");
  const { unknownInTest: _policy, ...readOptions } = options;
  const chosen = await folderFormat(trainPath, options.format);
  const read = (path: string, extra: Partial<ReadInteractionsOptions> = {}) =>
    readInteractions(fileSource(path), { compressors: NODE_DECOMPRESSORS, ...readOptions, ...chosen, fileName: path, name: path, ...extra });
  let train = requireInteractions(await read(trainPath), options);
  const lines = [`train: ${train.describe()}`];
  let test: Interactions | undefined;
  let valid: Interactions | undefined;
  if (hasTest) {
    const { users, items } = train;
    if (policy !== "extend") freeze(users, items);
    const shared = {
      users,
      items,
      onUnknown: policy === "drop" ? "drop" : "error",
      unknownHint: 'set unknownInTest to "drop" or "extend" to accept such ids; CLI: --unknown-in-test',
    } as const;
    test = await read(join(folder, "test.txt"), shared);
    // valid.txt is read under the same policy as test.txt, against the same maps.
    if (hasValid) valid = await read(join(folder, "valid.txt"), shared);
    freeze(users, items);
    const addedUsers = users.size - train.nUsers;
    const addedItems = items.size - train.nItems;
    train = train.resizedToMaps();
    test = test.resizedToMaps();
    valid = valid?.resizedToMaps();
    lines.push(`test: ${test.describe()}`);
    if (valid !== undefined) lines.push(`valid: ${valid.describe()}`);
    if (addedUsers > 0 || addedItems > 0) {
      lines.push(`test ids not in train added to the catalog (unknownInTest "extend"): ${addedUsers} users, ${addedItems} items`);
    }
  } else {
    freeze(train.users, train.items);
  }
  return { train, ...(test !== undefined && { test }), ...(valid !== undefined && { valid }), describe: lines.join("\n") };
}

/**
 * The format of a train.txt/test.txt folder's parts: the one asked for, else the LightGCN layout
 * ("user item item ..." lines, the convention of such folders) when train.txt starts like it,
 * else "auto": detection then reads each part (a header line, a csv export).
 */
export async function folderFormat(
  trainPath: string,
  format: ReadInteractionsOptions["format"],
): Promise<{ format: InteractionsFormat | "auto"; formatReason?: string }> {
  if (format !== undefined && format !== "auto") return { format };
  return (await startsLikeLines(trainPath))
    ? { format: "lines", formatReason: "the layout of train.txt folders, since its first line is integer ids" }
    : { format: "auto" };
}

/** Whether a file's first non-blank line is whitespace-separated integer ids (a header or another layout is not). */
async function startsLikeLines(path: string): Promise<boolean> {
  let text = "";
  for await (const chunk of fileSource(path)) {
    text += new TextDecoder().decode(chunk);
    const first = text.split(/\r\n|\r|\n/).find((l, i, all) => l.trim().length > 0 && i < all.length - 1);
    if (first !== undefined)
      return first
        .trim()
        .split(/\s+/)
        .every((t) => /^\d+$/.test(t));
    if (text.length > 1 << 16) return false;
  }
  return text
    .trim()
    .split(/\s+/)
    .every((t) => /^\d+$/.test(t));
}

/**
 * MovieLens 100K as GroupLens ships it: u.data (tab-separated user item rating timestamp, no
 * header) and, when present, u.item (titles and genre flags, Latin-1) with u.genre's names.
 */
async function loadMovieLens100k(folder: string, names: Set<string>, options: LoadTrainTestOptions): Promise<LoadedData> {
  const ratingsPath = join(folder, "u.data");
  const { unknownInTest: _policy, ...readOptions } = options;
  const { format, ...rest } = readOptions;
  // An explicit format is honoured; the u.data layout applies to triples only.
  const u100k = { columns: ["user", "item", "rating", "timestamp"], separator: "tab" } as const;
  const layout =
    format === undefined || format === "auto"
      ? ({ format: "triples", formatReason: "the layout of MovieLens 100K's u.data", ...u100k } as const)
      : format === "triples"
        ? { format, ...u100k }
        : { format };
  const train = requireInteractions(await readInteractions(fileSource(ratingsPath), { ...layout, ...rest, fileName: ratingsPath, name: ratingsPath }), options);
  freeze(train.users, train.items);
  const lines = [`train: ${train.describe()}`];
  if (!names.has("u.item")) return { train, describe: lines.join("\n") };
  const itemPath = join(folder, "u.item");
  const genres = names.has("u.genre") ? await readMovieLens100kGenres(fileSource(join(folder, "u.genre")), { name: join(folder, "u.genre") }) : undefined;
  const items = await readMovieLens100kItems(fileSource(itemPath), { name: itemPath, ...(genres && { genres }) });
  lines.push(`items: ${items.size.toLocaleString("en-US")} titles from ${itemPath}`);
  return { train, items, describe: lines.join("\n") };
}

/** A data set to train on must hold something: say why it is empty rather than fail later in a model. */
function requireInteractions(train: Interactions, options: LoadTrainTestOptions): Interactions {
  if (train.nnz > 0) return train;
  const skipped = train.rowsBelowMinRating;
  throw new DataError(
    { file: train.name },
    skipped > 0
      ? `no interactions left: all ${skipped.toLocaleString("en-US")} rows have a rating below the minimum ${options.minRating}; lower minRating (CLI: --min-rating)`
      : "no interactions: the file holds no data rows",
  );
}

function freeze(users: IdMap, items: IdMap): void {
  users.freeze();
  items.freeze();
}

/** movies.csv next to ratings.csv, movies.dat next to ratings.dat. */
async function siblingMoviesFile(ratingsPath: string): Promise<string | undefined> {
  const base = basename(ratingsPath).toLowerCase();
  const sibling = base === "ratings.csv" ? "movies.csv" : base === "ratings.dat" ? "movies.dat" : undefined;
  if (sibling === undefined) return undefined;
  const path = join(dirname(ratingsPath), sibling);
  return (await pathKind(path)) === "file" ? path : undefined;
}

/**
 * movies.csv is UTF-8; movies.dat is UTF-8 in some MovieLens releases and ISO-8859-1 in ML-1M,
 * so a .dat that is not valid UTF-8 is read again as latin1 (it is small).
 */
export async function readMovies(path: string): Promise<Map<string, MovieInfo>> {
  if (!path.toLowerCase().endsWith(".dat")) return readMovieLensMovies(fileSource(path), { name: path });
  try {
    return await readMovieLensDatMovies(fileSource(path), { name: path });
  } catch (e) {
    if (e instanceof DataError && e.detail === NOT_UTF8) {
      return readMovieLensDatMovies(fileSource(path), { name: path, encoding: "latin1" });
    }
    throw e;
  }
}

export async function pathKind(path: string): Promise<"file" | "folder" | "missing"> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? "folder" : "file";
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "ENOTDIR") return "missing";
    throw fileAccessError(path, "data file or folder", e);
  }
}

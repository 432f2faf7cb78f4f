/**
 * Crash-safe file replacement for Node: readers of `path` see either the old file or the
 * complete new one, never a half-written model or report. The data goes to a temporary file in
 * the same directory (rename is only atomic within one file system), is fsynced, and is then
 * renamed over the target.
 */
import { access, constants, open, readdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** What can be written: bytes, text (UTF-8), or chunks produced while writing (e.g. a streamed export). */
export type AtomicWriteData = Uint8Array | string | Iterable<Uint8Array | string> | AsyncIterable<Uint8Array | string>;

/** A failed atomic write; the target is untouched and no temporary file is left behind. */
export class AtomicWriteError extends Error {
  readonly path: string;

  constructor(path: string, message: string, cause: unknown) {
    super(`${path}: ${message}`, { cause });
    this.name = "AtomicWriteError";
    this.path = path;
  }
}

// pid + counter names a temp file uniquely across concurrent processes on one host; the
// exclusive "wx" open below guards against a stale file left by a crashed process with a reused pid.
let tempCounter = 0;

/**
 * Write `data` to `path` atomically. On any failure (unwritable directory, full disk, a chunk
 * source that throws, `path` naming a directory) the temporary file is removed, an existing
 * file at `path` keeps its old content, and an {@link AtomicWriteError} naming the path is thrown
 * (the original error is its `cause`). A replaced file keeps its permission bits.
 */
export async function writeFileAtomic(path: string, data: AtomicWriteData): Promise<void> {
  const dir = dirname(path);
  await removeStaleSiblings(dir, basename(path), ["tmp"]);
  let tempPath = "";
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  let stage = "create a temporary file in its directory";
  try {
    const existingMode = await stat(path).then(
      (s) => (s.isFile() ? s.mode & 0o7777 : undefined),
      () => undefined,
    );
    for (let attempt = 0; ; attempt++) {
      tempPath = join(dir, `.${basename(path)}.${process.pid}.${tempCounter++}.tmp`);
      try {
        handle = await open(tempPath, "wx", existingMode ?? 0o666);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST" || attempt >= 100) {
          tempPath = "";
          throw e;
        }
      }
    }
    stage = "write the data";
    if (typeof data === "string" || data instanceof Uint8Array) {
      await handle.writeFile(data);
    } else {
      for await (const chunk of data as AsyncIterable<Uint8Array | string>) await handle.writeFile(chunk);
    }
    // open() applies the umask; chmod restores the exact bits of the file being replaced.
    if (existingMode !== undefined) await handle.chmod(existingMode);
    stage = "flush the data to disk";
    await handle.sync();
    await handle.close();
    handle = undefined;
    stage = "replace the target";
    await rename(tempPath, path);
    tempPath = "";
  } catch (e) {
    await handle?.close().catch(() => undefined);
    if (tempPath) await rm(tempPath, { force: true }).catch(() => undefined);
    const reason = (e as Error)?.message ?? String(e);
    throw new AtomicWriteError(path, `could not write the file atomically (failed to ${stage}): ${reason}`, e);
  }
  await syncDirectory(dir);
}

/**
 * Persist the rename itself, so a power loss right after it cannot bring back the old file.
 * Best effort: some platforms (Windows) and file systems refuse to open or fsync a directory.
 */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Not supported here; the data itself is already durable.
  }
}

/**
 * Removes what an earlier write to `<dir>/<name>` left when its process was killed mid-way:
 * `.<name>.<pid>.<n>.<suffix>` entries (temp files, staging folders) whose process no longer
 * runs. Entries of live processes (a concurrent write) and of this one are kept. Best effort:
 * a folder that cannot be listed is left alone, and the write itself then says what is wrong.
 * (The pid test is per host; on a network share written from several hosts a temp file of
 * another host's live process could look stale, which is the price of never leaking 77 MB.)
 */
export async function removeStaleSiblings(dir: string, name: string, suffixes: readonly string[]): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return;
  }
  const prefix = `.${name}.`;
  for (const entry of entries) {
    if (!entry.startsWith(prefix)) continue;
    const match = /^(\d+)\.\d+\.([a-z]+)$/.exec(entry.slice(prefix.length));
    if (!match || !suffixes.includes(match[2]!)) continue;
    const pid = Number(match[1]);
    if (pid === process.pid || processIsAlive(pid)) continue;
    await rm(join(dir, entry), { recursive: true, force: true }).catch(() => undefined);
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: only checks that the process exists
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // it exists but belongs to another user
  }
}

/**
 * Checks, before any long work, that a file can later be written at `path` (named by `flag` in
 * messages): its folder exists and is writable, and `path` itself is not a folder. Training for
 * an hour and then failing to save is the failure this prevents.
 */
export async function checkWritableTarget(path: string, flag: string): Promise<void> {
  const dir = dirname(path);
  const fail = (message: string, cause?: unknown) => {
    throw new AtomicWriteError(path, `${message} (${flag})`, cause);
  };
  const folder = await stat(dir).catch((e: NodeJS.ErrnoException) => e);
  if (folder instanceof Error) {
    if (folder.code === "ENOENT" || folder.code === "ENOTDIR")
      fail(`the folder ${dir} does not exist; create it first (mkdir -p ${dir}) or give another path`, folder);
    fail(`cannot use the folder ${dir}: ${folder.message}`, folder);
  } else if (!folder.isDirectory()) {
    fail(`${dir} is a file, not a folder`);
  }
  try {
    await access(dir, constants.W_OK);
  } catch (e) {
    fail(`cannot write into the folder ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, e);
  }
  const target = await stat(path).catch(() => undefined);
  if (target?.isDirectory()) fail("is a folder; give a file name");
}

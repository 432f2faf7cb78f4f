/**
 * Node-only: replace a folder of files as a whole, so a reader sees the old set of files or the
 * complete new one, never a new train.txt beside an old test.txt. The files are written (each
 * fsynced, by writeFileAtomic) into a staging folder beside the target, which is then renamed
 * into place; an existing target is first renamed aside and removed only after the new folder is in.
 */
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { AtomicWriteError, removeStaleSiblings, writeFileAtomic, type AtomicWriteData } from "./atomic-write.js";

export interface FolderFile {
  /** A plain file name (no folders). */
  readonly name: string;
  readonly data: AtomicWriteData;
}

let stagingCounter = 0;

/**
 * Write `files` as the whole content of folder `path`. An existing folder is replaced only when
 * every file in it has a name that `replaceable` accepts (so a data folder given by mistake is
 * never swapped away); otherwise, and on any failure, `path` is left as it was, no staging folder
 * is left behind, and an {@link AtomicWriteError} naming the path says why.
 */
export async function writeFolderAtomic(path: string, files: readonly FolderFile[], replaceable: (name: string) => boolean): Promise<void> {
  const existing = await folderContent(path);
  const foreign = existing?.filter((name) => !replaceable(name)) ?? [];
  if (foreign.length > 0) {
    const shown = foreign.sort().slice(0, 5).join(", ") + (foreign.length > 5 ? ", ..." : "");
    throw new AtomicWriteError(
      path,
      `the folder holds files this command did not write (${shown}); give a new or empty folder, or one an earlier run wrote`,
      undefined,
    );
  }
  const parent = dirname(path);
  // A killed run's staging folder is only ever a partial copy; its ".old" folder is the previous
  // content, safe to remove only once the new folder is in place (path exists).
  await removeStaleSiblings(parent, basename(path), existing !== undefined ? ["staging", "old"] : ["staging"]);
  const tag = `${process.pid}.${stagingCounter++}`;
  const staging = join(parent, `.${basename(path)}.${tag}.staging`);
  const aside = join(parent, `.${basename(path)}.${tag}.old`);
  let stage = "create the staging folder";
  try {
    await mkdir(parent, { recursive: true });
    await mkdir(staging);
    stage = "write the files";
    for (const file of files) await writeFileAtomic(join(staging, file.name), file.data);
    if (existing === undefined) {
      stage = "move the new folder into place";
      await rename(staging, path);
      return;
    }
    stage = "move the old folder aside";
    await rename(path, aside);
    stage = "move the new folder into place";
    try {
      await rename(staging, path);
    } catch (e) {
      await rename(aside, path).catch(() => undefined);
      throw e;
    }
  } catch (e) {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    if (e instanceof AtomicWriteError) throw e;
    throw new AtomicWriteError(path, `could not write the folder (failed to ${stage}): ${(e as Error)?.message ?? String(e)}`, e);
  }
  await rm(aside, { recursive: true, force: true }).catch(() => undefined);
}

/** The names in folder `path`; undefined when there is nothing at `path`; an error when it is a file. */
async function folderContent(path: string): Promise<string[] | undefined> {
  let isFolder: boolean;
  try {
    isFolder = (await stat(path)).isDirectory();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new AtomicWriteError(path, `cannot inspect the output folder: ${(e as Error).message}`, e);
  }
  if (!isFolder) throw new AtomicWriteError(path, "is a file, not a folder; give a folder to write the split into", undefined);
  return readdir(path);
}

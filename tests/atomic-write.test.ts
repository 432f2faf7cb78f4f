import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AtomicWriteError, writeFileAtomic } from "../ts/node/atomic-write.js";

describe("writeFileAtomic", () => {
  let dir = "";
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "longtail-atomic-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const expectFailure = async (promise: Promise<void>, path: string, fragment: RegExp) => {
    await assert.rejects(promise, (e: unknown) => {
      assert.ok(e instanceof AtomicWriteError, String(e));
      assert.equal(e.path, path);
      assert.ok(e.message.startsWith(`${path}: `), e.message);
      assert.match(e.message, fragment);
      assert.ok(e.cause !== undefined);
      return true;
    });
  };

  test("writes bytes and text, creating and replacing the target, leaving no temp files", async () => {
    const path = join(dir, "model.ltm");
    const bytes = Uint8Array.from({ length: 100_003 }, (_, i) => (i * 31) & 0xff);
    await writeFileAtomic(path, bytes);
    assert.deepEqual(new Uint8Array(await readFile(path)), bytes);
    await writeFileAtomic(path, "größer — text ✓\n");
    assert.equal(await readFile(path, "utf8"), "größer — text ✓\n");
    await writeFileAtomic(path, new Uint8Array(0));
    assert.equal((await readFile(path)).length, 0);
    assert.deepEqual(await readdir(dir), ["model.ltm"]);
  });

  test("a view with a byteOffset writes only its own bytes", async () => {
    const path = join(dir, "slice.bin");
    const host = Uint8Array.from({ length: 64 }, (_, i) => i);
    await writeFileAtomic(path, host.subarray(10, 20));
    assert.deepEqual(new Uint8Array(await readFile(path)), host.subarray(10, 20));
  });

  test("writes chunks from sync and async sources in order", async () => {
    const path = join(dir, "report.csv");
    await writeFileAtomic(path, ["a,b\n", new TextEncoder().encode("1,2\n"), "3,4\n"]);
    assert.equal(await readFile(path, "utf8"), "a,b\n1,2\n3,4\n");
    async function* rows() {
      for (let i = 0; i < 1000; i++) yield `${i}\n`;
    }
    await writeFileAtomic(path, rows());
    const lines = (await readFile(path, "utf8")).trimEnd().split("\n");
    assert.equal(lines.length, 1000);
    assert.equal(lines[999], "999");
    assert.deepEqual(await readdir(dir), ["report.csv"]);
  });

  test("a source that throws midway leaves the existing file untouched and no temp file", async () => {
    const path = join(dir, "model.ltm");
    await writeFile(path, "old model");
    async function* failing() {
      yield new Uint8Array(50_000).fill(7);
      throw new Error("encoder ran out of memory");
    }
    await expectFailure(writeFileAtomic(path, failing()), path, /failed to write the data.*encoder ran out of memory/);
    assert.equal(await readFile(path, "utf8"), "old model");
    assert.deepEqual(await readdir(dir), ["model.ltm"]);
  });

  test("a target that is a directory is left as it is, and no temp file remains", async () => {
    const path = join(dir, "out");
    await mkdir(path);
    await writeFile(join(path, "keep.txt"), "kept");
    await expectFailure(writeFileAtomic(path, "data"), path, /failed to replace the target/);
    assert.ok((await stat(path)).isDirectory());
    assert.equal(await readFile(join(path, "keep.txt"), "utf8"), "kept");
    assert.deepEqual((await readdir(dir)).sort(), ["out"]);
  });

  test("a missing parent directory is reported with the path", async () => {
    const path = join(dir, "no-such-dir", "model.ltm");
    await expectFailure(writeFileAtomic(path, "x"), path, /failed to create a temporary file.*ENOENT/);
    assert.deepEqual(await readdir(dir), []);
  });

  test("a replaced file keeps its permission bits", { skip: process.platform === "win32" && "POSIX modes only" }, async () => {
    const path = join(dir, "private.ltm");
    await writeFile(path, "old");
    await chmod(path, 0o600);
    await writeFileAtomic(path, "new");
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal(await readFile(path, "utf8"), "new");
  });

  test("concurrent writes to one target all succeed and leave one complete version", async () => {
    const path = join(dir, "shared.txt");
    const versions = Array.from({ length: 8 }, (_, i) => `version ${i} `.repeat(2000));
    await Promise.all(versions.map((v) => writeFileAtomic(path, v)));
    assert.ok(versions.includes(await readFile(path, "utf8")));
    assert.deepEqual(await readdir(dir), ["shared.txt"]);
  });
});

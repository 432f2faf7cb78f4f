/**
 * The README and the docs pages show the runnable examples as they are: every file under examples/
 * (but the data) appears verbatim as a code block of README.md or of a page under docs/, and a test
 * under tests/ runs it (names it, or the folder it lives in).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, it } from "node:test";
import { codeBlocks, docFiles, REPO_ROOT } from "./support/docs.js";

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

const examples = files(join(REPO_ROOT, "examples"))
  .map((path) => relative(REPO_ROOT, path))
  .filter((path) => !path.startsWith("examples/data/"))
  .sort();

describe("README and docs examples", () => {
  it("quote every example file exactly, as a whole code block", () => {
    assert.ok(examples.length >= 10, `found ${examples.length} example files`);
    const blocks = docFiles().flatMap((file) => codeBlocks(file));
    const missing = examples.filter((path) => {
      const text = readFileSync(join(REPO_ROOT, path), "utf8").trimEnd();
      return !blocks.some((b) => b.text.trimEnd() === text);
    });
    assert.deepEqual(missing, [], "edit the README's or the docs pages' copy of these examples to match the files the tests run");
  });

  it("are each run by a test", () => {
    const tests = files(join(REPO_ROOT, "tests"))
      .filter((path) => path.endsWith(".ts") && !path.endsWith("readme-examples.test.ts"))
      .map((path) => readFileSync(path, "utf8"))
      .join("\n");
    const unrun = examples.filter((path) => !tests.includes(path) && !tests.includes(`"${dirname(path)}"`));
    assert.deepEqual(unrun, [], "no test names these example files (or their folder)");
  });
});

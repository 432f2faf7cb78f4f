/** The README shows the runnable examples as they are: every file under examples/ (but the data) appears in it verbatim. */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT } from "./support/runtime-fixture.js";

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

describe("README examples", () => {
  it("quotes every example file exactly", () => {
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    const examples = files(join(REPO_ROOT, "examples")).filter((path) => !relative(REPO_ROOT, path).startsWith("examples/data/"));
    assert.ok(examples.length >= 9, `found ${examples.length} example files`);
    const missing = examples.filter((path) => !readme.includes(readFileSync(path, "utf8").trimEnd())).map((path) => relative(REPO_ROOT, path));
    assert.deepEqual(missing, [], "edit the README's copy of these examples to match the files the tests run");
  });
});

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The CLI entry the package's `bin` points at (tests run from dist/tests/). */
export const BIN = fileURLToPath(new URL("../../../bin/longtail.js", import.meta.url));

/** Run `longtail <args>` in a child process: exit status and both streams. */
export function cli(...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 120_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The CLI entry the package's `bin` points at (tests run from dist/tests/). */
export const BIN = fileURLToPath(new URL("../../../bin/longtail.js", import.meta.url));

/**
 * Run `longtail <args>` in a child process: exit status and both streams. The time limit only
 * catches a hang: CI machines are shared and slow, so it is generous. A run that is killed (time
 * limit, signal) gets status -1 and says why in `stderr`.
 */
export function cli(...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 600_000 });
  if (r.status !== null) return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  const why = r.error ? r.error.message : `killed by ${r.signal}`;
  return { status: -1, stdout: r.stdout ?? "", stderr: `${r.stderr ?? ""}\n[longtail ${args.join(" ")}: ${why}]` };
}

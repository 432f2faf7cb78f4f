/**
 * The native yardstick for BPR training: bench/native/bpr.c compiled with `cc -O3 -march=native`
 * into a temporary folder and run on the same training file, one thread. When no C compiler is
 * present the benchmark says so instead of failing.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface NativeEpoch {
  readonly epoch: number;
  readonly triples: number;
  readonly seconds: number;
  readonly triplesPerSecond: number;
}

export type NativeBprOutcome =
  | { readonly available: true; readonly compiler: string; readonly flags: string; readonly epochs: NativeEpoch[] }
  | { readonly available: false; readonly reason: string };

const FLAGS = ["-O3", "-march=native"];

/** Compiles and runs the C loop for `epochs` epochs on `trainFile` (lines "user item item ..."), d = `dim`. */
export function runNativeBpr(trainFile: string, dim: number, epochs: number, cc = process.env.CC ?? "cc"): NativeBprOutcome {
  const version = spawnSync(cc, ["--version"], { encoding: "utf8" });
  if (version.error || version.status !== 0) return { available: false, reason: `no C compiler (${cc} --version failed): the native row is left out` };
  const dir = mkdtempSync(join(tmpdir(), "longtail-bpr-c-"));
  try {
    const source = fileURLToPath(new URL("../../bench/native/bpr.c", import.meta.url));
    const binary = join(dir, "bpr");
    const build = spawnSync(cc, [...FLAGS, "-o", binary, source, "-lm"], { encoding: "utf8" });
    if (build.status !== 0) return { available: false, reason: `${cc} ${FLAGS.join(" ")} failed: ${build.stderr.trim().split("\n").pop()}` };
    const run = spawnSync(binary, [trainFile, String(dim), String(epochs)], { encoding: "utf8", maxBuffer: 1 << 20 });
    if (run.status !== 0) return { available: false, reason: `the C loop exited with ${run.status}: ${run.stderr.trim()}` };
    const lines = run.stdout.trim().split("\n").map((l) => JSON.parse(l) as NativeEpoch);
    return { available: true, compiler: version.stdout.split("\n")[0], flags: FLAGS.join(" "), epochs: lines };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

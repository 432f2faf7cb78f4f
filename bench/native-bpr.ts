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

const FLAGS = ["-O3", "-march=native"];

/** The compiled C loop: run(epochs) trains a fresh model for that many epochs; dispose() removes the binary. */
export interface NativeBpr {
  readonly compiler: string;
  readonly flags: string;
  run(epochs: number): NativeEpoch[];
  dispose(): void;
}

/** Compiles bench/native/bpr.c for `trainFile` (lines "user item item ..."), d = `dim`, or says why it cannot. */
export function compileNativeBpr(
  trainFile: string,
  dim: number,
  cc = process.env.CC ?? "cc",
): NativeBpr | { readonly available: false; readonly reason: string } {
  const version = spawnSync(cc, ["--version"], { encoding: "utf8" });
  if (version.error || version.status !== 0) return { available: false, reason: `no C compiler (${cc} --version failed): the native row is left out` };
  const dir = mkdtempSync(join(tmpdir(), "longtail-bpr-c-"));
  const source = fileURLToPath(new URL("../../bench/native/bpr.c", import.meta.url));
  const binary = join(dir, "bpr");
  const build = spawnSync(cc, [...FLAGS, "-o", binary, source, "-lm"], { encoding: "utf8" });
  if (build.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return { available: false, reason: `${cc} ${FLAGS.join(" ")} failed: ${build.stderr.trim().split("\n").pop()}` };
  }
  return {
    compiler: version.stdout.split("\n")[0],
    flags: FLAGS.join(" "),
    run: (epochs) => {
      const run = spawnSync(binary, [trainFile, String(dim), String(epochs)], { encoding: "utf8", maxBuffer: 1 << 20 });
      if (run.status !== 0) throw new Error(`the C loop exited with ${run.status}: ${run.stderr.trim()}`);
      return run.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as NativeEpoch);
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

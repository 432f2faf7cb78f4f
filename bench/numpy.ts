/**
 * The numpy/BLAS side of the kernel benchmark: runs bench/numpy_matmul.py single-threaded when a
 * python3 with numpy is available, and reports why not otherwise (never fails the benchmark).
 */
import { spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export interface MatmulShape {
  readonly name: string;
  readonly M: number;
  readonly N: number;
  readonly K: number;
  /** A is stored K×M and used transposed. */
  readonly transA?: boolean;
  /** B is stored N×K and used transposed. */
  readonly transB?: boolean;
}

export interface NumpyShapeResult {
  readonly name: string;
  readonly medianSeconds: number;
  readonly minSeconds: number;
  readonly maxSeconds: number;
  readonly repeats: number;
  readonly gflops: number;
  /** Median process CPU seconds per product (one BLAS thread: close to wall time on an idle core). */
  readonly medianCpuSeconds: number;
}

export type NumpyOutcome =
  | {
      readonly available: true;
      readonly numpy: string;
      readonly blas: string;
      readonly threads: Record<string, string | null>;
      readonly results: NumpyShapeResult[];
    }
  | { readonly available: false; readonly reason: string };

// Every thread pool numpy's BLAS might use, pinned to one thread: the comparison is one core each.
const SINGLE_THREAD_ENV = {
  OPENBLAS_NUM_THREADS: "1",
  OMP_NUM_THREADS: "1",
  MKL_NUM_THREADS: "1",
  VECLIB_MAXIMUM_THREADS: "1",
  NUMEXPR_NUM_THREADS: "1",
  BLIS_NUM_THREADS: "1",
};

/** bench/numpy_matmul.py, seen from the compiled dist/bench/numpy.js. */
function scriptPath(): string {
  return fileURLToPath(new URL("../../bench/numpy_matmul.py", import.meta.url));
}

export function runNumpyMatmul(shapes: readonly MatmulShape[], repeats: number, python = "python3"): NumpyOutcome {
  const probe = spawnSync(python, ["-c", "import numpy"], { encoding: "utf8" });
  if (probe.error) return { available: false, reason: `${python} not runnable: ${probe.error.message}` };
  if (probe.status !== 0) return { available: false, reason: `${python} -c "import numpy" failed: ${probe.stderr.trim().split("\n").pop()}` };
  const run = spawnSync(python, [scriptPath(), JSON.stringify({ repeats, shapes })], {
    encoding: "utf8",
    env: { ...process.env, ...SINGLE_THREAD_ENV },
    maxBuffer: 1 << 20,
  });
  if (run.status !== 0) return { available: false, reason: `numpy_matmul.py exited with ${run.status}: ${run.stderr.trim().split("\n").pop()}` };
  try {
    const parsed = JSON.parse(run.stdout.trim().split("\n").pop() ?? "");
    return { available: true, numpy: parsed.numpy, blas: parsed.blas, threads: parsed.threads, results: parsed.results };
  } catch (e) {
    return { available: false, reason: `numpy_matmul.py printed no JSON: ${(e as Error).message}` };
  }
}

/** A python process that times one product of a fixed shape per request (numpy_matmul.py's serve mode). */
export interface NumpyTimer {
  /** Seconds of one product, timed in python. */
  time(): Promise<number>;
  close(): void;
}

export async function startNumpyTimer(shape: MatmulShape, python = "python3"): Promise<NumpyTimer | { readonly available: false; readonly reason: string }> {
  const child = spawn(python, [scriptPath(), JSON.stringify({ serve: true, shapes: [shape] })], {
    env: { ...process.env, ...SINGLE_THREAD_ENV },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const nextLine = async (): Promise<Record<string, unknown>> => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`numpy_matmul.py ended: ${stderr.trim().split("\n").pop() ?? "no output"}`);
    return JSON.parse(value);
  };
  const spawnError = new Promise<never>((_, reject) => child.once("error", reject));
  spawnError.catch(() => {}); // raced below; an error after close must not become an unhandled rejection
  try {
    await Promise.race([nextLine(), spawnError]); // the "ready" line: operands built, warmed up
    return {
      time: async () => {
        child.stdin.write("run\n");
        return Number((await Promise.race([nextLine(), spawnError])).seconds);
      },
      close: () => {
        child.stdin.end("quit\n");
      },
    };
  } catch (e) {
    child.kill();
    return { available: false, reason: `${python} numpy timer: ${(e as Error).message}` };
  }
}

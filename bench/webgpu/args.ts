/** Flags of bench/webgpu/run.ts, checked: a bad value is an error that names the flag and the value. */
export interface WebGpuBenchArgs {
  sizes: number[];
  dim: number;
  k: number;
  blockUsers: number;
  e2eUsers: number;
  runs: number;
  e2eRuns: number;
  excluded: number;
  maxSeconds: number;
  seed: number;
  dawnBackend: "vulkan" | "opengles" | "d3d12" | "metal";
  allowSoftware: boolean;
  json: boolean;
  out: string | null;
  help: boolean;
}

export const WEBGPU_BENCH_HELP = `node dist/bench/webgpu/run.js [flags]   (npm run bench:webgpu -- [flags])
  --sizes 100000,300000,1000000,3000000,10000000   catalog sizes (items)
  --dim 64            embedding dimension
  --k 20              list length
  --block-users 1024  users per top-k call in the throughput measurement
  --users 8192        users served by recommend-all (end to end)
  --runs 5            timed top-k calls per backend and size (median)
  --e2e-runs 3        timed recommend-all runs (median)
  --excluded 20       training items excluded per user
  --max-seconds 600   skip a recommend-all estimated to take longer
  --seed 42
  --dawn-backend vulkan|opengles|d3d12|metal   Dawn's backend (default vulkan)
  --allow-software    run on a software adapter (llvmpipe, SwiftShader): only proves the script works
  --json              one JSON object on stdout
  --out FILE          also write the JSON to FILE (atomically)
`;

const DEFAULTS: WebGpuBenchArgs = {
  sizes: [100_000, 300_000, 1_000_000, 3_000_000, 10_000_000],
  dim: 64,
  k: 20,
  blockUsers: 1024,
  e2eUsers: 8192,
  runs: 5,
  e2eRuns: 3,
  excluded: 20,
  maxSeconds: 600,
  seed: 42,
  dawnBackend: "vulkan",
  allowSoftware: false,
  json: false,
  out: null,
  help: false,
};

const INTEGER_FLAGS: Record<string, keyof WebGpuBenchArgs> = {
  "--dim": "dim",
  "--k": "k",
  "--block-users": "blockUsers",
  "--users": "e2eUsers",
  "--runs": "runs",
  "--e2e-runs": "e2eRuns",
  "--excluded": "excluded",
  "--max-seconds": "maxSeconds",
  "--seed": "seed",
};

export function parseWebGpuBenchArgs(argv: readonly string[]): WebGpuBenchArgs {
  const a: WebGpuBenchArgs = { ...DEFAULTS, sizes: [...DEFAULTS.sizes] };
  const positive = (flag: string, raw: string | undefined, min = 1): number => {
    const v = Number(raw);
    if (raw === undefined || !Number.isSafeInteger(v) || v < min) throw new RangeError(`${flag} must be an integer >= ${min}, got "${raw ?? ""}"`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag in INTEGER_FLAGS) {
      const key = INTEGER_FLAGS[flag];
      (a[key] as number) = positive(flag, argv[++i], key === "excluded" || key === "seed" ? 0 : 1);
    } else if (flag === "--sizes") {
      const raw = argv[++i];
      a.sizes = (raw ?? "").split(",").map((s) => positive("--sizes", s.trim()));
    } else if (flag === "--dawn-backend") {
      const raw = argv[++i];
      if (raw !== "vulkan" && raw !== "opengles" && raw !== "d3d12" && raw !== "metal")
        throw new RangeError(`--dawn-backend must be vulkan, opengles, d3d12 or metal, got "${raw ?? ""}"`);
      a.dawnBackend = raw;
    } else if (flag === "--out") {
      const raw = argv[++i];
      if (!raw) throw new RangeError("--out needs a file name");
      a.out = raw;
    } else if (flag === "--allow-software") a.allowSoftware = true;
    else if (flag === "--json") a.json = true;
    else if (flag === "--help" || flag === "-h") a.help = true;
    else throw new RangeError(`unknown flag ${flag}; see --help`);
  }
  return a;
}

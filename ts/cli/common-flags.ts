import type { FlagSpec } from "./args.js";

/** Flags every command shares. */
export const QUIET = { name: "quiet", short: "q", type: "boolean", help: "Print no progress on stderr." } as const satisfies FlagSpec;
export const JSON_OUTPUT = { name: "json", type: "boolean", help: "Print one JSON object on stdout instead of text." } as const satisfies FlagSpec;
export const FORMAT = {
  name: "format", type: "enum", choices: ["auto", "movielens", "movielens-dat", "lines", "csv"], default: "auto",
  help: "Format of the data files: auto decides from the file name, then from the first line.",
} as const satisfies FlagSpec;
export const MIN_RATING = {
  name: "min-rating", type: "number",
  help: "Explicit ratings to implicit feedback: keep ratings >= this value (default: keep every rating).",
} as const satisfies FlagSpec;
export const THREADS = {
  name: "threads", type: "int", min: 1, max: 256, placeholder: "<n>",
  help: "Threads the kernels train and rank on (default: every core this process may use; 1 = one thread, the same model byte for byte on every run).",
} as const satisfies FlagSpec;
export const VARIANT = {
  name: "kernels", type: "enum", choices: ["auto", "relaxed", "simd", "scalar"], default: "auto",
  help: "Kernel build: auto picks relaxed SIMD (fused multiply-add), else SIMD, else scalar, as the runtime supports (LONGTAIL_WASM_RELAXED=0: never relaxed).",
} as const satisfies FlagSpec;

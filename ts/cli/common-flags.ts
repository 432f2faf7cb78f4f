import { ArgsError, type FlagSpec } from "./args.js";
import { isRoleList, namedColumnsOf } from "../data/readers/column-list.js";
import { checkColumns, TRIPLE_COLUMNS, type TripleColumn, type TripleSeparator } from "../data/readers/triples.js";
import type { InteractionsFormat } from "../data/read.js";

/** Flags every command shares. */
export const QUIET = { name: "quiet", short: "q", type: "boolean", help: "Print no progress on stderr." } as const satisfies FlagSpec;
export const JSON_OUTPUT = { name: "json", type: "boolean", help: "Print one JSON object on stdout instead of text." } as const satisfies FlagSpec;
export const FORMAT = {
  name: "format",
  type: "enum",
  choices: ["auto", "movielens", "movielens-dat", "lines", "csv", "triples", "parquet", "arrow"],
  default: "auto",
  help: "Format of the data files: auto tells Parquet and Arrow IPC by their first bytes, and text formats by the first lines (the name breaks ties), stopping when they fit more than one.",
} as const satisfies FlagSpec;
export const COLUMNS = {
  name: "columns",
  type: "string",
  placeholder: "<list>",
  help:
    "Columns of a triples file in order, from user, item, rating, weight, timestamp and - (skip), e.g. user,item,rating,timestamp (implies --format triples); " +
    "or the names of the user, item, rating and timestamp columns of a Parquet, Arrow or csv file, e.g. visitor,product,-,ts (- for one left out).",
} as const satisfies FlagSpec;
export const SEPARATOR = {
  name: "separator",
  type: "enum",
  choices: ["tab", "comma", "whitespace"],
  help: "Field separator of a triples file (default: from its first line; implies --format triples).",
} as const satisfies FlagSpec;
export const MIN_RATING = {
  name: "min-rating",
  type: "number",
  help: "Explicit ratings to implicit feedback: keep ratings >= this value (default: keep every rating).",
} as const satisfies FlagSpec;
export const THREADS = {
  name: "threads",
  type: "int",
  min: 1,
  max: 256,
  placeholder: "<n>",
  help: "Threads the kernels train and rank on (default: every core this process may use; 1 = one thread, the same model byte for byte on every run).",
} as const satisfies FlagSpec;
export const VARIANT = {
  name: "kernels",
  type: "enum",
  choices: ["auto", "relaxed", "simd", "scalar"],
  default: "auto",
  help: "Kernel build: auto picks relaxed SIMD (fused multiply-add), else SIMD, else scalar, as the runtime supports (LONGTAIL_WASM_RELAXED=0: never relaxed).",
} as const satisfies FlagSpec;

/** The reading options of --format, --columns, --separator and --min-rating, checked. */
export function dataReadFlags(
  v: { format?: string; columns?: string; separator?: string; "min-rating"?: number },
  command: string,
): {
  format: InteractionsFormat | "auto";
  columns?: string[];
  separator?: TripleSeparator;
  minRating?: number;
} {
  const columns = v.columns === undefined ? undefined : v.columns.split(",").map((c) => c.trim());
  const help = `Run "longtail ${command} --help".`;
  const roles = columns !== undefined && isRoleList(columns);
  if (columns !== undefined) {
    try {
      if (roles) checkColumns(columns as TripleColumn[]);
      else namedColumnsOf(columns);
    } catch (e) {
      if (e instanceof RangeError) throw new ArgsError(`--columns: ${e.message}`, command, help);
      throw e;
    }
    if (roles && v.format !== undefined && !["auto", "triples", "parquet", "arrow"].includes(v.format)) {
      throw new ArgsError(`--columns describes a triples file; it does not go with --format ${v.format}`, command, help);
    }
    if (!roles && v.format !== undefined && !["auto", "csv", "parquet", "arrow"].includes(v.format)) {
      throw new ArgsError(
        `--columns ${v.columns} names columns (a role is one of ${TRIPLE_COLUMNS.join(", ")}): names go with a csv file with a header, Parquet and Arrow, not with --format ${v.format}`,
        command,
        help,
      );
    }
  }
  if (v.separator !== undefined && v.format !== undefined && v.format !== "auto" && v.format !== "triples") {
    throw new ArgsError(
      `--separator ${v.separator} is the separator of a triples file; it does not go with --format ${v.format}`,
      command,
      `Run "longtail ${command} --help".`,
    );
  }
  // A role list or a separator is a triples layout; Parquet and Arrow files, told by their first
  // bytes, still read a role list as their columns (see readInteractions).
  const explicitBinary = v.format === "parquet" || v.format === "arrow";
  const triples = (roles || v.separator !== undefined) && !explicitBinary;
  return {
    format: (triples ? "triples" : (v.format ?? "auto")) as InteractionsFormat | "auto",
    ...(columns !== undefined && { columns }),
    ...(v.separator !== undefined && { separator: v.separator as TripleSeparator }),
    ...(v["min-rating"] !== undefined && { minRating: v["min-rating"] }),
  };
}

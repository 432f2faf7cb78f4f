/**
 * Reading a large data set (issue 16): generates one set of interactions (default 50 million:
 * 500,000 users × 200,000 items, item popularity Zipf-like with exponent 1, user activity
 * skewed), writes it as a lines file ("user item item ..."), a csv (user_id,item_id), Parquet
 * (int32 columns, snappy, row groups of 1 Mi rows, with hyparquet-writer) and an Arrow IPC file,
 * then reads each with readInteractions in a fresh child process and reports wall time,
 * interactions per second and peak RSS, against the bytes the interactions take once read (the
 * CSR arrays) and against a child that loads the library and reads nothing.
 *
 * The files go to a folder outside the repository (default /tmp/longtail-read-large; kept between
 * runs, and reused when their sizes match, since writing them takes minutes). Run by hand, not
 * in CI:
 *
 *   node dist/bench/read-large.js [--interactions 50000000] [--users 500000] [--items 200000]
 *     [--runs 3] [--dir /tmp/longtail-read-large] [--formats lines,csv,parquet,arrow]
 *
 * (--formats parquet-rated adds a Parquet file of the same interactions with a rating and a
 * timestamp column, for the memory a rating and a time cost.)
 */
import { spawnSync } from "node:child_process";
import { closeSync, createWriteStream, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { RecordBatch, RecordBatchFileWriter, makeData, Int32, Struct, Field, Schema } from "apache-arrow";
import { parquetWriteFile } from "hyparquet-writer";
import { readInteractions } from "../ts/data/read.js";
import { fileSource } from "../ts/node/dataset-files.js";
import { Rng } from "../ts/util/rng.js";
import { describeMachine } from "./machine.js";
import { median } from "./stats.js";

const SELF = fileURLToPath(import.meta.url);
/** "parquet-rated": the same interactions with a rating (float) and a timestamp (int64) column. */
const FORMATS = ["lines", "csv", "parquet", "arrow", "parquet-rated"] as const;
type Format = (typeof FORMATS)[number];
const FILE_NAMES: Record<Format, string> = {
  lines: "train.txt",
  csv: "interactions.csv",
  parquet: "interactions.parquet",
  arrow: "interactions.arrow",
  "parquet-rated": "rated.parquet",
};
const ROW_GROUP = 1 << 20;

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? fallback : process.argv[at + 1]!;
}

function intFlag(name: string, fallback: number): number {
  const value = Number(flag(name, String(fallback)));
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`--${name} must be a positive integer, got ${flag(name, "")}`);
  return value;
}

/** One child's measurement. */
interface ChildResult {
  readonly ms: number;
  readonly nnz: number;
  readonly nUsers: number;
  readonly nItems: number;
  /** Bytes of the CSR arrays (indptr + indices) and any ratings and timestamps. */
  readonly heldBytes: number;
  /**
   * Peak resident set of the child, bytes: VmHWM of /proc/self/status, which starts afresh at
   * exec (getrusage's maxRSS, process.resourceUsage(), keeps the parent's peak across fork and
   * exec on Linux, and the parent here holds the generated data).
   */
  readonly maxRss: number;
  readonly describe: string;
}

function peakRss(): number {
  const line = readFileSync("/proc/self/status", "utf8")
    .split("\n")
    .find((l) => l.startsWith("VmHWM:"));
  if (line === undefined) throw new Error("no VmHWM in /proc/self/status: this benchmark measures memory on Linux only");
  return Number(line.split(/\s+/)[1]) * 1024;
}

async function child(path: string | undefined): Promise<void> {
  const started = performance.now();
  let result: ChildResult;
  if (path === undefined) {
    result = { ms: 0, nnz: 0, nUsers: 0, nItems: 0, heldBytes: 0, maxRss: peakRss(), describe: "baseline" };
  } else {
    const data = await readInteractions(fileSource(path), { fileName: path });
    const ms = performance.now() - started;
    const held = data.byUser.indptr.byteLength + data.byUser.indices.byteLength + (data.ratings?.byteLength ?? 0) + (data.timestamps?.byteLength ?? 0);
    result = {
      ms,
      nnz: data.nnz,
      nUsers: data.nUsers,
      nItems: data.nItems,
      heldBytes: held,
      maxRss: process.resourceUsage().maxRSS * 1024,
      describe: data.describe(),
    };
  }
  process.stdout.write(JSON.stringify(result) + "\n");
}

/**
 * The interactions, grouped by user (the order every file is written in): per user, distinct
 * items, so every row of every file is one interaction held after reading.
 */
function generate(nnz: number, nUsers: number, nItems: number, seed = 42): { indptr: Int32Array; items: Int32Array } {
  const rng = new Rng(seed);
  // User activity: weights ~ 1/(rank+100)^0.6, scaled to the total, at least 1 and at most a tenth of the catalog each.
  const cap = Math.max(1, Math.floor(nItems / 10));
  if (nnz > nUsers * cap) throw new RangeError(`${nnz} interactions do not fit ${nUsers} users of at most ${cap} distinct items each`);
  const counts = new Float64Array(nUsers);
  const weights = Float64Array.from({ length: nUsers }, (_, u) => 1 / (u + 100) ** 0.6);
  let left = nnz,
    weightLeft = weights.reduce((a, b) => a + b, 0);
  for (let u = 0; u < nUsers; u++) {
    const want = u === nUsers - 1 ? left : Math.round((weights[u]! / weightLeft) * left);
    counts[u] = Math.min(cap, Math.max(1, Math.min(want, left - (nUsers - 1 - u))));
    left -= counts[u]!;
    weightLeft -= weights[u]!;
  }
  if (left !== 0) throw new RangeError(`could not spread ${nnz} interactions over ${nUsers} users`);
  const indptr = new Int32Array(nUsers + 1);
  for (let u = 0; u < nUsers; u++) indptr[u + 1] = indptr[u]! + counts[u]!;
  // Item popularity: Zipf with exponent 1 over a shuffled catalog, drawn by inverse CDF; a repeat within a user is drawn again.
  const cdf = new Float64Array(nItems);
  let sum = 0;
  for (let i = 0; i < nItems; i++) cdf[i] = sum += 1 / (i + 1);
  const permutation = Int32Array.from({ length: nItems }, (_, i) => i);
  for (let i = nItems - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [permutation[i], permutation[j]] = [permutation[j]!, permutation[i]!];
  }
  const lastUser = new Int32Array(nItems).fill(-1);
  const items = new Int32Array(nnz);
  for (let u = 0; u < nUsers; u++) {
    for (let k = indptr[u]!; k < indptr[u + 1]!; k++) {
      let item: number;
      do {
        const x = rng.next() * sum;
        let lo = 0,
          hi = nItems - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (cdf[mid]! < x) lo = mid + 1;
          else hi = mid;
        }
        item = permutation[lo]!;
      } while (lastUser[item] === u);
      lastUser[item] = u;
      items[k] = item;
    }
  }
  return { indptr, items };
}

/** A text file from lines, written in 4 MiB pieces (synchronously: the generator is the only work here). */
function writeText(path: string, lines: (emit: (line: string) => void) => void): void {
  const fd = openSync(path, "w");
  let buffer: string[] = [];
  let size = 0;
  const flush = () => {
    writeSync(fd, buffer.join("\n") + "\n");
    buffer = [];
    size = 0;
  };
  try {
    lines((line) => {
      buffer.push(line);
      size += line.length;
      if (size > 1 << 22) flush();
    });
    if (buffer.length > 0) flush();
  } finally {
    closeSync(fd);
  }
}

async function writeFiles(dir: string, formats: readonly Format[], data: { indptr: Int32Array; items: Int32Array }): Promise<void> {
  const { indptr, items } = data;
  const nUsers = indptr.length - 1;
  // Ids as written: users u1.., items as integers (both read as strings by every format).
  if (formats.includes("lines")) {
    writeText(join(dir, FILE_NAMES.lines), (emit) => {
      for (let u = 0; u < nUsers; u++) emit(`${u} ${Array.from(items.subarray(indptr[u]!, indptr[u + 1]!)).join(" ")}`);
    });
  }
  if (formats.includes("csv")) {
    writeText(join(dir, FILE_NAMES.csv), (emit) => {
      emit("user_id,item_id");
      for (let u = 0; u < nUsers; u++) for (let k = indptr[u]!; k < indptr[u + 1]!; k++) emit(`${u},${items[k]}`);
    });
  }
  const users = new Int32Array(items.length);
  for (let u = 0; u < nUsers; u++) users.fill(u, indptr[u]!, indptr[u + 1]!);
  if (formats.includes("parquet")) {
    parquetWriteFile({
      filename: join(dir, FILE_NAMES.parquet),
      columnData: [
        { name: "user_id", data: users, type: "INT32", nullable: false },
        { name: "item_id", data: items, type: "INT32", nullable: false },
      ],
      rowGroupSize: ROW_GROUP,
    });
  }
  if (formats.includes("parquet-rated")) {
    // Half-star ratings, and each user's times rising from a random start (one a minute).
    const rng = new Rng(7);
    const ratings = Float32Array.from({ length: items.length }, () => 0.5 * (1 + rng.int(10)));
    const times = new BigInt64Array(items.length);
    for (let u = 0; u < nUsers; u++) {
      const start = 1_500_000_000 + rng.int(100_000_000);
      for (let k = indptr[u]!; k < indptr[u + 1]!; k++) times[k] = BigInt(start + 60 * (k - indptr[u]!));
    }
    parquetWriteFile({
      filename: join(dir, FILE_NAMES["parquet-rated"]),
      columnData: [
        { name: "user_id", data: users, type: "INT32", nullable: false },
        { name: "item_id", data: items, type: "INT32", nullable: false },
        { name: "rating", data: ratings, type: "FLOAT", nullable: false },
        { name: "timestamp", data: times, type: "INT64", nullable: false },
      ],
      rowGroupSize: ROW_GROUP,
    });
  }
  if (formats.includes("arrow")) {
    const fields = [new Field("user_id", new Int32(), false), new Field("item_id", new Int32(), false)];
    const schema = new Schema(fields);
    const writer = new RecordBatchFileWriter();
    const out = createWriteStream(join(dir, FILE_NAMES.arrow));
    const done = new Promise<void>((resolve, reject) => out.on("finish", resolve).on("error", reject));
    writer.pipe(out as never);
    writer.reset(undefined, schema);
    for (let start = 0; start < items.length; start += ROW_GROUP) {
      const length = Math.min(ROW_GROUP, items.length - start);
      const children = [
        makeData({ type: new Int32(), length, data: users.subarray(start, start + length) }),
        makeData({ type: new Int32(), length, data: items.subarray(start, start + length) }),
      ];
      writer.write(new RecordBatch(schema, makeData({ type: new Struct(fields), length, children })));
    }
    writer.finish();
    await done;
  }
}

function runChild(path: string | undefined): ChildResult {
  const r = spawnSync(process.execPath, [SELF, "--child", ...(path === undefined ? [] : [path])], { encoding: "utf8", maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`child reading ${path} failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as ChildResult;
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

async function main(): Promise<void> {
  const nnz = intFlag("interactions", 50_000_000);
  const nUsers = intFlag("users", 500_000);
  const nItems = intFlag("items", 200_000);
  const runs = intFlag("runs", 3);
  const dir = flag("dir", "/tmp/longtail-read-large");
  const formats = flag("formats", "lines,csv,parquet,arrow").split(",") as Format[];
  for (const f of formats) if (!FORMATS.includes(f)) throw new RangeError(`--formats: ${f} is not one of ${FORMATS.join(", ")}`);
  mkdirSync(dir, { recursive: true });
  // The files of an earlier run of the same shape are reused; only missing formats are written.
  const stamp = join(dir, "generated.json");
  const shape = JSON.stringify({ nnz, nUsers, nItems });
  const sameShape = existsSync(stamp) && readFileSync(stamp, "utf8") === shape;
  const missing = formats.filter((f) => !sameShape || !existsSync(join(dir, FILE_NAMES[f])));
  if (missing.length > 0) {
    const started = performance.now();
    if (!sameShape) rmSync(stamp, { force: true });
    const data = generate(nnz, nUsers, nItems);
    await writeFiles(dir, missing, data);
    if (!sameShape) for (const f of FORMATS) if (!missing.includes(f)) rmSync(join(dir, FILE_NAMES[f]), { force: true });
    writeFileSync(stamp, shape);
    console.error(
      `generated ${nnz.toLocaleString("en-US")} interactions as ${missing.join(", ")} in ${dir} in ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
  }
  console.log(JSON.stringify(describeMachine()));
  const baseline = runChild(undefined);
  console.log(`baseline child (library loaded, nothing read): peak RSS ${mb(baseline.maxRss)}`);
  console.log("| format | file | read (median of " + runs + ") | interactions/s | peak RSS | above baseline | held (CSR) | peak bytes per interaction |");
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
  const medians: Partial<Record<Format, number>> = {};
  for (const format of formats) {
    const path = join(dir, FILE_NAMES[format]);
    const results = Array.from({ length: runs }, () => runChild(path));
    const ms = median(results.map((r) => r.ms));
    medians[format] = ms;
    const rss = Math.max(...results.map((r) => r.maxRss));
    const r = results[0]!;
    console.error(r.describe);
    console.log(
      `| ${format} | ${mb(statSync(path).size)} | ${(ms / 1000).toFixed(1)} s (${results.map((x) => (x.ms / 1000).toFixed(1)).join(", ")}) | ` +
        `${(r.nnz / (ms / 1000) / 1e6).toFixed(2)} M | ${mb(rss)} | ${mb(rss - baseline.maxRss)} | ${mb(r.heldBytes)} | ${((rss - baseline.maxRss) / r.nnz).toFixed(1)} |`,
    );
  }
  if (medians.lines !== undefined && runs > 0) {
    for (const format of formats)
      if (format !== "lines") console.log(`${format} read time / lines read time: ${(medians[format]! / medians.lines).toFixed(2)}`);
  }
}

if (process.argv.includes("--child")) await child(process.argv[process.argv.indexOf("--child") + 1]);
else await main();

/**
 * The `longtail …` commands of docs/*.md that read the public data sets (`../shared/data/…`), and
 * the commands that read what those write (train, then evaluate --model), run for real: page by
 * page, in a scratch folder where `../shared/data` is the repository's sibling data folder, each
 * after the commands that write its inputs (a page may show `invr --model ml1m.ltm` above the
 * `train … --out ml1m.ltm` that writes it). Each must exit 0, print something, print JSON when it
 * says --json, and write what it says it writes: a model file that loads, a split folder that
 * reads back, JSON that parses, a CSV with one row per sweep point, an HTML report.
 *
 * `serve` starts on a free port (the docs' 8080 may be taken), serves its page and the data set's
 * ratings, and stops cleanly on Ctrl-C.
 *
 * Training is bounded (see BOUNDS) so the whole file stays within a few minutes on CI's two
 * cores: the commands still read the same data with the same flags, take the same code paths and
 * write the same outputs, only with fewer epochs, shared negatives, dimensions and α-grid users. Without
 * ../shared/data the runs are skipped with a message; which page commands are left to other tests
 * (those that read no data: the synthetic demo, simulate) is printed, never dropped silently.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, describe, it } from "node:test";
import { tableFromIPC } from "apache-arrow";
import { parquetMetadata } from "hyparquet";
import { ArgsError, parseArgs, selectCommand, type CommandSpec, type ParsedArgs } from "../ts/cli/args.js";
import { PROGRAM } from "../ts/cli/main.js";
import { parseGridAxis, expandGrid } from "../ts/experiments/grid.js";
import { loadModel } from "../ts/model/model-bytes.js";
import { loadTrainTest } from "../ts/node/dataset-files.js";
import { docFiles, REPO_ROOT } from "./support/docs.js";
import { type DocCommand, pageCommands } from "./support/doc-commands.js";
import { startServeIn } from "./support/serve-process.js";
import { defaultLoss, type MfConfig } from "../ts/mf/config.js";

const run = promisify(execFile);
const BIN = join(REPO_ROOT, "bin/longtail.js");
/** The docs write the data sets as ../shared/data/… from the repository root; CI has them at the same place. */
const SHARED = join(REPO_ROOT, "../shared");
const DATA_PREFIX = "../shared/data";
const skip = existsSync(join(SHARED, "data")) ? false : `real data folder ${join(SHARED, "data")} (../shared/data from the repo root) is missing`;

/**
 * What bounds a docs command's training here: the value the command gives is lowered, a flag it
 * leaves to its (larger) default is added. The measurements behind each cap (seconds of wall clock
 * on the shared 2-core machine, AMD EPYC Zen 5, Node 20, load average 6-12; "user": CPU seconds):
 * - epochs 1: gowalla bpr 30 epochs > 90 s → 11-17 s; ml-1m bpr 10 epochs 37-79 s → 4-22 s;
 *   sweeps of 5-9 ml-1m softmax points at 5 epochs 19-33 s → 9-14 s.
 * - negatives 64 (sampled-softmax): gowalla at 1 epoch still 39-48 s with the default 1024 shared
 *   negatives (25 s with --sampling users' 2048) → 8-16 s.
 * - dim 16 (two-tower): ml-latest-small at 2-4 epochs 75 s to > 90 s; at 1 epoch 18.8 s user
 *   (d = 64) → 10.0 s user (d = 16; d = 8 saves little more: 8.3 s).
 * - grid-users 1000 (gradient adjustment's α grid): ml-1m at 1 epoch 9.4 s user → 4.4 s user.
 */
const BOUNDS: ReadonlyArray<{ flag: string; value: number; applies: (words: readonly string[]) => boolean }> = [
  { flag: "epochs", value: 1, applies: () => true },
  // The default training (no --loss) is the sampled softmax too, after its graph filter teacher (gowalla: 37-60 s, not bounded).
  { flag: "negatives", value: 64, applies: trainsSampledSoftmax },
  { flag: "dim", value: 16, applies: (w) => flagValue(w, "model") === "two-tower" },
  { flag: "grid-users", value: 1000, applies: (w) => w.includes("--gradient-adjust") },
];

/** The commands whose training BOUNDS applies to: their own flags, or their configurations' (--common/--base and each positional). */
const TRAINS_ITSELF = new Set(["train", "demo"]);
const TRAINS_CONFIGURATIONS: Readonly<Record<string, string>> = { compare: "common", sweep: "base" };

/** True when the words train MF's sampled softmax: named, or the default of a command that names no loss (as resolveMfConfig resolves it). */
function trainsSampledSoftmax(words: readonly string[]): boolean {
  if (flagValue(words, "model") === "two-tower") return false;
  const hard = flagValue(words, "hard-negatives");
  const loss =
    flagValue(words, "loss") ??
    defaultLoss({
      gradientAdjustment: words.includes("--gradient-adjust"),
      negativeSampling: flagValue(words, "negative-sampling") as MfConfig["negativeSampling"] | undefined,
      ...(hard !== undefined && { hardNegatives: Number(hard) }),
    });
  return loss === "sampled-softmax";
}

function flagValue(words: readonly string[], flag: string): string | undefined {
  for (let i = words.length - 1; i >= 0; i--) {
    const w = words[i]!;
    if (w === `--${flag}`) return words[i + 1];
    if (w.startsWith(`--${flag}=`)) return w.slice(flag.length + 3);
  }
  return undefined;
}

/** `words` with `--flag` at most `cap`: a larger given value lowered, an absent flag added (`add`). */
function capFlag(words: readonly string[], flag: string, cap: number, add: boolean): { words: string[]; changed: boolean } {
  const out = [...words];
  let found = false;
  let changed = false;
  for (let i = 0; i < out.length; i++) {
    const w = out[i]!;
    const at = w === `--${flag}` ? i + 1 : w.startsWith(`--${flag}=`) ? i : -1;
    if (at < 0) continue;
    found = true;
    const value = Number(at === i ? w.slice(flag.length + 3) : out[at]);
    if (!(value > cap)) continue;
    out[at] = at === i ? `--${flag}=${cap}` : String(cap);
    changed = true;
  }
  if (!found && add) {
    out.push(`--${flag}`, String(cap));
    changed = true;
  }
  return { words: out, changed };
}

const quote = (word: string) => (word === "" || /[\s"'\\;$&|<>()]/.test(word) ? `'${word.replaceAll("'", `'\\''`)}'` : word);

interface Planned {
  readonly doc: DocCommand;
  readonly spec: CommandSpec;
  readonly parsed: ParsedArgs;
  /** Values of its path flags other than --out: what it reads. */
  readonly inputs: string[];
  /** Its --out, given or by default. */
  readonly out: string | undefined;
}

function plan(doc: DocCommand): Planned {
  const selection = selectCommand(PROGRAM, doc.args);
  if (selection.kind !== "command") throw new ArgsError(`"longtail ${doc.args.join(" ")}" runs no command`, undefined, "");
  const parsed = parseArgs(selection.command, selection.argv);
  const values = parsed.values as Record<string, unknown>;
  const paths = selection.command.flags.filter((f) => f.type === "path" && typeof values[f.name] === "string");
  return {
    doc,
    spec: selection.command,
    parsed,
    inputs: paths.filter((f) => f.name !== "out" && parsed.given.has(f.name)).map((f) => values[f.name] as string),
    out: values.out as string | undefined,
  };
}

/** The repository's example data (the README's quick start reads it; its commands run in docs-commands.test.ts). */
const EXAMPLES = "examples/";
const readsData = (c: Planned) => c.inputs.some((path) => path.startsWith(DATA_PREFIX) || path.startsWith(EXAMPLES));
/** `path` is `written`, or inside the folder `written`. */
const within = (path: string, written: string) => path === written || path.startsWith(`${written.replace(/\/$/, "")}/`);

interface PagePlan {
  readonly file: string;
  /** The commands to run, in an order where each follows the commands that write its inputs. */
  readonly order: Planned[];
  /** The page's other commands: they read no data (left to the tests of their commands). */
  readonly left: Planned[];
  /** Inputs that are no data set and that no command of the page writes: a reader of the page cannot run these. */
  readonly orphans: string[];
}

function pagePlan(file: string): PagePlan {
  const commands = pageCommands(file).map(plan);
  const writers = (path: string) => commands.flatMap((c, i) => (c.out !== undefined && within(path, c.out) ? [i] : []));
  // A command reads the latest writer above it, else the first below it (a page may show the use before the training).
  const deps = commands.map((c, i) =>
    c.inputs.flatMap((path) => {
      const w = writers(path);
      const above = w.filter((j) => j < i);
      return w.length === 0 ? [] : [above.length > 0 ? above.at(-1)! : w[0]!];
    }),
  );
  const orphans = commands.flatMap((c) =>
    c.inputs
      .filter((path) => !path.startsWith(DATA_PREFIX) && !path.startsWith(EXAMPLES) && writers(path).length === 0)
      .map((path) => `${c.doc.where}: ${c.doc.source}\n    reads ${path}`),
  );
  // Run: what reads data, and what reads what those write.
  const chosen = commands.map(readsData);
  for (let grew = true; grew; ) {
    grew = false;
    commands.forEach((_, i) => {
      if (!chosen[i] && deps[i]!.some((d) => chosen[d])) chosen[i] = grew = true;
    });
  }
  const order: Planned[] = [];
  const done = new Set<number>();
  const count = chosen.filter(Boolean).length;
  while (order.length < count) {
    const next = commands.findIndex((_, i) => chosen[i] && !done.has(i) && deps[i]!.every((d) => done.has(d)));
    if (next < 0) throw new Error(`${file}: its commands read each other's outputs in a cycle`);
    done.add(next);
    order.push(commands[next]!);
  }
  return { file, order, left: commands.filter((_, i) => !chosen[i]), orphans };
}

interface Bounded {
  readonly args: string[];
  /** What was changed, for the diagnostics: "--epochs 1", "--common: --epochs 1". */
  readonly overrides: string[];
}

/** The command with BOUNDS applied to its own flags (train, demo) or to its configurations' (compare, sweep: --epochs only). */
function bounded(c: Planned): Bounded {
  let args = [...c.doc.args];
  const overrides: string[] = [];
  const name = c.spec.name;
  const has = (flag: string) => c.spec.flags.some((f) => f.name === flag);
  if (TRAINS_ITSELF.has(name)) {
    for (const b of BOUNDS) {
      if (!has(b.flag) || !b.applies(args)) continue;
      const r = capFlag(args, b.flag, b.value, true);
      if (r.changed) overrides.push(`--${b.flag} ${b.value}`);
      args = r.words;
    }
  }
  const common = TRAINS_CONFIGURATIONS[name];
  if (common !== undefined) {
    // Configuration strings hold train flags; a flag may sit in --common/--base or in a configuration, not both.
    const axes = name === "sweep" ? c.parsed.positionals.map((p) => parseGridAxis(p).name) : [];
    const epochs = BOUNDS.find((b) => b.flag === "epochs")!;
    let anywhere = false;
    args = args.map((word, i) => {
      const isText = args[i - 1] === `--${common}` || c.parsed.positionals.includes(word);
      if (!isText || !/--epochs[ =]/.test(word)) return word;
      anywhere = true;
      const next = word.replace(/(--epochs[ =])(\d+)/g, (all, flag: string, n: string) => (Number(n) > epochs.value ? `${flag}${epochs.value}` : all));
      if (next !== word) overrides.push(`${args[i - 1] === `--${common}` ? `--${common}` : "configuration"}: --epochs ${epochs.value}`);
      return next;
    });
    if (!anywhere && !axes.includes("epochs")) {
      const at = args.indexOf(`--${common}`);
      if (at >= 0) args[at + 1] = `${args[at + 1]} --epochs ${epochs.value}`.trim();
      else args.push(`--${common}`, `--epochs ${epochs.value}`);
      overrides.push(`--${common}: --epochs ${epochs.value}`);
    }
  }
  if (has("quiet") && !c.parsed.given.has("quiet")) args.push("--quiet");
  return { args, overrides };
}

/** The number of points a sweep trains. */
function sweepPoints(c: Planned): number {
  return expandGrid(c.parsed.positionals.map((p) => parseGridAxis(p))).length;
}

/** Check what a command wrote at `out` (relative to `dir`), by the kind of output. */
async function checkOutput(c: Planned, dir: string, out: string): Promise<string> {
  const path = join(dir, out);
  const where = `${c.doc.where}: ${out}`;
  assert.ok(existsSync(path), `${where} was not written`);
  const name = c.spec.name;
  if (name === "train") {
    const model = await loadModel(readFileSync(path), { fileName: path });
    try {
      assert.ok(model.nItems > 0, `${where}: a model without items`);
      return `model: ${model.nItems} items`;
    } finally {
      model.dispose();
    }
  }
  if (name === "split") {
    const data = await loadTrainTest(path, { unknownInTest: "extend" });
    assert.ok(data.train.nnz > 0 && (data.test?.nnz ?? 0) > 0, `${where}: train and test must both hold interactions`);
    const valid = c.parsed.given.has("valid") || c.parsed.given.has("valid-last");
    assert.equal(data.valid !== undefined, valid, `${where}: valid.txt ${valid ? "missing" : "written without --valid"}`);
    return `split: ${data.train.nnz} train, ${data.test!.nnz} test${data.valid ? `, ${data.valid.nnz} valid` : ""}`;
  }
  const text = () => readFileSync(path, "utf8");
  if (/\.json$/i.test(out)) {
    const value = JSON.parse(text()) as unknown;
    assert.ok(value !== null && typeof value === "object" && Object.keys(value).length > 0, `${where}: empty JSON`);
    return "JSON";
  }
  if (/\.ndjson$/i.test(out)) {
    const lines = text()
      .split("\n")
      .filter((l) => l !== "");
    assert.ok(lines.length > 0, `${where}: no lines`);
    for (const line of lines) JSON.parse(line);
    return `NDJSON: ${lines.length} lines`;
  }
  if (/\.csv$/i.test(out)) {
    const rows = text().trimEnd().split("\n");
    const columns = rows[0]!.split(",").length;
    assert.ok(columns > 1, `${where}: no CSV header`);
    if (name === "sweep") assert.equal(rows.length - 1, sweepPoints(c), `${where}: one row per sweep point`);
    else assert.ok(rows.length > 1, `${where}: no rows`);
    return `CSV: ${rows.length - 1} rows`;
  }
  if (/\.parquet$/i.test(out)) {
    const bytes = readFileSync(path);
    const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    assert.ok(Number(meta.num_rows) > 0, `${where}: no rows`);
    return `Parquet: ${meta.num_rows} rows`;
  }
  if (/\.(arrow|feather|arrows)$/i.test(out)) {
    const table = tableFromIPC(readFileSync(path));
    assert.ok(table.numRows > 0, `${where}: no rows`);
    return `Arrow: ${table.numRows} rows`;
  }
  if (/\.npy$/i.test(out)) {
    assert.equal(readFileSync(path).subarray(0, 6).toString("latin1"), "\x93NUMPY", `${where}: not a .npy file`);
    return ".npy";
  }
  if (/\.sql$/i.test(out)) {
    assert.match(text(), /\bCREATE TABLE\b/i, `${where}: no CREATE TABLE`);
    return "SQL";
  }
  if (/\.html?$/i.test(out)) {
    assert.match(text(), /<html/i, `${where}: not an HTML page`);
    return "HTML";
  }
  assert.ok(statSync(path).size > 0, `${where}: empty`);
  return "written";
}

/** Only catches a hang: CI machines are shared and slow, so it is generous (as tests/support/cli.ts). */
const HANG = 600_000;

/** Run one command in `dir`; returns a line for the diagnostics. */
async function runCommand(c: Planned, dir: string): Promise<string> {
  const started = performance.now();
  const seconds = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
  if (c.spec.name === "serve") {
    // The docs' default port may be taken; the page and its data are what the command is for.
    const args = capFlag(c.doc.args.slice(1), "port", 0, false).words.filter((w, i, all) => w !== "--port" && all[i - 1] !== "--port");
    const server = await startServeIn(dir, ...args);
    try {
      const page = await fetch(server.url);
      assert.equal(page.status, 200, `${c.doc.where}: GET / answered ${page.status}`);
      const ratings = await (await fetch(`${server.url}data/ratings.csv`)).text();
      assert.match(ratings, /^userId,movieId,rating,timestamp\n/, `${c.doc.where}: /data/ratings.csv is not the data set's ratings`);
    } finally {
      assert.equal(await server.stop(), 0, `${c.doc.where}: serve did not stop cleanly\n${server.output()}`);
    }
    return `${c.doc.where}: longtail serve --port 0 ${args.map(quote).join(" ")} (${seconds()}; served the page and the data)`;
  }
  const { args, overrides } = bounded(c);
  const { stdout } = await run(process.execPath, [BIN, ...args], { cwd: dir, maxBuffer: 256 << 20, timeout: HANG }).catch(
    (e: { stderr?: string; code?: number; signal?: string }) =>
      assert.fail(
        `${c.doc.where}: ${c.doc.source}\n  ran: longtail ${args.map(quote).join(" ")}\n  ${e.signal ? `killed (${e.signal}; a hang?)` : `exit ${e.code}`}: ${String(
          e.stderr ?? e,
        )
          .trim()
          .split("\n")
          .slice(-8)
          .join("\n  ")}`,
      ),
  );
  const took = seconds();
  assert.ok(stdout.trim().length > 0, `${c.doc.where}: printed nothing`);
  if ((c.parsed.values as Record<string, unknown>).json === true) {
    assert.doesNotThrow(() => JSON.parse(stdout), `${c.doc.where}: --json printed no JSON`);
  }
  const wrote = c.out === undefined ? "" : `; ${await checkOutput(c, dir, c.out)}`;
  return `${c.doc.where}: longtail ${args.map(quote).join(" ")} (${took}${overrides.length > 0 ? `; bounded: ${overrides.join(", ")}` : ""}${wrote})`;
}

const pages = docFiles()
  .filter((file) => file !== "README.md")
  .map((file) => {
    try {
      return pagePlan(file);
    } catch (e) {
      return { file, error: e as Error };
    }
  });

describe("the docs' commands that read ../shared/data", () => {
  it("parse, and read only data sets and what a command of their page writes", (t) => {
    const problems = pages.flatMap((p) => ("error" in p ? [`${p.file}: ${p.error.message}`] : p.orphans));
    assert.deepEqual(problems, [], `commands a reader of the page cannot run as shown:\n${problems.join("\n")}`);
    const planned = pages.flatMap((p) => ("error" in p ? [] : p.order));
    assert.ok(planned.length >= 40, `${planned.length} docs commands read the data or what such commands write`);
    for (const p of pages) {
      if ("error" in p) continue;
      for (const c of p.left) t.diagnostic(`not run here (reads no data): ${c.doc.where}: longtail ${c.doc.args.map(quote).join(" ")}`);
    }
  });

  const BOUNDED_FLAGS = new Set([...BOUNDS.map((b) => b.flag), "quiet"]);
  const unbound = (text: string) => text.replace(new RegExp(`\\s*--(${BOUNDS.map((b) => b.flag).join("|")})[ =]\\d+`, "g"), "");

  it("bounding changes only the amount of training: the bounded command parses and keeps every other flag", () => {
    const failures: string[] = [];
    for (const p of pages) {
      if ("error" in p) continue;
      for (const c of p.order) {
        if (c.spec.name === "serve") continue;
        const { args } = bounded(c);
        let after: Planned;
        try {
          after = plan({ ...c.doc, args });
        } catch (e) {
          failures.push(`${c.doc.where}: longtail ${args.map(quote).join(" ")}\n    ${(e as Error).message}`);
          continue;
        }
        // Equal but for the bounded flags, also inside --common/--base and the configurations.
        const strip = (p: Planned) => ({
          values: Object.fromEntries(
            Object.entries(p.parsed.values as Record<string, unknown>)
              .filter(([k]) => !BOUNDED_FLAGS.has(k))
              .map(([k, v]) => [k, typeof v === "string" ? unbound(v) : v]),
          ),
          positionals: p.parsed.positionals.map(unbound),
        });
        try {
          assert.deepEqual(strip(after), strip(c));
        } catch {
          failures.push(`${c.doc.where}: bounding changed more than the training's size: longtail ${args.map(quote).join(" ")}`);
        }
      }
    }
    assert.deepEqual(failures, []);
    // The caps lower, add, and leave smaller values alone.
    assert.deepEqual(capFlag(["--epochs", "30", "--out", "m"], "epochs", 1, true).words, ["--epochs", "1", "--out", "m"]);
    assert.deepEqual(capFlag(["--out", "m"], "dim", 16, true).words, ["--out", "m", "--dim", "16"]);
    assert.deepEqual(capFlag(["--dim=8"], "dim", 16, true), { words: ["--dim=8"], changed: false });
  });

  describe("run for real, page by page, in a scratch folder beside the data", { skip }, () => {
    const root = mkdtempSync(join(tmpdir(), "longtail-docs-data-"));
    after(() => rmSync(root, { recursive: true, force: true }));
    // From <root>/<page>/, ../shared/data is the data folder, as it is from the repository root.
    if (!skip) symlinkSync(SHARED, join(root, "shared"), "dir");

    for (const p of pages) {
      if ("error" in p || p.order.length === 0) continue;
      it(`${p.file}: ${p.order.length} commands`, async (t) => {
        const dir = join(root, p.file.replace(/[^\w]+/g, "-"));
        mkdirSync(dir);
        // A page may read the repository's example data as the README's quick start does: from examples/data/ beside it.
        if (p.order.some((c) => c.inputs.some((path) => path.startsWith(EXAMPLES)))) {
          cpSync(join(REPO_ROOT, "examples/data"), join(dir, "examples/data"), { recursive: true });
        }
        for (const c of p.order) t.diagnostic(await runCommand(c, dir));
      });
    }
  });
});

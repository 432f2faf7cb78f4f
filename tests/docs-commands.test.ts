/**
 * Every `longtail …` command in the README and docs/*.md is a command the CLI accepts: each is
 * checked by the CLI's own parser (the program spec of ts/cli/main.ts, `selectCommand` and
 * `parseArgs` of ts/cli/args.ts), and the configurations of compare, sweep and simulate by the
 * parser those commands run before any training. The README's own commands need no data files,
 * so they run for real, in order, in a scratch folder; its demo excerpt must match the run. The
 * pages' commands that read ../shared/data run in docs-commands-data.test.ts.
 *
 * Commands come from ```sh / ```bash / ```shell / ```console blocks (continuation lines joined,
 * comments dropped, $VARIABLES set in the block expanded) and from inline code in the prose that
 * starts with `npx longtail ` or `node bin/longtail.js ` and is no template (`<file>`, `[flags]`, `...`).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, describe, it } from "node:test";
import { PROGRAM } from "../ts/cli/main.js";
import { ArgsError, parseArgs, selectCommand } from "../ts/cli/args.js";
import { parseConfiguration } from "../ts/cli/configuration-spec.js";
import { shellWords } from "../ts/cli/shell-words.js";
import { expandGrid, parseGridAxis } from "../ts/experiments/grid.js";
import { codeBlocks, docFiles, longtailArgs, readDoc, REPO_ROOT, SHELL_LANGS, shellCommands, splitShellLine } from "./support/docs.js";
import { allCommands, blockCommands } from "./support/doc-commands.js";

const run = promisify(execFile);
const BIN = join(REPO_ROOT, "bin/longtail.js");

const quote = (word: string) => (/[\s"'\\]/.test(word) ? JSON.stringify(word) : word);

/**
 * Check one command line as the CLI does before any work: the command, its flags and their
 * values, its positionals, and the configurations compare, sweep and simulate parse first.
 * Throws the error the CLI would print; returns the command's name.
 */
function checkCommandLine(args: readonly string[]): string {
  const selection = selectCommand(PROGRAM, args);
  if (selection.kind !== "command") return selection.kind;
  const name = selection.command.name;
  const parsed = parseArgs(selection.command, selection.argv);
  if (parsed.help) return name;
  const v = parsed.values as Record<string, unknown>;
  if (name === "compare" || name === "simulate") {
    const common = [...(name === "simulate" ? ["--seed", String(v.seed)] : []), ...shellWords(String(v.common ?? ""), name)];
    const labels = parsed.positionals.map((text, i) => parseConfiguration(text, i, common, name).label);
    const twice = labels.find((l, i) => labels.indexOf(l) !== i);
    if (twice !== undefined) throw new ArgsError(`two configurations are labelled "${twice}"`, name, "");
  } else if (name === "sweep") {
    const axes = parsed.positionals.map((text) => parseGridAxis(text));
    const base = shellWords(String(v.base ?? ""), "sweep");
    expandGrid(axes).forEach((point, i) => {
      const flags = axes.map((a) => `--${a.name} ${quote(point[a.name]!)}`).join(" ");
      parseConfiguration(`point ${i + 1}: ${flags}`, i, base, "sweep");
    });
  }
  return name;
}

describe("the longtail commands in the README and docs", () => {
  it("are found: in shell blocks of the README and of the pages, and inline", () => {
    const readme = blockCommands("README.md");
    assert.ok(readme.length >= 6, `README: ${readme.length} commands`);
    const commands = allCommands();
    assert.ok(commands.length >= 60, `${commands.length} commands in all`);
    const names = new Set(commands.map((c) => c.args[0]));
    for (const spec of PROGRAM.commands) assert.ok(names.has(spec.name), `no page shows a "longtail ${spec.name}" command`);
  });

  it("each parse with the CLI's own parser: known command, known flags, valid values and configurations", () => {
    const failures: string[] = [];
    for (const c of allCommands()) {
      try {
        checkCommandLine(c.args);
      } catch (e) {
        failures.push(`${c.where}: ${c.source}\n    longtail: ${(e as Error).message}`);
      }
    }
    assert.deepEqual(failures, [], `commands the CLI would refuse:\n${failures.join("\n")}`);
  });

  it("the check refuses what the CLI refuses", () => {
    const refused: Array<[string, RegExp]> = [
      ["trian --data d", /unknown command "trian"/],
      ["train --data d --epoch 3", /unknown flag --epoch/],
      ["train --data d --epochs three", /--epochs must be .*integer, got "three"/],
      ["train --data d --loss softmaxx", /--loss must be one of/],
      ["evaluate --model m.ltm", /--data is required/],
      ['compare --data d "a: --loss softmax" "b: --lossy bpr"', /configuration "b".*unknown flag --lossy/],
      ['compare --data d "a:" "a: --loss bpr"', /two configurations are labelled "a"/],
      ['sweep --data d --base "--loss softmax" temprature=0.1,0.2', /unknown flag --temprature/],
      ["sweep --data d resn=1:0:1", /a range is from:to:step/],
      ['simulate "plain: --loss softmax --seed 3"', /--seed was given twice/],
    ];
    for (const [line, message] of refused) {
      const [args] = splitShellLine(line, new Map(), "test");
      assert.throws(() => checkCommandLine(args!), message, line);
    }
    assert.equal(
      checkCommandLine(["compare", "--data", "d", "--common", "--loss softmax --epochs 5", "plain:", "α=0.5: --logit-adjustment 0.5", "popular: most-popular"]),
      "compare",
    );
  });

  it("the shell blocks run nothing but longtail and npm scripts that exist", () => {
    const scripts = Object.keys(JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).scripts as Record<string, string>);
    const unknown: string[] = [];
    for (const file of docFiles()) {
      for (const block of codeBlocks(file).filter((b) => SHELL_LANGS.has(b.lang))) {
        for (const c of shellCommands(block)) {
          if (longtailArgs(c.words)) continue;
          const [program, sub, script] = c.words;
          const ok = program === "npm" && (["install", "ci", "test"].includes(sub!) || (sub === "run" && scripts.includes(script!)));
          if (!ok) unknown.push(`${c.file}:${c.line}: ${c.source}`);
        }
      }
    }
    assert.deepEqual(unknown, [], "a command this test does not check; check it here, or show it outside a shell block");
  });

  it("every script the pages run with node exists", () => {
    const missing: string[] = [];
    for (const file of docFiles()) {
      const text = readDoc(file);
      for (const m of text.matchAll(/\bnode ((?:dist|bench|examples|scripts|bin)\/[\w./-]+\.m?js)\b/g)) {
        if (!existsSync(join(REPO_ROOT, m[1]!))) missing.push(`${file}:${text.slice(0, m.index).split("\n").length}: ${m[1]}`);
      }
    }
    assert.deepEqual(missing, []);
  });
});

describe("the README's commands run for real", () => {
  const dir = mkdtempSync(join(tmpdir(), "longtail-readme-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // The data the README's commands read: only what the repository ships.
  mkdirSync(join(dir, "examples"));
  cpSync(join(REPO_ROOT, "examples/data"), join(dir, "examples/data"), { recursive: true });

  /** The demo as the README shows it, with a shorter α sweep and feedback loop: the before/after part is unchanged. */
  const DEMO_SIZES: ReadonlyArray<[string, string]> = [
    ["--alphas", "0,0.5"],
    ["--rounds", "1"],
    ["--loop-users", "200"],
    ["--loop-items", "150"],
  ];

  it("in order, in a scratch folder, with no data files but examples/data; the demo's excerpt is its real output", async (t) => {
    const commands = blockCommands("README.md");
    const ran: string[] = [];
    for (const c of commands) {
      assert.ok(!c.args.some((a) => a.includes("../shared")), `${c.where}: the README's commands must run without data files: ${c.source}`);
      const selection = selectCommand(PROGRAM, c.args);
      if (selection.kind !== "command") assert.fail(`${c.where}: ${c.source}`);
      const parsed = parseArgs(selection.command, selection.argv);
      const args = [...c.args];
      if (args[0] === "demo") for (const [flag, value] of DEMO_SIZES) if (!parsed.given.has(flag.slice(2))) args.push(flag, value);
      if (!parsed.given.has("quiet") && selection.command.flags.some((f) => f.name === "quiet")) args.push("--quiet");
      const started = performance.now();
      const { stdout } = await run(process.execPath, [BIN, ...args], { cwd: dir, maxBuffer: 64 << 20 }).catch((e) =>
        assert.fail(`${c.where}: ${c.source}\n${e.stderr ?? e}`),
      );
      t.diagnostic(`${c.where}: longtail ${args.map(quote).join(" ")} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
      assert.ok(stdout.trim().length > 0, `${c.where}: printed nothing`);
      const out = parsed.values.out as string | undefined;
      if (out !== undefined) assert.ok(existsSync(join(dir, out)), `${c.where}: --out ${out} was not written`);
      if (args[0] === "demo") {
        assert.ok(existsSync(join(dir, (parsed.values.out as string | undefined) ?? "longtail-report.html")), "the demo wrote no report");
        const excerpt = codeBlocks("README.md").find((b) => b.lang === "" && b.text.includes("Before (plain MF"));
        assert.ok(excerpt, "the README shows the demo's output");
        let at = 0;
        const lines = stdout.split("\n");
        for (const line of excerpt.text.split("\n").filter((l) => l.trim() !== "")) {
          const found = lines.indexOf(line, at);
          assert.ok(
            found >= 0,
            `README.md:${excerpt.line}: this line of the demo's excerpt is not in the demo's output (or out of order):\n${line}\n--- the output:\n${stdout}`,
          );
          at = found + 1;
        }
      }
      ran.push(args[0]!);
    }
    assert.deepEqual(new Set(ran), new Set(["demo", "split", "train", "evaluate", "recommend", "compare"]));
  });
});

/**
 * The CLI's argument parser: declarative command specs, strict validation and errors that say
 * how to fix the command line (`unknown flag --epoch; did you mean --epochs?`). Dependency-free
 * because the CLI ships inside the library package; `node:util.parseArgs` has no types, ranges,
 * enums or suggestions.
 */

export type FlagType = "string" | "number" | "int" | "boolean" | "enum" | "path";

export interface FlagSpec {
  /** Long name without dashes, kebab-case: "epochs", "learning-rate". Key in the parsed values. */
  readonly name: string;
  readonly type: FlagType;
  /** One sentence for --help. */
  readonly help: string;
  /** One-letter alias, without the dash: "e" for -e. */
  readonly short?: string;
  /** Value when the flag is absent (booleans default to false). Must itself pass validation. */
  readonly default?: string | number | boolean;
  readonly required?: boolean;
  /** The allowed values of an "enum" flag. */
  readonly choices?: readonly string[];
  /** number/int: the value must be > 0. */
  readonly positive?: boolean;
  /** number/int: inclusive lower bound. */
  readonly min?: number;
  /** number/int: inclusive upper bound. */
  readonly max?: number;
  /** Name of the value in --help ("<file>"); defaults from the type. */
  readonly placeholder?: string;
}

export interface PositionalSpec {
  readonly name: string;
  readonly help: string;
  readonly required?: boolean;
  /** The last positional may take any number of arguments ("required": at least one). */
  readonly variadic?: boolean;
}

export interface CommandSpec {
  /** The subcommand: "train". */
  readonly name: string;
  /** The executable, for usage lines and hints. */
  readonly program?: string;
  /** One line, shown in the program's command list and at the top of --help. */
  readonly summary: string;
  /** Further paragraphs for --help. */
  readonly description?: string;
  readonly flags: readonly FlagSpec[];
  readonly positionals?: readonly PositionalSpec[];
  readonly examples?: readonly string[];
}

export interface ProgramSpec {
  readonly name: string;
  readonly summary: string;
  readonly version?: string;
  readonly commands: readonly CommandSpec[];
}

type AnyValue = string | number | boolean;

type ValueOf<F extends FlagSpec> = [FlagType] extends [F["type"]]
  ? AnyValue
  : F["type"] extends "boolean"
    ? boolean
    : F["type"] extends "number" | "int"
      ? number
      : F extends { readonly type: "enum"; readonly choices: readonly (infer C extends string)[] }
        ? C
        : string;

type AlwaysSet<F extends FlagSpec> = F extends { readonly required: true }
  ? true
  : F extends { readonly default: AnyValue }
    ? true
    : F["type"] extends "boolean"
      ? true
      : false;

/** Parsed flag values keyed by long name; typed precisely when the spec is declared with {@link defineCommand}. */
export type FlagValues<Fs extends readonly FlagSpec[]> = {
  [F in Fs[number] as F["name"]]: AlwaysSet<F> extends true ? ValueOf<F> : ValueOf<F> | undefined;
};

export interface ParsedArgs<S extends CommandSpec = CommandSpec> {
  values: FlagValues<S["flags"]>;
  positionals: string[];
  /** Long names of the flags given on the command line (as opposed to defaults). */
  given: Set<string>;
  /** --help or -h was given: show {@link formatHelp} and exit 0 (values are not validated then). */
  help: boolean;
}

/** A command line that cannot be run. `message` says what is wrong; `hint` where to look next. */
export class ArgsError extends Error {
  readonly command: string | undefined;
  readonly hint: string;
  /** Conventional exit status for usage errors. */
  readonly exitCode = 2;

  constructor(message: string, command: string | undefined, hint: string) {
    super(message);
    this.name = "ArgsError";
    this.command = command;
    this.hint = hint;
  }
}

/** Identity that keeps the literal types of a spec, so parseArgs can type its values. */
export function defineCommand<const S extends CommandSpec>(spec: S): S {
  checkSpec(spec);
  return spec;
}

/**
 * Parse `argv` (the arguments after the subcommand) against `spec`: `--flag value`,
 * `--flag=value`, `-f value`, `-f=value`, grouped switches `-qv`, `--no-switch`, and `--` to end
 * flags. Throws {@link ArgsError} for unknown, repeated, missing or invalid flags.
 */
export function parseArgs<const S extends CommandSpec>(spec: S, argv: readonly string[]): ParsedArgs<S> {
  checkSpec(spec);
  const helpHint = `Run "${commandPath(spec)} --help" to see its flags.`;
  const fail = (message: string): never => {
    throw new ArgsError(message, spec.name, helpHint);
  };
  const byName = new Map(spec.flags.map((f) => [f.name, f]));
  const byShort = new Map(spec.flags.filter((f) => f.short).map((f) => [f.short!, f]));
  const raw = new Map<string, { text: string; as: string }>();
  const positionals: string[] = [];

  const endOfFlags = argv.indexOf("--");
  const flagPart = endOfFlags < 0 ? argv : argv.slice(0, endOfFlags);
  if (flagPart.some((a) => a === "--help" || a === "-h")) {
    return { values: {} as FlagValues<S["flags"]>, positionals: [], given: new Set(), help: true };
  }

  const set = (flag: FlagSpec, text: string, as: string) => {
    const previous = raw.get(flag.name);
    if (previous) fail(`--${flag.name} was given twice (${JSON.stringify(previous.text)} and ${JSON.stringify(text)}); give it once`);
    raw.set(flag.name, { text, as });
  };

  for (let i = 0; i < flagPart.length; i++) {
    const arg = flagPart[i];
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const inline = eq < 0 ? undefined : arg.slice(eq + 1);
      let flag = byName.get(name);
      if (!flag && name.startsWith("no-")) {
        const negated = byName.get(name.slice(3));
        if (negated && negated.type === "boolean") {
          if (inline !== undefined) fail(`--${name} takes no value; write --${name} or --${negated.name}=false`);
          set(negated, "false", arg);
          continue;
        }
        if (negated) fail(`--${name}: only switches can be negated, and --${negated.name} takes a value`);
      }
      if (!flag) {
        fail(`unknown flag --${name}${suggest(name, [...byName.keys(), "help"], (s) => `--${s}`)}`);
      }
      flag = flag!;
      if (flag.type === "boolean") {
        set(flag, inline ?? "true", arg);
      } else if (inline !== undefined) {
        set(flag, inline, arg);
      } else {
        set(flag, takeValue(flagPart, ++i, `--${flag.name}`, flag, fail), arg);
      }
    } else if (arg.startsWith("-") && arg.length > 1 && !isNumeric(arg)) {
      const eq = arg.indexOf("=");
      const letters = eq < 0 ? arg.slice(1) : arg.slice(1, eq);
      const inline = eq < 0 ? undefined : arg.slice(eq + 1);
      if (letters.length > 1 && inline === undefined && [...letters].every((c) => byShort.get(c)?.type === "boolean")) {
        for (const c of letters) set(byShort.get(c)!, "true", `-${c}`);
        continue;
      }
      const flag = letters.length === 1 ? byShort.get(letters) : undefined;
      if (!flag) {
        if (byName.has(letters)) fail(`unknown flag -${letters}; did you mean --${letters}? (long flags take two dashes)`);
        if (letters.length > 1) {
          fail(`unknown flag -${letters}${suggest(letters, [...byName.keys()], (s) => `--${s}`)}; only one-letter switches can be grouped after a single dash`);
        }
        const shorts = [...byShort.keys()].map((s) => `-${s}`).join(", ");
        fail(`unknown flag -${letters}${shorts ? ` (the short flags are ${shorts}, -h)` : ""}`);
      }
      if (flag!.type === "boolean") set(flag!, inline ?? "true", arg);
      else set(flag!, inline ?? takeValue(flagPart, ++i, `-${letters}`, flag!, fail), arg);
    } else {
      positionals.push(arg);
    }
  }
  if (endOfFlags >= 0) positionals.push(...argv.slice(endOfFlags + 1));

  const expected = spec.positionals ?? [];
  const variadic = expected.at(-1)?.variadic === true;
  if (!variadic && positionals.length > expected.length) {
    const extra = positionals[expected.length];
    fail(
      expected.length === 0
        ? `${spec.name} takes no positional arguments, got ${JSON.stringify(extra)}` + (extra.includes("=") ? "" : "; did you forget the flag name before it?")
        : `unexpected argument ${JSON.stringify(extra)}: ${spec.name} takes ${expected.map((p) => `<${p.name}>`).join(" ")}`,
    );
  }
  for (let p = positionals.length; p < expected.length; p++) {
    if (expected[p].required) fail(`missing argument <${expected[p].name}>: ${expected[p].help}`);
  }

  const values: Record<string, AnyValue | undefined> = {};
  for (const flag of spec.flags) {
    const given = raw.get(flag.name);
    if (given) {
      values[flag.name] = convert(flag, given.text, fail);
    } else if (flag.required) {
      fail(`--${flag.name} is required: ${flag.help}`);
    } else {
      values[flag.name] = flag.default ?? (flag.type === "boolean" ? false : undefined);
    }
  }
  return { values: values as FlagValues<S["flags"]>, positionals, given: new Set(raw.keys()), help: false };
}

export type CommandSelection = { kind: "command"; command: CommandSpec; argv: string[] } | { kind: "help"; text: string } | { kind: "version"; text: string };

/**
 * Pick the subcommand from the full argument list (process.argv.slice(2)). `longtail`,
 * `longtail --help` and `longtail help` give the program help; `longtail help train` the
 * command's; `--version` the version. The remaining arguments go to {@link parseArgs}.
 */
export function selectCommand(program: ProgramSpec, argv: readonly string[]): CommandSelection {
  const [first, ...rest] = argv;
  if (first === undefined || first === "--help" || first === "-h" || (first === "help" && rest.length === 0)) {
    return { kind: "help", text: formatProgramHelp(program) };
  }
  if (first === "--version" || first === "-V") return { kind: "version", text: `${program.name} ${program.version ?? "(unknown version)"}` };
  const wanted = first === "help" ? rest[0] : first;
  const command = program.commands.find((c) => c.name === wanted);
  if (!command) {
    const names = program.commands.map((c) => c.name);
    const hint = `Run "${program.name} --help" to see its commands.`;
    if (wanted.startsWith("-")) {
      throw new ArgsError(
        `${wanted} comes before the command; write "${program.name} <command> ${wanted} ..." (commands: ${names.join(", ")})`,
        undefined,
        hint,
      );
    }
    throw new ArgsError(`unknown command ${JSON.stringify(wanted)}${suggest(wanted, names, (s) => JSON.stringify(s))}`, undefined, hint);
  }
  const withProgram = command.program ? command : { ...command, program: program.name };
  if (first === "help") return { kind: "help", text: formatHelp(withProgram) };
  return { kind: "command", command: withProgram, argv: rest };
}

/** The --help text of one command: usage, summary, description, flags with defaults, examples. */
export function formatHelp(spec: CommandSpec, width = 80): string {
  checkSpec(spec);
  const positionals = (spec.positionals ?? []).map((p) => (p.required ? `<${p.name}>` : `[${p.name}]`) + (p.variadic ? "..." : ""));
  const required = spec.flags.filter((f) => f.required).map((f) => `--${f.name} ${placeholder(f)}`);
  const usage = [`Usage: ${commandPath(spec)}`, ...required, "[flags]", ...positionals].join(" ");
  const out = [usage, "", ...wrap(spec.summary, width)];
  if (spec.description) out.push("", ...spec.description.split("\n").flatMap((line) => (line === "" ? [""] : wrap(line, width))));
  if (spec.positionals?.length) {
    out.push(
      "",
      "Arguments:",
      ...table(
        spec.positionals.map((p) => [`<${p.name}>`, p.help + (p.required ? " Required." : "")]),
        width,
      ),
    );
  }
  const rows = spec.flags.map((f): [string, string] => [flagLabel(f), flagDescription(f)]);
  rows.push(["-h, --help", "Show this help."]);
  out.push("", "Flags:", ...table(rows, width));
  if (spec.examples?.length) out.push("", "Examples:", ...spec.examples.map((e) => `  ${e}`));
  return out.join("\n") + "\n";
}

/** The program's --help: usage, summary and the list of commands. */
export function formatProgramHelp(program: ProgramSpec, width = 80): string {
  const out = [`Usage: ${program.name} <command> [flags]`, "", ...wrap(program.summary, width), "", "Commands:"];
  out.push(
    ...table(
      program.commands.map((c) => [c.name, c.summary]),
      width,
    ),
  );
  out.push("", `Run "${program.name} <command> --help" for a command's flags.`);
  return out.join("\n") + "\n";
}

function takeValue(args: readonly string[], i: number, shown: string, flag: FlagSpec, fail: (m: string) => never): string {
  const next = args[i];
  if (next === undefined) return fail(`${shown} needs a value (${placeholder(flag)}): ${flag.help}`);
  // A following flag is far more often a forgotten value than a value that starts with a dash.
  // (A value holding whitespace is never a flag: it is a quoted list of flags, as in --common "--loss softmax".)
  if (next.startsWith("-") && next.length > 1 && !isNumeric(next) && !/\s/.test(next)) {
    return fail(`${shown} needs a value, but the next argument is the flag ${next}; to pass a value that starts with "-", write --${flag.name}=${next}`);
  }
  return next;
}

function convert(flag: FlagSpec, text: string, fail: (m: string) => never): AnyValue {
  const shown = `--${flag.name}`;
  switch (flag.type) {
    case "boolean": {
      const t = text.toLowerCase();
      if (["true", "yes", "1", "on"].includes(t)) return true;
      if (["false", "no", "0", "off"].includes(t)) return false;
      return fail(`${shown} is a switch: write ${shown} or --no-${flag.name}, got ${JSON.stringify(text)}`);
    }
    case "int":
    case "number": {
      const isInt = flag.type === "int";
      const value = Number(text);
      const wellFormed = isInt ? /^[+-]?\d+$/.test(text) && Number.isSafeInteger(value) : isNumeric(text) && Number.isFinite(value);
      if (!wellFormed || !withinBounds(flag, value)) fail(`${shown} must be ${describeNumber(flag)}, got ${JSON.stringify(text)}`);
      return value;
    }
    case "enum": {
      const choices = flag.choices!;
      if (!choices.includes(text)) {
        fail(`${shown} must be one of ${choices.join(", ")}, got ${JSON.stringify(text)}${suggest(text, choices, (s) => s)}`);
      }
      return text;
    }
    case "path":
      if (text === "") fail(`${shown} must be a path, got an empty string`);
      if (text.includes("\0")) fail(`${shown} must be a path, got a value containing a NUL byte`);
      return text;
    case "string":
      return text;
  }
}

function withinBounds(flag: FlagSpec, value: number): boolean {
  if (flag.positive && !(value > 0)) return false;
  if (flag.min !== undefined && value < flag.min) return false;
  if (flag.max !== undefined && value > flag.max) return false;
  return true;
}

/** "a positive integer", "a number from 0 to 1", "an integer >= 2", ... */
function describeNumber(flag: FlagSpec): string {
  const noun = flag.type === "int" ? "integer" : "number";
  const article = flag.type === "int" ? "an" : "a";
  const { min, max } = flag;
  if (flag.positive) {
    if (max !== undefined) return `a positive ${noun} <= ${max}`;
    if (min !== undefined && min > 0) return `${article} ${noun} >= ${min}`;
    return `a positive ${noun}`;
  }
  if (min !== undefined && max !== undefined) return `${article} ${noun} from ${min} to ${max}`;
  if (min === 0) return `a non-negative ${noun}`;
  if (min !== undefined) return `${article} ${noun} >= ${min}`;
  if (max !== undefined) return `${article} ${noun} <= ${max}`;
  return `${article} ${noun}`;
}

function isNumeric(text: string): boolean {
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text);
}

function placeholder(f: FlagSpec): string {
  if (f.placeholder) return `<${f.placeholder}>`;
  switch (f.type) {
    case "int":
      return "<int>";
    case "number":
      return "<number>";
    case "path":
      return "<path>";
    case "enum":
      return "<name>";
    default:
      return "<value>";
  }
}

function flagLabel(f: FlagSpec): string {
  const short = f.short ? `-${f.short}, ` : "    ";
  if (f.type === "boolean") return `${short}--${f.name}, --no-${f.name}`;
  return `${short}--${f.name} ${placeholder(f)}`;
}

function flagDescription(f: FlagSpec): string {
  const parts = [f.help];
  if (f.type === "enum") parts.push(`One of: ${f.choices!.join(", ")}.`);
  if ((f.type === "int" || f.type === "number") && (f.positive || f.min !== undefined || f.max !== undefined)) {
    parts.push(`Must be ${describeNumber(f)}.`);
  }
  if (f.required) parts.push("Required.");
  else if (f.default !== undefined) parts.push(`Default: ${f.default}.`);
  return parts.join(" ");
}

/** Two columns; the right one wraps, and moves under the left one when the left is too wide. */
function table(rows: readonly (readonly [string, string])[], width: number): string[] {
  const maxLeft = 32;
  const leftWidth = Math.min(maxLeft, Math.max(...rows.map(([l]) => l.length)));
  const indent = 2 + leftWidth + 2;
  const out: string[] = [];
  for (const [left, right] of rows) {
    const lines = wrap(right, Math.max(20, width - indent));
    if (left.length > leftWidth) {
      out.push(`  ${left}`);
      for (const line of lines) out.push(" ".repeat(indent) + line);
    } else {
      out.push(`  ${left.padEnd(leftWidth)}  ${lines[0] ?? ""}`.trimEnd());
      for (const line of lines.slice(1)) out.push(" ".repeat(indent) + line);
    }
  }
  return out;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

function commandPath(spec: CommandSpec): string {
  return spec.program ? `${spec.program} ${spec.name}` : spec.name;
}

/** "; did you mean X?" for the closest candidate within a small edit distance or extending the input, else "". */
function suggest(input: string, candidates: readonly string[], show: (s: string) => string): string {
  const tolerance = Math.max(1, Math.floor(input.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(input.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  if (bestDistance > tolerance) best = input.length >= 3 ? candidates.find((c) => c.startsWith(input)) : undefined;
  return best === undefined ? "" : `; did you mean ${show(best)}?`;
}

/** Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent swaps ("epcohs"). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** Mistakes in a spec are programming errors: report them loudly, once per spec. */
const checkedSpecs = new WeakSet<CommandSpec>();
function checkSpec(spec: CommandSpec): void {
  if (checkedSpecs.has(spec)) return;
  const problem = (m: string): never => {
    throw new Error(`invalid command spec "${spec.name}": ${m}`);
  };
  const names = new Set<string>();
  const shorts = new Set<string>(["h"]);
  for (const f of spec.flags) {
    if (!/^[a-z][a-z0-9-]*$/.test(f.name)) problem(`flag name ${JSON.stringify(f.name)} must be kebab-case without dashes in front`);
    if (f.name === "help" || names.has(f.name)) problem(`flag --${f.name} is defined twice (or clashes with --help)`);
    names.add(f.name);
    if (f.short !== undefined) {
      if (!/^[a-zA-Z]$/.test(f.short)) problem(`short alias of --${f.name} must be one letter`);
      if (shorts.has(f.short)) problem(`short alias -${f.short} of --${f.name} is used twice (or clashes with -h)`);
      shorts.add(f.short);
    }
    if (f.type === "enum" && !f.choices?.length) problem(`enum flag --${f.name} needs choices`);
    if (f.required && f.default !== undefined) problem(`--${f.name} is required and also has a default`);
    if (f.default !== undefined) {
      try {
        const value = convert(f, String(f.default), (m) => {
          throw new Error(m);
        });
        if (value !== f.default) throw new Error(`its default has type ${typeof f.default}`);
      } catch (e) {
        problem(`default of --${f.name} is invalid: ${(e as Error).message}`);
      }
    }
  }
  const positionals = spec.positionals ?? [];
  if (positionals.slice(0, -1).some((p) => p.variadic)) problem("only the last positional can be variadic");
  checkedSpecs.add(spec);
}

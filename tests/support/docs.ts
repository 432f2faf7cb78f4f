/**
 * The README and the pages under docs/, read as the tests of the documentation need them: their
 * fenced code blocks (with the line each starts on), the shell commands in those blocks, and the
 * `longtail` command lines among them.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** README.md and every docs/*.md, as paths relative to the repository root. */
export function docFiles(): string[] {
  const pages = readdirSync(join(REPO_ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort();
  return ["README.md", ...pages.map((name) => `docs/${name}`)];
}

export function readDoc(file: string): string {
  return readFileSync(join(REPO_ROOT, file), "utf8");
}

export interface CodeBlock {
  /** The page, relative to the repository root. */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The info string's first word ("sh", "ts", ...), "" when none. */
  readonly lang: string;
  /** The block's text, its fence's indentation removed, without the fences. */
  readonly text: string;
  /** The last non-blank line before the opening fence. */
  readonly before: string;
}

/** Every fenced (```) block of a page, in order. */
export function codeBlocks(file: string, text = readDoc(file)): CodeBlock[] {
  const lines = text.split("\n");
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```\s*([^\s`]*)/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !/^\s*```\s*$/.test(lines[j]!)) {
      const raw = lines[j++]!;
      body.push(raw.slice(Math.min(indent, raw.search(/\S|$/))));
    }
    if (j === lines.length) throw new Error(`${file}:${i + 1}: a code block that is never closed`);
    let k = i - 1;
    while (k >= 0 && lines[k]!.trim() === "") k--;
    blocks.push({ file, line: i + 1, lang: open[2]!.toLowerCase(), text: body.join("\n"), before: k >= 0 ? lines[k]! : "" });
    i = j;
  }
  return blocks;
}

/** The prose of a page: its text with every fenced block blanked out (line numbers kept). */
export function prose(text: string): string {
  const lines = text.split("\n");
  let inside = false;
  return lines
    .map((line) => {
      if (/^\s*```/.test(line)) {
        inside = !inside;
        return "";
      }
      return inside ? "" : line;
    })
    .join("\n");
}

export const SHELL_LANGS = new Set(["sh", "bash", "shell", "console"]);

export interface ShellCommand {
  readonly file: string;
  /** 1-based line where the command starts. */
  readonly line: number;
  /** The command as written (continuation lines joined). */
  readonly source: string;
  /** Its words after quoting, comments and $VARIABLES are resolved, environment assignments dropped. */
  readonly words: string[];
}

/**
 * The commands of a shell block: backslash-newline joins lines, `#` starts a comment, quotes and
 * backslashes work as in a POSIX shell, `NAME=value` on its own line sets a variable that later
 * `$NAME` / `${NAME}` use, `NAME=value cmd` is an environment prefix, and `;`, `&&`, `||` and `|`
 * separate commands. In a `console` block only lines starting with `$ ` are commands.
 */
export function shellCommands(block: CodeBlock): ShellCommand[] {
  const vars = new Map<string, string>();
  const out: ShellCommand[] = [];
  const lines = block.text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i]!;
    if (block.lang === "console") {
      if (!line.startsWith("$ ")) continue;
      line = line.slice(2);
    }
    while (/\\$/.test(line) && i + 1 < lines.length) line = line.slice(0, -1) + " " + lines[++i]!.replace(/^> /, "");
    for (const words of splitShellLine(line, vars, `${block.file}:${block.line + 1 + start}`)) {
      let w = 0;
      while (w < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[w]!)) w++;
      if (w === words.length) {
        for (const assignment of words) vars.set(assignment.slice(0, assignment.indexOf("=")), assignment.slice(assignment.indexOf("=") + 1));
        continue;
      }
      out.push({ file: block.file, line: block.line + 1 + start, source: line.trim(), words: words.slice(w) });
    }
  }
  return out;
}

/** Split one logical line into commands of words (see {@link shellCommands}). */
export function splitShellLine(line: string, vars: ReadonlyMap<string, string>, where: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | null = null;
  const endWord = () => {
    if (inWord) words.push(word);
    word = "";
    inWord = false;
  };
  const endCommand = () => {
    endWord();
    if (words.length > 0) commands.push(words);
    words = [];
  };
  const expand = (i: number): number => {
    const m = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/.exec(line.slice(i));
    if (!m) {
      word += "$";
      return i;
    }
    const name = m[1] ?? m[2]!;
    if (!vars.has(name)) throw new Error(`${where}: $${name} is used before it is set in this block`);
    word += vars.get(name);
    inWord = true;
    return i + m[0].length - 1;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === "\\" && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) word += line[++i];
      else if (c === "$") i = expand(i);
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (c === "#" && !inWord) {
      break;
    } else if (c === "$") {
      i = expand(i);
    } else if (c === ";" || c === "|" || c === "&") {
      endCommand();
      if ((c === "|" || c === "&") && line[i + 1] === c) i++;
    } else if (/\s/.test(c)) {
      endWord();
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`${where}: an unterminated ${quote} quote`);
  endCommand();
  return commands;
}

/**
 * The arguments after the program when `words` run the longtail CLI (`longtail ...`,
 * `npx longtail ...`, `node bin/longtail.js ...`), else undefined.
 */
export function longtailArgs(words: readonly string[]): string[] | undefined {
  if (words[0] === "longtail") return words.slice(1);
  if (words[0] === "npx" && words[1] === "longtail") return words.slice(2);
  if (words[0] === "node" && /(^|\/)bin\/longtail\.js$/.test(words[1] ?? "")) return words.slice(2);
  return undefined;
}

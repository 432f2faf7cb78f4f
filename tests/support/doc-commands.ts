/**
 * The `longtail …` command lines of the README and docs/*.md, with where each is written: from
 * ```sh / ```bash / ```shell / ```console blocks (continuation lines joined, comments dropped,
 * $VARIABLES set in the block expanded) and from inline code in the prose that starts with
 * `npx longtail ` or `node bin/longtail.js ` and is no template (`<file>`, `[flags]`, `...`).
 * Shared by the test that parses them all and the test that runs the ones reading ../shared/data.
 */
import { codeBlocks, docFiles, longtailArgs, prose, readDoc, SHELL_LANGS, shellCommands, splitShellLine } from "./docs.js";

export interface DocCommand {
  /** `page:line`. */
  readonly where: string;
  /** The command as written. */
  readonly source: string;
  /** The arguments after `longtail`. */
  readonly args: string[];
}

/** The longtail commands of the shell blocks of one page, in order. */
export function blockCommands(file: string): DocCommand[] {
  return codeBlocks(file)
    .filter((b) => SHELL_LANGS.has(b.lang))
    .flatMap((b) => shellCommands(b))
    .flatMap((c) => {
      const args = longtailArgs(c.words);
      return args ? [{ where: `${c.file}:${c.line}`, source: c.source, args }] : [];
    });
}

/** Whole commands quoted inline in the prose of one page (templates left out). */
export function inlineCommands(file: string): DocCommand[] {
  const text = prose(readDoc(file));
  const out: DocCommand[] = [];
  for (const m of text.matchAll(/`([^`]+)`/g)) {
    const span = m[1]!.replace(/\s+/g, " ").trim();
    if (!/^(npx longtail|node bin\/longtail\.js) /.test(span) || /[<>[\]…]|\.\.\./.test(span)) continue;
    const line = text.slice(0, m.index).split("\n").length;
    for (const words of splitShellLine(span, new Map(), `${file}:${line}`)) {
      const args = longtailArgs(words);
      if (args) out.push({ where: `${file}:${line}`, source: span, args });
    }
  }
  return out;
}

/** Every longtail command of one page, in the order the page shows them (blocks and inline code together). */
export function pageCommands(file: string): DocCommand[] {
  const lineOf = (c: DocCommand) => Number(c.where.slice(c.where.lastIndexOf(":") + 1));
  return [...blockCommands(file), ...inlineCommands(file)].sort((a, b) => lineOf(a) - lineOf(b));
}

/** Every longtail command of the README and the pages. */
export function allCommands(): DocCommand[] {
  return docFiles().flatMap((file) => [...blockCommands(file), ...inlineCommands(file)]);
}

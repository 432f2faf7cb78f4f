import { ArgsError } from "./args.js";
import { quoteFound } from "../data/errors.js";

/**
 * Split a configuration string such as `--loss softmax --temperature 0.1` into arguments the way
 * a POSIX shell would for plain words, 'single' and "double" quotes and backslash escapes, so a
 * configuration can be passed as one argument and still hold values with spaces.
 */
export function shellWords(text: string, command: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === "\\" && quote === '"' && i + 1 < text.length) word += text[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new ArgsError(`unclosed ${quote} quote in ${quoteFound(text)}`, command, `Run "longtail ${command} --help" for the syntax.`);
  if (inWord) words.push(word);
  return words;
}

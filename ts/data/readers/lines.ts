import { DataError } from "../errors.js";
import type { Interactions } from "../interactions.js";
import { builderFor, rejectMinRating, type ReaderOptions } from "./reader-options.js";
import { forEachLine } from "./text-lines.js";

const WHITESPACE = /\s+/;

/**
 * The LightGCN / ReSN split format: one user per line, `user item item ...`, separated by any
 * whitespace. A line holding only a user id is a user without interactions in this part; blank
 * lines are skipped. Ids stay the strings they are (indices follow first appearance, not the
 * numeric value of an id). No ratings, no timestamps: a row keeps the order of its line.
 */
export async function readUserItemLines(source: AsyncIterable<Uint8Array>, options: ReaderOptions = {}): Promise<Interactions> {
  const name = options.name ?? "interactions.txt";
  rejectMinRating(options, "lines");
  const builder = builderFor(options, name, { user: "user", item: "item" });
  let userLines = 0;
  await forEachLine(source, { name, ...(options.encoding && { encoding: options.encoding }) }, (text, line) => {
    const trimmed = text.trim();
    if (trimmed.length === 0) return;
    userLines++;
    const tokens = trimmed.split(WHITESPACE);
    const user = tokens[0]!;
    if (tokens.length === 1) {
      builder.addUser(user, line);
      return;
    }
    for (let t = 1; t < tokens.length; t++) builder.add(user, tokens[t]!, undefined, undefined, line);
  });
  if (userLines === 0) throw new DataError({ file: name }, 'no data lines (expected lines of "user item item ...")');
  return builder.build();
}

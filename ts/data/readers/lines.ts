import { DataError } from "../errors.js";
import type { Interactions } from "../interactions.js";
import { builderFor, rejectMinRating, type ReaderOptions } from "./reader-options.js";
import { forEachLine } from "./text-lines.js";
import { requireId } from "./fields.js";
import { quoteFound, type DataLocation } from "../errors.js";

/** An id of a lines file: no control characters, and no comma or semicolon (a csv line read as lines, e.g. "3,5,6"). */
function lineId(token: string, where: DataLocation): string {
  if (/[,;]/.test(token)) {
    throw new DataError(
      where,
      `expected an id, got ${quoteFound(token)}: a comma inside an id is a csv line read as "user item item ..." lines; pass the format (CLI: --format csv, or --format triples)`,
    );
  }
  return requireId(token, where, `a${where.field === "user" ? " user" : "n item"} id`);
}

const WHITESPACE = /\s+/;

/**
 * The LightGCN / ReSN split format: one user per line, `user item item ...`, separated by any
 * whitespace. A line holding only a user id is a user without interactions in this part; blank
 * lines are skipped. Ids stay the strings they are (indices follow first appearance, not the
 * numeric value of an id). No ratings, no timestamps: a row keeps the order of its line.
 */
export async function readUserItemLines(source: AsyncIterable<Uint8Array>, options: ReaderOptions = {}): Promise<Interactions> {
  const name = options.name ?? "interactions.txt";
  rejectMinRating(options, name, "lines");
  const builder = builderFor(options, name, { user: "user", item: "item" });
  let userLines = 0;
  await forEachLine(source, { name, ...(options.encoding && { encoding: options.encoding }) }, (text, line) => {
    const trimmed = text.trim();
    if (trimmed.length === 0) return;
    userLines++;
    const tokens = trimmed.split(WHITESPACE);
    const ids = tokens.map((token, t) => lineId(token, { file: name, line, field: t === 0 ? "user" : "item" }));
    const user = ids[0]!;
    if (ids.length === 1) {
      builder.addUser(user, line);
      return;
    }
    for (let t = 1; t < ids.length; t++) builder.add(user, ids[t]!, undefined, undefined, line);
  });
  if (userLines === 0) throw new DataError({ file: name }, 'no data lines (expected lines of "user item item ...")');
  return builder.build();
}

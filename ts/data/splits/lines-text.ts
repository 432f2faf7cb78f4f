import { DataError, quoteFound } from "../errors.js";
import type { Interactions } from "../interactions.js";

const CHUNK_CHARS = 1 << 16;
const WHITESPACE = /\s/;

export interface LinesTextOptions {
  /** Also write users without interactions in this part, as a line holding only the user id. Default false. */
  readonly allUsers?: boolean;
}

/**
 * A part in the lines format ("user item item ...", the external ids, items in row order) as text
 * chunks of about 64 Ki characters, for a streamed write. An id holding whitespace cannot be
 * written in this format: that is a DataError naming the id.
 */
export function* linesText(part: Interactions, options: LinesTextOptions = {}): Generator<string> {
  const userIds = part.users.ids();
  const itemIds = part.items.ids();
  const checked = new Uint8Array(part.nItems);
  const { indptr, indices } = part.byUser;
  let chunk = "";
  for (let u = 0; u < part.nUsers; u++) {
    const start = indptr[u]!;
    const end = indptr[u + 1]!;
    if (start === end && options.allUsers !== true) continue;
    const user = userIds[u]!;
    if (WHITESPACE.test(user)) throw unwritable(part, "user", user);
    let line = user;
    for (let k = start; k < end; k++) {
      const item = indices[k]!;
      const id = itemIds[item]!;
      if (checked[item] === 0) {
        if (WHITESPACE.test(id)) throw unwritable(part, "item", id);
        checked[item] = 1;
      }
      line += " " + id;
    }
    chunk += line + "\n";
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk.length > 0) yield chunk;
}

function unwritable(part: Interactions, role: string, id: string): DataError {
  return new DataError(
    { file: part.name, field: role },
    `${role} id ${quoteFound(id)} holds whitespace, which the lines format ("user item item ...") cannot represent`,
  );
}

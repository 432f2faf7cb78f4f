import { TRIPLE_COLUMNS, type TripleColumn } from "./triples.js";

/**
 * The `columns` option (CLI --columns) in its two forms. A list of roles (`user,-,item,weight`)
 * is the layout of a file by position, as a triples file is read. A list that holds anything else
 * names the columns to read (`visitor,product,-,ts`): the entries give, in order, the user, item,
 * rating and timestamp columns, "-" for one left out; an entry that is itself a role word
 * (`visitor,item,-,timestamp`) keeps that role and names the column of that name.
 */
export type ColumnList = readonly string[];

/** The columns a named-column file is read by (csv with a header, Parquet, Arrow IPC). */
export interface NamedColumns {
  readonly user: string;
  readonly item: string;
  /** The rating or weight column (a weight is read as a rating, as triples read one). */
  readonly rating?: string;
  readonly timestamp?: string;
}

const ROLE_OF_SLOT = ["user", "item", "rating", "timestamp"] as const;

/** Whether every entry is a role word or "-" (a layout by position, as triples files take). */
export function isRoleList(columns: ColumnList): columns is readonly TripleColumn[] {
  return columns.every((c) => (TRIPLE_COLUMNS as readonly string[]).includes(c));
}

/**
 * The columns a list names, read by name (see {@link ColumnList}); a RangeError says what is wrong
 * with the list itself (an empty entry, more than four, a role twice, no user or item).
 */
export function namedColumnsOf(columns: ColumnList): NamedColumns {
  const picked: { user?: string; item?: string; rating?: string; timestamp?: string } = {};
  const list = columns.join(",");
  if (columns.length > ROLE_OF_SLOT.length && !isRoleList(columns)) {
    throw new RangeError(
      `column names are given as user,item[,rating[,timestamp]] ("-" for one left out): ${columns.length} entries in ${JSON.stringify(list)}`,
    );
  }
  columns.forEach((entry, slot) => {
    if (entry.trim().length === 0) throw new RangeError(`an empty entry in the columns ${JSON.stringify(list)}`);
    if (entry === "-") return;
    const word = entry === "weight" ? "rating" : entry;
    const role = (ROLE_OF_SLOT as readonly string[]).includes(word) ? (word as (typeof ROLE_OF_SLOT)[number]) : ROLE_OF_SLOT[slot]!;
    if (picked[role] !== undefined) throw new RangeError(`the columns ${JSON.stringify(list)} give the ${role} column twice`);
    picked[role] = entry;
  });
  if (picked.user === undefined || picked.item === undefined) {
    throw new RangeError(`the columns ${JSON.stringify(list)} name no ${picked.user === undefined ? "user" : "item"} column`);
  }
  return {
    user: picked.user,
    item: picked.item,
    ...(picked.rating !== undefined && { rating: picked.rating }),
    ...(picked.timestamp !== undefined && { timestamp: picked.timestamp }),
  };
}

/** A role list read by position over a file's column names: entry i is column i. */
export function columnsByPosition(roles: readonly TripleColumn[], names: readonly string[]): NamedColumns {
  const at = (role: TripleColumn): string | undefined => {
    const i = roles.indexOf(role);
    return i < 0 ? undefined : names[i];
  };
  const rating = at("rating") ?? at("weight");
  const timestamp = at("timestamp");
  return { user: at("user")!, item: at("item")!, ...(rating !== undefined && { rating }), ...(timestamp !== undefined && { timestamp }) };
}

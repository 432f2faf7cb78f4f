import { DataError } from "../../errors.js";
import { columnsLike, type GuessedRole } from "../column-guesses.js";
import { columnsByPosition, isRoleList, namedColumnsOf, type ColumnList, type NamedColumns } from "../column-list.js";

/** What picks the columns of a Parquet or Arrow file. */
export interface ColumnChoice {
  /** A list of roles (by position, unless each is a column's name) or of names: see ColumnList. */
  readonly columns?: ColumnList;
  /** Column names, one per role (the library's csv options; they win over a guess). */
  readonly user?: string;
  readonly item?: string;
  readonly rating?: string;
  readonly timestamp?: string;
}

export interface ResolvedColumns extends NamedColumns {
  /** How they were found: "named", "by position" or "guessed from their names". */
  readonly how: string;
}

const quoted = (names: readonly string[]): string => names.map((n) => JSON.stringify(n)).join(", ");

/**
 * The columns to read among a file's column names: from the columns list, else from the per-role
 * options and common names (user_id, itemId, movieId, rating, count, ts, ...). A column asked
 * for that the file lacks, or a user or item column that cannot be found, is a DataError naming
 * the file, the column and the columns the file has.
 */
export function resolveColumns(names: readonly string[], choice: ColumnChoice, file: string): ResolvedColumns {
  let columns: NamedColumns;
  let how = "named";
  if (choice.columns !== undefined) {
    const list = choice.columns;
    const named = list.filter((c) => c !== "-");
    if (isRoleList(list) && !named.every((c) => names.includes(c))) {
      if (list.length > names.length) {
        throw new DataError(
          { file },
          `the columns ${list.join(",")} give ${list.length} columns by position, and the file has ${names.length}: ${quoted(names)}; name them instead (e.g. ${names.slice(0, 2).join(",")})`,
        );
      }
      columns = columnsByPosition(list, names);
      how = "by position";
    } else {
      columns = namedColumnsOf(list);
    }
  } else {
    const pick = (role: GuessedRole, required: boolean): string | undefined => {
      const given = choice[role];
      if (given !== undefined) return given;
      const like = columnsLike(role, names);
      if (like.length === 1) return like[0];
      if (!required) {
        if (like.length > 1) {
          throw new DataError(
            { file },
            `${quoted(like)} could each be the ${role} column: name the columns (CLI: --columns user,item,rating,timestamp with the file's names)`,
          );
        }
        return undefined;
      }
      const found = like.length > 1 ? `${quoted(like)} could each be the ${role} column` : `no ${role} column recognised`;
      throw new DataError(
        { file },
        `${found} among the file's columns ${quoted(names)}: name the columns (CLI: --columns <user>,<item>[,<rating>[,<timestamp>]], e.g. --columns ${names.slice(0, 2).join(",")}; library: options user and item)`,
      );
    };
    const user = pick("user", true)!;
    const item = pick("item", true)!;
    const rating = pick("rating", false);
    const timestamp = pick("timestamp", false);
    columns = { user, item, ...(rating !== undefined && { rating }), ...(timestamp !== undefined && { timestamp }) };
    how = choice.user !== undefined || choice.item !== undefined ? "named" : "guessed from their names";
  }
  for (const [role, name] of Object.entries(columns) as Array<[string, string | undefined]>) {
    if (name !== undefined && !names.includes(name)) {
      const same = names.find((n) => n.toLowerCase() === name.toLowerCase());
      throw new DataError(
        { file, field: name },
        `no such column (asked for as the ${role} column${same === undefined ? "" : `; did you mean ${JSON.stringify(same)}?`}); the file's columns are ${quoted(names)}`,
      );
    }
  }
  return { ...columns, how };
}

/** The summary of the columns read, as the csv summary gives it: "columns user=u, item=i, rating=r". */
export function describeColumns(c: NamedColumns): string {
  const named = [`user=${c.user}`, `item=${c.item}`, ...(c.rating ? [`rating=${c.rating}`] : []), ...(c.timestamp ? [`timestamp=${c.timestamp}`] : [])];
  return `columns ${named.join(", ")}`;
}

import { csvField } from "../util/csv-field.js";

/** RFC 4180 CSV: a header row and one row per record; fields quoted only when they need it. */
export function toCsv(columns: readonly string[], rows: ReadonlyArray<Record<string, string | number | boolean | null | undefined>>): string {
  const line = (cells: ReadonlyArray<string | number | boolean | null | undefined>) => cells.map(csvField).join(",");
  return [line(columns), ...rows.map((r) => line(columns.map((c) => r[c])))].join("\n") + "\n";
}

/** Rows of cells as aligned plain-text columns: the first column left-aligned (labels), the rest right-aligned (numbers). */
export function formatColumns(rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return "";
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => r[col].length)));
  return rows.map((r) => r.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))).join("  ")).join("\n") + "\n";
}

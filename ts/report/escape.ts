/**
 * Text into HTML and SVG: movie titles hold &, <, > and quotes ("Monsieur Lazhar", `Lock, Stock & Two
 * Smoking Barrels`), and every string the report shows passes through here, in text and in attributes.
 */
const ENTITIES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

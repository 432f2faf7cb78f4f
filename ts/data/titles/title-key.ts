/**
 * How a movie title is compared: MovieLens writes "Great Escape, The (1963)" and
 * "City of Lost Children, The (Cité des enfants perdus, La) (1995)"; people type "the great escape",
 * "Great Escape" or "Great Escape, The (1963)". A title is split into its names (the main one and
 * the alternatives in trailing parentheses, "a.k.a." dropped) and its year, each name's trailing
 * article is moved to the front, and names are compared as keys: accents folded, case and
 * punctuation ignored.
 */

export interface ParsedTitle {
  /** The main name first, then the alternatives, each with its article in front ("The Great Escape"). */
  readonly names: readonly string[];
  /** "1963"; the first year of a range ("2006–2007"); undefined when the title has none. */
  readonly year?: string;
}

/** Articles MovieLens moves to the end of a title ("Escape, The", "Cité des enfants perdus, La"). */
const ARTICLES = [
  "the",
  "a",
  "an",
  "les",
  "la",
  "le",
  "l'",
  "il",
  "lo",
  "gli",
  "i",
  "die",
  "das",
  "der",
  "den",
  "det",
  "el",
  "los",
  "las",
  "un",
  "une",
  "ein",
  "eine",
  "o",
  "os",
  "as",
  "het",
  "de",
];
const TRAILING_ARTICLE = new RegExp(`^(.*\\S),\\s*(${ARTICLES.join("|")})\\s*$`, "i");
const LEADING_ARTICLE = new RegExp(`^(?:${ARTICLES.filter((a) => !a.endsWith("'")).join("|")}) (?=\\S)|^l (?=\\S)`);
const YEAR = /\s*\((\d{4})(?:\s*[–-]\s*(?:\d{4})?)?\)\s*$/;
const TRAILING_GROUP = /\s*\(([^()]*)\)\s*$/;

export function parseTitle(title: string): ParsedTitle {
  let rest = title.trim();
  const year = YEAR.exec(rest);
  if (year) rest = rest.slice(0, year.index);
  const alternatives: string[] = [];
  // Peel trailing "(...)" groups, but never the whole title ("(500) Days of Summer" keeps its group).
  for (let group = TRAILING_GROUP.exec(rest); group && group.index > 0; group = TRAILING_GROUP.exec(rest)) {
    alternatives.unshift(group[1]!.replace(/^a\.k\.a\.\s*/i, "").trim());
    rest = rest.slice(0, group.index);
  }
  const names = [rest, ...alternatives].map(articleInFront).filter((n) => n.length > 0);
  return { names, ...(year && { year: year[1]! }) };
}

/** "Great Escape, The" → "The Great Escape"; "Haine, La" → "La Haine"; "Homme, L'" → "L'Homme". */
export function articleInFront(name: string): string {
  const m = TRAILING_ARTICLE.exec(name.trim());
  if (!m) return name.trim();
  const article = m[2]!;
  return article.endsWith("'") ? `${article}${m[1]}` : `${article} ${m[1]}`;
}

/** The comparison key of a name: accents folded, lower case, every run of non-alphanumerics one space. */
export function nameKey(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/&/g, " and ")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** The key without a leading article: "the great escape" → "great escape" (a key of one article word stays). */
export function keyWithoutArticle(key: string): string {
  return key.replace(LEADING_ARTICLE, "");
}

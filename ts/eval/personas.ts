/**
 * The logit-adjustment blog's personas: watchlists of people whose taste is known, to show what a
 * model serves them. Titles are written the way people type them (article in front, with the
 * year, so each resolves to one MovieLens movie); every one resolves in ml-latest-small's movies.csv.
 */
export const PERSONA_NAMES = ["ww2", "blockbuster", "scifi"] as const;
export type PersonaName = (typeof PERSONA_NAMES)[number];

export interface Persona {
  readonly name: PersonaName;
  readonly label: string;
  readonly watchlist: readonly string[];
}

export const PERSONAS: Readonly<Record<PersonaName, Persona>> = {
  ww2: {
    name: "ww2",
    label: "WW2 fan",
    watchlist: ["Saving Private Ryan (1998)", "Enemy at the Gates (2001)", "Stalingrad (1993)", "The Great Escape (1963)"],
  },
  blockbuster: {
    name: "blockbuster",
    label: "blockbuster fan",
    watchlist: ["Avatar (2009)", "Titanic (1997)", "Jurassic Park (1993)", "The Dark Knight (2008)", "Inception (2010)", "The Matrix (1999)"],
  },
  scifi: {
    name: "scifi",
    label: "modern sci-fi fan",
    watchlist: ["Inception (2010)", "Interstellar (2014)", "Ex Machina (2015)", "Arrival (2016)", "District 9 (2009)", "Moon (2009)"],
  },
};

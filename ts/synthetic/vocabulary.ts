/**
 * The fixed vocabulary of the synthetic world: genre names, and words that make item titles read
 * like their genre ("The Crimson Nebula" is space opera, "Alibi of Marseille" is noir), so a demo
 * can show at a glance whether a user's recommendations fit that user's taste.
 */

export interface GenreVocabulary {
  readonly name: string;
  /** Title nouns typical of the genre. */
  readonly nouns: readonly string[];
}

export const GENRES: readonly GenreVocabulary[] = [
  { name: "Noir", nouns: ["Alibi", "Detective", "Rain", "Motel", "Witness", "Nightclub", "Cigarette", "Confession"] },
  { name: "Space Opera", nouns: ["Nebula", "Starship", "Empire", "Orbit", "Comet", "Armada", "Galaxy", "Moon"] },
  { name: "Romantic Comedy", nouns: ["Wedding", "Kiss", "Bakery", "Valentine", "Proposal", "Honeymoon", "Crush", "Bouquet"] },
  { name: "Western", nouns: ["Saloon", "Sheriff", "Canyon", "Outlaw", "Stagecoach", "Frontier", "Rifle", "Ranch"] },
  { name: "Documentary", nouns: ["Archive", "Ocean", "Planet", "Factory", "Harvest", "Expedition", "Island", "Census"] },
  { name: "Horror", nouns: ["Cellar", "Ghost", "Ritual", "Doll", "Scream", "Asylum", "Crypt", "Curse"] },
  { name: "Heist", nouns: ["Vault", "Diamond", "Casino", "Getaway", "Safecracker", "Job", "Score", "Blueprint"] },
  { name: "Animation", nouns: ["Dragon", "Robot", "Penguin", "Balloon", "Toybox", "Kitten", "Rainbow", "Lantern"] },
  { name: "War", nouns: ["Battalion", "Trench", "Bridge", "Convoy", "Frontline", "Submarine", "Siege", "Medal"] },
  { name: "Musical", nouns: ["Melody", "Chorus", "Ballroom", "Jukebox", "Serenade", "Stage", "Overture", "Tango"] },
  { name: "Fantasy", nouns: ["Sorcerer", "Kingdom", "Sword", "Throne", "Prophecy", "Griffin", "Amulet", "Realm"] },
  { name: "Cyberpunk", nouns: ["Neon", "Circuit", "Android", "Megacity", "Implant", "Firewall", "Hologram", "Syndicate"] },
  { name: "Courtroom Drama", nouns: ["Verdict", "Jury", "Testimony", "Appeal", "Gavel", "Defendant", "Counsel", "Evidence"] },
  { name: "Sports", nouns: ["Champion", "Rookie", "Stadium", "Comeback", "Playoff", "Coach", "Marathon", "Rival"] },
  { name: "Mystery", nouns: ["Clue", "Manor", "Riddle", "Locket", "Inheritance", "Lighthouse", "Diary", "Butler"] },
  { name: "Martial Arts", nouns: ["Dojo", "Master", "Fist", "Temple", "Tiger", "Tournament", "Monk", "Blade"] },
  { name: "Period Drama", nouns: ["Duchess", "Estate", "Carriage", "Governess", "Ball", "Heir", "Letter", "Garden"] },
  { name: "Disaster", nouns: ["Tsunami", "Volcano", "Blackout", "Avalanche", "Meteor", "Inferno", "Flood", "Quake"] },
  { name: "Superhero", nouns: ["Guardian", "Mask", "Vigilante", "Titan", "Sentinel", "Cape", "Nemesis", "League"] },
  { name: "Road Movie", nouns: ["Highway", "Motorcycle", "Diner", "Detour", "Hitchhiker", "Convertible", "Mile", "Border"] },
];

export const ADJECTIVES: readonly string[] = [
  "Silent",
  "Last",
  "Crimson",
  "Broken",
  "Midnight",
  "Golden",
  "Hidden",
  "Endless",
  "Burning",
  "Lonely",
  "Distant",
  "Frozen",
  "Wild",
  "Secret",
  "Savage",
  "Quiet",
  "Electric",
  "Hollow",
  "Velvet",
  "Iron",
  "Lost",
  "Final",
  "Bright",
  "Restless",
  "Forgotten",
  "Scarlet",
  "Silver",
  "Wicked",
  "Gentle",
  "Dark",
];

export const PLACES: readonly string[] = [
  "Marseille",
  "the North",
  "Harbor City",
  "Tokyo",
  "the Desert",
  "Avenue B",
  "Nowhere",
  "Sector 9",
  "the Old Town",
  "Blue Ridge",
  "Casablanca",
  "the Valley",
  "Lisbon",
  "Route 66",
  "the Bay",
  "Kowloon",
  "Saint-Denis",
  "the Islands",
  "Yellowstone",
  "Prague",
];

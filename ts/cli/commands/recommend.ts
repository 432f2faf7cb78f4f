import { ArgsError, defineCommand, type ParsedArgs } from "../args.js";
import { JSON_OUTPUT, QUIET, THREADS, VARIANT } from "../common-flags.js";
import { cliKernels } from "../kernels.js";
import { readAnyModel, readModelContents } from "../model-io.js";
import { modelFromContents } from "../../model/load-history-recommender.js";
import { RERANK_FLAG } from "../debiasing-flags.js";
import { HISTORY_FLAG, MOVIES_FLAG, loadTitles, movieLabel, readHistoryModel } from "../watchlist-input.js";
import { parseWatchlist, resolveWatchlist } from "../../data/titles/watchlist.js";
import { describePicks } from "../../eval/wall.js";
import { runRecommendAllUsers } from "./recommend-all-users.js";

export const RECOMMEND = defineCommand({
  name: "recommend",
  summary:
    "Top-K recommendations for a user of a trained model (the user's training items are left out), for a watchlist (--history), the items most similar to an item (--item), or every user's top K as a file (--all-users).",
  description:
    "Give one of --user, --item, --history and --all-users. --item lists the K items whose vectors are closest to the item's by cosine similarity " +
    '(matrix factorisation: the item factors as served; two-tower: the item tower\'s outputs), the item itself left out. --history takes a watchlist the model never saw: titles or item ids separated by ";" ' +
    '(titles hold commas: "Great Escape, The (1963)"). A title matches case, accents and punctuation aside, with or without its year ' +
    "and with its article in front or MovieLens-style at the end; a title several movies share takes the one with the most training " +
    "interactions (and says so) when it has at least twice the next one's, else it is an error listing them. The watchlist's items are " +
    "left out of the answer. Matrix factorisation models answer by fold-in (the least-squares user vector of the watchlist). " +
    "--all-users ranks every user in blocks on every thread and writes one row per recommendation (user, rank, item, score) to --out: " +
    "Parquet, CSV or NDJSON by the file's extension.",
  flags: [
    { name: "model", type: "path", required: true, help: "Model file written by longtail train." },
    { name: "user", type: "string", help: "The user's id exactly as in the training data." },
    {
      name: "item",
      type: "string",
      placeholder: "id",
      help: "Similar items: the item's id exactly as in the training data; lists the K most cosine-similar items (titles from --movies or the movies file next to the training data, when there is one).",
    },
    HISTORY_FLAG,
    { name: "all-users", type: "boolean", help: "Every user's top K, written to --out (user, rank, item, score)." },
    { name: "out", type: "path", help: "--all-users: the file, .parquet, .csv or .ndjson (written atomically)." },
    MOVIES_FLAG,
    { name: "k", type: "int", positive: true, default: 10, help: "How many items." },
    { name: "include-seen", type: "boolean", help: "Also rank the items the user interacted with in training." },
    RERANK_FLAG,
    QUIET,
    JSON_OUTPUT,
    VARIANT,
    THREADS,
  ],
  examples: [
    "longtail recommend --model gowalla-bpr.ltm --user 42 --k 10",
    "longtail recommend --model ml1m.ltm --user 42 --k 10 --rerank 0.05",
    "longtail recommend --model ml1m.ltm --item 260 --k 10",
    'longtail recommend --model ml.ltm --history "Saving Private Ryan (1998); Enemy at the Gates; Stalingrad (1993); Great Escape, The"',
    "longtail recommend --model ml1m.ltm --all-users --k 100 --out recs.parquet",
  ],
});

export async function runRecommend(args: ParsedArgs<typeof RECOMMEND>): Promise<number> {
  const v = args.values;
  const modes = [...(["user", "item", "history"] as const).filter((name) => v[name] !== undefined), ...(v["all-users"] ? ["all-users"] : [])];
  if (modes.length !== 1) {
    const message =
      modes.length === 0
        ? "give --user <id> or --history <watchlist> (or --item <id> for similar items, --all-users for everyone)"
        : modes.length === 2
          ? `give --${modes[0]} or --${modes[1]}, not both`
          : "give only one of --user, --item, --history and --all-users";
    throw new ArgsError(message, RECOMMEND.name, 'Run "longtail recommend --help".');
  }
  if (v["all-users"]) return runRecommendAllUsers(v);
  if (v.out !== undefined) throw new ArgsError("--out is the file of --all-users", RECOMMEND.name, 'Run "longtail recommend --help".');
  if (v.history !== undefined) return runRecommendHistory(args, v.history);
  if (v.item !== undefined) return runSimilarItems(args, v.item);
  if (v.movies !== undefined)
    throw new ArgsError("--movies gives the titles of a --history watchlist; --user needs none", RECOMMEND.name, 'Run "longtail recommend --help".');
  const kernels = await cliKernels(v.kernels, v.threads);
  const model = await readAnyModel(v.model, kernels);
  const rec = model.recommend(v.user!, v.k, { excludeSeen: !v["include-seen"], popularityPenalty: v.rerank });
  const counts = model.itemCounts;
  if (v.json) {
    const items = rec.items.map((id, r) => ({ rank: r + 1, item: id, score: rec.scores[r], popularity: counts[rec.indices[r]] }));
    process.stdout.write(JSON.stringify({ user: v.user, k: v.k, items }) + "\n");
  } else {
    process.stdout.write(`top ${rec.items.length} for user ${v.user}:\n`);
    rec.items.forEach((id, r) => {
      process.stdout.write(
        `  ${String(r + 1).padStart(3)}. ${id.padEnd(12)} score ${rec.scores[r].toFixed(4)}  (${counts[rec.indices[r]]} training interactions)\n`,
      );
    });
  }
  model.dispose();
  return 0;
}

/** recommend --item: the K items most cosine-similar to one item, each with title and genres when a movies file gives them, and popularity. */
async function runSimilarItems(args: ParsedArgs<typeof RECOMMEND>, item: string): Promise<number> {
  const v = args.values;
  const usage = 'Run "longtail recommend --help".';
  if (v["include-seen"]) throw new ArgsError("--include-seen applies to --user: --item leaves out only the item itself", RECOMMEND.name, usage);
  if (v.rerank !== undefined) throw new ArgsError("--rerank applies to --user and --history, not to --item", RECOMMEND.name, usage);
  const kernels = await cliKernels(v.kernels, v.threads);
  const contents = await readModelContents(v.model);
  const model = modelFromContents(kernels, contents, v.model);
  try {
    model.users.freeze();
    model.items.freeze();
    const trainedOn = contents.metadata?.["trainedOn"];
    const { titles, path: moviesPath } = await loadTitles(v.movies, { path: v.model, model, ...(typeof trainedOn === "string" && { trainedOn }) });
    const rec = model.similarItems(item, v.k);
    const picks = describePicks(rec, model.itemCounts, titles);
    const title = titles?.info(item)?.title;
    if (v.json) {
      process.stdout.write(
        JSON.stringify({ item, ...(title !== undefined && { title }), k: v.k, ...(moviesPath && { movies: moviesPath }), items: picks }) + "\n",
      );
      return 0;
    }
    const out = [`top ${picks.length} similar to item ${item}${title !== undefined ? ` (${title})` : ""} by cosine similarity:`];
    for (const p of picks) {
      const label = titles ? `${movieLabel(p)}  [${p.genres.join("|")}]` : p.item.padEnd(12);
      out.push(`  ${String(p.rank).padStart(3)}. ${label}  cosine ${p.score.toFixed(4)}  (${p.popularity} training interactions)`);
    }
    process.stdout.write(out.join("\n") + "\n");
    return 0;
  } finally {
    model.dispose();
  }
}

/** recommend --history: the model's top-K for a watchlist, each pick with title, genres and popularity. */
async function runRecommendHistory(args: ParsedArgs<typeof RECOMMEND>, history: string): Promise<number> {
  const v = args.values;
  if (v["include-seen"])
    throw new ArgsError("--include-seen applies to --user: a watchlist's items are always left out", RECOMMEND.name, 'Run "longtail recommend --help".');
  const entries = parseWatchlist(history);
  const kernels = await cliKernels(v.kernels, v.threads);
  const loaded = await readHistoryModel(v.model, kernels);
  const { model } = loaded;
  try {
    const { titles, path: moviesPath } = await loadTitles(v.movies, loaded);
    const watchlist = resolveWatchlist(entries, model, titles);
    const rec = model.recommendForHistory(
      Int32Array.from(watchlist, (w) => w.index),
      v.k,
      { popularityPenalty: v.rerank },
    );
    const picks = describePicks(rec, model.itemCounts, titles);
    if (v.json) {
      process.stdout.write(JSON.stringify({ model: v.model, k: v.k, ...(moviesPath && { movies: moviesPath }), watchlist, items: picks }) + "\n");
      return 0;
    }
    const out: string[] = [
      `watchlist (${watchlist.length} ${watchlist.length === 1 ? "entry" : "entries"}${moviesPath ? `, titles from ${moviesPath}` : ""}):`,
    ];
    for (const w of watchlist) out.push(`        ${movieLabel(w)}  [${w.genres.join("|")}]  ${w.popularity} training interactions`);
    for (const w of watchlist) if (w.note) out.push(`  note: ${w.note}`);
    out.push(`top ${picks.length} for the watchlist:`);
    for (const p of picks) {
      out.push(
        `  ${String(p.rank).padStart(3)}. ${movieLabel(p)}  [${p.genres.join("|")}]  ${p.popularity} training interactions  score ${p.score.toFixed(4)}`,
      );
    }
    process.stdout.write(out.join("\n") + "\n");
    return 0;
  } finally {
    model.dispose();
  }
}

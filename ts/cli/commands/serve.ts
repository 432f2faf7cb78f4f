import { SYNTHETIC_WORLD_DEFAULTS } from "../../synthetic/world.js";
import { DEMO_PAGE_ALPHAS, DEMO_PAGE_LOSS, demoPageConfig } from "../../demo/page-config.js";
import { DEMO_PAGE_DEFAULTS } from "../../demo/page-defaults.js";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ArgsError, defineCommand, type ParsedArgs } from "../args.js";
import { pathKind } from "../../node/dataset-files.js";
import { defaultPageDir, startDemoServer, type DataFile } from "../../node/demo-server.js";
import { DataError } from "../../data/errors.js";
import { generateSyntheticWorld } from "../../synthetic/world.js";
import { worldToMovieLensFiles } from "../../synthetic/movielens-files.js";
import { syntheticWorldInteractions } from "../../train/memory-plan.js";
import { checkMfTrainingFlags } from "../size-limits.js";
import { checkWorldFlags } from "./simulate.js";

export const SERVE = defineCommand({
  name: "serve",
  summary: "Serve the browser demo page on 127.0.0.1: pick movies, move an α slider, watch the wall change.",
  description:
    "A local static server for the demo page; all computation happens in the browser (the wasm engine in a Web Worker): " +
    `the page trains one full-softmax model per logit-adjustment α (${DEMO_PAGE_ALPHAS.join(", ")}; α = 0 and 0.5 first) on the data, ` +
    "then answers the watchlist you pick by fold-in and shows the top-10 wall with each pick's popularity and genres. " +
    "Without --data it serves the built-in synthetic world; with --data a MovieLens folder (ratings.csv and movies.csv). " +
    "The server only serves files: the page, the data and /demo.json. Ctrl-C stops it.",
  flags: [
    { name: "data", type: "path", placeholder: "folder", help: "A MovieLens folder with ratings.csv and movies.csv (default: the built-in synthetic world)." },
    { name: "port", type: "int", min: 0, max: 65535, default: 8080, help: "Port to listen on (0: any free port)." },
    { name: "host", type: "string", default: "127.0.0.1", help: "Address to listen on; the default keeps the page on this machine." },
    {
      name: "epochs",
      type: "int",
      positive: true,
      default: DEMO_PAGE_DEFAULTS.epochs,
      help: "Training epochs of each model in the browser (the default is train's, so the walls match longtail walls).",
    },
    {
      name: "dim",
      type: "int",
      positive: true,
      default: DEMO_PAGE_DEFAULTS.dim,
      help: "Embedding size of the models trained in the browser (the default is train's).",
    },
    { name: "users", type: "int", positive: true, default: SYNTHETIC_WORLD_DEFAULTS.nUsers, help: "Users in the synthetic world (without --data)." },
    { name: "items", type: "int", positive: true, default: SYNTHETIC_WORLD_DEFAULTS.nItems, help: "Items in the synthetic world (without --data)." },
    { name: "seed", type: "int", default: DEMO_PAGE_DEFAULTS.seed, help: "Seed of the synthetic world and of training." },
  ],
  examples: ["npx longtail serve", "npx longtail serve --data ../shared/data/ml-latest-small --port 8081"],
});

const HELP_HINT = 'Run "longtail serve --help" to see its flags.';

/** The MovieLens folder's two files, or a DataError naming what is missing. */
async function movieLensFolder(folder: string): Promise<{ ratings: DataFile; movies: DataFile; name: string }> {
  if ((await pathKind(folder)) !== "folder")
    throw new ArgsError(`--data ${folder}: not a folder; give a MovieLens folder holding ratings.csv and movies.csv`, SERVE.name, HELP_HINT);
  const missing = ["ratings.csv", "movies.csv"].filter((f) => !existsSync(join(folder, f)));
  if (missing.length > 0)
    throw new ArgsError(
      `--data ${folder}: no ${missing.join(" and no ")} there; the demo page needs a MovieLens folder with ratings.csv and movies.csv (titles and genres)`,
      SERVE.name,
      HELP_HINT,
    );
  return { ratings: { path: join(folder, "ratings.csv") }, movies: { path: join(folder, "movies.csv") }, name: folder };
}

export async function runServe(args: ParsedArgs<typeof SERVE>): Promise<number> {
  const v = args.values;
  const pageDir = defaultPageDir();
  if (!existsSync(join(pageDir, "index.html")))
    throw new DataError({ file: join(pageDir, "index.html") }, "the demo page is not built: run npm run build:bundles");
  let data: { ratings: DataFile; movies: DataFile; name: string };
  if (v.data !== undefined) {
    data = await movieLensFolder(v.data);
  } else {
    // Refused before the world is generated: the world and its ratings.csv text, and the page's softmax training at --dim.
    checkWorldFlags(v.users, v.items, { csv: true, command: SERVE.name });
    checkMfTrainingFlags(
      { loss: DEMO_PAGE_LOSS, dim: v.dim },
      { users: v.users, items: v.items, interactions: syntheticWorldInteractions(v.users, v.items) },
      1,
    );
    const files = worldToMovieLensFiles(generateSyntheticWorld({ seed: v.seed, nUsers: v.users, nItems: v.items }));
    data = { ratings: { text: files.ratings }, movies: { text: files.movies }, name: `synthetic world (${v.users} users, ${v.items} items, seed ${v.seed})` };
  }
  const config = demoPageConfig(data.name, { epochs: v.epochs, dim: v.dim, seed: v.seed });
  let server;
  try {
    server = await startDemoServer({ pageDir, ratings: data.ratings, movies: data.movies, config, host: v.host, port: v.port });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE")
      throw new ArgsError(`--port ${v.port}: the port is in use on ${v.host}; pick another (--port 0 picks a free one)`, SERVE.name, HELP_HINT);
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EACCES")
      throw new ArgsError(`--host ${v.host} --port ${v.port}: cannot listen there (${code})`, SERVE.name, HELP_HINT);
    throw e;
  }
  process.stdout.write(`longtail demo page: ${server.url}  (data: ${data.name}; Ctrl-C stops)\n`);
  await new Promise<void>((stop) => {
    const onSignal = () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      stop();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
  await server.close();
  process.stdout.write("stopped\n");
  return 0;
}

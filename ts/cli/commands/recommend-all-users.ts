/**
 * `longtail recommend --all-users`: every user's top K, training items left out, written as one
 * file of (user, rank, item, score) rows. The users are ranked in blocks by the engine's block
 * ranking on every thread (export/all-users-top-k.ts), and each block is written as it comes, so
 * the lists of millions of users never sit in memory at once.
 */
import { extname } from "node:path";
import { ArgsError } from "../args.js";
import { cliKernels } from "../kernels.js";
import { readAnyModel } from "../model-io.js";
import { createProgress } from "../progress.js";
import { checkWritableTarget, writeFileAtomic } from "../../node/atomic-write.js";
import { topKBlocks } from "../../export/all-users-top-k.js";
import { recommendationsFile, type RecommendationFormat } from "../../export/recommendation-files.js";

const BY_EXTENSION: Readonly<Record<string, RecommendationFormat>> = { ".parquet": "parquet", ".csv": "csv", ".ndjson": "ndjson", ".jsonl": "ndjson" };

/** The flags of `recommend` that --all-users reads. */
export interface AllUsersFlags {
  readonly model: string;
  readonly out?: string;
  readonly k: number;
  readonly rerank?: number;
  readonly "include-seen": boolean;
  readonly movies?: string;
  readonly quiet: boolean;
  readonly json: boolean;
  readonly kernels?: string;
  readonly threads?: number;
}

export async function runRecommendAllUsers(v: AllUsersFlags): Promise<number> {
  const usage = 'Run "longtail recommend --help".';
  if (v.out === undefined) throw new ArgsError("--all-users writes a file: give --out recs.parquet (or .csv, .ndjson)", "recommend", usage);
  if (v.movies !== undefined) throw new ArgsError("--movies gives the titles of a --history watchlist; --all-users needs none", "recommend", usage);
  const format = BY_EXTENSION[extname(v.out).toLowerCase()];
  if (format === undefined) {
    throw new ArgsError(`--out ${v.out}: the name must end in .parquet, .csv or .ndjson (the extension picks the format)`, "recommend", usage);
  }
  await checkWritableTarget(v.out, "--out");
  const progress = createProgress({ quiet: v.quiet });
  const kernels = await cliKernels(v.kernels, v.threads);
  const model = await readAnyModel(v.model, kernels);
  const started = performance.now();
  try {
    const bar = progress.start("ranking", model.nUsers, "users");
    let rows = 0;
    const blocks = (function* () {
      for (const block of topKBlocks(model, v.k, {
        excludeSeen: !v["include-seen"],
        ...(v.rerank !== undefined && { popularityPenalty: v.rerank }),
        onProgress: (done) => bar.update(done),
      })) {
        for (const i of block.indices) if (i >= 0) rows++;
        yield block;
      }
    })();
    let bytes = 0;
    await writeFileAtomic(
      v.out,
      (async function* () {
        for await (const chunk of recommendationsFile(blocks, { users: model.users.ids(), items: model.items.ids() }, format)) {
          bytes += chunk.byteLength;
          yield chunk;
        }
      })(),
    );
    bar.finish();
    const seconds = (performance.now() - started) / 1000;
    const threads = kernels.threads.count;
    if (v.json) {
      process.stdout.write(
        JSON.stringify({
          model: v.model,
          out: v.out,
          format,
          k: v.k,
          users: model.nUsers,
          rows,
          bytes,
          seconds,
          threads,
          ...(v.rerank !== undefined && { rerank: v.rerank }),
        }) + "\n",
      );
    } else {
      process.stdout.write(
        `wrote ${v.out}: the top ${v.k} of ${model.nUsers} users${v.rerank !== undefined ? ` re-ranked with β = ${v.rerank}` : ""}, ${rows} rows (user, rank, item, score), ${bytes} bytes, in ${seconds.toFixed(1)} s on ${threads} thread${threads === 1 ? "" : "s"}\n`,
      );
    }
    return 0;
  } finally {
    model.dispose();
  }
}

import { DEFAULT_K } from "../../eval/default-k.js";
import { defineCommand } from "../args.js";
import { FORMAT, JSON_OUTPUT, MIN_RATING, QUIET, THREADS, VARIANT, COLUMNS, SEPARATOR } from "../common-flags.js";
import { DEFAULT_FOLD_IN_WINDOW } from "../../mf/fold-in-scorer.js";
import { EVALUATION_FLAGS, UNKNOWN_FLAG } from "../evaluation-flags.js";
import { RERANK_FLAG, TTEN_FLAG } from "../debiasing-flags.js";

/** The `evaluate` command's flags, help and examples (its run function imports them). */
export const EVALUATE = defineCommand({
  name: "evaluate",
  summary: "Full-ranking accuracy and popularity bias of a model on held-out interactions (training items excluded).",
  description:
    "Every test user is ranked against the whole catalog; the items the user has in --data are excluded. " +
    "Accuracy metrics are means over users with at least one test item: Recall@K, NDCG@K, MRR (full ranking), HitRate@K, " +
    "Precision@K; each also over head and tail test items separately (.head, .tail: means over the users having such items).\n" +
    "Popularity of what is served, over all users' top-K lists (popularity = the item's training count in the model): " +
    "coverage, Gini of the exposure counts, median and mean popularity, long-tail share (slots on tail items), " +
    "B50PS and T1PS (slots on the bottom 50% and top 1% of items by popularity), PSEI (share of items shown at least E times), " +
    "and the five popularity groups of Ren et al. (top 5%, 5-10%, 10-15%, 15-20%, the rest): share of slots and Recall@K.\n" +
    "A two-tower model is evaluated by the sequential protocol: the test part holds held-out users (longtail split --method users); every prefix " +
    "of a user's time-ordered row is a context, the next item its target, the prefix masked; the metrics are over contexts (--data only locates test.txt). " +
    `--protocol sequential runs the same protocol for a matrix factorisation model: each context's user vector is folded in from its last ${DEFAULT_FOLD_IN_WINDOW} items ` +
    "(the two-tower model's default window), so MF and two-tower are compared on the same held-out users.",
  flags: [
    { name: "model", type: "path", required: true, help: "Model file written by longtail train." },
    {
      name: "data",
      type: "path",
      required: true,
      help: "The training part (its items are excluded from each user's ranking), or a folder with train.txt and test.txt.",
    },
    { name: "test", type: "path", help: "The held-out part (default: test.txt in the --data folder)." },
    {
      name: "k",
      type: "int",
      positive: true,
      default: DEFAULT_K,
      help: "Cut-off K of the top-K lists (capped at the catalog size: the metrics are then named @<catalog size>).",
    },
    UNKNOWN_FLAG,
    ...EVALUATION_FLAGS,
    RERANK_FLAG,
    TTEN_FLAG,
    {
      name: "protocol",
      type: "enum",
      choices: ["classic", "sequential"],
      help: "classic: full ranking of the test part's users (MF's default); sequential: every prefix of held-out users' rows (two-tower's default and only protocol; MF by fold-in).",
    },
    { name: "most-popular", type: "boolean", help: "Evaluate the Most Popular shelf (the model's training counts) instead of the model." },
    FORMAT,
    COLUMNS,
    SEPARATOR,
    MIN_RATING,
    QUIET,
    JSON_OUTPUT,
    VARIANT,
    THREADS,
  ],
  examples: [
    "longtail evaluate --model gowalla-bpr.ltm --data ../shared/data/gowalla --k 20 --json",
    "longtail evaluate --model ml1m.ltm --data ../shared/data/ml-1m-resn --head-min-count 1001 --exposure-threshold 10",
    "longtail evaluate --model ml1m.ltm --data ../shared/data/ml-1m-resn --k 20 --rerank 0.05",
    "longtail evaluate --model mf-users.ltm --data ml-users --k 10 --protocol sequential   # MF by fold-in, on the held-out users of split --method users",
  ],
});

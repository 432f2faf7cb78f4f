import { DEFAULT_K } from "../../eval/default-k.js";
import { defineCommand } from "../args.js";
import { FORMAT, JSON_OUTPUT, MIN_RATING, QUIET, THREADS, VARIANT, COLUMNS, SEPARATOR } from "../common-flags.js";
import { TRAINING_FLAGS } from "../training-flags.js";
import { GRADIENT_ADJUSTMENT_FLAGS, TTEN_FLAG } from "../debiasing-flags.js";
import { HISTORY_WEIGHTINGS } from "../../two-tower/config.js";

/** The `train` command's flags, help and examples (its run function imports them). */
export const TRAIN = defineCommand({
  name: "train",
  summary: "Train a matrix factorisation model (or, with --model two-tower, a two-tower model with a history tower) and save it to a model file.",
  description:
    "--model two-tower: the user tower is the (uniform or recency-weighted) mean of the input embeddings of the last --max-history items a user watched, " +
    "projected by a learned d×d matrix and bias; the item tower is an id embedding plus the mean of the item's genre embeddings (--movies, or the movies.csv next to ratings.csv). " +
    "It trains on every prefix of each user's time-ordered row → the next item, with --loss softmax (default) or sampled-softmax, --logit-adjustment, --temperature (default 0.1), " +
    "Adam (default lr 0.003, --batch 256 contexts, 10 epochs); --validation F holds out a share F of the users and stops early on their sequential Recall@K. " +
    "Flags of matrix factorisation only (--normalize, --resn, --ips, --gradient-adjust, ...) are refused.\n" +
    'Defaults depend on --loss (docs/methods-and-metrics.md, "Losses and their defaults"). The softmax losses use temperature T: logits are score/T.\n' +
    "With --validation F, a fraction F of each user's training interactions is held out (a folder's valid.txt, as longtail split writes it, is used when --validation is not given), Recall@K on it is measured after " +
    "every epoch, training stops after --patience epochs without improvement, and the best epoch's model is saved.\n" +
    "With --gradient-adjust (Ren et al., bpr or bce): user embeddings unit-norm in training, the accumulated gradients of " +
    "Algorithm 1 recorded, and the model serves with Eq. 15-16: items lose α1 and users α2 times their component along the " +
    "popular directions. α1 and α2 not fixed by --alpha-items/--alpha-users are chosen from 0, 0.2, ..., 2 by full-ranking " +
    "Recall@K on the --validation part (default: the folder's valid.txt, else 0.1 of each user's interactions, then used for the grid only). " +
    "Ablations: --normalize none, --alpha-items 0, --alpha-users 0.",
  flags: [
    { name: "data", type: "path", required: true, help: "Training data: a file, or a folder with train.txt, ratings.csv or ratings.dat." },
    {
      name: "model",
      type: "enum",
      choices: ["mf", "two-tower"],
      default: "mf",
      help: "mf: matrix factorisation; two-tower: the history-tower model (see above).",
    },
    {
      name: "movies",
      type: "path",
      help: "--model two-tower: movies.csv (or .dat) whose genres feed the item tower (default: the one next to ratings.csv, if any).",
    },
    {
      name: "history-weighting",
      type: "enum",
      choices: HISTORY_WEIGHTINGS,
      help: "--model two-tower: uniform (default) mean of the history, or recency: the item j places before the newest weighs 2^(-j / --half-life).",
    },
    {
      name: "half-life",
      type: "number",
      positive: true,
      help: "--model two-tower with --history-weighting recency: items back at which the weight halves (default 10).",
    },
    { name: "max-history", type: "int", positive: true, help: "--model two-tower: the history tower reads the last this many items (default 50)." },
    FORMAT,
    COLUMNS,
    SEPARATOR,
    MIN_RATING,
    ...TRAINING_FLAGS,
    { name: "validation", type: "number", min: 0, max: 0.9, help: "Hold out this fraction per user for early stopping on Recall@K." },
    {
      name: "validation-data",
      type: "path",
      help:
        "A validation part of your own (any data format; users and items not in the training data are left out), used instead of a held-out share: " +
        "for early stopping and the α grid of --gradient-adjust, e.g. a part of a randomly exposed test set. Not with --validation.",
    },
    { name: "patience", type: "int", positive: true, default: 3, help: "Epochs without a better validation Recall@K before stopping." },
    { name: "k", type: "int", positive: true, default: DEFAULT_K, help: "K of the validation Recall@K." },
    ...GRADIENT_ADJUSTMENT_FLAGS,
    TTEN_FLAG,
    {
      name: "grid-users",
      type: "int",
      positive: true,
      default: 10000,
      help: "--gradient-adjust: validation users the α grid scores at most (a seeded sample beyond).",
    },
    { name: "out", type: "path", required: true, help: "Model file to write (atomically: an existing file is replaced only by a complete one)." },
    QUIET,
    JSON_OUTPUT,
    VARIANT,
    THREADS,
  ],
  examples: [
    "longtail train --data ../shared/data/gowalla --loss bpr --epochs 40 --out gowalla-bpr.ltm",
    "longtail train --data ml-latest-small/ratings.csv --loss softmax --temperature 0.1 --validation 0.1 --out ml.ltm",
    "longtail train --data ../shared/data/ml-1m-resn --loss softmax --epochs 5 --logit-adjustment 0.5 --out ml1m-la.ltm",
    "longtail train --model two-tower --data ml-users --movies ../shared/data/ml-latest-small/movies.csv --epochs 4 --validation 0.1 --out tt.ltm",
  ],
});

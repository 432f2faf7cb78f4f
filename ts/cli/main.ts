import { SizeLimitError } from "../kernels/memory-limits.js";
import { ArgsError, formatHelp, parseArgs, selectCommand, type CommandSpec, type ParsedArgs, type ProgramSpec } from "./args.js";
import { COMPARE, runCompare } from "./commands/compare.js";
import { DEMO, runDemo } from "./commands/demo.js";
import { EVALUATE, runEvaluate } from "./commands/evaluate.js";
import { INVR, runInvr } from "./commands/invr.js";
import { RECOMMEND, runRecommend } from "./commands/recommend.js";
import { SIMULATE, runSimulate } from "./commands/simulate.js";
import { SPLIT, runSplit } from "./commands/split.js";
import { SWEEP, runSweep } from "./commands/sweep.js";
import { TRAIN, runTrain } from "./commands/train.js";
import { DataError } from "../data/errors.js";
import { ConfigError } from "../mf/config.js";
import { DivergenceError } from "../train/divergence.js";
import { ModelFileError } from "../model/model-file.js";
import { UnknownIdError } from "../model/recommendation.js";
import { EvaluationError } from "../eval/evaluate.js";
import { WRITER_LIBRARY } from "../model/model-file.js";
import { AtomicWriteError } from "../node/atomic-write.js";
import { TrainingAbortedError } from "../train/fit-report.js";
import { KernelUnavailableError } from "../kernels/capabilities.js";
import { InverseRetrievalError } from "../inverse-retrieval/errors.js";
import { WatchlistError } from "../data/titles/watchlist.js";
import { WALLS, runWalls } from "./commands/walls.js";
import { SERVE, runServe } from "./commands/serve.js";
import { EXPORT, runExport } from "./commands/export.js";
import { ExportError } from "../export/export-error.js";
import { endQuietlyOnClosedStdout } from "./closed-stdout.js";
import { explainCode, FileAccessError, isSystemError } from "../node/file-access.js";

type Runner = (args: ParsedArgs<any>) => Promise<number>;

const COMMANDS: ReadonlyArray<[CommandSpec, Runner]> = [
  [DEMO, runDemo],
  [TRAIN, runTrain],
  [EVALUATE, runEvaluate],
  [RECOMMEND, runRecommend],
  [SPLIT, runSplit],
  [COMPARE, runCompare],
  [SWEEP, runSweep],
  [INVR, runInvr],
  [WALLS, runWalls],
  [SIMULATE, runSimulate],
  [SERVE, runServe],
  [EXPORT, runExport],
];

export const PROGRAM: ProgramSpec = {
  name: "longtail",
  version: WRITER_LIBRARY.version,
  summary: "Train and serve recommenders that surface the long tail, and measure how much popularity bias a model has.",
  commands: COMMANDS.map(([spec]) => spec),
};

/** Errors whose message is the whole story for a user: printed without a stack trace. */
const USER_ERRORS = [
  ArgsError,
  DataError,
  ConfigError,
  SizeLimitError,
  DivergenceError,
  ModelFileError,
  UnknownIdError,
  EvaluationError,
  AtomicWriteError,
  TrainingAbortedError,
  KernelUnavailableError,
  InverseRetrievalError,
  WatchlistError,
  FileAccessError,
  ExportError,
];

/** Run the CLI; returns the process exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  endQuietlyOnClosedStdout();
  try {
    const selection = selectCommand(PROGRAM, argv);
    if (selection.kind !== "command") {
      process.stdout.write(selection.text.endsWith("\n") ? selection.text : selection.text + "\n");
      return 0;
    }
    const args = parseArgs(selection.command, selection.argv);
    if (args.help) {
      process.stdout.write(formatHelp(selection.command));
      return 0;
    }
    const run = COMMANDS.find(([spec]) => spec.name === selection.command.name)![1];
    return await run(args);
  } catch (e) {
    const err = e as Error;
    if (USER_ERRORS.some((cls) => err instanceof cls)) {
      process.stderr.write(`longtail: ${err.message}\n`);
      if (err instanceof ArgsError) process.stderr.write(`${err.hint}\n`);
      return err instanceof ArgsError ? 2 : 1;
    }
    // A file the user named that the system refused (a path no reader wrapped): still one line.
    if (isSystemError(err) && err.path !== undefined) {
      process.stderr.write(`longtail: ${err.path}: ${explainCode(err.code, "file", err.message)}\n`);
      return 1;
    }
    process.stderr.write(`longtail: unexpected error: ${err?.stack ?? String(e)}\n`);
    return 70;
  }
}

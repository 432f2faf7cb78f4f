import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ArgsError, defineCommand, formatHelp, formatProgramHelp, parseArgs, selectCommand, type CommandSpec, type ProgramSpec } from "../ts/cli/args.js";
import { createProgress, type ProgressStream } from "../ts/cli/progress.js";

const train = defineCommand({
  name: "train",
  program: "longtail",
  summary: "Train a matrix factorisation model on an interactions file.",
  description: "Reads the interactions, trains with the chosen loss and writes a portable model file.",
  flags: [
    { name: "data", short: "d", type: "path", required: true, help: "Interactions file to train on." },
    { name: "out", short: "o", type: "path", default: "model.ltm", help: "Where to write the model." },
    { name: "dim", type: "int", positive: true, default: 64, help: "Embedding dimension." },
    { name: "epochs", short: "e", type: "int", positive: true, default: 20, help: "Passes over the data." },
    { name: "lr", type: "number", positive: true, default: 0.05, help: "Learning rate." },
    { name: "alpha", type: "number", min: 0, max: 1, default: 0.5, help: "Popularity correction strength." },
    { name: "seed", type: "int", min: 0, default: 42, help: "Random seed." },
    { name: "loss", type: "enum", choices: ["bpr", "bce", "softmax", "sampled-softmax"], default: "bpr", help: "Training loss." },
    { name: "shuffle", type: "boolean", default: true, help: "Shuffle the training pairs every epoch." },
    { name: "quiet", short: "q", type: "boolean", help: "No progress output." },
    { name: "verbose", short: "v", type: "boolean", help: "More detail." },
    { name: "name", type: "string", help: "A label stored in the model metadata." },
  ],
  examples: ["longtail train --data ratings.csv --loss softmax --epochs 10"],
});

function expectArgsError(argv: string[], message: string | RegExp, spec: CommandSpec = train): void {
  assert.throws(
    () => parseArgs(spec, argv),
    (e: unknown) => {
      assert.ok(e instanceof ArgsError, String(e));
      if (typeof message === "string") assert.equal(e.message, message);
      else assert.match(e.message, message);
      assert.equal(e.hint, `Run "longtail ${spec.name} --help" to see its flags.`);
      assert.equal(e.exitCode, 2);
      return true;
    },
  );
}

describe("parseArgs", () => {
  test("defaults fill absent flags, with their declared types", () => {
    const { values, positionals, given, help } = parseArgs(train, ["--data", "r.csv"]);
    assert.deepEqual(values, {
      data: "r.csv",
      out: "model.ltm",
      dim: 64,
      epochs: 20,
      lr: 0.05,
      alpha: 0.5,
      seed: 42,
      loss: "bpr",
      shuffle: true,
      quiet: false,
      verbose: false,
      name: undefined,
    });
    assert.deepEqual(positionals, []);
    assert.deepEqual([...given], ["data"]);
    assert.equal(help, false);
    // Compile-time typing: these assignments fail tsc if the value types are wrong.
    const dim: number = values.dim;
    const loss: "bpr" | "bce" | "softmax" | "sampled-softmax" = values.loss;
    const name: string | undefined = values.name;
    assert.ok(dim > 0 && loss && name === undefined);
  });

  test("--flag value, --flag=value, short aliases, -x=value, grouped switches, --no-switch, --", () => {
    const { values, positionals } = parseArgs(train, [
      "-d=r.csv",
      "--dim=32",
      "-e",
      "5",
      "--lr",
      "1e-3",
      "--alpha=0",
      "--loss",
      "sampled-softmax",
      "--no-shuffle",
      "-qv",
      "--name=a=b",
    ]);
    assert.equal(values.data, "r.csv");
    assert.equal(values.dim, 32);
    assert.equal(values.epochs, 5);
    assert.equal(values.lr, 0.001);
    assert.equal(values.alpha, 0);
    assert.equal(values.loss, "sampled-softmax");
    assert.equal(values.shuffle, false);
    assert.equal(values.quiet, true);
    assert.equal(values.verbose, true);
    assert.equal(values.name, "a=b");
    assert.deepEqual(positionals, []);
    const withDash = defineCommand({ name: "run", program: "longtail", summary: "x", flags: [], positionals: [{ name: "file", help: "f" }] });
    assert.deepEqual(parseArgs(withDash, ["--", "--weird-name"]).positionals, ["--weird-name"]);
  });

  test("switches accept explicit true/false values", () => {
    assert.equal(parseArgs(train, ["-d", "x", "--shuffle=false"]).values.shuffle, false);
    assert.equal(parseArgs(train, ["-d", "x", "--quiet=yes"]).values.quiet, true);
    expectArgsError(["-d", "x", "--shuffle=maybe"], '--shuffle is a switch: write --shuffle or --no-shuffle, got "maybe"');
  });

  test("negative numbers are values, not flags", () => {
    const spec = defineCommand({ name: "shift", program: "longtail", summary: "x", flags: [{ name: "offset", type: "number", help: "o" }] });
    assert.equal(parseArgs(spec, ["--offset", "-2.5"]).values.offset, -2.5);
  });

  test("--help wins over every other error", () => {
    assert.equal(parseArgs(train, ["--epoch", "3", "--help"]).help, true);
    assert.equal(parseArgs(train, ["-h"]).help, true);
  });

  test("unknown flags suggest the closest one", () => {
    expectArgsError(["--epoch", "3"], "unknown flag --epoch; did you mean --epochs?");
    expectArgsError(["--epcohs", "3"], "unknown flag --epcohs; did you mean --epochs?");
    expectArgsError(["--learning-rate", "3"], "unknown flag --learning-rate");
    expectArgsError(["-epochs", "3"], "unknown flag -epochs; did you mean --epochs? (long flags take two dashes)");
    expectArgsError(["-x"], "unknown flag -x (the short flags are -d, -o, -e, -q, -v, -h)");
    expectArgsError(["--no-dim"], "--no-dim: only switches can be negated, and --dim takes a value");
  });

  test("numbers are validated with the rule in the message", () => {
    expectArgsError(["-d", "x", "--dim", "0"], '--dim must be a positive integer, got "0"');
    expectArgsError(["-d", "x", "--dim", "3.5"], '--dim must be a positive integer, got "3.5"');
    expectArgsError(["-d", "x", "--dim", "64k"], '--dim must be a positive integer, got "64k"');
    expectArgsError(["-d", "x", "--dim="], '--dim must be a positive integer, got ""');
    expectArgsError(["-d", "x", "--lr", "-0.1"], '--lr must be a positive number, got "-0.1"');
    expectArgsError(["-d", "x", "--lr", "NaN"], '--lr must be a positive number, got "NaN"');
    expectArgsError(["-d", "x", "--lr", "Infinity"], '--lr must be a positive number, got "Infinity"');
    expectArgsError(["-d", "x", "--alpha", "1.5"], '--alpha must be a number from 0 to 1, got "1.5"');
    expectArgsError(["-d", "x", "--seed", "-1"], '--seed must be a non-negative integer, got "-1"');
    expectArgsError(["-d", "x", "--seed", "99999999999999999999"], '--seed must be a non-negative integer, got "99999999999999999999"');
  });

  test("enum values list the choices and suggest", () => {
    expectArgsError(["-d", "x", "--loss", "softmx"], '--loss must be one of bpr, bce, softmax, sampled-softmax, got "softmx"; did you mean softmax?');
    expectArgsError(["-d", "x", "--loss", "warp"], '--loss must be one of bpr, bce, softmax, sampled-softmax, got "warp"');
  });

  test("missing, repeated and empty values", () => {
    expectArgsError([], "--data is required: Interactions file to train on.");
    expectArgsError(["--data"], "--data needs a value (<path>): Interactions file to train on.");
    expectArgsError(
      ["--data", "--dim", "3"],
      '--data needs a value, but the next argument is the flag --dim; to pass a value that starts with "-", write --data=--dim',
    );
    expectArgsError(["--data="], "--data must be a path, got an empty string");
    expectArgsError(["-d", "a.csv", "--dim", "8", "--dim=16"], '--dim was given twice ("8" and "16"); give it once');
  });

  test("positional arguments", () => {
    expectArgsError(["-d", "x", "20"], 'train takes no positional arguments, got "20"; did you forget the flag name before it?');
    const evaluate = defineCommand({
      name: "evaluate",
      program: "longtail",
      summary: "Evaluate a model.",
      flags: [],
      positionals: [
        { name: "model", help: "The model file.", required: true },
        { name: "data", help: "Test interactions." },
      ],
    });
    assert.deepEqual(parseArgs(evaluate, ["m.ltm"]).positionals, ["m.ltm"]);
    expectArgsError([], "missing argument <model>: The model file.", evaluate);
    expectArgsError(["a", "b", "c"], 'unexpected argument "c": evaluate takes <model> <data>', evaluate);
  });

  test("mistakes in a spec are reported when it is defined", () => {
    const bad = (flags: any[], fragment: RegExp) => assert.throws(() => defineCommand({ name: "x", summary: "x", flags }), fragment);
    bad([{ name: "dim", type: "int", positive: true, default: 0, help: "" }], /default of --dim is invalid: --dim must be a positive integer/);
    bad([{ name: "loss", type: "enum", help: "" }], /enum flag --loss needs choices/);
    bad(
      [
        { name: "a", short: "x", type: "boolean", help: "" },
        { name: "b", short: "x", type: "boolean", help: "" },
      ],
      /-x .* used twice/,
    );
    bad([{ name: "help", type: "boolean", help: "" }], /clashes with --help/);
    bad([{ name: "--dim", type: "int", help: "" }], /kebab-case/);
    bad([{ name: "n", type: "int", default: "3", help: "" }], /its default has type string/);
  });
});

describe("selectCommand and help", () => {
  const program: ProgramSpec = {
    name: "longtail",
    summary: "Train, serve and measure recommenders.",
    version: "0.1.0",
    commands: [train, { name: "evaluate", summary: "Full-ranking evaluation of a model.", flags: [] }],
  };

  test("picks the command and passes on the rest", () => {
    const selection = selectCommand(program, ["train", "--data", "x"]);
    assert.equal(selection.kind, "command");
    if (selection.kind === "command") {
      assert.equal(selection.command.name, "train");
      assert.deepEqual(selection.argv, ["--data", "x"]);
    }
    const evaluate = selectCommand(program, ["evaluate"]);
    assert.equal(evaluate.kind === "command" && evaluate.command.program, "longtail");
  });

  test("help and version", () => {
    for (const argv of [[], ["--help"], ["-h"], ["help"]]) {
      const s = selectCommand(program, argv);
      assert.equal(s.kind, "help");
      assert.equal(s.kind === "help" && s.text, formatProgramHelp(program));
    }
    const trainHelp = selectCommand(program, ["help", "train"]);
    assert.equal(trainHelp.kind === "help" && trainHelp.text, formatHelp(train));
    assert.deepEqual(selectCommand(program, ["--version"]), { kind: "version", text: "longtail 0.1.0" });
  });

  test("unknown commands suggest the closest one", () => {
    assert.throws(() => selectCommand(program, ["trian"]), { name: "ArgsError", message: 'unknown command "trian"; did you mean "train"?' });
    assert.throws(() => selectCommand(program, ["serve"]), { message: 'unknown command "serve"' });
    assert.throws(() => selectCommand(program, ["--dim", "3"]), { message: /--dim comes before the command/ });
  });

  test("command help: usage, description, flags with placeholders, rules and defaults, examples", () => {
    const text = formatHelp(train);
    const lines = text.split("\n");
    assert.equal(lines[0], "Usage: longtail train --data <path> [flags]");
    assert.equal(lines[2], "Train a matrix factorisation model on an interactions file.");
    assert.equal(lines[4], "Reads the interactions, trains with the chosen loss and writes a portable model");
    assert.ok(
      lines.every((l) => l.length <= 80),
      "fits 80 columns",
    );
    const flag = (name: string) => lines.find((l) => l.startsWith("  ") && l.includes(`--${name}`))!;
    assert.match(flag("data"), /^ {2}-d, --data <path> +Interactions file to train on\. Required\.$/);
    assert.match(flag("dim"), /^ {6}--dim <int> +Embedding dimension\. Must be a positive integer\.$/);
    // Descriptions wrap onto indented lines; read them with the wrapping undone.
    const flat = text.replace(/\n {31}/g, " ");
    assert.ok(flat.includes("--dim <int>              Embedding dimension. Must be a positive integer. Default: 64.\n"), flat);
    assert.ok(flat.includes("Must be a number from 0 to 1. Default: 0.5.\n"), flat);
    assert.ok(flat.includes("--loss <name>            Training loss. One of: bpr, bce, softmax, sampled-softmax. Default: bpr.\n"), flat);
    assert.ok(flat.includes("--shuffle, --no-shuffle  Shuffle the training pairs every epoch. Default: true.\n"), flat);
    assert.match(flag("help"), /^ {2}-h, --help +Show this help\.$/);
    assert.ok(text.includes("Examples:\n  longtail train --data ratings.csv --loss softmax --epochs 10\n"));
    // Help columns line up: every flag description starts in the same column.
    const starts = lines.filter((l) => /^ {2}(-\w, | {4})--/.test(l)).map((l) => l.search(/ {2}[A-Z]/));
    assert.equal(new Set(starts).size, 1, lines.join("\n"));
  });

  test("program help lists the commands", () => {
    const text = formatProgramHelp(program);
    assert.match(text, /^Usage: longtail <command> \[flags\]\n/);
    assert.match(text, /\n {2}train {5}Train a matrix factorisation model on an interactions file\.\n/);
    assert.match(text, /\n {2}evaluate {2}Full-ranking evaluation of a model\.\n/);
  });
});

/** A fake stderr that records every write. */
function fakeStream(isTTY: boolean, columns = 100): ProgressStream & { out: string[] } {
  const out: string[] = [];
  return { out, isTTY, columns, write: (s: string) => out.push(s) };
}

describe("progress (ts/cli/progress.ts)", () => {
  test("on a terminal: redraws one line in place at most every 100 ms, with rate, ETA and info", () => {
    const stream = fakeStream(true, 160);
    const clock = { t: 0 };
    const progress = createProgress({ stream, now: () => clock.t });
    const bar = progress.start("epoch 1/3", 1000, "batches");
    for (let i = 1; i <= 1000; i++) {
      clock.t = i; // 1 ms per batch: 1000 batches/s
      bar.update(i, `loss ${(1 / i).toFixed(4)}`);
    }
    // first update, then every 100 ms: t = 1, 101, ..., 901
    assert.equal(stream.out.length, 10);
    assert.ok(stream.out.every((s) => s.startsWith("\r\x1b[K") && !s.includes("\n")));
    assert.equal(stream.out[5], "\r\x1b[Kepoch 1/3 [##########----------]  50% · 501/1,000 batches · 1.00k batches/s · ETA 0.5s · loss 0.0020");
    bar.finish("saved");
    assert.equal(stream.out.at(-1), "\r\x1b[Kepoch 1/3 [####################] 100% · 1,000/1,000 batches · 1.00k batches/s · in 1.0s · loss 0.0010 · saved\n");
    bar.finish();
    bar.update(5);
    assert.equal(stream.out.length, 11, "finish is final and idempotent");
  });

  test("on a terminal: lines are cut to the width, log() keeps the bar, a new bar ends the old line", () => {
    const stream = fakeStream(true, 40);
    const clock = { t: 0 };
    const progress = createProgress({ stream, now: () => clock.t });
    const bar = progress.start("evaluating users", 5000);
    clock.t = 10;
    bar.update(100, "recall@20 0.1234");
    const line = stream.out.at(-1)!.slice("\r\x1b[K".length);
    assert.equal(line.length, 39);
    assert.ok(line.endsWith("…"));
    progress.log("warning: 3 users have no test items");
    assert.equal(stream.out.at(-1), `\r\x1b[Kwarning: 3 users have no test items\n${line}`);
    progress.start("next", 10);
    assert.equal(stream.out.at(-1), "\n");
  });

  test("not a terminal: a plain line at most every 5 s and one at the end, none for the start", () => {
    const stream = fakeStream(false);
    const clock = { t: 0 };
    const bar = createProgress({ stream, now: () => clock.t }).start("training", 20_000, "steps");
    for (let i = 1; i <= 20_000; i++) {
      clock.t = i; // 20 s in all
      bar.update(i);
    }
    bar.finish();
    assert.deepEqual(stream.out, [
      "training 25% · 5,000/20,000 steps · 1.00k steps/s · ETA 15s\n",
      "training 50% · 10,000/20,000 steps · 1.00k steps/s · ETA 10s\n",
      "training 75% · 15,000/20,000 steps · 1.00k steps/s · ETA 5.0s\n",
      "training 100% · 20,000/20,000 steps · 1.00k steps/s\n",
      "training 100% · 20,000/20,000 steps · 1.00k steps/s · in 20s\n",
    ]);
  });

  test("a short task in a log prints only its final line; an unknown total shows the count", () => {
    const stream = fakeStream(false);
    const clock = { t: 0 };
    const bar = createProgress({ stream, now: () => clock.t }).start("reading ratings.csv", undefined, "rows");
    clock.t = 2500;
    bar.update(250_000);
    bar.finish("610 users, 9,742 items");
    assert.deepEqual(stream.out, ["reading ratings.csv 250,000 rows · 100k rows/s · in 2.5s · 610 users, 9,742 items\n"]);
  });

  test("quiet prints nothing", () => {
    const stream = fakeStream(true);
    const progress = createProgress({ quiet: true, stream, now: () => 0 });
    const bar = progress.start("x", 10);
    bar.update(5, "info");
    bar.finish("done");
    progress.log("message");
    assert.deepEqual(stream.out, []);
  });
});

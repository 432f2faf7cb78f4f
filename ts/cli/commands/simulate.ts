import { DEFAULT_SEED } from "../../util/rng.js";
import { ArgsError, defineCommand, type ParsedArgs } from "../args.js";
import { JSON_OUTPUT, QUIET, THREADS, VARIANT } from "../common-flags.js";
import { parseConfiguration } from "../configuration-spec.js";
import { cliKernels } from "../kernels.js";
import { createProgress } from "../progress.js";
import { shellWords } from "../shell-words.js";
import { checkWritableTarget, writeFileAtomic } from "../../node/atomic-write.js";
import { formatColumns } from "../../experiments/text-table.js";
import { simulateFeedbackLoops, type SimulationResult } from "../../simulation/feedback-loop.js";
import { checkSyntheticWorldOptions, generateSyntheticWorld, type SyntheticWorld } from "../../synthetic/world.js";
import { checkListLength, checkListMemory, checkSyntheticWorld, FLAG_NAMES, syntheticWorldInteractions } from "../../train/memory-plan.js";
import { checkConfigurationsFit } from "../size-limits.js";

/** What `simulate` runs when no configuration is given: the plain model, each softmax-compatible debiasing method, and the Most Popular shelf. */
export const DEFAULT_SIMULATION_CONFIGURATIONS = [
  "plain: --loss softmax --epochs 10",
  "logit-adj 0.5: --loss softmax --epochs 10 --logit-adjustment 0.5",
  "ReSN 5: --loss softmax --epochs 10 --resn 5",
  "IPS: --loss softmax --epochs 10 --ips",
  "re-rank 0.05: --loss softmax --epochs 10 --rerank 0.05",
  "most popular: most-popular",
] as const;

export const SIMULATE = defineCommand({
  name: "simulate",
  summary: "Feedback loops in the synthetic world: recommend, let users choose by their true tastes, retrain; per round and configuration.",
  description:
    "Each configuration runs its own loop, starting from the world's exposure-biased log: train on the log (from scratch, " +
    "same seed every round), serve every user a top-K slate (the user's log items excluded), let each user accept items by " +
    "TRUE relevance, add the accepted items to the log (later timestamps), retrain. Choice model: slot p is examined with " +
    "probability (1/p)^η (--position-bias η), an examined item is accepted with probability σ(β·(r(u,i) − τ)) " +
    "(--acceptance-steepness β, --acceptance-threshold τ; default τ = the world's relevance threshold 0.6).\n" +
    "Per round it records the served slates' Gini, coverage, long-tail share and median popularity (against the initial " +
    "log's counts and head/tail boundary), their true precision over all, head and tail slots, the true recall, the " +
    'accepted items, and the Gini of the grown log. A configuration is "label: <train flags>" as in compare (--rerank β, ' +
    "--gradient-adjust with --alpha-items and --alpha-users, most-popular, or graph-filter). Without configurations: " +
    DEFAULT_SIMULATION_CONFIGURATIONS.map((c) => JSON.stringify(c)).join(", ") +
    ".\n" +
    "--seed sets the world, the users' choices and every configuration's training seed (so a configuration may not set --seed).",
  flags: [
    { name: "rounds", type: "int", positive: true, default: 5, help: "Rounds of recommend → choose → retrain per configuration." },
    { name: "k", type: "int", positive: true, default: 10, help: "Slate length K." },
    { name: "seed", type: "int", default: DEFAULT_SEED, help: "Seed of the world, the users' choices and training." },
    {
      name: "users",
      type: "int",
      positive: true,
      default: 1000,
      help: "Users in the synthetic world (refused up front when the world, the slates or a configuration's training would not fit in memory).",
    },
    { name: "items", type: "int", positive: true, default: 1500, help: "Items in the synthetic world (--k may not exceed it)." },
    { name: "common", type: "string", default: "", help: 'Training flags applied to every configuration, e.g. "--dim 32".' },
    { name: "position-bias", type: "number", min: 0, default: 1, placeholder: "η", help: "Slot p is examined with probability (1/p)^η (0: every slot)." },
    {
      name: "acceptance-steepness",
      type: "number",
      min: 0,
      default: 10,
      placeholder: "β",
      help: "An examined item is accepted with probability σ(β·(r − τ)).",
    },
    {
      name: "acceptance-threshold",
      type: "number",
      placeholder: "τ",
      help: "True relevance accepted half the time (default: the world's relevance threshold, 0.6).",
    },
    { name: "out", type: "path", help: "Also write the whole simulation as JSON to this file (atomically)." },
    QUIET,
    JSON_OUTPUT,
    VARIANT,
    THREADS,
  ],
  positionals: [
    {
      name: "configuration",
      variadic: true,
      help: '"[label:] <train flags>", "[label:] most-popular" or "[label:] graph-filter [...]" (default: the set above).',
    },
  ],
  examples: [
    "longtail simulate",
    "longtail simulate --rounds 10 --users 2000 --items 3000 --out loops.json",
    'longtail simulate --rounds 3 "plain: --loss bpr --epochs 10" "ren: --loss bpr --epochs 10 --gradient-adjust --alpha-items 1 --alpha-users 1"',
  ],
});

export async function runSimulate(args: ParsedArgs<typeof SIMULATE>): Promise<number> {
  const v = args.values;
  if (v.out) await checkWritableTarget(v.out, "--out");
  const common = ["--seed", String(v.seed), ...shellWords(v.common, "simulate")];
  const texts = args.positionals.length > 0 ? args.positionals : [...DEFAULT_SIMULATION_CONFIGURATIONS];
  // Every configuration is parsed before the first round, so a typo fails at once.
  const specs = texts.map((text, i) => parseConfiguration(text, i, common, "simulate"));
  const labels = specs.map((s) => s.label);
  const twice = labels.find((l, i) => labels.indexOf(l) !== i);
  if (twice !== undefined)
    throw new ArgsError(
      `two configurations are labelled "${twice}"; give each a distinct label ("label: --flags")`,
      "simulate",
      'Run "longtail simulate --help".',
    );
  // Sizes are checked before the world is generated: the world, the slates and every configuration's training on the grown log.
  checkWorldFlags(v.users, v.items);
  checkListLength(v.k, v.items, { names: FLAG_NAMES, what: "a slate" });
  checkListMemory(v.users, v.k, 2, { names: FLAG_NAMES });
  checkConfigurationsFit(
    specs,
    { users: v.users, items: v.items, interactions: syntheticWorldInteractions(v.users, v.items) + v.rounds * v.users * v.k },
    v.threads,
  );
  const progress = createProgress({ quiet: v.quiet });
  const started = performance.now();
  const world = syntheticWorldFromFlags(v.seed, v.users, v.items);
  progress.log(`synthetic world: ${v.users} users × ${v.items} items, ${world.interactions.user.length} logged interactions`);
  const kernels = await cliKernels(v.kernels, v.threads);
  const bar = progress.start("simulating", specs.length * v.rounds, "rounds");
  let done = 0;
  const result = await simulateFeedbackLoops(kernels, world, specs, {
    rounds: v.rounds,
    k: v.k,
    seed: v.seed,
    choice: {
      positionBias: v["position-bias"],
      acceptanceSteepness: v["acceptance-steepness"],
      ...(v["acceptance-threshold"] !== undefined && { acceptanceThreshold: v["acceptance-threshold"] }),
    },
    onRound: (label, r) => bar.update(++done, `${label} round ${r.round}: Gini ${r.gini.toFixed(3)}, true precision ${r.truePrecision.toFixed(3)}`),
  });
  bar.finish();
  // No timings in the report: the same command gives the same bytes.
  const report = { command: "simulate", configurationTexts: texts, ...result };
  const seconds = (performance.now() - started) / 1000;
  if (v.out) await writeFileAtomic(v.out, JSON.stringify(report, null, 2) + "\n");
  if (v.json) {
    process.stdout.write(JSON.stringify(report) + "\n");
  } else {
    process.stdout.write(formatSimulation(result));
    process.stdout.write(`\n${seconds.toFixed(1)} s${v.out ? ` · wrote ${v.out}` : ""}\n`);
  }
  return 0;
}

/**
 * Refuse a synthetic world of `users` × `items` that cannot fit in memory (`csv`: also written as a
 * ratings.csv text), naming the flags that set them.
 */
export function checkWorldFlags(users: number, items: number, options: { flags?: readonly [string, string]; csv?: boolean; command?: string } = {}): void {
  const [usersFlag, itemsFlag] = options.flags ?? ["--users", "--items"];
  const command = options.command ?? "simulate";
  try {
    checkSyntheticWorldOptions({ nUsers: users, nItems: items });
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new ArgsError(
      `${usersFlag} ${users} ${itemsFlag} ${items}: no synthetic world of that size (${e.message}); every user logs at least 5 items, so give ${itemsFlag} 10 or more`,
      command,
      `Run "longtail ${command} --help".`,
    );
  }
  checkSyntheticWorld(users, items, { csv: options.csv, names: (s) => (s === "nUsers" ? usersFlag : s === "nItems" ? itemsFlag : FLAG_NAMES(s)) });
}

/** The world of --seed, --users and --items; a size the world cannot be built at is a flag error (of `command`). */
export function syntheticWorldFromFlags(seed: number, users: number, items: number, command = "simulate", flags?: readonly [string, string]): SyntheticWorld {
  checkWorldFlags(users, items, { ...(flags && { flags }), command });
  return generateSyntheticWorld({ seed, nUsers: users, nItems: items });
}

/** The per-round table: one row per configuration and round. */
export function formatSimulation(result: SimulationResult): string {
  const k = result.k;
  const header = [
    "configuration",
    "round",
    `Gini@${k}`,
    "coverage",
    "tail share",
    "median pop.",
    "true prec.",
    "head",
    "tail",
    "true recall",
    "accepted",
    "log Gini",
  ];
  const rows: string[][] = [header];
  for (const c of result.configurations) {
    for (const r of c.rounds) {
      rows.push([
        c.label,
        String(r.round),
        r.gini.toFixed(3),
        r.coverage.toFixed(3),
        r.longTailShare.toFixed(3),
        r.medianPopularity.toFixed(1),
        r.truePrecision.toFixed(3),
        r.truePrecisionHead.toFixed(3),
        r.truePrecisionTail.toFixed(3),
        r.trueRecall.toFixed(4),
        String(r.accepted),
        r.logGini.toFixed(4),
      ]);
    }
  }
  const w = result.world;
  return (
    `synthetic world: ${w.users} users × ${w.items} items, ${w.interactions} logged interactions (log Gini ${result.initialLog.gini.toFixed(4)}); ` +
    `K = ${k}, ${result.rounds} rounds; head = items with ≥ ${result.headTail.minCount} initial interactions (${result.headTail.headItems} items)\n` +
    `choice: slot p examined with (1/p)^${result.choice.positionBias}, accepted with σ(${result.choice.acceptanceSteepness}·(r − ${result.choice.acceptanceThreshold}))\n\n` +
    formatColumns(rows)
  );
}

import { ArgsError, defineCommand, parseArgs } from "./args.js";
import { GRADIENT_ADJUSTMENT_FLAGS, gradientAdjustmentFromFlags, RERANK_FLAG, TTEN_FLAG } from "./debiasing-flags.js";
import { shellWords } from "./shell-words.js";
import { mfConfigFromFlags, TRAINING_FLAGS } from "./training-flags.js";
import type { ExperimentSpec } from "../experiments/experiment.js";
import { ConfigError, resolveMfConfig } from "../mf/config.js";
import { resolveMfServing } from "../mf/serving.js";
import { quoteFound } from "../data/errors.js";
import { GRAPH_FILTER_DEFAULTS } from "../graph-filter/graph-filter.js";

/**
 * The flags a configuration string may hold: `longtail train`'s model and training flags, its
 * gradient adjustment with both α fixed (the α grid needs a validation part only `train` holds
 * out), and serving-time `--rerank β`.
 */
const CONFIGURATION = defineCommand({
  name: "configuration",
  summary: "One configuration of compare/sweep: the model and training flags of longtail train.",
  flags: [...TRAINING_FLAGS, ...GRADIENT_ADJUSTMENT_FLAGS, RERANK_FLAG, TTEN_FLAG],
});

/** The flags of a `graph-filter` configuration (GraphFilterOptions). */
const GRAPH_FILTER_CONFIGURATION = defineCommand({
  name: "graph-filter",
  summary: "A graph-filter configuration of compare and simulate: the closed-form model of GraphFilter.",
  flags: [
    {
      name: "rank",
      type: "int",
      min: 0,
      default: GRAPH_FILTER_DEFAULTS.rank,
      help: "Leading eigenvectors of the item graph in the ideal low-pass filter (capped at the data's size).",
    },
    { name: "low-pass", type: "number", default: GRAPH_FILTER_DEFAULTS.lowPassWeight, help: "Weight α of the ideal low-pass filter." },
    { name: "sharpen", type: "number", default: GRAPH_FILTER_DEFAULTS.sharpening, help: "β of the sharpening step s ← s − β·s·P̃ (0: GF-CF as published)." },
    { name: "iterations", type: "int", min: 0, max: 100, default: GRAPH_FILTER_DEFAULTS.iterations, help: "Subspace iterations for the eigenvectors." },
    { name: "seed", type: "int", default: GRAPH_FILTER_DEFAULTS.seed, help: "Seed of the subspace iteration's random start." },
  ],
});

/**
 * Parse one configuration: `[label:] <train flags>` (e.g. `la: --loss softmax --logit-adjust 0.5`),
 * `[label:] most-popular` for the unpersonalised baseline, or `[label:] graph-filter [--rank N
 * --low-pass α --sharpen β]` for the closed-form graph filter. `common` flags (training flags) come
 * first in a trained configuration, so its own flags may not repeat them; the graph filter trains
 * nothing and takes only their --seed.
 */
export function parseConfiguration(text: string, index: number, common: readonly string[], command: string): ExperimentSpec {
  const match = /^\s*([^\s:-][^:]*?)\s*:(?!\/)(.*)$/s.exec(text);
  const label = match ? match[1] : `config ${index + 1}`;
  const words = shellWords(match ? match[2] : text, command);
  if (words.length === 1 && words[0] === "most-popular") return { label, model: "most-popular" };
  try {
    if (words[0] === "graph-filter") {
      // Of the common (training) flags only --seed applies: simulate passes its --seed to every configuration.
      const shared = parseArgs(CONFIGURATION, [...common]);
      const seed = shared.given.has("seed") ? ["--seed", String(shared.values.seed)] : [];
      const v = parseArgs(GRAPH_FILTER_CONFIGURATION, [...seed, ...words.slice(1)]).values;
      return {
        label,
        model: "graph-filter",
        graphFilter: { rank: v.rank, lowPassWeight: v["low-pass"], sharpening: v.sharpen, iterations: v.iterations, seed: v.seed },
      };
    }
    const args = parseArgs(CONFIGURATION, [...common, ...words]);
    const v = args.values;
    const gradient = gradientAdjustmentFromFlags(v, command);
    if (v["gradient-adjust"] && (v["alpha-items"] === undefined || v["alpha-users"] === undefined)) {
      throw new ArgsError(
        "--gradient-adjust in a configuration needs both --alpha-items and --alpha-users (the α grid search runs in longtail train, on its validation part)",
        command,
        "",
      );
    }
    const rerank = v.rerank;
    const config = { ...mfConfigFromFlags(v), ...gradient.config };
    // Flag combinations the model refuses (e.g. the gradient adjustment with a softmax loss) fail here, before any training.
    resolveMfConfig(config);
    const serving = v["gradient-adjust"] || v.tten ? resolveMfServing({ ...gradient.serving, normalizeItems: v.tten }) : undefined;
    return { label, model: "mf", config, ...(serving && { serving }), ...(rerank !== undefined && { popularityPenalty: rerank }) };
  } catch (e) {
    if (e instanceof ArgsError || e instanceof ConfigError) {
      throw new ArgsError(
        `configuration ${quoteFound(label)} (${quoteFound(text)}): ${e.message}`,
        command,
        `Run "longtail ${command} --help": a configuration takes the flags of "longtail train --help" (model and training flags only), or "graph-filter" with --rank, --low-pass, --sharpen, --iterations, --seed.`,
      );
    }
    throw e;
  }
}

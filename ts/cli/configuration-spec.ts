import { ArgsError, defineCommand, parseArgs } from "./args.js";
import { GRADIENT_ADJUSTMENT_FLAGS, gradientAdjustmentFromFlags, RERANK_FLAG, TTEN_FLAG } from "./debiasing-flags.js";
import { shellWords } from "./shell-words.js";
import { mfConfigFromFlags, TRAINING_FLAGS } from "./training-flags.js";
import type { ExperimentSpec } from "../experiments/experiment.js";
import { ConfigError, resolveMfConfig } from "../mf/config.js";
import { resolveMfServing } from "../mf/serving.js";
import { quoteFound } from "../data/errors.js";

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

/**
 * Parse one configuration: `[label:] <train flags>` (e.g. `la: --loss softmax --logit-adjust 0.5`),
 * or `[label:] most-popular` for the unpersonalised baseline. `common` flags come first, so a
 * configuration's own flags may not repeat them.
 */
export function parseConfiguration(text: string, index: number, common: readonly string[], command: string): ExperimentSpec {
  const match = /^\s*([^\s:-][^:]*?)\s*:(?!\/)(.*)$/s.exec(text);
  const label = match ? match[1] : `config ${index + 1}`;
  const words = shellWords(match ? match[2] : text, command);
  if (words.length === 1 && words[0] === "most-popular") return { label, model: "most-popular" };
  try {
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
        `Run "longtail ${command} --help": a configuration takes the flags of "longtail train --help" (model and training flags only).`,
      );
    }
    throw e;
  }
}

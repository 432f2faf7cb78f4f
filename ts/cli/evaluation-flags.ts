import { ArgsError, type FlagSpec } from "./args.js";
import { DEFAULT_EXPOSURE_THRESHOLD } from "../eval/evaluate.js";
import { DEFAULT_HEAD_SHARE, type HeadRule } from "../eval/head-tail.js";

/** How every command that evaluates draws the head/tail boundary and E of PSEI. */
export const EVALUATION_FLAGS = [
  {
    name: "head-share",
    type: "number",
    positive: true,
    max: 1,
    default: DEFAULT_HEAD_SHARE,
    help: "Head = the most popular items holding this share of the training interactions (items with equal counts stay together).",
  },
  {
    name: "head-min-count",
    type: "int",
    positive: true,
    help: 'Head = every item with at least this many training interactions, instead of --head-share (the blog\'s "more than 1,000 ratings" is 1001).',
  },
  {
    name: "exposure-threshold",
    type: "int",
    positive: true,
    default: DEFAULT_EXPOSURE_THRESHOLD,
    placeholder: "E",
    help: "E of PSEI@K: the share of the catalog shown in at least E users' top-K lists.",
  },
] as const satisfies readonly FlagSpec[];

/** What a command that reads a test part does with users or items its model never saw. */
export const UNKNOWN_FLAG = {
  name: "unknown",
  type: "enum",
  choices: ["error", "drop"],
  default: "error",
  help: "Users or items the model does not know: stop with an error, or drop them.",
} as const satisfies FlagSpec;

/** The head rule the flags give; both boundary flags at once is an error that names both values. */
export function headRuleFromFlags(values: { "head-share": number; "head-min-count"?: number }, given: ReadonlySet<string>, command: string): HeadRule {
  const minCount = values["head-min-count"];
  if (minCount === undefined) return { share: values["head-share"] };
  if (given.has("head-share")) {
    throw new ArgsError(
      `--head-share ${values["head-share"]} and --head-min-count ${minCount} both set the head/tail boundary; give one of them`,
      command,
      `Run "longtail ${command} --help" to see its flags.`,
    );
  }
  return { minCount };
}

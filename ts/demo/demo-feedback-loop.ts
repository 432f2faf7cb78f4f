import type { Kernels } from "../kernels/kernels.js";
import type { Section } from "../report/report-data.js";
import { simulateFeedbackLoops, type SimulationResult } from "../simulation/feedback-loop.js";
import { generateSyntheticWorld } from "../synthetic/world.js";
import { type DemoHooks, startTask } from "./demo-hooks.js";
import type { DemoOptions } from "./demo-options.js";
import { loopConfigurations } from "./loop-configurations.js";

/**
 * The feedback loop on a smaller world of the same seed: plain, the debiased model, every other
 * debiasing method and Most Popular. It needs users whose true tastes are known, so real data
 * (`synthetic` false) skips it.
 */
export async function demoFeedbackLoop(kernels: Kernels, synthetic: boolean, options: DemoOptions, hooks: DemoHooks): Promise<Section<SimulationResult>> {
  if (!synthetic)
    return {
      skipped:
        "The feedback loop needs users whose true tastes are known, to simulate what they accept: it runs in the synthetic world only (longtail demo without --data, or longtail simulate).",
    };
  if (options.rounds === 0) return { skipped: "The feedback-loop simulation was skipped (--rounds 0)." };
  const world = generateSyntheticWorld({ seed: options.seed, nUsers: options.loopUsers, nItems: options.loopItems });
  const specs = loopConfigurations(options);
  const task = startTask(hooks, `feedback loop (${world.users.length} users × ${world.items.length} items)`, specs.length * options.rounds, "rounds");
  let done = 0;
  const result = await simulateFeedbackLoops(kernels, world, specs, {
    rounds: options.rounds,
    k: options.k,
    seed: options.seed,
    onRound: (label, r) => task.update(++done, `${label} round ${r.round}: Gini ${r.gini.toFixed(3)}, true precision ${r.truePrecision.toFixed(3)}`),
  });
  task.finish();
  return { data: result };
}

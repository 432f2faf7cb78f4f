/** longtail/simulation: feedback loops, a recommender retrained on what its users chose from its own lists. */
export { ChoiceModel, DEFAULT_CHOICE_MODEL, type ChoiceModelOptions, type ResolvedChoiceModelOptions } from "../simulation/choice-model.js";
export {
  simulateFeedbackLoops,
  type SimulationOptions,
  type SimulationResult,
  type SimulationRound,
  type SimulatedConfiguration,
} from "../simulation/feedback-loop.js";

/** A loss that became NaN or infinite stops training with an error that says what to lower. */
export class DivergenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DivergenceError";
  }
}

export function checkFinite(
  loss: number,
  config: { readonly learningRate: number; readonly loss: string; readonly temperature: number; readonly initStd: number },
  where: string,
): void {
  if (Number.isFinite(loss)) return;
  const hints = [`lower --lr (now ${config.learningRate})`];
  if (config.loss === "softmax" || config.loss === "sampled-softmax") hints.push(`raise --temperature (now ${config.temperature})`);
  if (config.initStd > 0.1) hints.push(`lower the initial scale (now ${config.initStd})`);
  throw new DivergenceError(`training diverged: the loss became ${loss} ${where}; ${hints.join(" or ")}. The model was restored to its last finite state.`);
}

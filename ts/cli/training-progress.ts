import type { Progress, ProgressBar } from "./progress.js";
import type { TrainingProgress } from "../train/fit-report.js";

/** Progress bars for a training run: one bar per epoch, closed with the epoch's loss (and validation recall). */
export function trainingProgress(progress: Progress, totalInteractions: number, k: number, label = ""): (p: TrainingProgress) => void {
  let bar: ProgressBar | null = null;
  const prefix = label ? `${label}: ` : "";
  const epochBar = (p: TrainingProgress) => (bar ??= progress.start(`${prefix}epoch ${p.epoch}/${p.epochs}`, totalInteractions, "interactions"));
  return (p) => {
    const info = `loss ${p.loss.toFixed(4)}`;
    if (p.phase === "batch") {
      epochBar(p).update(p.done, info);
      return;
    }
    const val = p.validationRecall !== undefined ? ` · valid recall@${k} ${p.validationRecall.toFixed(4)}` : "";
    const b = epochBar(p);
    b.update(p.total, "");
    b.finish(`${info}${val}`);
    bar = null;
  };
}

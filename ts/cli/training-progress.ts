import type { Progress, ProgressBar } from "./progress.js";
import type { TrainingProgress } from "../train/fit-report.js";

/**
 * Progress bars for a training run: the distillation teacher's ranking, when there is one, then one
 * bar per epoch over the examples the epoch reports (distilled positives included), closed with
 * the epoch's loss (and validation recall).
 */
export function trainingProgress(progress: Progress, k: number, label = ""): (p: TrainingProgress) => void {
  let bar: ProgressBar | null = null;
  const prefix = label ? `${label}: ` : "";
  const epochBar = (p: TrainingProgress) => (bar ??= progress.start(`${prefix}epoch ${p.epoch}/${p.epochs}`, p.total, "interactions"));
  let teacher: ProgressBar | null = null;
  return (p) => {
    if (p.phase === "distill") {
      teacher ??= progress.start(`${prefix}graph filter teacher`, p.total, "users");
      teacher.update(p.done, "");
      if (p.done === p.total) {
        teacher.finish("ranked");
        teacher = null;
      }
      return;
    }
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

import type { FitOptions } from "../train/fit-report.js";

/** One counted step of the demo (evaluating a model, the feedback loop): its progress and its end. */
export interface DemoTask {
  update(done: number, info?: string): void;
  finish(): void;
}

/** What a caller sees of a running demo (the CLI draws progress bars from these); all optional. */
export interface DemoHooks {
  /** Training options of the model labelled `label`: its progress callback, a cancellation signal. */
  fit?: (label: string) => FitOptions;
  /** A counted step begins: `total` units (users, rounds) of `unit`. */
  task?: (label: string, total: number, unit: string) => DemoTask;
}

const SILENT: DemoTask = { update() {}, finish() {} };

/** The hook's task, or one that reports nowhere. */
export function startTask(hooks: DemoHooks, label: string, total: number, unit: string): DemoTask {
  return hooks.task?.(label, total, unit) ?? SILENT;
}

import type { TrainingWarning } from "../train/training-warnings.js";

/** The output the warnings go to (process.stderr; tests pass a fake). */
export interface WarningStream {
  write(text: string): unknown;
}

/**
 * Prints each training warning of a fit report as one line on stderr, "longtail: warning: …"
 * (prefixed with the configuration's label in compare and sweep). Printed with --quiet too: --quiet
 * silences progress, and these say the model is likely useless.
 */
export function printTrainingWarnings(warnings: readonly TrainingWarning[] | undefined, label = "", stream: WarningStream = process.stderr): void {
  for (const w of warnings ?? []) stream.write(`longtail: warning: ${label ? `${label}: ` : ""}${w.message}\n`);
}

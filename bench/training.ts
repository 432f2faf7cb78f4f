/**
 * Training throughput per loss on a real data set: interactions per second over a time-boxed
 * slice of one epoch (cancelled through the fit() signal), plus one full-ranking evaluation.
 */
import { loadTrainTest } from "../ts/node/dataset-files.js";
import { loadKernels } from "../ts/node.js";
import { MatrixFactorization } from "../ts/model/matrix-factorization.js";
import { TrainingAbortedError } from "../ts/train/fit.js";
import { LOSSES, type LossName, type MfConfig } from "../ts/train/config.js";

export interface TrainingBenchRow {
  loss: LossName;
  /** The loss and any setting that differs from its defaults, e.g. "sampled-softmax --sampling interactions". */
  label: string;
  interactionsPerSecond: number;
  seconds: number;
  interactions: number;
}

export interface TrainingBenchResult {
  data: string;
  users: number;
  items: number;
  interactions: number;
  rows: TrainingBenchRow[];
  evaluation: { users: number; seconds: number; usersPerSecond: number };
}

export async function runTrainingBench(options: { data: string; secondsPerLoss?: number; log?: (line: string) => void }): Promise<TrainingBenchResult> {
  const log = options.log ?? (() => {});
  const seconds = options.secondsPerLoss ?? 12;
  const { train, test } = await loadTrainTest(options.data, { unknownInTest: "extend" });
  const kernels = await loadKernels({ variant: "simd" });
  const rows: TrainingBenchRow[] = [];
  let lastModel: MatrixFactorization | undefined;
  // Each loss with its defaults, and the sampled softmax also per interaction (its previous default).
  const variants: { label: string; config: Partial<MfConfig> & { loss: LossName } }[] = [
    ...LOSSES.map((loss) => ({ label: loss, config: { loss } })),
    { label: "sampled-softmax --sampling users", config: { loss: "sampled-softmax", sampling: "users" } },
  ];
  for (const { label, config } of variants) {
    const loss = config.loss;
    const model = new MatrixFactorization(kernels, { ...config, epochs: 1 });
    let done = 0;
    const t0 = performance.now();
    // An epoch runs synchronously, so a timer could not fire: the deadline is checked per step.
    const controller = new AbortController();
    const onProgress = (p: { done: number }) => {
      done = p.done;
      if (performance.now() - t0 > seconds * 1000) controller.abort();
    };
    try {
      await model.fit(train, { signal: controller.signal, progressIntervalMs: 0, onProgress });
    } catch (e) {
      if (!(e instanceof TrainingAbortedError)) throw e;
    }
    const elapsed = (performance.now() - t0) / 1000;
    const row = { loss, label, interactionsPerSecond: done / elapsed, seconds: elapsed, interactions: done };
    rows.push(row);
    log(`  ${label.padEnd(16)} ${Math.round(row.interactionsPerSecond).toLocaleString("en-US").padStart(10)} interactions/s (${done.toLocaleString("en-US")} in ${elapsed.toFixed(1)} s)`);
    lastModel?.dispose();
    lastModel = model;
  }
  let evaluation = { users: 0, seconds: 0, usersPerSecond: 0 };
  if (test && lastModel) {
    const t0 = performance.now();
    const r = lastModel.evaluate(train, test, { k: 20 });
    const s = (performance.now() - t0) / 1000;
    evaluation = { users: r.users, seconds: s, usersPerSecond: r.users / s };
    log(`  full-ranking evaluation: ${r.users.toLocaleString("en-US")} users × ${train.nItems.toLocaleString("en-US")} items in ${s.toFixed(1)} s`);
  }
  lastModel?.dispose();
  return { data: options.data, users: train.nUsers, items: train.nItems, interactions: train.nnz, rows, evaluation };
}

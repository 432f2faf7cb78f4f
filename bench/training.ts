/**
 * Training throughput per loss on a real data set, on 1 thread and on N, side by side: each row
 * trains for a time box and its rate is the median over one-second windows after a warm-up (the
 * first windows include V8's tier-up of the kernels in every thread). The first rows are BPR with
 * one uniform negative: with SGD on single examples (the C loop's exact shape) and with Adam (the
 * default optimizer); then every loss with its defaults.
 */
import type { Interactions } from "../ts/data/interactions.js";
import type { Kernels } from "../ts/kernels/kernels.js";
import { MatrixFactorization } from "../ts/mf/matrix-factorization.js";
import { loadKernels } from "../ts/node.js";
import { TrainingAbortedError } from "../ts/mf/fit.js";
import type { LossName, MfConfig } from "../ts/mf/config.js";
import { median } from "./stats.js";

export interface TrainingBenchRow {
  readonly label: string;
  readonly config: Partial<MfConfig>;
  /** Interactions per second (BPR with one negative: triples per second) on 1 thread and on N. */
  readonly rates: Record<number, number>;
}

export interface TrainingBenchResult {
  readonly users: number;
  readonly items: number;
  readonly interactions: number;
  readonly threads: number;
  readonly rows: TrainingBenchRow[];
}

/** The C loop's shape: per-example SGD, one uniform negative, the same rate and L2 as bench/native/bpr.c. */
export const SAME_SHAPE_AS_C: Partial<MfConfig> = { loss: "bpr", negatives: 1, hardNegatives: 1, optimizer: "sgd", batchSize: 1, learningRate: 0.05, l2: 1e-4 };

export const TRAINING_ROWS: { label: string; config: Partial<MfConfig> & { loss: LossName } }[] = [
  { label: "bpr, 1 uniform negative, SGD, batch 1 (the C loop's shape)", config: { ...SAME_SHAPE_AS_C, loss: "bpr" } },
  { label: "bpr, 1 uniform negative, Adam", config: { loss: "bpr", negatives: 1, hardNegatives: 1 } },
  { label: "bpr (defaults: 2 negatives, best of 8)", config: { loss: "bpr" } },
  { label: "bce", config: { loss: "bce" } },
  { label: "softmax", config: { loss: "softmax" } },
  { label: "sampled-softmax --adam-updates lazy", config: { loss: "sampled-softmax", adamUpdates: "lazy" } },
  { label: "sampled-softmax --sampling users", config: { loss: "sampled-softmax", sampling: "users" } },
  { label: "sampled-softmax --adam-updates dense", config: { loss: "sampled-softmax", adamUpdates: "dense" } },
  {
    label: "sampled-softmax --adam-updates dense --history-weight 0.5",
    config: { loss: "sampled-softmax", adamUpdates: "dense", historyWeight: 0.5 },
  },
  { label: "ccl (1024 negatives shared by the batch)", config: { loss: "ccl" } },
  { label: "ccl --negative-draws per-positive --negatives 800", config: { loss: "ccl", negativeDraws: "per-positive", negatives: 800 } },
];

/** The median interactions-per-second over the one-second windows after `warmup` seconds of a `seconds` run. */
async function rate(kernels: Kernels, train: Interactions, config: Partial<MfConfig>, seconds: number, warmup: number): Promise<number> {
  const model = new MatrixFactorization(kernels, { ...config, epochs: 1000 });
  const samples: { t: number; done: number }[] = [];
  let epochBase = 0;
  const controller = new AbortController();
  const t0 = performance.now();
  try {
    await model.fit(train, {
      signal: controller.signal,
      progressIntervalMs: 0,
      onProgress: (p) => {
        if (p.phase === "epoch") {
          epochBase += p.total;
          return;
        }
        const t = (performance.now() - t0) / 1000;
        samples.push({ t, done: epochBase + p.done });
        if (t > seconds) controller.abort();
      },
    });
  } catch (e) {
    if (!(e instanceof TrainingAbortedError)) throw e;
  } finally {
    model.dispose();
  }
  const after = samples.filter((s) => s.t >= warmup);
  const rates: number[] = [];
  let from = after[0];
  for (const s of after) {
    if (s.t - from.t >= 1) {
      rates.push((s.done - from.done) / (s.t - from.t));
      from = s;
    }
  }
  if (rates.length === 0 && after.length > 1) rates.push((after.at(-1)!.done - after[0].done) / (after.at(-1)!.t - after[0].t));
  return rates.length ? median(rates) : NaN;
}

export async function runTrainingBench(options: {
  train: Interactions;
  threads: number;
  secondsPerRow?: number;
  log?: (line: string) => void;
}): Promise<TrainingBenchResult> {
  const { train, threads } = options;
  const seconds = options.secondsPerRow ?? 8;
  const log = options.log ?? (() => {});
  const kernels = new Map<number, Kernels>();
  for (const t of [1, threads]) kernels.set(t, await loadKernels({ threads: t }));
  const rows: TrainingBenchRow[] = [];
  for (const { label, config } of TRAINING_ROWS) {
    const rates: Record<number, number> = {};
    // The two thread counts alternate within a row: both see the same state of a shared machine.
    for (const t of [1, threads]) rates[t] = await rate(kernels.get(t)!, train, config, seconds, Math.min(2, seconds / 4));
    rows.push({ label, config, rates });
    const line = [1, threads].map((t) => `${Math.round(rates[t]).toLocaleString("en-US").padStart(10)} /s on ${t}`).join(", ");
    log(`  ${label.padEnd(62)} ${line}  (${(rates[threads] / rates[1]).toFixed(2)}×)`);
  }
  for (const k of kernels.values()) k.dispose();
  return { users: train.nUsers, items: train.nItems, interactions: train.nnz, threads, rows };
}

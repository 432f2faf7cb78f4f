/**
 * How the kernel benchmark times a piece of work: warm up first (V8 runs new wasm in its baseline
 * compiler, Liftoff, and swaps in TurboFan code only for later calls: wasm has no on-stack
 * replacement, so one long call never speeds up), then time whole runs, batching calls that are
 * too short to time one at a time.
 */
export interface TimingOptions {
  /** Timed samples (the median of these is reported). */
  readonly repeats: number;
  /** Untimed calls of the full work before sampling. */
  readonly warmupRuns: number;
  /** A sample lasts at least this long: short work is called several times per sample. */
  readonly minSampleMs: number;
}

/** Milliseconds per call of `work`, one entry per sample, by the wall clock and by process CPU time. */
export interface RunTimes {
  readonly wallMs: number[];
  /**
   * User + system CPU time of this process per call. On a shared machine the wall clock also
   * counts the time other processes held the core; CPU time does not (it still includes slowdown
   * from a busy sibling hyperthread or evicted caches).
   */
  readonly cpuMs: number[];
}

export function timeRuns(work: () => void, options: TimingOptions): RunTimes {
  for (let i = 0; i < options.warmupRuns; i++) work();
  let callsPerSample = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < callsPerSample; i++) work();
    const elapsed = performance.now() - t0;
    if (elapsed >= options.minSampleMs || callsPerSample >= 1 << 20) break;
    callsPerSample *= Math.max(2, Math.min(16, Math.ceil(options.minSampleMs / Math.max(elapsed, 0.01))));
  }
  const wallMs: number[] = [];
  const cpuMs: number[] = [];
  for (let s = 0; s < options.repeats; s++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < callsPerSample; i++) work();
    wallMs.push((performance.now() - t0) / callsPerSample);
    const cpu = process.cpuUsage(c0);
    cpuMs.push((cpu.user + cpu.system) / 1e3 / callsPerSample);
  }
  return { wallMs, cpuMs };
}

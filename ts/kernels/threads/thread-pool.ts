import { ARGS_BYTE_OFFSET, CONTROL, CONTROL_BLOCK_BYTES, ERRORS_BYTE_OFFSET, MAX_KERNEL_ARGS, THREAD_LAYOUT, THREAD_STATE } from "./control-block.js";

/** One started pool thread, as its runtime gives it. */
export interface ThreadHandle {
  post(message: unknown): void;
  terminate(): void;
}

/**
 * Starts one pool thread running kernel-thread.ts's body; `onMessage` gets what the thread posts,
 * `onError` a failure to start or an uncaught error. Each runtime entry supplies its own (Node's
 * worker_threads, Web Workers).
 */
export type ThreadSpawner = (onMessage: (message: any) => void, onError: (error: Error) => void) => ThreadHandle;

export interface ThreadPoolOptions {
  /** The kernel module, instantiated again by every thread on the shared memory. */
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** The calling thread's instance: it runs share 0 of every call. */
  exports: Record<string, unknown>;
  /** Byte offset of CONTROL_BLOCK_BYTES of zeroed shared memory the pool may use for good. */
  control: number;
  /** Threads in all, the calling one included (≥ 2). */
  threads: number;
  spawn: ThreadSpawner;
  /** Whether this thread may block in Atomics.wait (not a page's main thread): else it spins while it waits. */
  canBlock: boolean;
  /** Stop the threads after this long without a call (restarted by the next): Deno keeps a process alive while a Worker lives. */
  idleShutdownMs?: number;
  /** Milliseconds a start may take (default 30 s). */
  startTimeoutMs?: number;
}

/** A kernel threw on one of the pool's threads; the message is the kernel's. */
export class ThreadPoolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ThreadPoolError";
  }
}

/**
 * A fixed set of threads that run kernels on the same wasm memory as the calling thread. A call
 * is fork-join and synchronous: {@link run} hands one share to each thread through the control
 * block, runs share 0 itself and returns when every share is done, so the loops that call it stay
 * ordinary synchronous code. Only the calling thread allocates; the threads only read and write
 * memory the caller allocated and handed them.
 */
export class ThreadPool {
  readonly size: number;
  private readonly ints: Int32Array;
  private readonly doubles: Float64Array;
  private readonly errorText: Uint8Array;
  private readonly names: string[];
  private readonly nameIndex = new Map<string, number>();
  private handles: ThreadHandle[] = [];
  private running = false;
  private disposed = false;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private lastError: Error | null = null;

  private constructor(private readonly options: ThreadPoolOptions) {
    const { threads, memory, control } = options;
    if (!Number.isInteger(threads) || threads < 2 || threads > CONTROL.MAX_THREADS)
      throw new RangeError(`a thread pool holds 2 to ${CONTROL.MAX_THREADS} threads, not ${threads}`);
    this.size = threads;
    const buffer = memory.buffer;
    this.ints = new Int32Array(buffer, control, CONTROL.INT_SLOTS);
    this.doubles = new Float64Array(buffer, control + ARGS_BYTE_OFFSET, CONTROL.MAX_THREADS * CONTROL.ARG_STRIDE);
    this.errorText = new Uint8Array(buffer, control + ERRORS_BYTE_OFFSET, CONTROL.MAX_THREADS * CONTROL.ERROR_BYTES);
    this.names = Object.keys(options.exports).filter((k) => typeof options.exports[k] === "function");
    this.names.forEach((name, i) => this.nameIndex.set(name, i));
  }

  /** Starts the threads and resolves once every one has instantiated the module. */
  static async start(options: ThreadPoolOptions): Promise<ThreadPool> {
    const pool = new ThreadPool(options);
    await pool.startThreads();
    return pool;
  }

  static readonly CONTROL_BLOCK_BYTES = CONTROL_BLOCK_BYTES;

  /**
   * Runs `kernel` once per non-null entry of `shares` (share t on thread t, share 0 here) and
   * returns each share's result (0 for a null share). Throws after every share has finished when
   * any of them threw.
   */
  run(kernel: string, shares: ReadonlyArray<ReadonlyArray<number> | null>): Float64Array {
    if (this.disposed) throw new ThreadPoolError("the thread pool was disposed: load the kernels again");
    if (this.running) throw new ThreadPoolError(`${kernel}: a kernel call through the pool is already running (the pool is not re-entrant)`);
    if (shares.length > this.size) throw new RangeError(`${kernel}: ${shares.length} shares for a pool of ${this.size} threads`);
    const task = this.nameIndex.get(kernel);
    if (task === undefined) throw new ThreadPoolError(`the kernel module has no function "${kernel}"`);
    const results = new Float64Array(shares.length);
    let others = 0;
    for (let t = 1; t < shares.length; t++) if (shares[t]) others++;
    const fn = this.options.exports[kernel] as (...args: number[]) => number;
    if (others === 0) {
      if (shares[0]) results[0] = fn(...shares[0]);
      return results;
    }
    this.ensureStarted();
    this.running = true;
    try {
      const ints = this.ints;
      const generation = (Atomics.load(ints, CONTROL.GENERATION) + 1) | 0 || 1;
      Atomics.store(ints, CONTROL.TASK, task);
      for (let t = 1; t < shares.length; t++) {
        const share = shares[t];
        if (!share) continue;
        if (share.length > MAX_KERNEL_ARGS) throw new RangeError(`${kernel}: ${share.length} arguments, at most ${MAX_KERNEL_ARGS} go through the pool`);
        const base = t * CONTROL.ARG_STRIDE;
        this.doubles[base] = share.length;
        for (let a = 0; a < share.length; a++) this.doubles[base + 1 + a] = share[a];
        this.doubles[base + CONTROL.ARG_STRIDE - 1] = 0;
        Atomics.store(ints, CONTROL.ERROR + t, 0);
        Atomics.store(ints, CONTROL.TICKET + t, generation);
      }
      Atomics.store(ints, CONTROL.PENDING, others);
      Atomics.store(ints, CONTROL.GENERATION, generation);
      Atomics.notify(ints, CONTROL.GENERATION);
      for (let t = 1; t < shares.length; t++) {
        if (shares[t] && Atomics.load(ints, CONTROL.STATE + t) === THREAD_STATE.PARKED) this.handles[t - 1].post({ type: "wake" });
      }
      let ownError: unknown = null;
      try {
        if (shares[0]) results[0] = fn(...shares[0]);
      } catch (e) {
        ownError = e;
      }
      this.waitForShares();
      if (ownError) throw ownError;
      for (let t = 1; t < shares.length; t++) {
        if (!shares[t]) continue;
        const length = Atomics.load(ints, CONTROL.ERROR + t);
        if (length > 0) {
          const start = t * CONTROL.ERROR_BYTES;
          const message = new TextDecoder().decode(this.errorText.slice(start, start + length));
          throw new ThreadPoolError(`${kernel} failed on pool thread ${t}: ${message}`);
        }
        results[t] = this.doubles[t * CONTROL.ARG_STRIDE + CONTROL.ARG_STRIDE - 1];
      }
      return results;
    } finally {
      this.running = false;
      this.scheduleIdleShutdown();
    }
  }

  /** Stops every thread; the pool cannot run calls afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.stopThreads();
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  private waitForShares(): void {
    const ints = this.ints;
    for (let spins = 0; spins < 20000; spins++) if (Atomics.load(ints, CONTROL.PENDING) === 0) return;
    for (;;) {
      const pending = Atomics.load(ints, CONTROL.PENDING);
      if (pending === 0) return;
      if (this.options.canBlock) Atomics.wait(ints, CONTROL.PENDING, pending, 100);
    }
  }

  private async startThreads(): Promise<void> {
    const ready = this.spawnAll();
    const timeout = this.options.startTimeoutMs ?? 30000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        ready,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new ThreadPoolError(`the pool's ${this.size - 1} threads did not start within ${timeout / 1000} s`)), timeout);
        }),
      ]);
    } catch (e) {
      this.stopThreads();
      throw e;
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
    this.scheduleIdleShutdown();
  }

  /** Spawns every thread and returns a promise of all of them being ready (also visible in the control block). */
  private spawnAll(): Promise<void> {
    const { module, memory, control, spawn } = this.options;
    const ints = this.ints;
    Atomics.store(ints, CONTROL.QUIT, 0);
    const readies: Promise<void>[] = [];
    this.handles = [];
    this.lastError = null;
    for (let t = 1; t < this.size; t++) {
      Atomics.store(ints, CONTROL.STATE + t, THREAD_STATE.STARTING);
      Atomics.store(ints, CONTROL.TICKET + t, 0);
      readies.push(
        new Promise<void>((resolve, reject) => {
          const handle = spawn(
            (message) => {
              if (message && message.type === "ready") resolve();
            },
            (error) => {
              this.lastError = error;
              reject(new ThreadPoolError(`pool thread ${t} failed: ${error.message}`));
            },
          );
          this.handles.push(handle);
          handle.post({ type: "init", module, memory, control, index: t, names: this.names, layout: THREAD_LAYOUT });
        }),
      );
    }
    return Promise.all(readies).then(() => undefined);
  }

  /** After an idle shutdown: start the threads again, blocking until they are up (only where this thread may block). */
  private ensureStarted(): void {
    if (this.handles.length > 0) return;
    if (!this.options.canBlock) throw new ThreadPoolError("the pool's threads were stopped and cannot be restarted on a thread that may not block");
    this.spawnAll().catch(() => {});
    const deadline = Date.now() + (this.options.startTimeoutMs ?? 30000);
    for (let t = 1; t < this.size; t++) {
      while (Atomics.load(this.ints, CONTROL.STATE + t) === THREAD_STATE.STARTING) {
        if (this.lastError) throw new ThreadPoolError(`restarting pool thread ${t} failed: ${this.lastError.message}`);
        if (Date.now() > deadline) {
          this.stopThreads();
          throw new ThreadPoolError(`restarting the pool's threads timed out`);
        }
        Atomics.wait(this.ints, CONTROL.STATE + t, THREAD_STATE.STARTING, 20);
      }
    }
  }

  private stopThreads(): void {
    const ints = this.ints;
    Atomics.store(ints, CONTROL.QUIT, 1);
    Atomics.add(ints, CONTROL.GENERATION, 1);
    Atomics.notify(ints, CONTROL.GENERATION);
    for (const handle of this.handles) {
      try {
        handle.post({ type: "wake" });
      } catch {
        // already gone
      }
    }
    // A thread still inside Atomics.wait cannot be terminated in every runtime (Deno hangs): give
    // the threads that are up a moment to see QUIT and close themselves first.
    const deadline = Date.now() + 1000;
    for (let t = 1; t < this.size; t++) {
      for (;;) {
        const state = Atomics.load(ints, CONTROL.STATE + t);
        if (state !== THREAD_STATE.WATCHING || Date.now() > deadline) break;
        if (this.options.canBlock) Atomics.wait(ints, CONTROL.STATE + t, state, 5);
      }
    }
    for (const handle of this.handles) handle.terminate();
    this.handles = [];
  }

  private scheduleIdleShutdown(): void {
    const ms = this.options.idleShutdownMs;
    if (ms === undefined || this.disposed) return;
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (!this.running && !this.disposed && this.handles.length > 0) this.stopThreads();
    }, ms);
    unrefTimer(this.idleTimer);
  }
}

/** Keeps a timer from holding the process open (Node: unref(); Deno: Deno.unrefTimer). */
function unrefTimer(timer: ReturnType<typeof setTimeout>): void {
  const t = timer as unknown as { unref?: () => void };
  if (typeof t.unref === "function") {
    t.unref();
    return;
  }
  const deno = (globalThis as { Deno?: { unrefTimer?: (id: number) => void } }).Deno;
  if (typeof timer === "number" && deno?.unrefTimer) deno.unrefTimer(timer);
}

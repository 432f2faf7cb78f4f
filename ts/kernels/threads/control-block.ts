/**
 * The layout of a thread pool's control block: a few kilobytes of the kernels' shared wasm memory
 * through which the calling thread hands kernel calls to the pool's threads and waits for them.
 * Int32 slots are indices into an Int32Array at the block's start; the argument area is a
 * Float64Array (pointers, counts and scalars all fit a double exactly); each thread writes the
 * message of a kernel that threw into its own error area. The threads read the same numbers
 * from the `layout` the pool sends them at start (kernel-thread.ts imports nothing).
 */
export const CONTROL = {
  /** Bumped once per dispatched call: what sleeping and spinning threads watch. */
  GENERATION: 0,
  /** Threads still running the current call; the last one to finish wakes the caller. */
  PENDING: 1,
  /** Non-zero: threads leave their loop and close. */
  QUIT: 2,
  /** Index (into the pool's list of kernel names) of the kernel to run. */
  TASK: 3,
  /** Per thread t: STATE + t (see THREAD_STATE). */
  STATE: 16,
  /** Per thread t: TICKET + t, the generation of the last call given to t (run once, and only when t sees that generation). */
  TICKET: 16 + 256,
  /** Per thread t: ERROR + t, the byte length of the message of the kernel that threw (0 = none). */
  ERROR: 16 + 512,
  /** Int32 slots before the argument area. */
  INT_SLOTS: 1024,
  /** Doubles per thread in the argument area: [0] = argument count, [1 .. ARG_STRIDE-2] = arguments, [ARG_STRIDE-1] = result. */
  ARG_STRIDE: 32,
  /** Bytes per thread of error message. */
  ERROR_BYTES: 256,
  /** Threads a pool can hold. */
  MAX_THREADS: 256,
} as const;

/** What a pool thread is doing, as written into STATE + t. */
export const THREAD_STATE = {
  STARTING: 0,
  /** Instantiated and watching GENERATION (spinning or sleeping in Atomics.wait). */
  WATCHING: 1,
  /** Back in its event loop, waiting for a "wake" message (after a while without calls). */
  PARKED: 2,
  /** Left the loop for good (QUIT). */
  CLOSED: 3,
} as const;

/** Byte offset of the argument area, and the whole block's size. */
export const ARGS_BYTE_OFFSET = CONTROL.INT_SLOTS * 4;
export const ERRORS_BYTE_OFFSET = ARGS_BYTE_OFFSET + CONTROL.MAX_THREADS * CONTROL.ARG_STRIDE * 8;
export const CONTROL_BLOCK_BYTES = ERRORS_BYTE_OFFSET + CONTROL.MAX_THREADS * CONTROL.ERROR_BYTES;

/** Every number above, as the pool sends it to each thread at start (kernel-thread.ts's `L`). */
export const THREAD_LAYOUT = { ...CONTROL, ARGS_BYTE_OFFSET, ERRORS_BYTE_OFFSET, ...THREAD_STATE } as const;

/** The most arguments one kernel call can take through the pool. */
export const MAX_KERNEL_ARGS = CONTROL.ARG_STRIDE - 2;

/**
 * The body of every pool thread, in every runtime. It is sent to the thread as source text
 * (`String(kernelThreadMain)`: a Blob URL for Web Workers, `eval` for Node's worker_threads), so
 * no file has to be found or copied by a bundler, and therefore it must not use anything outside
 * its own body: no imports, no helpers, no TypeScript-only syntax that emits code.
 *
 * A thread instantiates the kernel module on the shared memory and then loops: it waits for the
 * control block's generation to change, runs the kernel it was handed (if this call has a ticket
 * for it) and counts itself done. Waiting spins briefly (calls often follow each other within
 * microseconds), then sleeps in Atomics.wait, and after a quiet spell returns to its event loop
 * ("parked") so that the runtime can terminate it and end the process cleanly; the caller then
 * sends a "wake" message with its next call.
 */

/** How a thread talks to the thread that started it. */
export interface ThreadPortLike {
  onMessage(listener: (message: any) => void): void;
  post(message: unknown): void;
  close(): void;
}

export function kernelThreadMain(port: ThreadPortLike): void {
  let exports: Record<string, (...args: number[]) => number> | null = null;
  let ints: Int32Array;
  let doubles: Float64Array;
  let errorBytes: Uint8Array;
  let index = 0;
  let names: string[] = [];
  let L: Record<string, number>;
  let seen = 0;
  let lastTicket = 0;
  // Up to SPIN_MS of spinning (a training step's calls come tens to hundreds of microseconds apart,
  // and waking from a sleep costs about as much), then sleeps of 50 ms, then parking after ~200 ms.
  const SPIN_MS = 0.1;
  const SLEEP_MS = 50;
  const SLEEPS_BEFORE_PARKING = 4;

  // Only the ticket of the generation just seen: a thread that sat out call N (no share) may see
  // generation N late, after the caller has already written its ticket for call N+1 but before it
  // reset PENDING for that call; running that ticket early would count it against the wrong call
  // and leave the caller waiting for ever.
  function runTicket(generation: number): void {
    const ticket = Atomics.load(ints, L.TICKET + index);
    if (ticket !== generation || ticket === lastTicket) return;
    lastTicket = ticket;
    const base = index * L.ARG_STRIDE;
    const argc = doubles[base];
    const args: number[] = [];
    for (let a = 0; a < argc; a++) args.push(doubles[base + 1 + a]);
    try {
      const name = names[Atomics.load(ints, L.TASK)];
      const result = exports![name](...args);
      doubles[base + L.ARG_STRIDE - 1] = typeof result === "number" ? result : 0;
    } catch (e) {
      const text = new TextEncoder().encode(String((e && (e as Error).message) || e)).subarray(0, L.ERROR_BYTES);
      errorBytes.set(text, index * L.ERROR_BYTES);
      Atomics.store(ints, L.ERROR + index, Math.max(1, text.length));
    }
    if (Atomics.sub(ints, L.PENDING, 1) === 1) Atomics.notify(ints, L.PENDING);
  }

  function loop(): void {
    let sleeps = 0;
    for (;;) {
      const generation = Atomics.load(ints, L.GENERATION);
      if (generation === seen) {
        const until = performance.now() + SPIN_MS;
        for (let spins = 1; Atomics.load(ints, L.GENERATION) === seen; spins++) {
          if ((spins & 1023) === 0 && performance.now() > until) break;
        }
        if (Atomics.load(ints, L.GENERATION) !== seen) continue;
        if (sleeps < SLEEPS_BEFORE_PARKING) {
          sleeps++;
          Atomics.wait(ints, L.GENERATION, seen, SLEEP_MS);
          continue;
        }
        // Park: back to the event loop until a "wake" message. The state is set before the last
        // look at the generation, so a caller that bumps it after that look sees PARKED and wakes us.
        Atomics.store(ints, L.STATE + index, L.PARKED);
        if (Atomics.load(ints, L.GENERATION) !== seen) {
          Atomics.store(ints, L.STATE + index, L.WATCHING);
          continue;
        }
        return;
      }
      seen = generation;
      sleeps = 0;
      if (Atomics.load(ints, L.QUIT) !== 0) {
        Atomics.store(ints, L.STATE + index, L.CLOSED);
        port.close();
        return;
      }
      runTicket(generation);
    }
  }

  port.onMessage((message) => {
    if (message && message.type === "init") {
      L = message.layout;
      index = message.index;
      names = message.names;
      const instance = new WebAssembly.Instance(message.module, { env: { memory: message.memory } });
      exports = instance.exports as any;
      const buffer = message.memory.buffer;
      ints = new Int32Array(buffer, message.control, L.INT_SLOTS);
      doubles = new Float64Array(buffer, message.control + L.ARGS_BYTE_OFFSET, L.MAX_THREADS * L.ARG_STRIDE);
      errorBytes = new Uint8Array(buffer, message.control + L.ERRORS_BYTE_OFFSET, L.MAX_THREADS * L.ERROR_BYTES);
      seen = Atomics.load(ints, L.GENERATION);
      lastTicket = Atomics.load(ints, L.TICKET + index);
      Atomics.store(ints, L.STATE + index, L.WATCHING);
      Atomics.notify(ints, L.STATE + index);
      port.post({ type: "ready", index });
      loop();
    } else if (message && message.type === "wake" && exports) {
      Atomics.store(ints, L.STATE + index, L.WATCHING);
      loop();
    }
  });
}

/**
 * Progress reporting for the CLI, on stderr so stdout stays machine-readable. On a terminal one
 * line is redrawn in place (throttled: redrawing costs more than a training step); in a log
 * file or CI a plain line appears every few seconds, so logs stay short but show liveness.
 */

/** The part of a writable stream progress needs (process.stderr fits; tests pass a fake). */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  /** Print nothing at all. */
  quiet?: boolean;
  stream?: ProgressStream;
  /** Milliseconds clock; injectable so tests control time. */
  now?: () => number;
  /** Minimum time between redraws on a terminal (default 100 ms: at most ~10 a second). */
  ttyIntervalMs?: number;
  /** Minimum time between plain lines when not a terminal (default 5 s). */
  plainIntervalMs?: number;
}

export interface ProgressBar {
  /** Report `done` units so far; `info` is extra text such as "loss 0.4123". Cheap to call often. */
  update(done: number, info?: string): void;
  /** Print the final line (always, unless quiet), with an optional closing message. Idempotent. */
  finish(message?: string): void;
}

export interface Progress {
  /** Start a bar; `total` undefined when unknown (then no percentage or ETA). */
  start(label: string, total?: number, unit?: string): ProgressBar;
  /** A message line that does not break a bar being redrawn. */
  log(message: string): void;
}

const CLEAR_LINE = "\r\x1b[K";
const BAR_CELLS = 20;

export function createProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? (() => performance.now());
  const tty = stream.isTTY === true;
  const ttyInterval = options.ttyIntervalMs ?? 100;
  const plainInterval = options.plainIntervalMs ?? 5000;
  const quiet = options.quiet === true;
  // The line currently shown in place on the terminal, so log() can clear and restore it.
  let liveLine = "";

  const fit = (line: string): string => {
    const width = Math.max(20, (stream.columns ?? 80) - 1); // a wrapped line cannot be redrawn with \r
    return line.length > width ? line.slice(0, width - 1) + "…" : line;
  };

  return {
    start(label: string, total?: number, unit = "items"): ProgressBar {
      if (quiet) return { update() {}, finish() {} };
      if (liveLine) {
        stream.write("\n"); // a bar left unfinished keeps its last state on screen
        liveLine = "";
      }
      const started = now();
      // A terminal shows the bar at once; a log gets its first line only once the task has run
      // a while, so short tasks leave just their final line.
      let lastShown = tty ? -Infinity : started;
      let done = 0;
      let info: string | undefined;
      let finished = false;

      const describe = (final: boolean): string => {
        const elapsedS = (now() - started) / 1000;
        const rate = elapsedS > 0 ? done / elapsedS : 0;
        const parts: string[] = [];
        if (total !== undefined && total > 0) {
          const fraction = Math.min(1, Math.max(0, done / total));
          const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
          parts.push(tty ? `${bar(fraction)} ${percent}` : percent.trim(), `${count(done)}/${count(total)} ${unit}`);
        } else {
          parts.push(`${count(done)} ${unit}`);
        }
        if (rate > 0) parts.push(`${compact(rate)} ${unit}/s`);
        if (final) parts.push(`in ${duration(elapsedS)}`);
        else if (total !== undefined && total > done && rate > 0) parts.push(`ETA ${duration((total - done) / rate)}`);
        if (info) parts.push(info);
        return `${label} ${parts.join(" · ")}`;
      };

      return {
        update(value: number, extra?: string): void {
          if (finished) return;
          if (Number.isFinite(value)) done = value;
          if (extra !== undefined) info = extra;
          const t = now();
          if (t - lastShown < (tty ? ttyInterval : plainInterval)) return;
          lastShown = t;
          if (tty) {
            liveLine = fit(describe(false));
            stream.write(CLEAR_LINE + liveLine);
          } else {
            stream.write(describe(false) + "\n");
          }
        },
        finish(message?: string): void {
          if (finished) return;
          finished = true;
          const line = describe(true) + (message ? ` · ${message}` : "");
          stream.write(tty ? `${CLEAR_LINE}${fit(line)}\n` : `${line}\n`);
          liveLine = "";
        },
      };
    },
    log(message: string): void {
      if (quiet) return;
      if (tty && liveLine) stream.write(`${CLEAR_LINE}${message}\n${liveLine}`);
      else stream.write(`${message}\n`);
    },
  };
}

function bar(fraction: number): string {
  const filled = Math.round(fraction * BAR_CELLS);
  return `[${"#".repeat(filled)}${"-".repeat(BAR_CELLS - filled)}]`;
}

function count(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** 950, 12.3k, 4.56M */
function compact(n: number): string {
  const three = (x: number) => x.toFixed(x < 10 ? 2 : x < 100 ? 1 : 0);
  if (n >= 1e6) return `${three(n / 1e6)}M`;
  if (n >= 1e3) return `${three(n / 1e3)}k`;
  return n >= 10 ? n.toFixed(0) : n.toFixed(2);
}

/** 0.4s, 42s, 3m05s, 1h02m */
function duration(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
